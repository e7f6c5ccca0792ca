package dev.mailroom.delivery;

import dev.mailroom.email.RecipientStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An email this dispatcher holds a lease on.
 *
 * @param project the project of the key that sent it, for the delivery's logs
 * @param token the fencing token of this claim: results are written only while it is current
 * @param attempts attempts including this one
 * @param expiresAt never send at or after this
 * @param recipients every recipient, settled or not, in their original order
 */
record ClaimedEmail(
    UUID id,
    String project,
    long token,
    String envelopeFrom,
    byte[] mime,
    int attempts,
    Instant createdAt,
    @Nullable Instant expiresAt,
    Instant leaseUntil,
    List<Recipient> recipients) {

  record Recipient(int position, String address, RecipientStatus status) {
    /** Not settled yet: to be tried with this attempt. */
    boolean pending() {
      return status == RecipientStatus.PENDING || status == RecipientStatus.DEFERRED;
    }
  }

  List<String> pendingAddresses() {
    return recipients.stream()
        .filter(Recipient::pending)
        .map(Recipient::address)
        .distinct()
        .toList();
  }

  /** The position at which a pending address is first listed. */
  int firstPendingPosition(String address) {
    return recipients.stream()
        .filter(r -> r.pending() && r.address().equals(address))
        .mapToInt(Recipient::position)
        .findFirst()
        .orElseThrow();
  }

  /** Whether the email may no longer be sent at this time. */
  boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  boolean anyAccepted() {
    return recipients.stream().anyMatch(r -> r.status() == RecipientStatus.ACCEPTED);
  }
}
