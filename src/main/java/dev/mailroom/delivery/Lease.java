package dev.mailroom.delivery;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The lease a dispatcher holds on its claims, as it sees it on its own monotonic clock. It starts
 * when the dispatcher asked for it, so never later than when the database started it: the questions
 * it answers err on the side of a lease that ends sooner.
 *
 * <p>A third into the lease the claims are renewed; past half of it, no send is started, so a send
 * begun in time finishes within the lease even when renewing failed.
 */
final class Lease {

  private final Duration length;
  private final LongSupplier nanoTime;
  private final long startedAt;

  private Lease(Duration length, LongSupplier nanoTime, long startedAt) {
    this.length = length;
    this.nanoTime = nanoTime;
    this.startedAt = startedAt;
  }

  /** A lease of this length starting now, on a clock of nanoseconds such as System::nanoTime. */
  static Lease startingNow(Duration length, LongSupplier nanoTime) {
    return new Lease(length, nanoTime, nanoTime.getAsLong());
  }

  /** A lease of this length that started at {@code startedAt} on that clock. */
  static Lease startedAt(Duration length, LongSupplier nanoTime, long startedAt) {
    return new Lease(length, nanoTime, startedAt);
  }

  /** The same lease taken again from now: for a renewal, asked for before it is sent. */
  Lease restartedNow() {
    return startingNow(length, nanoTime);
  }

  /** When the lease started, on its clock. */
  long startedAt() {
    return startedAt;
  }

  /** A third of the lease has passed: time to renew it. */
  boolean renewDue() {
    return elapsedNanos() > length.toNanos() / 3;
  }

  /** Half of the lease has passed: too late to start another send under it. */
  boolean inSecondHalf() {
    return elapsedNanos() > length.toNanos() / 2;
  }

  private long elapsedNanos() {
    return nanoTime.getAsLong() - startedAt;
  }
}
