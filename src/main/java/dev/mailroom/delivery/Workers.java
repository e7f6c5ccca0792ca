package dev.mailroom.delivery;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * The dispatcher's threads: each runs rounds of delivery back to back while a round fills a batch,
 * otherwise waits for a wake-up or the poll interval. While the database is unavailable a worker
 * backs off; any other failure is logged and the worker goes on. Stopping lets each worker finish
 * its round within {@code drainTimeout}.
 */
final class Workers {

  private static final Logger log = LoggerFactory.getLogger(Workers.class);

  /**
   * Backoff while the database is unavailable, which shows as a DataAccessException or, around
   * transactions, a TransactionException: CannotCreateTransactionException when no connection can
   * be had, TransactionSystemException when a connection breaks mid-transaction (the pool discards
   * it, so the rollback fails too and its exception is the one thrown).
   */
  private static final Duration MAX_DATABASE_BACKOFF = Duration.ofSeconds(30);

  private final String id;
  private final DeliverySettings settings;

  private final Object signal = new Object();
  private long wakeups;
  private volatile boolean running;
  private volatile boolean stopping;
  private @Nullable ExecutorService threads;

  Workers(String id, DeliverySettings settings) {
    this.id = id;
    this.settings = settings;
  }

  /**
   * Starts {@code concurrency} threads, each running rounds until stopped.
   *
   * @param round delivers one batch and returns how many emails it claimed
   */
  void start(IntSupplier round) {
    stopping = false;
    running = true;
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads =
        Executors.newFixedThreadPool(
            settings.concurrency(),
            r -> {
              Thread t = new Thread(r, "dispatcher-" + n.incrementAndGet());
              t.setDaemon(false);
              return t;
            });
    this.threads = threads;
    for (int i = 0; i < settings.concurrency(); i++) {
      threads.submit(() -> work(round));
    }
  }

  /** Stops claiming and waits for the rounds in hand, at most {@code drainTimeout}. */
  void stop() {
    stopping = true;
    running = false;
    wake();
    ExecutorService threads = this.threads;
    if (threads == null) {
      return;
    }
    threads.shutdown();
    try {
      if (!threads.awaitTermination(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Dispatcher {} did not drain within {}; unfinished claims return when their lease expires",
            id,
            settings.drainTimeout());
        threads.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Dispatcher {} stopped", id);
  }

  /** Wakes idle workers: there is new work. */
  void wake() {
    synchronized (signal) {
      wakeups++;
      signal.notifyAll();
    }
  }

  boolean running() {
    return running;
  }

  /** Shutdown has begun: a round sends nothing more and gives back what it has not started. */
  boolean stopping() {
    return stopping;
  }

  private void work(IntSupplier round) {
    Duration databaseBackoff = Duration.ZERO;
    while (running) {
      long seen;
      synchronized (signal) {
        seen = wakeups;
      }
      try {
        int claimed = round.getAsInt();
        databaseBackoff = Duration.ZERO;
        if (claimed < settings.batchSize()) {
          awaitWork(seen, settings.pollInterval());
        }
      } catch (DataAccessException | TransactionException e) {
        databaseBackoff = nextDatabaseBackoff(databaseBackoff);
        log.warn(
            "Dispatcher {} cannot reach the database ({}); retrying in {}",
            id,
            e.getMostSpecificCause().getMessage(),
            databaseBackoff);
        pause(databaseBackoff);
      } catch (RuntimeException e) {
        log.error("Dispatcher {} worker failed; continuing", id, e);
        pause(settings.pollInterval());
      }
    }
  }

  /** Waits for a wake-up after {@code seen}, or a jittered poll interval, or shutdown. */
  private void awaitWork(long seen, Duration timeout) {
    long jittered =
        (long) (timeout.toMillis() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
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
    synchronized (signal) {
      for (long left = duration.toMillis();
          running && left > 0;
          left = deadline - System.currentTimeMillis()) {
        try {
          signal.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static Duration nextDatabaseBackoff(Duration previous) {
    Duration next = previous.isZero() ? Duration.ofMillis(250) : previous.multipliedBy(2);
    return next.compareTo(MAX_DATABASE_BACKOFF) > 0 ? MAX_DATABASE_BACKOFF : next;
  }
}
