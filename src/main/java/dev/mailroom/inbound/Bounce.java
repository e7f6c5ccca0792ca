package dev.mailroom.inbound;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A bounce or complaint about one recipient of one email we sent.
 *
 * @param kind what the report means for the recipient
 * @param emailId the email it is about
 * @param recipientPosition the recipient's position in the email, when a VERP token named it; null
 *     when the bounce was matched by its Message-ID only (then {@code recipientAddress} names the
 *     recipient, and whoever applies the bounce must check that the email has that recipient)
 * @param recipientAddress the recipient address the report gives (DSN {@code Final-Recipient} or
 *     {@code Original-Recipient}, ARF {@code Original-Rcpt-To}, or found in the text), if any
 * @param status the RFC 3463 enhanced status code, e.g. {@code 5.1.1}, if any
 * @param diagnostic what the remote server said ({@code Diagnostic-Code}), or the feedback type of
 *     a complaint
 * @param remoteMta the server that refused the message ({@code Remote-MTA}), if named
 * @param reportedBy who sent the report: the DSN's {@code Reporting-MTA}, else the report's {@code
 *     From}
 * @param matchedBy how the report was tied to the email; a token is proof (it carries a MAC), a
 *     Message-ID is only a claim about a message that exists
 */
public record Bounce(
    Kind kind,
    UUID emailId,
    @Nullable Integer recipientPosition,
    @Nullable String recipientAddress,
    @Nullable String status,
    @Nullable String diagnostic,
    @Nullable String remoteMta,
    @Nullable String reportedBy,
    MatchedBy matchedBy) {

  public enum Kind {
    /** Permanent failure (DSN {@code Action: failed} with a 5.x.x status): the address is bad. */
    HARD,
    /**
     * The remote side gave up with a transient status (4.x.x, e.g. the message expired in its
     * queue): this email did not arrive, but the address is not known to be bad.
     */
    SOFT,
    /** {@code Action: delayed}: still being retried; a warning, nothing has failed yet. */
    DELAYED,
    /** A recipient reported the email as spam or abuse (RFC 5965 feedback report). */
    COMPLAINT,
    /** A report about the recipient that is none of the above (e.g. {@code Action: delivered}). */
    UNKNOWN
  }

  public enum MatchedBy {
    VERP_TOKEN,
    MESSAGE_ID
  }
}
