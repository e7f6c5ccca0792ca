package dev.mailroom.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A delivery this dispatcher holds a lease on, with what it needs to send it: its endpoint and the
 * event it reports.
 *
 * @param token the fencing token of this claim: its result is written only while it is current
 * @param attempts tries including this one
 * @param retryFrom retries stop {@code retry.maxAge} after this
 */
record ClaimedDelivery(
    UUID id,
    long token,
    int attempts,
    UUID endpointId,
    String project,
    Instant retryFrom,
    String url,
    boolean enabled,
    String secret,
    @Nullable String previousSecret,
    @Nullable Instant previousExpiresAt,
    String type,
    Instant occurredAt,
    UUID emailId,
    @Nullable String recipient,
    String data) {

  /** Never printed with its secrets. */
  @Override
  public String toString() {
    return "ClaimedDelivery[" + webhookId() + ", endpoint " + endpointId + ", " + type + "]";
  }

  /** The webhook-id of every try: receivers deduplicate by it. */
  String webhookId() {
    return "msg_" + id;
  }

  /** The secrets that sign a try made now: the current one, and the previous one in its 24 h. */
  List<String> secrets(Instant now) {
    List<String> secrets = new ArrayList<>(2);
    secrets.add(secret);
    if (previousSecret != null && previousExpiresAt != null && previousExpiresAt.isAfter(now)) {
      secrets.add(previousSecret);
    }
    return secrets;
  }
}
