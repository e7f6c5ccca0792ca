package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.delivery.DeliverySettings.Retry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which due email is claimed first, and that an email is never sent at or after its expiry. */
class PriorityAndExpiryTest extends HandBuiltDispatcherTest {

  @Test
  void highIsClaimedBeforeNormalBeforeLowWhateverTheOrderOfArrival() {
    accept("low@example.com", null, null, "low");
    accept("normal@example.com", null, null, null);
    accept("high@example.com", null, null, "high");
    Dispatcher oneAtATime = dispatcher("one-at-a-time", 1, Duration.ofMinutes(5), settings.retry());

    for (int i = 0; i < 3; i++) {
      assertThat(oneAtATime.runOnce()).isEqualTo(1);
    }

    assertThat(deliveredTo())
        .containsExactly("high@example.com", "normal@example.com", "low@example.com");
  }

  @Test
  void aBatchIsSentInPriorityOrder() {
    accept("low@example.com", null, null, "low");
    accept("normal-1@example.com", null, null, "normal");
    accept("high@example.com", null, null, "high");
    accept("normal-2@example.com", null, null, "normal");

    assertThat(dispatcher("batch").runOnce()).isEqualTo(4);

    assertThat(deliveredTo())
        .containsExactly(
            "high@example.com", "normal-1@example.com", "normal-2@example.com", "low@example.com");
  }

  @Test
  void priorityNeverBringsAScheduledEmailForward() {
    UUID later = accept("later@example.com", Instant.now().plus(Duration.ofHours(1)), null, "high");
    accept("now@example.com", null, null, "low");

    assertThat(dispatcher("scheduler").runOnce()).isEqualTo(1);

    assertThat(deliveredTo()).containsExactly("now@example.com");
    assertThat(status(later)).isEqualTo("SCHEDULED");
  }

  @Test
  void aScheduledEmailIsClaimedOnceDue() {
    UUID id = accept("due@example.com", Instant.now().plusMillis(300), null, null);
    Instant due = instant(id, "due_at");
    Dispatcher dispatcher = dispatcher("scheduler");

    assertThat(dispatcher.runOnce()).isZero();
    awaitPast(due);
    assertThat(dispatcher.runOnce()).isEqualTo(1);

    assertThat(status(id)).isEqualTo("SENT");
    assertThat(deliveredTo()).containsExactly("due@example.com");
  }

  @Test
  void anEmailClaimedAfterItsExpiryIsFailedUnsent() {
    UUID id = accept("late@example.com", null, Instant.now().plus(Duration.ofHours(1)), "high");
    jdbc.sql("UPDATE emails SET expires_at = now() - interval '1 second' WHERE id = :id")
        .param("id", id)
        .update();

    assertThat(dispatcher("expiry").runOnce()).isEqualTo(1);

    assertThat(status(id)).isEqualTo("FAILED");
    assertThat(column(id, "failure_reason")).isEqualTo("EXPIRED");
    assertThat(column(id, "failure_detail")).contains("expired");
    assertThat(
            jdbc.sql("SELECT status FROM email_recipients WHERE email_id = :id")
                .param("id", id)
                .query(String.class)
                .single())
        .isEqualTo("REJECTED");
    assertThat(count("delivery_attempts")).isZero();
    assertThat(relay.dataSeen()).isEmpty();
  }

  @Test
  void aRetryIsNeverPlacedAfterTheExpiryAndTheExpiredEmailIsNotSentAgain() {
    Instant expiresAt = Instant.now().plusMillis(1500).truncatedTo(ChronoUnit.MILLIS);
    UUID id = accept("code@example.com", null, expiresAt, "high");
    relay.failDataWith("451 4.3.0 Try again later");
    Retry slowRetries =
        new Retry(Duration.ofHours(1), 2.0, Duration.ofHours(2), Duration.ofHours(24), 0);
    Dispatcher dispatcher = dispatcher("expiry", 20, Duration.ofMinutes(5), slowRetries);

    assertThat(dispatcher.runOnce()).isEqualTo(1);

    assertThat(status(id)).isEqualTo("DEFERRED");
    assertThat(instant(id, "due_at")).isEqualTo(expiresAt);

    awaitPast(expiresAt);
    assertThat(dispatcher.runOnce()).isEqualTo(1);

    assertThat(status(id)).isEqualTo("FAILED");
    assertThat(column(id, "failure_reason")).isEqualTo("EXPIRED");
    assertThat(relay.dataSeen()).hasSize(1);
    assertThat(relay.received()).isEmpty();
  }

  /** The database and this test share the machine's clock. */
  private static void awaitPast(Instant instant) {
    await("the clock past " + instant)
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> Instant.now().isAfter(instant));
  }
}
