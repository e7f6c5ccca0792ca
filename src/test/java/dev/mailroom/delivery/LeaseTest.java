package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseTest {

  static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

  /** A monotonic clock the test moves by hand, starting far from zero like System.nanoTime. */
  final AtomicLong nanos = new AtomicLong(123_456_789_000L);

  void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Test
  void aFreshLeaseNeedsNoRenewalAndIsInItsFirstHalf() {
    Lease lease = Lease.startingNow(THIRTY_SECONDS, nanos::get);

    assertThat(lease.renewDue()).isFalse();
    assertThat(lease.inSecondHalf()).isFalse();
  }

  @Test
  void renewalIsDueOnceAThirdOfTheLeaseHasPassed() {
    Lease lease = Lease.startingNow(THIRTY_SECONDS, nanos::get);

    advance(Duration.ofSeconds(10));
    assertThat(lease.renewDue()).isFalse();
    advance(Duration.ofNanos(1));
    assertThat(lease.renewDue()).isTrue();
    assertThat(lease.inSecondHalf()).isFalse();
  }

  @Test
  void theSecondHalfBeginsPastHalfTheLease() {
    Lease lease = Lease.startingNow(THIRTY_SECONDS, nanos::get);

    advance(Duration.ofSeconds(15));
    assertThat(lease.inSecondHalf()).isFalse();
    advance(Duration.ofNanos(1));
    assertThat(lease.inSecondHalf()).isTrue();
    assertThat(lease.renewDue()).isTrue();
  }

  @Test
  void aRestartedLeaseCountsFromTheRestartAndLeavesTheOldOneAsItWas() {
    Lease first = Lease.startingNow(THIRTY_SECONDS, nanos::get);
    advance(Duration.ofSeconds(20));

    Lease renewed = first.restartedNow();
    advance(Duration.ofSeconds(5));

    assertThat(renewed.renewDue()).isFalse();
    assertThat(renewed.inSecondHalf()).isFalse();
    assertThat(first.inSecondHalf()).isTrue();
  }
}
