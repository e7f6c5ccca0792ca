package dev.mailroom.apikey;

import java.util.Arrays;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request made with a valid key; its authorities are the key's scopes and those they imply (an
 * admin key may read).
 */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

  private final ApiKey key;

  ApiKeyAuthentication(ApiKey key) {
    super(
        Arrays.stream(Scope.values())
            .filter(key::has)
            .map(s -> new SimpleGrantedAuthority(s.authority()))
            .toList());
    this.key = key;
    setAuthenticated(true);
  }

  @Override
  public ApiKey getPrincipal() {
    return key;
  }

  /** The key itself is never kept, so there is no credential to give. */
  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public String getName() {
    return key.name();
  }
}
