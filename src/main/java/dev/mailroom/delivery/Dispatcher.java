package dev.mailroom.delivery;

import dev.mailroom.delivery.EmailClaims.Recorded;
import dev.mailroom.email.DeliveryHandoff;
import dev.mailroom.email.EmailQueued;
import dev.mailroom.inbound.VerpToken;
import dev.mailroom.relay.OutgoingMessage;
import dev.mailroom.relay.Relays;
import dev.mailroom.relay.SendResult;
import dev.mailroom.system.PollingWorkers;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Claims due emails and hands them to the relays. Each worker loops: claim a batch in one
 * statement, send each email over a pooled connection, write the results back in one transaction. A
 * newly accepted email wakes an idle worker at once; otherwise an idle worker polls. While it has
 * room and has caught up with the outbox, it also takes emails from intake already claimed for it
 * ({@link DeliveryHandoff}, {@link Handoffs}): a worker sends those before claiming again, and
 * claims from the outbox at least every poll interval all the same.
 *
 * <p>On shutdown the workers stop claiming, finish the send in hand, and release claims they had
 * not started, those handed over included, all within {@code drainTimeout}.
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.delivery", name = "enabled", matchIfMissing = true)
public class Dispatcher implements SmartLifecycle, DeliveryHandoff {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final EmailClaims claims;
  private final Relays relays;
  private final DeliverySettings settings;
  private final RetryPolicy retry;
  private final String id;
  private final AttemptMetrics metrics;
  private final PollingWorkers workers;
  private final ResultWriter results;
  private final Handoffs handoffs;
  private final LongSupplier nanoTime = System::nanoTime;
  // When this dispatcher last claimed from the outbox; System.nanoTime.
  private volatile long lastClaim;
  private final @Nullable VerpToken verp;

  /** Without VERP: every email goes with its one envelope sender. */
  public Dispatcher(
      EmailClaims claims, Relays relays, DeliverySettings settings, MeterRegistry meters) {
    this(claims, relays, settings, meters, (VerpToken) null);
  }

  /**
   * @param verp present when {@code mailroom.bounces.domain} is set: then each recipient is sent
   *     with its own envelope sender, so that a bounce names the email and recipient it is about
   */
  @Autowired
  public Dispatcher(
      EmailClaims claims,
      Relays relays,
      DeliverySettings settings,
      MeterRegistry meters,
      ObjectProvider<VerpToken> verp) {
    this(claims, relays, settings, meters, verp.getIfAvailable());
  }

  private Dispatcher(
      EmailClaims claims,
      Relays relays,
      DeliverySettings settings,
      MeterRegistry meters,
      @Nullable VerpToken verp) {
    this.verp = verp;
    this.claims = claims;
    this.relays = relays;
    this.settings = settings;
    this.retry = new RetryPolicy(settings.retry());
    this.metrics = new AttemptMetrics(meters);
    this.id = dispatcherId(settings);
    this.workers =
        new PollingWorkers(
            "Dispatcher " + id, "dispatcher", settings.concurrency(), settings.pollInterval());
    this.results = new ResultWriter(id, claims::record, ResultWriter.DATABASE_HICCUPS);
    this.handoffs =
        new Handoffs(
            id,
            settings.leaseDuration(),
            settings.concurrency() * settings.batchSize(),
            EmailClaims.MAX_BATCH_BYTES,
            nanoTime,
            workers::wake,
            this::releaseQuietly,
            meters);
    this.lastClaim = nanoTime.getAsLong();
  }

  /** Wakes idle workers: there is new work. */
  public void wake() {
    workers.wake();
  }

  @TransactionalEventListener(fallbackExecution = true)
  void onQueued(EmailQueued event) {
    wake();
  }

  public String id() {
    return id;
  }

  /**
   * Room for emails intake is about to store: while this dispatcher runs and has caught up with the
   * outbox, up to a full batch for every worker waiting, and {@link EmailClaims#MAX_BATCH_BYTES} of
   * messages.
   */
  @Override
  public @Nullable Reservation reserve(int emails, long bytes) {
    return handoffs.reserve(emails, bytes);
  }

  @Override
  public void start() {
    handoffs.open();
    workers.start(this::round);
    log.info(
        "Dispatcher {} started: {} workers, batches of {}, lease {}",
        id,
        settings.concurrency(),
        settings.batchSize(),
        settings.leaseDuration());
  }

  @Override
  public void stop() {
    releaseQuietly(handoffs.close());
    if (!workers.stop(settings.drainTimeout())) {
      log.warn(
          "Dispatcher {} did not drain within {}; unfinished claims return when their lease expires",
          id,
          settings.drainTimeout());
    }
    log.info("Dispatcher {} stopped", id);
  }

  @Override
  public boolean isRunning() {
    return workers.running();
  }

  /** Stop before the relay pools and the database go away; start after them. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 2048;
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
    Lease lease = Lease.startingNow(settings.leaseDuration(), nanoTime);
    lastClaim = lease.startedAt();
    List<ClaimedEmail> claimed = claims.claim(id, settings.batchSize(), settings.leaseDuration());
    handoffs.claimed(claimed.size() < settings.batchSize());
    if (claimed.isEmpty()) {
      return 0;
    }
    if (claimed.size() == settings.batchSize()) {
      // There may be more due than this worker sends: the next idle one claims while it sends.
      workers.wake();
    }
    send(claimed, lease);
    return claimed.size();
  }

  /**
   * One worker's round: a batch of the emails intake handed over, or else a claim from the outbox.
   * The outbox is claimed from at least every poll interval all the same, so that what is due there
   * (retries, other replicas' emails) never waits behind a steady stream of new ones. Returns true
   * when more is likely waiting.
   */
  private boolean round() {
    boolean outboxDue = nanoTime.getAsLong() - lastClaim >= settings.pollInterval().toNanos();
    Handoffs.Taken taken =
        outboxDue ? null : handoffs.take(settings.batchSize(), EmailClaims.MAX_BATCH_BYTES);
    if (taken == null) {
      return runOnce() >= settings.batchSize() || handoffs.hasWaiting();
    }
    send(taken.emails(), taken.lease());
    return handoffs.hasWaiting();
  }

  /** Sends a batch this dispatcher holds under {@code lease}, and writes its results. */
  private void send(List<ClaimedEmail> claimed, Lease lease) {
    ClaimedBatch batch = new ClaimedBatch(claimed, nanoTime);
    while (!workers.stopping() && batch.hasWaiting()) {
      if (lease.renewDue()) {
        lease = renew(batch, lease);
      }
      if (!batch.hasWaiting() || lease.inSecondHalf()) {
        break;
      }
      batch.done(attempt(batch.next()));
      if (batch.flushDue()) {
        batch.flush(results::write);
      }
    }
    batch.flush(results::write);
    claims.release(batch.unstarted());
  }

  /**
   * Gives back claims handed over but not to be sent here. When the database cannot be reached,
   * their lease expiring gives them back.
   */
  private void releaseQuietly(List<ClaimedEmail> emails) {
    try {
      claims.release(emails);
    } catch (DataAccessException | TransactionException e) {
      log.warn(
          "Dispatcher {} could not give back {} emails handed over ({}); they are due again when"
              + " their lease expires",
          id,
          emails.size(),
          e.getMostSpecificCause().getMessage());
    }
  }

  /**
   * Extends the lease on every claim of the batch still held. A claim whose token is no longer
   * current was taken over by another dispatcher after all; it is dropped unsent. Returns the lease
   * now in force.
   */
  private Lease renew(ClaimedBatch batch, Lease lease) {
    List<ClaimedEmail> held = batch.held();
    if (held.isEmpty()) {
      return lease;
    }
    Lease renewal = lease.restartedNow();
    try {
      Set<UUID> renewed = claims.renew(held, settings.leaseDuration());
      for (ClaimedEmail lost : batch.dropAllBut(renewed)) {
        log.warn(
            "Dispatcher {} lost its claim on email {} to another dispatcher; not sending it",
            id,
            lost.id());
      }
      return renewal;
    } catch (DataAccessException | TransactionException e) {
      log.warn(
          "Dispatcher {} could not renew its lease ({}); it sends only within the current one",
          id,
          e.getMostSpecificCause().getMessage());
      return lease;
    }
  }

  private Recorded attempt(ClaimedEmail email) {
    MDC.put("emailId", email.id().toString());
    MDC.put("project", email.project());
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
      SendResult result = relays.send(outgoing(email));
      Settlement settlement = Settlement.of(email, result, retry, Instant.now());
      metrics.record(result);
      // One line per attempt is too many at the relay's pace: a sent email is a DEBUG line (the
      // counters and the email's status say the rest); a refused or deferred one stays at INFO.
      log.atLevel(result.outcome() == SendResult.Outcome.SENT ? Level.DEBUG : Level.INFO)
          .log(
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
      MDC.remove("project");
    }
  }

  /**
   * The message and its envelope. With VERP, each pending recipient gets the envelope sender of its
   * first position (an address listed twice is sent once).
   */
  private OutgoingMessage outgoing(ClaimedEmail email) {
    List<String> recipients = email.pendingAddresses();
    if (verp == null) {
      return new OutgoingMessage(email.id(), email.envelopeFrom(), recipients, email.mime());
    }
    List<String> senders =
        recipients.stream()
            .map(address -> verp.envelopeSender(email.id(), email.firstPendingPosition(address)))
            .toList();
    return new OutgoingMessage(email.id(), email.envelopeFrom(), recipients, email.mime(), senders);
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
