package dev.mailroom.system;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * The threads of an outbox dispatcher (emails, webhooks): each runs rounds back to back while a
 * round finds a full batch, otherwise waits for a wake-up or a jittered poll interval, so replicas
 * that started together do not poll in step. A wake-up goes to one idle worker, and a round that
 * found a full batch wakes the next: a backlog brings in every worker one after the other, while a
 * single new row brings in one instead of every worker racing for it. A worker busy when a wake-up
 * came starts another round as soon as its round ends. While the database is unavailable a worker
 * backs off; any other failure is logged and the worker goes on after a poll interval. Stopping
 * lets each worker finish its round within a drain timeout; every wait ends early on shutdown.
 */
public final class PollingWorkers {

  private static final Logger log = LoggerFactory.getLogger(PollingWorkers.class);

  /**
   * Backoff while the database is unavailable, which shows as a DataAccessException or, around
   * transactions, a TransactionException: CannotCreateTransactionException when no connection can
   * be had, TransactionSystemException when a connection breaks mid-transaction (the pool discards
   * it, so the rollback fails too and its exception is the one thrown).
   */
  private static final Duration FIRST_DATABASE_BACKOFF = Duration.ofMillis(250);

  private static final Duration MAX_DATABASE_BACKOFF = Duration.ofSeconds(30);

  private final String name;
  private final String threadName;
  private final int concurrency;
  private final Duration pollInterval;

  /** Idle workers wait on it for new work. */
  private final Object signal = new Object();

  /** Workers backing off from a failure wait on it, so a wake-up for new work never lands there. */
  private final Object backoff = new Object();

  private long wakeups;
  private volatile boolean running;
  private volatile boolean stopping;
  private @Nullable ExecutorService threads;

  /**
   * @param name who runs the workers, as the log names it ({@code "Dispatcher host-42"})
   * @param threadName the threads are named {@code threadName-1}, {@code threadName-2}, …
   * @param concurrency how many threads
   * @param pollInterval how long an idle worker waits for a wake-up before it looks again
   */
  public PollingWorkers(String name, String threadName, int concurrency, Duration pollInterval) {
    this.name = name;
    this.threadName = threadName;
    this.concurrency = concurrency;
    this.pollInterval = pollInterval;
  }

  /**
   * Starts the threads, each running rounds until stopped.
   *
   * @param round does one round of work; true when it found a full batch, so more work is likely
   *     waiting and the next round starts at once
   */
  public void start(BooleanSupplier round) {
    stopping = false;
    running = true;
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              // Not daemons: shutdown waits for the round in hand (stop), it does not abandon it.
              Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
              t.setDaemon(false);
              return t;
            });
    this.threads = threads;
    for (int i = 0; i < concurrency; i++) {
      threads.submit(() -> work(round));
    }
  }

  /**
   * Stops starting rounds and waits for the rounds in hand, at most {@code drainTimeout}; then
   * interrupts what is left.
   *
   * @return false when some round had not finished within {@code drainTimeout}
   */
  public boolean stop(Duration drainTimeout) {
    stopping = true;
    running = false;
    synchronized (signal) {
      signal.notifyAll();
    }
    synchronized (backoff) {
      backoff.notifyAll();
    }
    ExecutorService threads = this.threads;
    if (threads == null) {
      return true;
    }
    threads.shutdown();
    try {
      if (threads.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      threads.shutdownNow();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Wakes one idle worker: there is new work. */
  public void wake() {
    synchronized (signal) {
      wakeups++;
      signal.notify();
    }
  }

  public boolean running() {
    return running;
  }

  /** Shutdown has begun: a round starts nothing more and gives back what it has not started. */
  public boolean stopping() {
    return stopping;
  }

  private void work(BooleanSupplier round) {
    Duration databaseBackoff = Duration.ZERO;
    while (running) {
      long seen;
      synchronized (signal) {
        seen = wakeups;
      }
      try {
        boolean full = round.getAsBoolean();
        databaseBackoff = Duration.ZERO;
        if (full) {
          // More may be waiting than one worker gets through: bring in the next.
          wake();
        } else {
          awaitWork(seen);
        }
      } catch (DataAccessException | TransactionException e) {
        databaseBackoff = nextDatabaseBackoff(databaseBackoff);
        log.warn(
            "{} cannot reach the database ({}); retrying in {}",
            name,
            e.getMostSpecificCause().getMessage(),
            databaseBackoff);
        pause(databaseBackoff);
      } catch (RuntimeException e) {
        log.error("{} worker failed; continuing", name, e);
        pause(pollInterval);
      }
    }
  }

  /** Waits for a wake-up after {@code seen}, or a jittered poll interval, or shutdown. */
  private void awaitWork(long seen) {
    long jittered =
        (long) (pollInterval.toMillis() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    long deadline = System.currentTimeMillis() + Math.max(1, jittered);
    synchronized (signal) {
      while (running && wakeups == seen) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return;
        }
        try {
          signal.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Waits out a failure; only shutdown cuts it short. */
  private void pause(Duration duration) {
    long deadline = System.currentTimeMillis() + duration.toMillis();
    synchronized (backoff) {
      for (long left = duration.toMillis();
          running && left > 0;
          left = deadline - System.currentTimeMillis()) {
        try {
          backoff.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static Duration nextDatabaseBackoff(Duration previous) {
    Duration next = previous.isZero() ? FIRST_DATABASE_BACKOFF : previous.multipliedBy(2);
    return next.compareTo(MAX_DATABASE_BACKOFF) > 0 ? MAX_DATABASE_BACKOFF : next;
  }
}
