package dev.mailroom.apikey;

import dev.mailroom.apikey.ApiKeySettings.RateLimit;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A configured key, as the authenticated caller of a request. Holds no secret: the service never
 * has the plaintext, and the hash stays in {@link ApiKeys}.
 *
 * @param project the project the key acts in: what it sends, and the idempotency keys and stored
 *     templates it uses, belong to this project, and it sees no other project's (unless it has
 *     {@link Scope#ADMIN})
 * @param allowedSenderDomains lower-case ASCII domains; {@code *.} prefixes allow subdomains; empty
 *     allows any sender
 */
public record ApiKey(
    String name,
    String project,
    Set<Scope> scopes,
    List<String> allowedSenderDomains,
    RateLimit rateLimit) {

  /** Whether the key has the scope, or one that implies it. */
  public boolean has(Scope scope) {
    return scopes.stream().anyMatch(held -> held.implies(scope));
  }

  /** An operator's key, which sees the emails of every project. */
  public boolean admin() {
    return scopes.contains(Scope.ADMIN);
  }

  /** The project whose emails the key reads: its own; null, for every project, when admin. */
  public @Nullable String readableProject() {
    return admin() ? null : project;
  }
}
