package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.delivery.DeliverySettings.Retry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  static final Retry DEFAULTS =
      new Retry(Duration.ofSeconds(30), 2.0, Duration.ofMinutes(15), Duration.ofHours(24), 0.2);
  static final Instant ACCEPTED = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void backoffDoublesFromThirtySecondsAndIsCappedAtFifteenMinutes() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5); // no jitter at the midpoint

    assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.backoff(3)).isEqualTo(Duration.ofSeconds(120));
    assertThat(policy.backoff(6))
        .isEqualTo(
            Duration.ofSeconds(960).compareTo(Duration.ofMinutes(15)) > 0
                ? Duration.ofMinutes(15)
                : Duration.ofSeconds(960));
    assertThat(policy.backoff(20)).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void jitterSpreadsTheDelayByTheConfiguredFraction() {
    assertThat(new RetryPolicy(DEFAULTS, () -> 0.0).backoff(1)).isEqualTo(Duration.ofSeconds(24));
    assertThat(new RetryPolicy(DEFAULTS, () -> 1.0).backoff(1)).isEqualTo(Duration.ofSeconds(36));
  }

  @Test
  void nextAttemptIsNowPlusBackoff() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant now = ACCEPTED.plusSeconds(5);

    assertThat(policy.nextAttempt(1, ACCEPTED, null, now)).contains(now.plusSeconds(30));
  }

  @Test
  void theLastAttemptIsPlacedAtTheAgeLimitAndThenItGivesUp() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant deadline = ACCEPTED.plus(Duration.ofHours(24));

    assertThat(policy.nextAttempt(30, ACCEPTED, null, deadline.minusSeconds(60)))
        .contains(deadline);
    assertThat(policy.nextAttempt(31, ACCEPTED, null, deadline)).isEmpty();
  }

  @Test
  void noRetryIsPlacedAfterTheExpiry() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant now = ACCEPTED.plusSeconds(5);
    Instant expiresAt = now.plusSeconds(10);

    assertThat(policy.nextAttempt(1, ACCEPTED, expiresAt, now)).contains(expiresAt);
    assertThat(policy.nextAttempt(1, ACCEPTED, now.plusSeconds(31), now))
        .contains(now.plusSeconds(30));
    assertThat(policy.nextAttempt(2, ACCEPTED, expiresAt, expiresAt)).isEmpty();
  }

  @Test
  void theEarlierOfExpiryAndAgeLimitWins() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant deadline = ACCEPTED.plus(Duration.ofHours(24));

    assertThat(
            policy.nextAttempt(30, ACCEPTED, deadline.plusSeconds(3600), deadline.minusSeconds(60)))
        .contains(deadline);
  }

  @Test
  void delayTheRelayAskedForWinsOverAShorterBackoff() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant now = ACCEPTED.plusSeconds(5);

    assertThat(policy.nextAttempt(1, ACCEPTED, now, Duration.ofMinutes(2)))
        .contains(now.plus(Duration.ofMinutes(2)));
  }

  @Test
  void longerBackoffWinsOverAShorterDelayTheRelayAskedFor() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant now = ACCEPTED.plusSeconds(5);

    assertThat(policy.nextAttempt(3, ACCEPTED, now, Duration.ofSeconds(10)))
        .contains(now.plusSeconds(120));
  }

  @Test
  void delayTheRelayAskedForNeverPassesTheAgeLimit() {
    RetryPolicy policy = new RetryPolicy(DEFAULTS, () -> 0.5);
    Instant deadline = ACCEPTED.plus(Duration.ofHours(24));
    Instant now = deadline.minusSeconds(60);

    assertThat(policy.nextAttempt(1, ACCEPTED, now, Duration.ofHours(1))).contains(deadline);
  }
}
