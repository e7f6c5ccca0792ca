package dev.mailroom.retention;

import dev.mailroom.retention.Retention.Purged;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Runs {@link Retention} every {@code interval} on a thread of its own: a run may take minutes, and
 * on the shared scheduler it would hold up the outbox gauges meanwhile. The first run comes soon
 * after startup (at most a minute), so frequent rollouts cannot postpone purging indefinitely.
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.retention", name = "enabled", matchIfMissing = true)
class RetentionSchedule implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RetentionSchedule.class);

  private static final Duration FIRST_RUN_AFTER = Duration.ofMinutes(1);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Retention retention;
  private final RetentionSettings settings;
  private volatile boolean stopping;
  private @Nullable ScheduledExecutorService executor;

  RetentionSchedule(Retention retention, RetentionSettings settings) {
    this.retention = retention;
    this.settings = settings;
  }

  @Override
  public void start() {
    stopping = false;
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = new Thread(r, "retention");
              thread.setDaemon(true);
              return thread;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    long interval = settings.interval().toMillis();
    executor.scheduleWithFixedDelay(
        this::runOnce,
        Math.min(interval, FIRST_RUN_AFTER.toMillis()),
        interval,
        TimeUnit.MILLISECONDS);
    this.executor = executor;
    log.info(
        "Retention: messages of settled emails are removed after {}, the emails deleted after {};"
            + " checked every {}",
        settings.bodyAge(),
        settings.deleteAge(),
        settings.interval());
  }

  /** Never throws: an exception would cancel every later run of a scheduled executor. */
  private void runOnce() {
    try {
      long started = System.nanoTime();
      Purged purged = retention.run(() -> stopping);
      if (purged.deletedEmails() > 0 || purged.purgedBodies() > 0) {
        log.info(
            "Retention run deleted {} emails and removed {} stored messages in {} batches, {} ms{}",
            purged.deletedEmails(),
            purged.purgedBodies(),
            purged.batches(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
            purged.finished() ? "" : "; more is left for the next run");
      }
    } catch (DataAccessException e) {
      log.warn(
          "Retention run failed ({}); retrying in {}",
          e.getMostSpecificCause().getMessage(),
          settings.interval());
    } catch (RuntimeException e) {
      log.error("Retention run failed; retrying in {}", settings.interval(), e);
    }
  }

  @Override
  public void stop() {
    stopping = true;
    ScheduledExecutorService executor = this.executor;
    this.executor = null;
    if (executor == null) {
      return;
    }
    executor.shutdown();
    try {
      // The batch in hand finishes; the run ends before the next one.
      if (!executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }
}
