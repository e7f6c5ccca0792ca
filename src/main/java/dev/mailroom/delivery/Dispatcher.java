package dev.mailroom.delivery;

import dev.mailroom.delivery.EmailClaims.Recorded;
import dev.mailroom.email.EmailQueued;
import dev.mailroom.relay.OutgoingMessage;
import dev.mailroom.relay.Relays;
import dev.mailroom.relay.SendResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Claims due emails and hands them to the relays. Each worker loops: claim a batch in one
 * statement, send each email over a pooled connection, write the results back in one transaction. A
 * newly accepted email wakes the workers at once; otherwise an idle worker polls.
 *
 * <p>On shutdown the workers stop claiming, finish the send in hand, and release claims they had
 * not started, all within {@code drainTimeout}.
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.delivery", name = "enabled", matchIfMissing = true)
public class Dispatcher implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Results are written at least this often while a batch is still being sent. */
  private static final Duration FLUSH_EVERY = Duration.ofMillis(200);

  /**
   * Backoff while the database is unavailable, which shows as a DataAccessException or, around
   * transactions, a TransactionException: CannotCreateTransactionException when no connection can
   * be had, TransactionSystemException when a connection breaks mid-transaction (the pool discards
   * it, so the rollback fails too and its exception is the one thrown).
   */
  private static final Duration MAX_DATABASE_BACKOFF = Duration.ofSeconds(30);

  private final EmailClaims claims;
  private final Relays relays;
  private final DeliverySettings settings;
  private final RetryPolicy retry;
  private final String id;
  private final MeterRegistry meters;

  private final Object signal = new Object();
  private long wakeups;
  private volatile boolean running;
  private volatile boolean stopping;
  private @Nullable ExecutorService workers;

  public Dispatcher(
      EmailClaims claims, Relays relays, DeliverySettings settings, MeterRegistry meters) {
    this.claims = claims;
    this.relays = relays;
    this.settings = settings;
    this.retry = new RetryPolicy(settings.retry());
    this.meters = meters;
    this.id = dispatcherId(settings);
  }

  /** Wakes idle workers: there is new work. */
  public void wake() {
    synchronized (signal) {
      wakeups++;
      signal.notifyAll();
    }
  }

  @TransactionalEventListener(fallbackExecution = true)
  void onQueued(EmailQueued event) {
    wake();
  }

  public String id() {
    return id;
  }

  @Override
  public void start() {
    stopping = false;
    running = true;
    AtomicInteger n = new AtomicInteger();
    workers =
        Executors.newFixedThreadPool(
            settings.concurrency(),
            r -> {
              Thread t = new Thread(r, "dispatcher-" + n.incrementAndGet());
              t.setDaemon(false);
              return t;
            });
    for (int i = 0; i < settings.concurrency(); i++) {
      workers.submit(this::work);
    }
    log.info(
        "Dispatcher {} started: {} workers, batches of {}, lease {}",
        id,
        settings.concurrency(),
        settings.batchSize(),
        settings.leaseDuration());
  }

  @Override
  public void stop() {
    stopping = true;
    running = false;
    wake();
    ExecutorService workers = this.workers;
    if (workers == null) {
      return;
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Dispatcher {} did not drain within {}; unfinished claims return when their lease expires",
            id,
            settings.drainTimeout());
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Dispatcher {} stopped", id);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stop before the relay pools and the database go away; start after them. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 2048;
  }

  private void work() {
    Duration databaseBackoff = Duration.ZERO;
    while (running) {
      long seen;
      synchronized (signal) {
        seen = wakeups;
      }
      try {
        int claimed = runOnce();
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

  /**
   * Claims, sends and records one batch. Returns how many emails were claimed.
   *
   * <p>A batch may take longer than the lease (a slow relay, a large batch): before each send, once
   * a third of the lease has passed, the lease on every claim still held is renewed. A send is
   * never started in the second half of a lease that could not be renewed; those claims are given
   * back, as are all unstarted ones on shutdown.
   */
  int runOnce() {
    // Taken before the claim, so never later than the moment the database started the lease.
    long leaseStart = System.nanoTime();
    List<ClaimedEmail> batch = claims.claim(id, settings.batchSize(), settings.leaseDuration());
    if (batch.isEmpty()) {
      return 0;
    }
    long lease = settings.leaseDuration().toNanos();
    Deque<ClaimedEmail> waiting = new ArrayDeque<>(batch);
    List<Recorded> done = new ArrayList<>();
    long lastFlush = System.nanoTime();
    while (!stopping && !waiting.isEmpty()) {
      if (System.nanoTime() - leaseStart > lease / 3) {
        leaseStart = renew(waiting, done, leaseStart);
      }
      if (waiting.isEmpty() || System.nanoTime() - leaseStart > lease / 2) {
        break;
      }
      done.add(attempt(waiting.poll()));
      if (System.nanoTime() - lastFlush > FLUSH_EVERY.toNanos()) {
        write(done);
        done.clear();
        lastFlush = System.nanoTime();
      }
    }
    write(done);
    claims.release(List.copyOf(waiting));
    return batch.size();
  }

  /**
   * Extends the lease on every claim of the batch still held: those waiting to be sent and those
   * sent but not yet recorded. A claim whose token is no longer current was taken over by another
   * dispatcher after all; it is dropped unsent. Returns when the lease now in force started.
   */
  private long renew(Deque<ClaimedEmail> waiting, List<Recorded> done, long leaseStart) {
    List<ClaimedEmail> held = new ArrayList<>(waiting);
    done.forEach(r -> held.add(r.email()));
    if (held.isEmpty()) {
      return leaseStart;
    }
    long renewing = System.nanoTime();
    try {
      Set<UUID> renewed = claims.renew(held, settings.leaseDuration());
      waiting.removeIf(
          email -> {
            if (renewed.contains(email.id())) {
              return false;
            }
            log.warn(
                "Dispatcher {} lost its claim on email {} to another dispatcher; not sending it",
                id,
                email.id());
            return true;
          });
      return renewing;
    } catch (DataAccessException | TransactionException e) {
      log.warn(
          "Dispatcher {} could not renew its lease ({}); it sends only within the current one",
          id,
          e.getMostSpecificCause().getMessage());
      return leaseStart;
    }
  }

  private Recorded attempt(ClaimedEmail email) {
    MDC.put("emailId", email.id().toString());
    try {
      Instant started = Instant.now();
      if (email.expiredAt(started)) {
        log.info("Email {} expired at {}; failing it unsent", email.id(), email.expiresAt());
        return new Recorded(email, id, started, null, Settlement.expired(email, started));
      }
      if (!started.isBefore(email.createdAt().plus(settings.retry().maxAge()))) {
        log.info("Email {} is past the retry age limit; failing it unsent", email.id());
        return new Recorded(email, id, started, null, Settlement.agedOut(email, started));
      }
      List<String> recipients = email.pendingAddresses();
      SendResult result =
          relays.send(
              new OutgoingMessage(email.id(), email.envelopeFrom(), recipients, email.mime()));
      Settlement settlement = Settlement.of(email, result, retry, Instant.now());
      measure(result);
      log.info(
          "Email {} attempt {} via {}: {} ({}) -> {}",
          email.id(),
          email.attempts(),
          result.relay(),
          result.outcome(),
          result.reply().line(),
          settlement.status());
      return new Recorded(email, id, started, result, settlement);
    } finally {
      MDC.remove("emailId");
    }
  }

  private void measure(SendResult result) {
    Timer.builder("mailroom.delivery.send")
        .description("Time to hand one email to a relay")
        .tag("relay", result.relay())
        .tag("outcome", result.outcome().name())
        .publishPercentileHistogram()
        .register(meters)
        .record(result.duration());
    Counter.builder("mailroom.delivery.attempts")
        .description("Delivery attempts by outcome and SMTP reply class")
        .tag("outcome", result.outcome().name())
        .tag("reply_class", replyClass(result.reply().code()))
        .register(meters)
        .increment();
  }

  private static String replyClass(int code) {
    return code == 0 ? "none" : (code / 100) + "xx";
  }

  /** Writes results, retrying while the database is briefly unavailable. */
  private void write(List<Recorded> results) {
    if (results.isEmpty()) {
      return;
    }
    Duration backoff = Duration.ZERO;
    for (int tries = 1; ; tries++) {
      try {
        int written = claims.record(results);
        if (written < results.size()) {
          log.warn(
              "Dispatcher {} lost {} claims to another dispatcher; their results were dropped",
              id,
              results.size() - written);
        }
        return;
      } catch (DataAccessException | TransactionException e) {
        if (tries >= 5) {
          log.error(
              "Dispatcher {} could not record {} results; those emails will be retried after their"
                  + " lease expires",
              id,
              results.size(),
              e);
          return;
        }
        backoff = nextDatabaseBackoff(backoff);
        sleep(backoff);
      }
    }
  }

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

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String dispatcherId(DeliverySettings settings) {
    if (settings.dispatcherId() != null && !settings.dispatcherId().isBlank()) {
      return settings.dispatcherId();
    }
    // The pod name on Kubernetes; read from the environment, never from a DNS lookup.
    String host = System.getenv("HOSTNAME");
    String pid = String.valueOf(ManagementFactory.getRuntimeMXBean().getPid());
    return (host == null || host.isBlank() ? "dispatcher" : host) + "-" + pid;
  }
}
