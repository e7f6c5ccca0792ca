package dev.mailroom.apikey;

import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Which scope each route needs: the first row that matches decides. Add a row with each new
 * endpoint; a route without one still needs a valid key, of any scope.
 *
 * <p>A key passes a row when it has the scope or one that {@linkplain Scope#implies implies} it:
 * {@code admin} passes the {@code read} rows (and reads every project there), and no others. What a
 * key then sees of a route is its project's, which the route's own room decides.
 */
final class ApiRoutes {

  static final List<Route> ROUTES =
      List.of(
          route(POST, "/emails", Scope.SEND),
          route(POST, "/emails/batch", Scope.SEND),
          route(POST, "/emails/{id}/cancel", Scope.SEND),
          route(GET, "/emails", Scope.READ),
          route(GET, "/emails/**", Scope.READ),
          route(null, "/templates", Scope.TEMPLATES),
          route(null, "/templates/**", Scope.TEMPLATES),
          route(null, "/domains", Scope.DOMAINS),
          route(null, "/domains/**", Scope.DOMAINS),
          route(GET, "/suppressions", Scope.SUPPRESSIONS, Scope.READ),
          route(GET, "/suppressions/**", Scope.SUPPRESSIONS, Scope.READ),
          route(null, "/suppressions", Scope.SUPPRESSIONS),
          route(null, "/suppressions/**", Scope.SUPPRESSIONS),
          route(null, "/webhooks", Scope.WEBHOOKS),
          route(null, "/webhooks/**", Scope.WEBHOOKS));

  /** Open to anyone: the OpenAPI document and Swagger UI. */
  static final List<String> PUBLIC =
      List.of(
          "/v3/api-docs",
          "/v3/api-docs.yaml",
          "/v3/api-docs/**",
          "/swagger-ui.html",
          "/swagger-ui/**");

  /**
   * A method (null for any) and a path pattern: {@code {id}} matches one segment, {@code **} the
   * rest.
   */
  record Route(
      @Nullable HttpMethod method,
      String pattern,
      Scope scope,
      List<Scope> alsoAllowed,
      RequestMatcher matcher) {

    /** The authorities that pass the row: its scope's, or one of those also allowed. */
    String[] authorities() {
      return java.util.stream.Stream.concat(java.util.stream.Stream.of(scope), alsoAllowed.stream())
          .map(Scope::authority)
          .toArray(String[]::new);
    }
  }

  /**
   * @param alsoAllowed other scopes that pass this row too (reading suppressions with {@code read})
   */
  private static Route route(
      @Nullable HttpMethod method, String pattern, Scope scope, Scope... alsoAllowed) {
    return new Route(
        method,
        pattern,
        scope,
        List.of(alsoAllowed),
        PathPatternRequestMatcher.withDefaults().matcher(method, pattern));
  }

  static Optional<Scope> requiredScope(HttpServletRequest request) {
    return ROUTES.stream()
        .filter(route -> route.matcher().matches(request))
        .map(Route::scope)
        .findFirst();
  }

  private ApiRoutes() {}
}
