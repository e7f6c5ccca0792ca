package dev.mailroom.relay;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt hands to a relay: the stored bytes, the envelope, and nothing else.
 *
 * @param mime the RFC 5322 message exactly as stored at intake; every attempt sends these bytes
 * @param recipients the envelope recipients still to be delivered (RCPT TO), in order
 * @param envelopeSenders when bounces come back per recipient (VERP), the envelope sender of each
 *     recipient, in the same order: the relay sends one transaction per recipient, on one
 *     connection; null for one transaction with {@code envelopeFrom} for all
 */
public record OutgoingMessage(
    UUID emailId,
    String envelopeFrom,
    List<String> recipients,
    byte[] mime,
    @Nullable List<String> envelopeSenders) {

  public OutgoingMessage {
    if (envelopeSenders != null && envelopeSenders.size() != recipients.size()) {
      throw new IllegalArgumentException("one envelope sender per recipient");
    }
  }

  public OutgoingMessage(UUID emailId, String envelopeFrom, List<String> recipients, byte[] mime) {
    this(emailId, envelopeFrom, recipients, mime, null);
  }
}
