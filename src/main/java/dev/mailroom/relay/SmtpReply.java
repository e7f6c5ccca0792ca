package dev.mailroom.relay;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One reply from a relay, or what stood in for one when there was none (a connection error has no
 * code).
 *
 * @param code the three-digit reply code, or 0 when the relay never answered
 * @param enhancedCode the RFC 3463 status code (for example {@code 5.1.1}) when the reply has one
 * @param text the reply text without the codes, or a description of the connection failure
 */
public record SmtpReply(int code, @Nullable String enhancedCode, String text) {

  private static final Pattern REPLY =
      Pattern.compile("^(\\d{3})[ -]?(?:([245]\\.\\d{1,3}\\.\\d{1,3})\\s+)?(.*)$", Pattern.DOTALL);

  private static final int MAX_TEXT = 1000;

  public static SmtpReply parse(@Nullable String response) {
    if (response == null || response.isBlank()) {
      return new SmtpReply(0, null, "no reply");
    }
    String trimmed = response.strip();
    Matcher m = REPLY.matcher(trimmed);
    if (!m.matches()) {
      return new SmtpReply(0, null, shorten(trimmed));
    }
    return new SmtpReply(Integer.parseInt(m.group(1)), m.group(2), shorten(m.group(3).strip()));
  }

  /** A reply whose code the transport reported separately from the text. */
  public static SmtpReply of(int code, @Nullable String response) {
    SmtpReply parsed = parse(response);
    return parsed.code() == code || code <= 0
        ? parsed
        : new SmtpReply(code, parsed.enhancedCode(), parsed.text());
  }

  public static SmtpReply noReply(String description) {
    return new SmtpReply(0, null, shorten(description));
  }

  public boolean isPositive() {
    return code >= 200 && code < 300;
  }

  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  public boolean isPermanent() {
    return code >= 500 && code < 600;
  }

  /** The reply as a relay would print it, for logs and the status API. */
  public String line() {
    if (code == 0) {
      return text;
    }
    return code + (enhancedCode == null ? "" : " " + enhancedCode) + " " + text;
  }

  private static String shorten(String text) {
    String oneLine =
        text.replaceAll("\\s*\\R\\s*(\\d{3}[ -](?:[245]\\.\\d{1,3}\\.\\d{1,3}\\s+)?)?", " ");
    return oneLine.length() <= MAX_TEXT ? oneLine : oneLine.substring(0, MAX_TEXT);
  }
}
