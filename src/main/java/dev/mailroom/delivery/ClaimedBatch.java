package dev.mailroom.delivery;

import dev.mailroom.delivery.EmailClaims.Recorded;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One claimed batch as a worker goes through it: the claims still waiting to be sent, in claim
 * order, and the results not yet written. Results are written at least every {@link #FLUSH_EVERY}
 * while the batch is being sent, so a slow batch does not hold finished emails as SENDING.
 */
final class ClaimedBatch {

  static final Duration FLUSH_EVERY = Duration.ofMillis(200);

  private final Deque<ClaimedEmail> waiting;
  private final List<Recorded> done = new ArrayList<>();
  private final LongSupplier nanoTime;
  private long lastFlush;

  ClaimedBatch(List<ClaimedEmail> claimed, LongSupplier nanoTime) {
    this.waiting = new ArrayDeque<>(claimed);
    this.nanoTime = nanoTime;
    this.lastFlush = nanoTime.getAsLong();
  }

  boolean hasWaiting() {
    return !waiting.isEmpty();
  }

  ClaimedEmail next() {
    return waiting.remove();
  }

  void done(Recorded result) {
    done.add(result);
  }

  /** Every claim still held: those waiting to be sent and those sent but not yet written. */
  List<ClaimedEmail> held() {
    List<ClaimedEmail> held = new ArrayList<>(waiting);
    done.forEach(r -> held.add(r.email()));
    return held;
  }

  /**
   * Drops the waiting claims whose lease was not renewed: another dispatcher holds them now.
   *
   * @param renewed ids of the claims whose lease was renewed
   * @return the claims dropped
   */
  List<ClaimedEmail> dropAllBut(Set<UUID> renewed) {
    List<ClaimedEmail> lost = waiting.stream().filter(e -> !renewed.contains(e.id())).toList();
    waiting.removeIf(e -> !renewed.contains(e.id()));
    return lost;
  }

  /** The last write of results was {@link #FLUSH_EVERY} ago or more. */
  boolean flushDue() {
    return nanoTime.getAsLong() - lastFlush > FLUSH_EVERY.toNanos();
  }

  /** Hands the results not yet written to {@code write}, and counts the next flush from then. */
  void flush(Consumer<List<Recorded>> write) {
    write.accept(List.copyOf(done));
    done.clear();
    lastFlush = nanoTime.getAsLong();
  }

  /** The claims never started, to be given back. */
  List<ClaimedEmail> unstarted() {
    return List.copyOf(waiting);
  }
}
