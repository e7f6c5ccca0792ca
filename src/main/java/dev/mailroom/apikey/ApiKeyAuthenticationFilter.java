package dev.mailroom.apikey;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>}. Without the header the request goes on
 * anonymous, and authorization decides (only the API documentation is open); a header that is not a
 * bearer key, or a key that is not configured, is a 401 at once. The request's logs carry the key's
 * project and name ({@code project}, {@code apiKey} in the MDC).
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

  private static final String BEARER = "Bearer ";

  /** The MDC keys of the request's project and key name. */
  static final String PROJECT = "project";

  static final String API_KEY = "apiKey";

  private final ApiKeys keys;
  private final AuthenticationEntryPoint entryPoint;

  ApiKeyAuthenticationFilter(ApiKeys keys, AuthenticationEntryPoint entryPoint) {
    this.keys = keys;
    this.entryPoint = entryPoint;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null) {
      chain.doFilter(request, response);
      return;
    }
    String token = bearerToken(header);
    if (token == null) {
      entryPoint.commence(request, response, new MalformedAuthorizationException());
      return;
    }
    Optional<ApiKey> key = keys.authenticate(token);
    if (key.isEmpty()) {
      entryPoint.commence(request, response, new BadCredentialsException("unknown API key"));
      return;
    }
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(new ApiKeyAuthentication(key.get()));
    SecurityContextHolder.setContext(context);
    // Every line logged for the request names the project and key it was made for.
    MDC.put(PROJECT, key.get().project());
    MDC.put(API_KEY, key.get().name());
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(PROJECT);
      MDC.remove(API_KEY);
    }
  }

  /** The key in {@code Bearer <key>} (scheme in any case, RFC 9110), or null when malformed. */
  private static @Nullable String bearerToken(String header) {
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).strip();
    return token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~') ? null : token;
  }

  /** An Authorization header that is not {@code Bearer <key>}. */
  static final class MalformedAuthorizationException extends AuthenticationException {
    MalformedAuthorizationException() {
      super("the Authorization header is not 'Bearer <key>'");
    }
  }
}
