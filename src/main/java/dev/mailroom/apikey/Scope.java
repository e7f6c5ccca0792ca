package dev.mailroom.apikey;

import java.util.Locale;

/** What a key may do. Each is a Spring Security authority {@code SCOPE_<name>}. */
public enum Scope {
  /** Send email: {@code POST /emails} and acting on one's emails, such as cancelling. */
  SEND,
  /** Read email status: {@code GET /emails/...}. */
  READ,
  /** Manage the project's stored templates. */
  TEMPLATES,
  /** Manage the project's webhook endpoints, read their delivery logs, replay deliveries. */
  WEBHOOKS,
  /**
   * Manage the project's suppression list: {@code /suppressions...}. Reading it is also allowed
   * with {@link #READ}.
   */
  SUPPRESSIONS,
  /**
   * For operators: read the emails of every project, not only the key's own ({@code GET /emails}
   * may filter by {@code project}); with {@code send}, cancel them too. Implies {@link #READ}.
   */
  ADMIN,
  /** Manage the project's sender domains: their DKIM keys and DNS records ({@code /domains}). */
  DOMAINS;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String authority() {
    return "SCOPE_" + value();
  }

  /** Whether a key with this scope may do what {@code other} allows. */
  public boolean implies(Scope other) {
    return this == other || (this == ADMIN && other == READ);
  }

  /** Parses a scope's name ({@code send}, {@code read}, …), in any case. */
  public static Scope of(String value) {
    for (Scope scope : values()) {
      if (scope.value().equalsIgnoreCase(value.strip())) {
        return scope;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope '"
            + value
            + "' (expected one of "
            + String.join(", ", java.util.Arrays.stream(values()).map(Scope::value).toList())
            + ")");
  }
}
