package dev.mailroom.relay;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one attempt, decided once by {@link SendClassifier}.
 *
 * @param outcome SENT when the relay took the message for at least one recipient
 * @param reply the reply that decided the outcome (the end-of-data reply on success)
 * @param recipients the outcome for each envelope recipient, keyed by address
 */
public record SendResult(
    Outcome outcome,
    SmtpReply reply,
    Map<String, RecipientResult> recipients,
    String relay,
    Duration duration) {

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

  /** The same outcome for every recipient: the message-level failures. */
  static Map<String, RecipientResult> all(
      List<String> recipients, RecipientOutcome outcome, SmtpReply reply) {
    var result = new java.util.LinkedHashMap<String, RecipientResult>();
    recipients.forEach(r -> result.put(r, new RecipientResult(outcome, reply)));
    return result;
  }
}
