package dev.mailroom.delivery;

import dev.mailroom.delivery.EmailClaims.Recorded;
import java.time.Duration;
import java.util.List;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Writes a dispatcher's results back, riding out a brief database outage: a write that fails
 * because the database is unavailable is tried again with growing pauses. When every try failed the
 * results are dropped; the emails are still SENDING under a lease that runs out, and are tried
 * again then.
 *
 * <p>The policy here is Spring's {@code RetryPolicy} for a write, not this package's {@link
 * dev.mailroom.delivery.RetryPolicy} for when an email is tried again.
 */
final class ResultWriter {

  private static final Logger log = LoggerFactory.getLogger(ResultWriter.class);

  /**
   * Five tries in all, 250 ms after the first failure and doubling: about 4 s of outage ridden out,
   * well within any lease.
   */
  static final RetryPolicy DATABASE_HICCUPS = databaseHiccups(Duration.ofMillis(250));

  /**
   * Five tries in all, pausing {@code firstPause} after the first failure and doubling. Only
   * database unavailability is retried (see {@link dev.mailroom.system.PollingWorkers} for how it
   * shows); anything else is a defect and goes to the caller at once.
   */
  static RetryPolicy databaseHiccups(Duration firstPause) {
    return RetryPolicy.builder()
        .includes(DataAccessException.class, TransactionException.class)
        .maxRetries(4)
        .delay(firstPause)
        .multiplier(2)
        .maxDelay(Duration.ofSeconds(30))
        .build();
  }

  private final String dispatcher;
  private final ToIntFunction<List<Recorded>> record;
  private final RetryTemplate retry;

  /**
   * @param record writes results in one transaction and returns how many were still ours
   */
  ResultWriter(String dispatcher, ToIntFunction<List<Recorded>> record, RetryPolicy policy) {
    this.dispatcher = dispatcher;
    this.record = record;
    this.retry = new RetryTemplate(policy);
  }

  /** Writes the results, or logs why they could not be written. */
  void write(List<Recorded> results) {
    if (results.isEmpty()) {
      return;
    }
    try {
      int written = retry.invoke(() -> record.applyAsInt(results));
      if (written < results.size()) {
        log.warn(
            "Dispatcher {} lost {} claims to another dispatcher; their results were dropped",
            dispatcher,
            results.size() - written);
      }
    } catch (DataAccessException | TransactionException e) {
      log.error(
          "Dispatcher {} could not record {} results; those emails will be retried after their"
              + " lease expires",
          dispatcher,
          results.size(),
          e);
    }
  }
}
