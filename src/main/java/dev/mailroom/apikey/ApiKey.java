package dev.mailroom.apikey;

import dev.mailroom.apikey.ApiKeySettings.RateLimit;
import java.util.List;
import java.util.Set;

/**
 * A configured key, as the authenticated caller of a request. Holds no secret: the service never
 * has the plaintext, and the hash stays in {@link ApiKeys}.
 *
 * @param allowedSenderDomains lower-case ASCII domains; {@code *.} prefixes allow subdomains; empty
 *     allows any sender
 */
public record ApiKey(
    String name, Set<Scope> scopes, List<String> allowedSenderDomains, RateLimit rateLimit) {

  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }
}
