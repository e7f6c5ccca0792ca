package dev.mailroom.email;

import dev.mailroom.system.FieldProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When an email may leave and how urgently: a request's {@code sendAt}, {@code expiresAt} and
 * {@code priority}, checked.
 *
 * @param sendAt the earliest time to send, as asked (possibly in the past, which means now)
 * @param expiresAt never send at or after this
 */
record Schedule(@Nullable Instant sendAt, @Nullable Instant expiresAt, Priority priority) {

  /** Whether the email waits for its send time rather than being due at once. */
  boolean scheduled(Instant now) {
    return sendAt != null && sendAt.isAfter(now);
  }

  /**
   * Reads the schedule of a request, adding a problem for each bad field.
   *
   * @param maxAhead how far ahead {@code sendAt} may be
   */
  static Schedule read(
      SendEmailRequest request, Instant now, Duration maxAhead, List<FieldProblem> problems) {
    Instant sendAt = instant("/sendAt", request.sendAt(), problems);
    Instant expiresAt = instant("/expiresAt", request.expiresAt(), problems);
    if (sendAt != null && sendAt.isAfter(now.plus(maxAhead))) {
      problems.add(
          FieldProblem.at(
              "/sendAt", "must be at most " + days(maxAhead) + " ahead; got " + request.sendAt()));
    }
    if (expiresAt != null) {
      if (!expiresAt.isAfter(now)) {
        problems.add(FieldProblem.at("/expiresAt", "is not in the future: " + request.expiresAt()));
      } else if (sendAt != null && !expiresAt.isAfter(sendAt)) {
        problems.add(FieldProblem.at("/expiresAt", "must be after sendAt"));
      }
    }
    Priority priority = Priority.NORMAL;
    if (request.priority() != null) {
      Optional<Priority> named = Priority.parse(request.priority());
      if (named.isPresent()) {
        priority = named.get();
      } else {
        problems.add(FieldProblem.at("/priority", "must be 'high', 'normal' or 'low'"));
      }
    }
    return new Schedule(sendAt, expiresAt, priority);
  }

  private static @Nullable Instant instant(
      String pointer, @Nullable String value, List<FieldProblem> problems) {
    if (value == null) {
      return null;
    }
    try {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value, OffsetDateTime::from).toInstant();
    } catch (DateTimeParseException e) {
      problems.add(
          FieldProblem.at(
              pointer,
              "must be an ISO-8601 date and time with a zone offset, such as"
                  + " 2026-05-01T09:00:00Z or 2026-05-01T11:00:00+02:00"));
      return null;
    }
  }

  private static String days(Duration duration) {
    return duration.toSeconds() % 86_400 == 0 ? duration.toDays() + " days" : duration.toString();
  }
}
