package dev.mailroom.inbound;

import dev.mailroom.inbound.Bounce.Kind;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link BounceParser} read from one inbound message, before it is matched to an email.
 *
 * @param format which shape the message had
 * @param recipients one entry per recipient the report is about
 * @param reportedBy the DSN's {@code Reporting-MTA}, else the message's {@code From} address
 * @param originalMessageId the {@code Message-ID} of the returned message (or the one named in the
 *     text), with its angle brackets
 * @param originalSenders addresses the original message was sent from, as the report gives them
 *     (the returned {@code Return-Path}, ARF {@code Original-Mail-From}, Postfix's {@code
 *     X-Postfix-Sender}): where a VERP token can be found when the report was not mailed to it
 * @param detail why the message was not understood, for {@link Format#MALFORMED} and {@link
 *     Format#UNRECOGNIZED}
 */
public record BounceReport(
    Format format,
    List<RecipientReport> recipients,
    @Nullable String reportedBy,
    @Nullable String originalMessageId,
    List<String> originalSenders,
    @Nullable String detail) {

  public enum Format {
    /** RFC 3464 {@code multipart/report; report-type=delivery-status}. */
    DSN,
    /** RFC 5965 {@code multipart/report; report-type=feedback-report}. */
    ARF,
    /** No report part, but the text names a failure status (and usually the address). */
    NON_STANDARD,
    /** A readable message that says nothing we recognise: an auto-reply, a human, spam. */
    UNRECOGNIZED,
    /** Not a message we can read at all. */
    MALFORMED
  }

  /**
   * @param kind what the report says about this recipient
   * @param address {@code Final-Recipient} (else {@code Original-Recipient}), {@code
   *     Original-Rcpt-To}, or the address found in the text
   * @param action the DSN {@code Action} (failed, delayed, delivered, relayed, expanded)
   */
  public record RecipientReport(
      Kind kind,
      @Nullable String address,
      @Nullable String action,
      @Nullable String status,
      @Nullable String diagnostic,
      @Nullable String remoteMta) {}

  static BounceReport malformed(String detail) {
    return new BounceReport(Format.MALFORMED, List.of(), null, null, List.of(), detail);
  }

  boolean understood() {
    return format != Format.MALFORMED && format != Format.UNRECOGNIZED;
  }
}
