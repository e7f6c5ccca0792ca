package dev.mailroom.system;

import dev.mailroom.email.EmailSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bounds every request body: a declared Content-Length over the limit is refused before reading,
 * and a chunked body is cut off as soon as it passes the limit. Either way the answer is 413.
 * {@code POST /emails/batch} carries up to {@code max-batch-size} emails and has a limit of its
 * own.
 */
@Component
class RequestSizeLimit extends OncePerRequestFilter {

  private static final String BATCH_PATH = "/emails/batch";

  private final long limit;
  private final long batchLimit;
  private final JsonMapper json;

  RequestSizeLimit(EmailSettings settings, JsonMapper json) {
    this.limit = settings.maxRequestSize().toBytes();
    this.batchLimit = settings.maxBatchRequestSize().toBytes();
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
      json.writeValue(response.getOutputStream(), ProblemHandler.tooLargeProblem(limit));
      return;
    }
    chain.doFilter(new Bounded(request, limit), response);
  }

  /** Any path other than exactly the batch path, however spelled, gets the smaller limit. */
  private long limitFor(HttpServletRequest request) {
    return request.getRequestURI().equals(request.getContextPath() + BATCH_PATH)
        ? Math.max(limit, batchLimit)
        : limit;
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
