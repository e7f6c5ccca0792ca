package dev.mailroom.email;

import dev.mailroom.system.FieldProblem;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks the caller's own header fields. Those the service writes itself (addresses, subject,
 * identity, MIME structure, trace and signature fields) cannot be given: a caller could otherwise
 * forge or break them.
 */
final class CustomHeaders {

  static final int MAX_HEADERS = 50;
  static final int MAX_NAME = 76;

  /** RFC 5322's limit on a line, CRLF excluded. */
  static final int MAX_LINE = 998;

  /** RFC 5322 field-name: printable ASCII except ':'. */
  private static final Pattern FIELD_NAME = Pattern.compile("[\\x21-\\x39\\x3B-\\x7E]+");

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029\\u0085]");

  private static final Set<String> OWNED =
      Set.of(
          "from",
          "to",
          "cc",
          "bcc",
          "reply-to",
          "subject",
          "date",
          "message-id",
          "mime-version",
          "return-path",
          "dkim-signature",
          "received",
          "sender");

  private CustomHeaders() {}

  static void check(@Nullable Map<String, @Nullable String> headers, List<FieldProblem> problems) {
    if (headers == null) {
      return;
    }
    if (headers.size() > MAX_HEADERS) {
      problems.add(
          FieldProblem.at(
              "/headers",
              "at most " + MAX_HEADERS + " headers are allowed; got " + headers.size()));
    }
    Set<String> seen = new HashSet<>();
    headers.forEach(
        (name, value) -> {
          String pointer = "/headers/" + FieldProblem.segment(name);
          String problem = nameProblem(name);
          if (problem == null && !seen.add(name.toLowerCase(Locale.ROOT))) {
            problem = "is given more than once (header names are case-insensitive)";
          }
          if (problem == null) {
            problem = valueProblem(name, value);
          }
          if (problem != null) {
            problems.add(FieldProblem.at(pointer, problem));
          }
        });
  }

  /** The headers to write; only for a request that passed {@link #check}. */
  @SuppressWarnings("NullAway")
  static Map<String, String> of(@Nullable Map<String, @Nullable String> headers) {
    return headers == null ? Map.of() : new LinkedHashMap<>(headers);
  }

  static boolean owned(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return OWNED.contains(lower) || lower.startsWith("content-");
  }

  private static @Nullable String nameProblem(String name) {
    if (!FIELD_NAME.matcher(name).matches()) {
      return "is not a header name (printable ASCII without spaces or ':')";
    }
    if (name.length() > MAX_NAME) {
      return "header names must be at most " + MAX_NAME + " characters";
    }
    if (owned(name)) {
      return "is written by the service and cannot be set";
    }
    return null;
  }

  private static @Nullable String valueProblem(String name, @Nullable String value) {
    if (value == null) {
      return "must be a string, not null";
    }
    if (CONTROL.matcher(value).find()) {
      return "must be a single line without control characters (CR, LF, ...)";
    }
    int room = MAX_LINE - name.length() - 2;
    if (value.length() > room) {
      return "must be at most "
          + room
          + " characters, so that '"
          + name
          + ": value' fits one "
          + MAX_LINE
          + "-character header line";
    }
    return null;
  }
}
