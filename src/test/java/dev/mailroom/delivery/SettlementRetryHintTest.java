package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.email.EmailStatus;
import dev.mailroom.email.RecipientStatus;
import dev.mailroom.relay.SendResult;
import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SendResult.RecipientResult;
import dev.mailroom.relay.SmtpReply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** A deferred email waits at least as long as the relay asked, however short the backoff. */
class SettlementRetryHintTest {

  static final Instant ACCEPTED = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant NOW = ACCEPTED.plusSeconds(10);
  static final RetryPolicy RETRY = new RetryPolicy(RetryPolicyTest.DEFAULTS, () -> 0.5);

  static ClaimedEmail firstAttempt() {
    return new ClaimedEmail(
        UUID.randomUUID(),
        "test",
        1,
        "sender@example.com",
        new byte[0],
        1,
        ACCEPTED,
        null,
        NOW.plusSeconds(300),
        List.of(new ClaimedEmail.Recipient(0, "b@example.com", RecipientStatus.PENDING)));
  }

  static SendResult deferred(String replyLine, @Nullable Duration retryAfter) {
    SmtpReply reply = SmtpReply.parse(replyLine);
    return new SendResult(
        Outcome.DEFERRED,
        reply,
        Map.of("b@example.com", new RecipientResult(RecipientOutcome.DEFERRED, reply)),
        "primary",
        Duration.ofMillis(5),
        retryAfter,
        null,
        false);
  }

  @Test
  void deferredEmailIsDueWhenTheRelayAskedRatherThanAfterTheBackoff() {
    Settlement settlement =
        Settlement.of(
            firstAttempt(),
            deferred("451 4.7.1 Greylisted, try again in 300 seconds", Duration.ofSeconds(300)),
            RETRY,
            NOW);

    assertThat(settlement.status()).isEqualTo(EmailStatus.DEFERRED);
    assertThat(settlement.dueAt()).isEqualTo(NOW.plusSeconds(300));
  }

  @Test
  void withoutAHintTheBackoffDecides() {
    Settlement settlement =
        Settlement.of(firstAttempt(), deferred("451 4.3.0 Try later", null), RETRY, NOW);

    assertThat(settlement.dueAt()).isEqualTo(NOW.plusSeconds(30));
  }
}
