package dev.mailroom.relay;

import io.github.bucket4j.Bucket;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A relay's messages-per-second limit, or none: a second's worth of burst, refilled smoothly. */
final class RelayRateLimit {

  private final @Nullable Bucket bucket;

  RelayRateLimit(@Nullable Double perSecond) {
    this.bucket = perSecond == null ? null : bucket(perSecond);
  }

  private static Bucket bucket(double perSecond) {
    // At least one message of burst.
    long capacity = Math.max(1, (long) Math.ceil(perSecond));
    Duration period = Duration.ofNanos(Math.round(capacity * 1_000_000_000d / perSecond));
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, period))
        .build();
  }

  /** Waits for the next token at most {@code timeout}; false when none came in time. */
  boolean await(Duration timeout) {
    if (bucket == null) {
      return true;
    }
    try {
      return bucket.asBlocking().tryConsume(1, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
