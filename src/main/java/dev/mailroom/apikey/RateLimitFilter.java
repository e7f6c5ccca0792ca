package dev.mailroom.apikey;

import dev.mailroom.system.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.OptionalLong;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Every request made with a rate-limited key takes a token, or is answered 429. */
final class RateLimitFilter extends OncePerRequestFilter {

  private final RateLimits limits;
  private final ProblemResponses problems;

  RateLimitFilter(RateLimits limits, ProblemResponses problems) {
    this.limits = limits;
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication != null && authentication.getPrincipal() instanceof ApiKey key) {
      OptionalLong retryAfter = limits.acquire(key);
      if (retryAfter.isPresent()) {
        tooManyRequests(request, response, key, retryAfter.getAsLong());
        return;
      }
    }
    chain.doFilter(request, response);
  }

  private void tooManyRequests(
      HttpServletRequest request, HttpServletResponse response, ApiKey key, long retryAfter)
      throws IOException {
    ProblemDetail problem =
        ProblemResponses.problem(
            429,
            "Too many requests",
            "API key '"
                + key.name()
                + "' is over its rate limit of "
                + describe(key.rateLimit())
                + "; retry in "
                + retryAfter
                + " s");
    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
    problems.write(request, response, problem);
  }

  private static String describe(ApiKeySettings.RateLimit limit) {
    double perSecond = limit.perSecond() == null ? 0 : limit.perSecond();
    String rate =
        perSecond == Math.rint(perSecond)
            ? Long.toString((long) perSecond)
            : Double.toString(perSecond);
    return rate + " requests per second (burst " + limit.capacity() + ")";
  }
}
