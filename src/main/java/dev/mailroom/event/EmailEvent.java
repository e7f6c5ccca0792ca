package dev.mailroom.event;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One fact about an email, to be recorded by {@link EmailEvents#record}.
 *
 * @param project the email's project: only its webhook endpoints are told
 * @param recipient the recipient's position (in the email's recipient list) when the event is about
 *     one recipient, such as a bounce
 * @param data what the event knows, as JSON values: {@code smtpCode}, {@code enhancedCode}, {@code
 *     diagnostic}, {@code relay}, {@code attempt}, {@code reason}... Webhook payloads carry it as
 *     {@code data}, with {@code emailId}, {@code project} and {@code recipient} added.
 */
public record EmailEvent(
    String project,
    UUID emailId,
    @Nullable Integer recipient,
    EmailEventType type,
    Instant occurredAt,
    Map<String, @Nullable Object> data) {

  /** An event about the whole email. */
  public static EmailEvent of(
      String project,
      UUID emailId,
      EmailEventType type,
      Instant occurredAt,
      Map<String, @Nullable Object> data) {
    return new EmailEvent(project, emailId, null, type, occurredAt, data);
  }
}
