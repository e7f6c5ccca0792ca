package dev.mailroom.email;

/** Where one recipient of an email stands, as callers see it. */
public enum RecipientStatus {
  /** Not yet tried, or claimed and in flight. */
  PENDING,
  /** The relay took responsibility for this recipient (2xx to RCPT and DATA). */
  ACCEPTED,
  /** A transient failure; tried again with the email's next attempt. */
  DEFERRED,
  /** A permanent failure; never tried again. */
  REJECTED
}
