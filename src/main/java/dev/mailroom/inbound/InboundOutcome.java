package dev.mailroom.inbound;

/** What became of a message mailed to the bounce domain; the metric's {@code outcome} tag. */
enum InboundOutcome {
  /** A bounce or complaint tied to an email of ours, and published. */
  MATCHED,
  /** A report we read but could tie to no email: a forged or expired token, a foreign message. */
  UNMATCHED,
  /** Not a report we could read: kept raw for inspection. */
  UNPARSEABLE,
  /** Refused in the SMTP session: a recipient outside the bounce domain, a message too large. */
  REFUSED;

  String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
