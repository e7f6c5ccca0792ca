package dev.mailroom.delivery;

import dev.mailroom.email.EmailStatus;
import dev.mailroom.email.RecipientStatus;
import dev.mailroom.relay.SendResult;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SendResult.RecipientResult;
import dev.mailroom.relay.SmtpReply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt means for the email and each of its recipients: the state the dispatcher writes
 * back. SENT once every recipient is settled and one was accepted; FAILED when none was; DEFERRED
 * while a recipient waits for another try and time remains.
 */
record Settlement(
    EmailStatus status,
    @Nullable Instant dueAt,
    @Nullable Instant sentAt,
    @Nullable String failureReason,
    @Nullable String failureDetail,
    List<RecipientUpdate> recipients) {

  record RecipientUpdate(int position, RecipientStatus status, SmtpReply reply) {}

  /** A failure reason: the caller's {@code expiresAt} passed before the email was delivered. */
  static final String EXPIRED = "EXPIRED";

  /** A failure reason: the relay rejected every recipient. */
  static final String REJECTED = "REJECTED";

  /** A failure reason: still undelivered at the retry age limit. */
  static final String RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED";

  static Settlement of(ClaimedEmail email, SendResult result, RetryPolicy retry, Instant now) {
    List<RecipientUpdate> updates = new ArrayList<>();
    boolean accepted = email.anyAccepted();
    boolean waiting = false;
    for (ClaimedEmail.Recipient recipient : email.recipients()) {
      if (!recipient.pending()) {
        continue;
      }
      RecipientResult outcome = result.recipients().get(recipient.address());
      if (outcome == null) {
        continue;
      }
      accepted |= outcome.outcome() == RecipientOutcome.ACCEPTED;
      waiting |= outcome.outcome() == RecipientOutcome.DEFERRED;
      updates.add(
          new RecipientUpdate(recipient.position(), status(outcome.outcome()), outcome.reply()));
    }
    if (waiting) {
      Optional<Instant> next =
          retry.nextAttempt(
              email.attempts(), email.createdAt(), email.expiresAt(), now, result.retryAfter());
      if (next.isPresent()) {
        return new Settlement(EmailStatus.DEFERRED, next.get(), null, null, null, updates);
      }
      String reason = email.expiredAt(now) ? EXPIRED : RETRIES_EXHAUSTED;
      return givenUp(updates, accepted, reason, result.reply(), now);
    }
    if (accepted) {
      return new Settlement(EmailStatus.SENT, null, now, null, null, updates);
    }
    return new Settlement(EmailStatus.FAILED, null, null, REJECTED, result.reply().line(), updates);
  }

  /** What the relay's answer for one recipient makes of that recipient. */
  private static RecipientStatus status(RecipientOutcome outcome) {
    return switch (outcome) {
      case ACCEPTED -> RecipientStatus.ACCEPTED;
      case DEFERRED -> RecipientStatus.DEFERRED;
      case REJECTED -> RecipientStatus.REJECTED;
    };
  }

  /** Out of time: recipients still waiting are settled as rejected, with the last reply kept. */
  private static Settlement givenUp(
      List<RecipientUpdate> updates,
      boolean accepted,
      String reason,
      SmtpReply lastReply,
      Instant now) {
    List<RecipientUpdate> settled =
        updates.stream()
            .map(
                u ->
                    u.status() == RecipientStatus.DEFERRED
                        ? new RecipientUpdate(u.position(), RecipientStatus.REJECTED, u.reply())
                        : u)
            .toList();
    String detail =
        (reason.equals(EXPIRED) ? "expired" : "gave up retrying")
            + "; last reply: "
            + lastReply.line();
    if (accepted) {
      return new Settlement(EmailStatus.SENT, null, now, null, null, settled);
    }
    return new Settlement(EmailStatus.FAILED, null, null, reason, detail, settled);
  }

  /** The email reached its {@code expiresAt} before this attempt could be made. */
  static Settlement expired(ClaimedEmail email, Instant now) {
    return unsent(email, now, EXPIRED, "not delivered before it expired at " + email.expiresAt());
  }

  /** The email reached the retry age limit before this attempt could be made. */
  static Settlement agedOut(ClaimedEmail email, Instant now) {
    return unsent(email, now, RETRIES_EXHAUSTED, "not delivered before the retry age limit");
  }

  /** Settles an email without sending it: recipients still waiting are rejected. */
  private static Settlement unsent(ClaimedEmail email, Instant now, String reason, String detail) {
    List<RecipientUpdate> updates =
        email.recipients().stream()
            .filter(ClaimedEmail.Recipient::pending)
            .map(
                r ->
                    new RecipientUpdate(
                        r.position(), RecipientStatus.REJECTED, SmtpReply.noReply(detail)))
            .toList();
    if (email.anyAccepted()) {
      return new Settlement(EmailStatus.SENT, null, now, null, null, updates);
    }
    return new Settlement(EmailStatus.FAILED, null, null, reason, detail, updates);
  }
}
