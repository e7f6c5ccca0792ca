package dev.mailroom.relay;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a delay out of a transient reply's text: "try again in 120 seconds", "retry after 2
 * minutes", "Try again later in 5 min", "greylisted for 300 seconds". Relays that say how long to
 * wait mean it; retrying sooner only earns another refusal. Capped, so a relay cannot park an email
 * for a day.
 */
final class RetryHint {

  static final Duration MAX = Duration.ofHours(1);

  private static final String AMOUNT =
      "(\\d{1,6})\\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\\b";

  private static final Pattern HINT =
      Pattern.compile(
          "\\b(?:(?:re)?try\\b[a-z ]{0,20}?\\b(?:in|after)|greylist(?:ed|ing)?\\b[a-z ]{0,20}?\\bfor)\\s+"
              + AMOUNT,
          Pattern.CASE_INSENSITIVE);

  private RetryHint() {}

  /** The delay a 4xx reply asks for; empty for other replies or when the text names none. */
  static Optional<Duration> of(SmtpReply reply) {
    return reply.isTransient() ? parse(reply.text()) : Optional.empty();
  }

  static Optional<Duration> parse(String text) {
    Matcher m = HINT.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    Duration delay =
        switch (m.group(2).toLowerCase(Locale.ROOT).charAt(0)) {
          case 'h' -> Duration.ofHours(amount);
          case 'm' -> Duration.ofMinutes(amount);
          default -> Duration.ofSeconds(amount);
        };
    if (delay.isZero()) {
      return Optional.empty();
    }
    return Optional.of(delay.compareTo(MAX) > 0 ? MAX : delay);
  }
}
