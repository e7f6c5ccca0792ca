package dev.mailroom.delivery;

import dev.mailroom.email.DeliveryHandoff;
import dev.mailroom.email.DeliveryHandoff.HandedOver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The emails intake handed to this dispatcher (see {@link DeliveryHandoff}), waiting for a worker,
 * and the room left for more. Room is counted from the reservation, before the emails are stored,
 * until a worker takes them: at most {@code maxEmails} and {@code maxBytes} of messages (a first
 * reservation of more bytes is let in alone, as a claim lets in its first message). There is room
 * only while the dispatcher runs and its last claim from the outbox found fewer emails than it
 * asked for: with a backlog there, new emails wait their turn in it.
 */
final class Handoffs {

  /** Emails taken by a worker, and the lease they were claimed under. */
  record Taken(List<ClaimedEmail> emails, Lease lease) {}

  private record Waiting(ClaimedEmail email, long leaseStartedAt) {}

  private final String dispatcher;
  private final Duration lease;
  private final int maxEmails;
  private final long maxBytes;
  private final LongSupplier nanoTime;
  private final Runnable wake;
  private final Consumer<List<ClaimedEmail>> release;
  private final Counter handedOver;

  private final Object lock = new Object();
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  private int reservedEmails;
  private long reservedBytes;
  private boolean open;
  private volatile boolean caughtUp;

  /**
   * @param wake called when emails were handed over, to bring in a worker
   * @param release gives back claims that will not be sent here (handed over after shutdown began)
   */
  Handoffs(
      String dispatcher,
      Duration lease,
      int maxEmails,
      long maxBytes,
      LongSupplier nanoTime,
      Runnable wake,
      Consumer<List<ClaimedEmail>> release,
      MeterRegistry meters) {
    this.dispatcher = dispatcher;
    this.lease = lease;
    this.maxEmails = maxEmails;
    this.maxBytes = maxBytes;
    this.nanoTime = nanoTime;
    this.wake = wake;
    this.release = release;
    this.handedOver =
        Counter.builder("mailroom.delivery.handed.over")
            .description("Emails intake stored as claimed by this dispatcher and handed to it")
            .register(meters);
  }

  /** The dispatcher runs: room may be given. */
  void open() {
    synchronized (lock) {
      open = true;
    }
  }

  /**
   * The dispatcher stops: no more room is given, and the emails waiting are returned, to be
   * released once the workers are done. Emails handed over from now on are released as they come.
   */
  List<ClaimedEmail> close() {
    synchronized (lock) {
      open = false;
      List<ClaimedEmail> left = new ArrayList<>(waiting.size());
      for (Waiting w : waiting) {
        left.add(w.email());
        reservedEmails--;
        reservedBytes -= w.email().mime().length;
      }
      waiting.clear();
      return left;
    }
  }

  /**
   * What the last claim from the outbox found: fewer emails than it asked for, so none of those due
   * there waits behind an email handed over now.
   */
  void claimed(boolean caughtUp) {
    this.caughtUp = caughtUp;
  }

  DeliveryHandoff.@Nullable Reservation reserve(int emails, long bytes) {
    if (emails <= 0 || !caughtUp) {
      return null;
    }
    synchronized (lock) {
      boolean fits =
          reservedEmails + emails <= maxEmails
              && (reservedBytes + bytes <= maxBytes || reservedEmails == 0);
      if (!open || !fits) {
        return null;
      }
      reservedEmails += emails;
      reservedBytes += bytes;
    }
    return new Room(emails, bytes, nanoTime.getAsLong(), Instant.now());
  }

  /**
   * Takes emails waiting, in the order they were handed over: at most {@code limit}, and at most
   * {@code maxBatchBytes} of messages (the first always goes). Null when none waits.
   */
  Handoffs.@Nullable Taken take(int limit, long maxBatchBytes) {
    List<ClaimedEmail> taken = new ArrayList<>();
    long earliest = 0;
    long bytes = 0;
    synchronized (lock) {
      while (!waiting.isEmpty() && taken.size() < limit) {
        Waiting next = waiting.peek();
        long size = next.email().mime().length;
        if (!taken.isEmpty() && bytes + size > maxBatchBytes) {
          break;
        }
        waiting.remove();
        if (taken.isEmpty() || next.leaseStartedAt() - earliest < 0) {
          earliest = next.leaseStartedAt();
        }
        taken.add(next.email());
        bytes += size;
        reservedEmails--;
        reservedBytes -= size;
      }
    }
    return taken.isEmpty() ? null : new Taken(taken, Lease.startedAt(lease, nanoTime, earliest));
  }

  boolean hasWaiting() {
    synchronized (lock) {
      return !waiting.isEmpty();
    }
  }

  private final class Room implements DeliveryHandoff.Reservation {

    private final int emails;
    private final long bytes;
    private final long leaseStartedAt;
    private final Instant reservedAt;
    private boolean done;

    Room(int emails, long bytes, long leaseStartedAt, Instant reservedAt) {
      this.emails = emails;
      this.bytes = bytes;
      this.leaseStartedAt = leaseStartedAt;
      this.reservedAt = reservedAt;
    }

    @Override
    public String dispatcher() {
      return dispatcher;
    }

    @Override
    public Duration lease() {
      return lease;
    }

    @Override
    public void deliver(List<HandedOver> emails) {
      List<ClaimedEmail> claims = emails.stream().map(this::claim).toList();
      long delivered = claims.stream().mapToLong(c -> c.mime().length).sum();
      boolean sendHere;
      if (claims.size() > this.emails) {
        throw new IllegalArgumentException(
            claims.size() + " emails handed over for room for " + this.emails);
      }
      synchronized (lock) {
        finish();
        sendHere = open;
        if (sendHere) {
          // What is not handed over goes back; what is counts until a worker takes it.
          reservedEmails -= this.emails - claims.size();
          reservedBytes -= bytes - delivered;
          claims.forEach(c -> waiting.add(new Waiting(c, leaseStartedAt)));
        } else {
          reservedEmails -= this.emails;
          reservedBytes -= bytes;
        }
      }
      if (claims.isEmpty()) {
        return;
      }
      if (sendHere) {
        handedOver.increment(claims.size());
        wake.run();
      } else {
        release.accept(claims);
      }
    }

    @Override
    public void cancel() {
      synchronized (lock) {
        finish();
        reservedEmails -= emails;
        reservedBytes -= bytes;
      }
    }

    private void finish() {
      if (done) {
        throw new IllegalStateException("room already delivered or cancelled");
      }
      done = true;
    }

    private ClaimedEmail claim(HandedOver email) {
      return new ClaimedEmail(
          email.id(),
          email.project(),
          DeliveryHandoff.FIRST_TOKEN,
          email.envelopeFrom(),
          email.mime(),
          1,
          email.createdAt(),
          email.expiresAt(),
          reservedAt.plus(lease),
          email.recipients().stream()
              .map(r -> new ClaimedEmail.Recipient(r.position(), r.address(), r.status()))
              .toList());
    }
  }
}
