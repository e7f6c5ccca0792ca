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
  REJECTED,
  /**
   * Accepted by the relay, then returned: a bounce (delivery status notification) came back for
   * this recipient. The email stays SENT: it was handed over.
   */
  BOUNCED,
  /** Accepted and delivered, then reported by the recipient as spam (a feedback report). */
  COMPLAINED,
  /** Never sent to: the address is on the project's suppression list. */
  SUPPRESSED
}
