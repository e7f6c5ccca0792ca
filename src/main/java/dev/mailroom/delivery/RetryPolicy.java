package dev.mailroom.delivery;

import dev.mailroom.delivery.DeliverySettings.Retry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * When to try a deferred email again: an exponential backoff with jitter, stretched to the delay a
 * relay asked for, wrapped by a deadline: the earlier of the email's age limit and its {@code
 * expiresAt}. No retry is placed after the deadline: the last one is placed at it rather than
 * skipped, and at the deadline the dispatcher settles the email unsent.
 */
public final class RetryPolicy {

  private final Retry retry;
  private final DoubleSupplier random;

  public RetryPolicy(Retry retry) {
    this(retry, () -> ThreadLocalRandom.current().nextDouble());
  }

  RetryPolicy(Retry retry, DoubleSupplier random) {
    this.retry = retry;
    this.random = random;
  }

  /**
   * @param failedAttempts attempts made so far, at least 1
   * @param expiresAt when the caller said the email becomes useless, if ever
   * @return when to try again, or empty when the email has run out of time
   */
  public Optional<Instant> nextAttempt(int failedAttempts, Instant acceptedAt, Instant now) {
    return nextAttempt(failedAttempts, acceptedAt, null, now, null);
  }

  public Optional<Instant> nextAttempt(
      int failedAttempts, Instant acceptedAt, @Nullable Instant expiresAt, Instant now) {
    return nextAttempt(failedAttempts, acceptedAt, expiresAt, now, null);
  }

  public Optional<Instant> nextAttempt(
      int failedAttempts, Instant acceptedAt, Instant now, @Nullable Duration hint) {
    return nextAttempt(failedAttempts, acceptedAt, null, now, hint);
  }

  /**
   * @param hint the delay the relay asked for ("try again in 120 seconds"), if it named one: the
   *     next attempt waits at least that long, and never past the deadline
   */
  public Optional<Instant> nextAttempt(
      int failedAttempts,
      Instant acceptedAt,
      @Nullable Instant expiresAt,
      Instant now,
      @Nullable Duration hint) {
    Instant deadline = acceptedAt.plus(retry.maxAge());
    if (expiresAt != null && expiresAt.isBefore(deadline)) {
      deadline = expiresAt;
    }
    if (!now.isBefore(deadline)) {
      return Optional.empty();
    }
    Duration delay = backoff(failedAttempts);
    if (hint != null && hint.compareTo(delay) > 0) {
      delay = hint;
    }
    Instant next = now.plus(delay);
    return Optional.of(next.isAfter(deadline) ? deadline : next);
  }

  Duration backoff(int failedAttempts) {
    double base =
        retry.initialBackoff().toMillis()
            * Math.pow(retry.multiplier(), Math.max(0, failedAttempts - 1));
    double capped = Math.min(base, retry.maxBackoff().toMillis());
    double spread = 1 + retry.jitter() * (2 * random.getAsDouble() - 1);
    return Duration.ofMillis(Math.max(0, Math.round(capped * spread)));
  }
}
