package dev.mailroom.apikey;

import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Keeps a key to the sender domains it was given. A request without {@code from} is sent as the
 * configured default sender, which the operator chose, and is always allowed.
 */
@Component
public class SenderDomains {

  /**
   * Refuses, with 403 naming {@code /from}, a sender outside the calling key's allowed domains. An
   * address without a usable domain is left to validation, which refuses it.
   */
  public void check(@Nullable String from) {
    check(from, "/from");
  }

  /** The same check for a sender found elsewhere in the body, such as one email of a batch. */
  public void check(@Nullable String from, String pointer) {
    ApiKey key = currentKey();
    if (from == null || key == null || key.allowedSenderDomains().isEmpty()) {
      return;
    }
    String domain = domainOf(from);
    if (domain == null || allowed(domain, key.allowedSenderDomains())) {
      return;
    }
    throw new InvalidRequestException(
        HttpStatus.FORBIDDEN,
        "Sender not allowed for this API key",
        List.of(
            FieldProblem.at(
                pointer,
                "'"
                    + domain
                    + "' is not one of the sender domains of API key '"
                    + key.name()
                    + "' ("
                    + String.join(", ", key.allowedSenderDomains())
                    + ")")));
  }

  static boolean allowed(String domain, List<String> allowedDomains) {
    for (String allowed : allowedDomains) {
      if (allowed.startsWith("*.")
          ? domain.endsWith(allowed.substring(1))
          : domain.equals(allowed)) {
        return true;
      }
    }
    return false;
  }

  /** The ASCII, lower-case domain of an address, or null when it has none. */
  static @Nullable String domainOf(String address) {
    int at = address.lastIndexOf('@');
    if (at < 0 || at == address.length() - 1) {
      return null;
    }
    try {
      return IDN.toASCII(address.substring(at + 1).strip()).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static List<String> normalize(String keyName, List<String> domains) {
    List<String> normalized = new ArrayList<>();
    for (String domain : domains) {
      String value = domain.strip();
      String wildcard = value.startsWith("*.") ? "*." : "";
      String name = value.substring(wildcard.length());
      String ascii;
      try {
        ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        ascii = "";
      }
      if (ascii.isEmpty() || !ascii.contains(".") || ascii.startsWith(".") || ascii.endsWith(".")) {
        throw new IllegalStateException(
            "mailroom.api-keys: '"
                + keyName
                + "' has an invalid allowed sender domain '"
                + domain
                + "' (expected e.g. acme.example or *.acme.example)");
      }
      normalized.add(wildcard + ascii);
    }
    return List.copyOf(normalized);
  }

  private static @Nullable ApiKey currentKey() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication != null && authentication.getPrincipal() instanceof ApiKey key
        ? key
        : null;
  }
}
