package dev.mailroom.event;

import java.util.Locale;

/** What happened to an email; the wire name is {@code email.<lower-case name>}. */
public enum EmailEventType {
  /** Committed to the outbox (queued, or scheduled for later). */
  ACCEPTED,
  /** The relay accepted it for at least one recipient and none is waiting any more. */
  SENT,
  /** An attempt failed transiently; another is scheduled. */
  DEFERRED,
  /** Given up: rejected, or out of retries. */
  FAILED,
  /** A recipient's mailbox bounced it after the relay had accepted it. */
  BOUNCED,
  /** A recipient reported it as spam. */
  COMPLAINED,
  /** A recipient was on the project's suppression list and was not sent to. */
  SUPPRESSED,
  /** Cancelled by the caller before it was sent. */
  CANCELLED,
  /** Its {@code expiresAt} passed before it could be delivered. */
  EXPIRED,
  /** A remote server reported the delivery to a recipient as delayed (a delayed DSN). */
  DELIVERY_DELAYED;

  private final String wireName = "email." + name().toLowerCase(Locale.ROOT);

  /** {@code email.sent}, {@code email.delivery_delayed}... */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name; empty when there is no such type. */
  public static java.util.Optional<EmailEventType> ofWireName(String value) {
    for (EmailEventType type : values()) {
      if (type.wireName.equals(value)) {
        return java.util.Optional.of(type);
      }
    }
    return java.util.Optional.empty();
  }
}
