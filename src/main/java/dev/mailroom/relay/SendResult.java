package dev.mailroom.relay;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one attempt, decided once by {@link SendClassifier}.
 *
 * @param outcome SENT when the relay took the message for at least one recipient
 * @param reply the reply that decided the outcome (the end-of-data reply on success)
 * @param recipients the outcome for each envelope recipient, keyed by address
 * @param relay the relay that settled the attempt
 * @param retryAfter how long the relay asked us to wait, when a transient reply said so
 * @param tls the TLS session of the connection, when it was encrypted
 * @param relayFailure the relay failed rather than the message (no connection, timeout, TLS or
 *     authentication failure, a relay-wide 4xx): counts against the relay's circuit, and the
 *     message may go to another relay at once
 */
public record SendResult(
    Outcome outcome,
    SmtpReply reply,
    Map<String, RecipientResult> recipients,
    String relay,
    Duration duration,
    @Nullable Duration retryAfter,
    @Nullable Tls tls,
    boolean relayFailure) {

  public SendResult(
      Outcome outcome,
      SmtpReply reply,
      Map<String, RecipientResult> recipients,
      String relay,
      Duration duration) {
    this(outcome, reply, recipients, relay, duration, null, null, false);
  }

  public enum Outcome {
    SENT,
    DEFERRED,
    FAILED
  }

  public enum RecipientOutcome {
    ACCEPTED,
    DEFERRED,
    REJECTED
  }

  public record RecipientResult(RecipientOutcome outcome, SmtpReply reply) {}

  /** The negotiated TLS protocol (e.g. {@code TLSv1.3}) and cipher suite of a connection. */
  public record Tls(String protocol, String cipher) {}

  /** The same result over a connection with this TLS session. */
  SendResult withTls(@Nullable Tls tls) {
    return new SendResult(
        outcome, reply, recipients, relay, duration, retryAfter, tls, relayFailure);
  }

  /** The outcome of {@code part} for other recipients: those a broken connection never tried. */
  static SendResult sameAs(SendResult part, List<String> recipients) {
    return new SendResult(
        part.outcome,
        part.reply,
        all(
            recipients,
            part.outcome == Outcome.FAILED ? RecipientOutcome.REJECTED : RecipientOutcome.DEFERRED,
            part.reply),
        part.relay,
        part.duration,
        part.retryAfter,
        part.tls,
        part.relayFailure);
  }

  /**
   * One result for transactions sent one per recipient (VERP): SENT when any recipient was
   * accepted, else DEFERRED when any waits, else FAILED; the reply of the first part with that
   * outcome; the longest delay asked for. The relay failed only when it failed for every part: once
   * one recipient is accepted, trying the whole message on another relay would send it twice.
   */
  static SendResult merged(List<SendResult> parts, Duration duration) {
    Outcome outcome =
        parts.stream().anyMatch(p -> p.outcome == Outcome.SENT)
            ? Outcome.SENT
            : parts.stream().anyMatch(p -> p.outcome == Outcome.DEFERRED)
                ? Outcome.DEFERRED
                : Outcome.FAILED;
    SendResult deciding =
        parts.stream().filter(p -> p.outcome == outcome).findFirst().orElse(parts.get(0));
    var recipients = new java.util.LinkedHashMap<String, RecipientResult>();
    parts.forEach(p -> recipients.putAll(p.recipients));
    Duration retryAfter =
        parts.stream()
            .map(SendResult::retryAfter)
            .filter(java.util.Objects::nonNull)
            .max(Duration::compareTo)
            .orElse(null);
    boolean relayFailure = parts.stream().allMatch(SendResult::relayFailure);
    return new SendResult(
        outcome,
        deciding.reply,
        recipients,
        deciding.relay,
        duration,
        retryAfter,
        deciding.tls,
        relayFailure);
  }

  /** The same outcome for every recipient: the message-level failures. */
  static Map<String, RecipientResult> all(
      List<String> recipients, RecipientOutcome outcome, SmtpReply reply) {
    var result = new java.util.LinkedHashMap<String, RecipientResult>();
    recipients.forEach(r -> result.put(r, new RecipientResult(outcome, reply)));
    return result;
  }
}
