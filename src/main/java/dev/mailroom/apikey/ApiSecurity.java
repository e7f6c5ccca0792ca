package dev.mailroom.apikey;

import dev.mailroom.apikey.ApiKeyAuthenticationFilter.MalformedAuthorizationException;
import dev.mailroom.apikey.ApiRoutes.Route;
import dev.mailroom.system.ProblemResponses;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Two filter chains. Actuator endpoints on the management port (8081) are open, for probes and
 * scrapers inside the cluster; if management shares the API port only health stays open. Everything
 * else is the API: stateless, no CSRF (no cookies, no browser sessions), a bearer key on every
 * request, a scope per route from {@link ApiRoutes}, a rate limit per key, and 401, 403 and 429 as
 * problem details.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurity {

  /**
   * No observations of the security filters, authentication or authorization: with them every
   * request started and stopped one observation per filter, several percent of a send's CPU, and
   * nothing reads them. {@code http.server.requests} is observed outside security and stays.
   */
  @Bean
  static SecurityObservationSettings securityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  @Bean
  @Order(1)
  SecurityFilterChain managementEndpoints(HttpSecurity http, Environment environment)
      throws Exception {
    boolean separatePort = ManagementPortType.get(environment) == ManagementPortType.DIFFERENT;
    http.securityMatcher(
            separatePort
                ? EndpointRequest.toAnyEndpoint()
                : EndpointRequest.to(HealthEndpoint.class))
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
    return stateless(http).build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain api(
      HttpSecurity http, ApiKeys keys, RateLimits limits, ProblemResponses problems)
      throws Exception {
    ProblemEntryPoint entryPoint = new ProblemEntryPoint(problems);
    ApiKeyAuthenticationFilter authentication = new ApiKeyAuthenticationFilter(keys, entryPoint);
    http.authorizeHttpRequests(
            requests -> {
              requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
              requests.requestMatchers(ApiRoutes.PUBLIC.toArray(String[]::new)).permitAll();
              for (Route route : ApiRoutes.ROUTES) {
                requests.requestMatchers(route.matcher()).hasAnyAuthority(route.authorities());
              }
              requests.anyRequest().authenticated();
            })
        .exceptionHandling(
            exceptions ->
                exceptions
                    .authenticationEntryPoint(entryPoint)
                    .accessDeniedHandler(new ProblemAccessDeniedHandler(problems)))
        .addFilterBefore(authentication, BasicAuthenticationFilter.class)
        .addFilterAfter(new RateLimitFilter(limits, problems), ApiKeyAuthenticationFilter.class);
    return stateless(http).build();
  }

  private static HttpSecurity stateless(HttpSecurity http) throws Exception {
    return http.csrf(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable);
  }

  /** 401: no key, a header that is not {@code Bearer <key>}, or a key that is not configured. */
  static final class ProblemEntryPoint implements AuthenticationEntryPoint {
    private final ProblemResponses problems;

    ProblemEntryPoint(ProblemResponses problems) {
      this.problems = problems;
    }

    @Override
    public void commence(
        HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
        throws IOException {
      ProblemDetail problem;
      String challenge = "Bearer realm=\"mailroom\"";
      if (e instanceof BadCredentialsException) {
        problem = ProblemResponses.problem(401, "Invalid API key", "The API key is not valid");
        challenge += ", error=\"invalid_token\", error_description=\"The API key is not valid\"";
      } else if (e instanceof MalformedAuthorizationException) {
        problem =
            ProblemResponses.problem(
                401,
                "Malformed Authorization header",
                "The Authorization header must be 'Bearer <API key>'");
      } else {
        problem =
            ProblemResponses.problem(
                401,
                "API key required",
                "Send an API key in the header 'Authorization: Bearer <API key>'");
      }
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
      problems.write(request, response, problem);
    }
  }

  /** 403: a valid key without the scope the route needs. */
  static final class ProblemAccessDeniedHandler implements AccessDeniedHandler {
    private final ProblemResponses problems;

    ProblemAccessDeniedHandler(ProblemResponses problems) {
      this.problems = problems;
    }

    @Override
    public void handle(
        HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
        throws IOException {
      Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
      String name = authentication == null ? "?" : authentication.getName();
      String route = request.getMethod() + " " + request.getRequestURI();
      String detail =
          ApiRoutes.requiredScope(request)
              .map(
                  scope -> {
                    response.setHeader(
                        HttpHeaders.WWW_AUTHENTICATE,
                        "Bearer realm=\"mailroom\", error=\"insufficient_scope\", scope=\""
                            + scope.value()
                            + "\"");
                    return "API key '"
                        + name
                        + "' does not have the '"
                        + scope.value()
                        + "' scope that "
                        + route
                        + " needs";
                  })
              .orElse("API key '" + name + "' may not call " + route);
      problems.write(
          request, response, ProblemResponses.problem(403, "Insufficient scope", detail));
    }
  }
}
