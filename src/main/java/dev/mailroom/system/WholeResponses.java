package dev.mailroom.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sends a response whole, with a Content-Length, when it fits the container's buffer. Spring MVC
 * flushes after writing a body, and a flush commits the response before its length is known: it
 * goes out chunked, as two writes and two TCP segments (the body, then the terminating chunk) where
 * one would do. No endpoint streams, so flushes before the end are ignored here; when the response
 * completes the container sends what it buffered with its length. A body larger than the buffer
 * still goes out in chunks as the buffer fills.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class WholeResponses extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    chain.doFilter(request, new Unflushed(response));
  }

  private static final class Unflushed extends HttpServletResponseWrapper {
    private @Nullable ServletOutputStream stream;

    Unflushed(HttpServletResponse response) {
      super(response);
    }

    @Override
    public void flushBuffer() {
      // The container commits the response when it completes, or when its buffer fills.
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (stream == null) {
        stream = new UnflushedStream(super.getOutputStream());
      }
      return stream;
    }
  }

  private static final class UnflushedStream extends ServletOutputStream {
    private final ServletOutputStream out;

    UnflushedStream(ServletOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() {
      // As flushBuffer.
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }
  }
}
