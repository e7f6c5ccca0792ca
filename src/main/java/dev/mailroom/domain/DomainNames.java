package dev.mailroom.domain;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Sender domain names: a DNS host name of at least two labels, international names as their
 * A-labels ({@code bücher.example} is {@code xn--bcher-kva.example}), lower case, no trailing dot.
 */
final class DomainNames {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern TOP_LEVEL = Pattern.compile(".*[a-z].*");
  private static final int MAX_LENGTH = 253;

  private DomainNames() {}

  /** The name in its stored form, or empty when it is not a domain name one can send from. */
  static Optional<String> normalize(String input) {
    String name = input.strip();
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty() || name.length() > MAX_LENGTH * 2) {
      return Optional.empty();
    }
    String ascii;
    try {
      ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (ascii.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String[] labels = ascii.split("\\.", -1);
    if (labels.length < 2) {
      return Optional.empty();
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return Optional.empty();
      }
    }
    // A top-level domain is never all digits: that would be an IP address.
    if (!TOP_LEVEL.matcher(labels[labels.length - 1]).matches()) {
      return Optional.empty();
    }
    return Optional.of(ascii);
  }
}
