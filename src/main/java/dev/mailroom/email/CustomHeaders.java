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
 * Checks the caller's own header fields against an allow-list: a few well-known fields a sender
 * writes (mailing-list fields, threading, keywords, auto-reply markers) and {@code X-} names. All
 * else is refused, because a header a receiver trusts is one a caller must not write: the fields
 * the service writes (addresses, subject, identity, MIME structure), trace fields that mail servers
 * add on the way ({@code Received}, {@code Return-Path}, {@code Resent-*}, {@code Delivered-To})
 * and authentication results and signatures ({@code Authentication-Results}, {@code ARC-*}, {@code
 * DKIM-Signature}). An allow-list, because a deny-list misses the next field someone trusts.
 *
 * <p>Inside the {@code X-} space, names that receivers write for themselves are refused too: those
 * of the big mailbox providers and filters ({@code X-Google-*}, {@code X-MS-*}, ...), and those
 * whose words say trace or authentication ({@code X-Original-To}, {@code X-Originating-IP}, {@code
 * X-Forwarded-For}, {@code X-Spam-Status}, ...). A caller writing them could make a message look
 * already checked, or coming from elsewhere, to a filter that reads them.
 */
final class CustomHeaders {

  static final int MAX_HEADERS = 50;
  static final int MAX_NAME = 76;

  /** RFC 5322's limit on a line, CRLF excluded. */
  static final int MAX_LINE = 998;

  /** RFC 5322 field-name: printable ASCII except ':'. */
  private static final Pattern FIELD_NAME = Pattern.compile("[\\x21-\\x39\\x3B-\\x7E]+");

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029\\u0085]");

  /** X- names as they are written in practice: letters, digits, '-', '_' and '.' after "X-". */
  private static final Pattern X_NAME = Pattern.compile("[Xx]-[A-Za-z0-9][A-Za-z0-9_.-]*");

  /** Sender-written fields that are not X- names (RFC 2369, 8058, 2919, 5322, 3834). */
  private static final Set<String> ALLOWED =
      Set.of(
          "list-unsubscribe",
          "list-unsubscribe-post",
          "list-id",
          "list-help",
          "list-subscribe",
          "list-post",
          "list-owner",
          "list-archive",
          "references",
          "in-reply-to",
          "keywords",
          "comments",
          "auto-submitted",
          "precedence",
          "feedback-id");

  /** Written by the service itself, so the message says one thing. */
  private static final Set<String> OWNED =
      Set.of(
          "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version");

  /** Provider and filter prefixes, the word after "X-": X-Google-, X-Gm-, X-MS-, ... */
  private static final Set<String> RECEIVER_PREFIXES =
      Set.of(
          "google",
          "gm",
          "ms",
          "microsoft",
          "forefront",
          "yahoo",
          "ymail",
          "proofpoint",
          "mimecast",
          "barracuda",
          "ironport",
          "rspamd",
          "amavis");

  /** Words that make an X- name a trace, authentication or filter verdict field, in any place. */
  private static final Set<String> RECEIVER_WORDS =
      Set.of(
          "received",
          "original",
          "originating",
          "forwarded",
          "envelope",
          "delivered",
          "apparently",
          "authentication",
          "authenticated",
          "auth",
          "dkim",
          "arc",
          "spf",
          "dmarc",
          "spam",
          "spamd",
          "virus");

  /** RFC 2047 encoded words start so; see {@link #valueProblem}. */
  private static final String ENCODED_WORD = "=?";

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

  private static @Nullable String nameProblem(String name) {
    if (!FIELD_NAME.matcher(name).matches()) {
      return "is not a header name (printable ASCII without spaces or ':')";
    }
    if (name.length() > MAX_NAME) {
      return "header names must be at most " + MAX_NAME + " characters";
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (OWNED.contains(lower) || lower.startsWith("content-")) {
      return "is written by the service and cannot be set";
    }
    if (ALLOWED.contains(lower)) {
      return null;
    }
    if (!lower.startsWith("x-")) {
      return "is not a header the service lets callers set: use one of "
          + "List-Unsubscribe, List-Unsubscribe-Post, List-Id, List-Help, List-Subscribe, "
          + "List-Post, List-Owner, List-Archive, References, In-Reply-To, Keywords, Comments, "
          + "Auto-Submitted, Precedence, Feedback-ID, or an X- name "
          + "(trace, authentication and signature fields are written by mail servers only)";
    }
    if (!X_NAME.matcher(name).matches()) {
      return "X- names must be 'X-' and then letters, digits, '-', '_' or '.'";
    }
    if (receiverField(lower)) {
      return "is a field receiving mail servers and filters write (trace, authentication or "
          + "spam verdicts) and cannot be set";
    }
    return null;
  }

  private static boolean receiverField(String lowerXName) {
    List<String> words = List.of(lowerXName.substring(2).split("[-_.]"));
    return RECEIVER_PREFIXES.contains(words.get(0))
        || words.stream().anyMatch(RECEIVER_WORDS::contains);
  }

  private static @Nullable String valueProblem(String name, @Nullable String value) {
    if (value == null) {
      return "must be a string, not null";
    }
    if (CONTROL.matcher(value).find()) {
      return "must be a single line without control characters (CR, LF, ...)";
    }
    if (value.contains(ENCODED_WORD)) {
      // Passed through, a reader would decode it into text no check saw; encoded again, a
      // pre-encoded value would arrive as gibberish, and a structured field (List-Unsubscribe,
      // References) cannot hold an encoded word at all. So the caller sends the text itself.
      return "must not contain '=?' (an RFC 2047 encoded word): send the text itself; "
          + "non-ASCII text is encoded by the service";
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
