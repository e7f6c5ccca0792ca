package dev.mailroom.delivery;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An email this dispatcher holds a lease on.
 *
 * @param token the fencing token of this claim: results are written only while it is current
 * @param attempts attempts including this one
 * @param recipients every recipient, settled or not, in their original order
 */
record ClaimedEmail(
    UUID id,
    long token,
    String envelopeFrom,
    byte[] mime,
    int attempts,
    Instant createdAt,
    Instant leaseUntil,
    List<Recipient> recipients) {

  record Recipient(int position, String address, String status) {
    boolean pending() {
      return status.equals("PENDING") || status.equals("DEFERRED");
    }
  }

  List<String> pendingAddresses() {
    return recipients.stream()
        .filter(Recipient::pending)
        .map(Recipient::address)
        .distinct()
        .toList();
  }

  boolean anyAccepted() {
    return recipients.stream().anyMatch(r -> r.status().equals("ACCEPTED"));
  }
}
