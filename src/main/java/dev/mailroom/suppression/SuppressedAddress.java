package dev.mailroom.suppression;

import java.util.Locale;

/**
 * How an address is compared on the suppression list: the whole address in lower case, after
 * trimming. RFC 5321 lets the local part be case-sensitive, but no mailbox provider in use treats
 * {@code Jane@} and {@code jane@} as two people; a list that misses a suppressed address because of
 * its case would send again to a known-bad address, which costs more than the rare mailbox that
 * really differs by case.
 */
public final class SuppressedAddress {

  /** The longest address SMTP carries (RFC 5321 path limit). */
  static final int MAX_LENGTH = 254;

  private SuppressedAddress() {}

  public static String normalise(String address) {
    return address.strip().toLowerCase(Locale.ROOT);
  }

  /** Whether a caller's address is one we can keep: {@code local@domain}, no spaces, bounded. */
  static boolean plausible(String address) {
    String a = address.strip();
    int at = a.lastIndexOf('@');
    return a.length() <= MAX_LENGTH
        && at > 0
        && at < a.length() - 1
        && a.chars().noneMatch(c -> c <= ' ' || c == 0x7f || c == '<' || c == '>');
  }
}
