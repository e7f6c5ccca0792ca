package dev.mailroom.apikey;

import java.util.Locale;

/** What a key may do. Each is a Spring Security authority {@code SCOPE_<name>}. */
public enum Scope {
  /** Send email: {@code POST /emails} and acting on one's emails, such as cancelling. */
  SEND,
  /** Read email status: {@code GET /emails/...}. */
  READ,
  /** Manage stored templates. */
  TEMPLATES;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String authority() {
    return "SCOPE_" + value();
  }

  /** Parses {@code send}, {@code read} or {@code templates}, in any case. */
  public static Scope of(String value) {
    for (Scope scope : values()) {
      if (scope.value().equalsIgnoreCase(value.strip())) {
        return scope;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope '" + value + "' (expected send, read or templates)");
  }
}
