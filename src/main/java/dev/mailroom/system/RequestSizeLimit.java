package dev.mailroom.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bounds every request body: a declared Content-Length over the limit is refused before reading,
 * and a chunked body is cut off as soon as it passes the limit. Either way the answer is 413. The
 * limits are the {@link BodyLimit}s the features declare: one for every request, and any number for
 * paths of their own.
 */
@Component
// After Spring Security's filters, around the UTF-8 check, and before the direct send that reads
// the body.
@Order(Ordered.LOWEST_PRECEDENCE - 20)
class RequestSizeLimit extends OncePerRequestFilter {

  private final long limit;
  private final Map<String, Long> byPath = new LinkedHashMap<>();
  private final JsonMapper json;

  RequestSizeLimit(List<BodyLimit> limits, JsonMapper json) {
    List<BodyLimit> everyRequest = limits.stream().filter(l -> l.path() == null).toList();
    if (everyRequest.size() != 1) {
      throw new IllegalStateException(
          "Exactly one BodyLimit for every request is needed; found " + everyRequest);
    }
    this.limit = everyRequest.get(0).bytes();
    for (BodyLimit l : limits) {
      if (l.path() != null && byPath.putIfAbsent(l.path(), l.bytes()) != null) {
        throw new IllegalStateException("Two BodyLimits for " + l.path());
      }
    }
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long limit = limitFor(request);
    if (request.getContentLengthLong() > limit) {
      response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      response.setHeader("Connection", "close");
      json.writeValue(response.getOutputStream(), new RequestTooLargeException(limit).getBody());
      return;
    }
    chain.doFilter(new Bounded(request, limit), response);
  }

  /** A path's own limit applies to exactly that path; any other spelling gets the general one. */
  private long limitFor(HttpServletRequest request) {
    String uri = request.getRequestURI();
    for (Map.Entry<String, Long> path : byPath.entrySet()) {
      if (uri.equals(request.getContextPath() + path.getKey())) {
        return path.getValue();
      }
    }
    return limit;
  }

  private static final class Bounded extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    Bounded(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), limit);
      }
      return stream;
    }
  }

  private static final class Counting extends InspectedInputStream {
    private final long limit;
    private long read;

    Counting(ServletInputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    void inspect(byte[] buffer, int offset, int length) throws IOException {
      read += length;
      if (read > limit) {
        throw new RequestTooLargeException(limit);
      }
    }
  }
}
