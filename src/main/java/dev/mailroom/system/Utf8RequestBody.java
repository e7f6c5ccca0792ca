package dev.mailroom.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a JSON body that is not well-formed UTF-8 (RFC 8259 requires UTF-8; RFC 3629 and Unicode
 * table 3-7 say what well-formed is). Jackson decodes leniently: it turns the overlong {@code C0
 * AF} into {@code /} and a 4-byte sequence beyond U+10FFFF into stray surrogates, so a value could
 * mean one thing to a byte-level check and another once decoded. Checked while the body streams, so
 * nothing is buffered; the first bad byte ends the read with {@link MalformedBodyException}.
 */
@Component
// Inside the size limit, and before the direct send that reads the body.
@Order(Ordered.LOWEST_PRECEDENCE - 10)
class Utf8RequestBody extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    chain.doFilter(isUtf8Json(request) ? new Checked(request) : request, response);
  }

  private static boolean isUtf8Json(HttpServletRequest request) {
    MediaType type = MediaTypes.parse(request.getContentType());
    if (type == null) {
      return false; // none, or one that does not parse: answered with 415 by Spring MVC
    }
    boolean json =
        MediaType.APPLICATION_JSON.isCompatibleWith(type) || type.getSubtype().endsWith("+json");
    return json && (type.getParameter("charset") == null || declaresUtf8(type));
  }

  private static boolean declaresUtf8(MediaType type) {
    try {
      return StandardCharsets.UTF_8.equals(type.getCharset());
    } catch (IllegalArgumentException e) {
      return false; // an unknown charset: Spring MVC answers that itself
    }
  }

  private static final class Checked extends HttpServletRequestWrapper {
    private @Nullable ServletInputStream stream;

    Checked(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Utf8Stream(super.getInputStream());
      }
      return stream;
    }
  }

  /** Validates bytes as they pass, with the state carried across reads. */
  static final class Utf8Stream extends InspectedInputStream {
    private long offset;
    // Continuation bytes still expected, and the range the next one must fall in.
    private int pending;
    private int low = 0x80;
    private int high = 0xBF;

    Utf8Stream(ServletInputStream in) {
      super(in);
    }

    @Override
    void inspect(byte[] buffer, int off, int len) throws IOException {
      for (int i = 0; i < len; i++) {
        check(buffer[off + i] & 0xFF);
      }
    }

    @Override
    void atEnd() throws IOException {
      end();
    }

    private void check(int b) throws MalformedBodyException {
      if (pending > 0) {
        if (b < low || b > high) {
          throw malformed();
        }
        pending--;
        low = 0x80;
        high = 0xBF;
      } else if (b >= 0x80) {
        start(b);
      }
      offset++;
    }

    private void start(int b) throws MalformedBodyException {
      if (b >= 0xC2 && b <= 0xDF) {
        pending = 1;
      } else if (b == 0xE0) {
        pending = 2;
        low = 0xA0; // no overlong 3-byte forms
      } else if (b == 0xED) {
        pending = 2;
        high = 0x9F; // no UTF-16 surrogates
      } else if (b >= 0xE1 && b <= 0xEF) {
        pending = 2;
      } else if (b == 0xF0) {
        pending = 3;
        low = 0x90; // no overlong 4-byte forms
      } else if (b >= 0xF1 && b <= 0xF3) {
        pending = 3;
      } else if (b == 0xF4) {
        pending = 3;
        high = 0x8F; // nothing above U+10FFFF
      } else {
        throw malformed(); // a stray continuation byte, C0, C1 or F5..FF
      }
    }

    private void end() throws MalformedBodyException {
      if (pending > 0) {
        throw malformed(); // the body ends inside a character
      }
    }

    private MalformedBodyException malformed() {
      return new MalformedBodyException("is not valid UTF-8 at byte " + offset);
    }
  }
}
