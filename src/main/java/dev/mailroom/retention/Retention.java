package dev.mailroom.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes emails that settled more than {@code delete-age} ago, then removes the stored message of
 * those that settled more than {@code body-age} ago, in bounded batches.
 *
 * <p>Every replica may run this at the same time. Each batch is one statement (one short
 * transaction) whose subquery picks the oldest rows {@code FOR UPDATE SKIP LOCKED}: concurrent runs
 * take disjoint rows and share the work, nobody waits on a lock, and no lock outlives a batch. A
 * run-wide advisory lock would instead pin one database connection for the whole run and leave a
 * dead replica's lock to the server to notice; nothing here needs a single purger.
 */
@Component
class Retention {

  /** Oldest settled emails past the age; their recipients and attempts go by ON DELETE CASCADE. */
  private static final String DELETE =
      """
      DELETE FROM emails
       WHERE id IN (SELECT id FROM emails
                     WHERE status IN ('SENT', 'FAILED', 'CANCELLED')
                       AND updated_at < now() - :ageMillis * interval '1 millisecond'
                     ORDER BY updated_at
                     LIMIT :limit
                     FOR UPDATE SKIP LOCKED)
      """;

  /**
   * Settled emails past the body age but not yet past the delete age: an email old enough to be
   * deleted goes whole, so its message is never rewritten first (not even while a concurrent run is
   * deleting it). Served by {@code emails_body_retention_idx}, which purged rows leave.
   */
  private static final String PURGE_BODIES =
      """
      UPDATE emails SET mime = NULL, purged_at = now()
       WHERE id IN (SELECT id FROM emails
                     WHERE mime IS NOT NULL
                       AND status IN ('SENT', 'FAILED', 'CANCELLED')
                       AND updated_at < now() - :ageMillis * interval '1 millisecond'
                       AND updated_at >= now() - :deleteAgeMillis * interval '1 millisecond'
                     ORDER BY updated_at
                     LIMIT :limit
                     FOR UPDATE SKIP LOCKED)
      """;

  private final JdbcClient jdbc;
  private final RetentionSettings settings;
  private final Counter deletedEmails;
  private final Counter purgedBodies;

  Retention(JdbcClient jdbc, RetentionSettings settings, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.settings = settings;
    this.deletedEmails =
        Counter.builder("mailroom.retention.emails.deleted")
            .description("Settled emails deleted after mailroom.retention.delete-age")
            .register(meters);
    this.purgedBodies =
        Counter.builder("mailroom.retention.bodies.purged")
            .description("Stored messages removed after mailroom.retention.body-age")
            .register(meters);
  }

  /**
   * What one run did.
   *
   * @param finished false when the time budget or a shutdown ended the run with work left
   */
  record Purged(int deletedEmails, int purgedBodies, int batches, boolean finished) {}

  Purged run() {
    return run(() -> false);
  }

  /**
   * Deletes, then purges messages. Each phase runs at least one batch, so every run makes progress
   * whatever its budget.
   *
   * @param stopping checked between batches; true ends the run
   */
  Purged run(BooleanSupplier stopping) {
    long deadline = System.nanoTime() + settings.maxRunTime().toNanos();
    Phase deleted = repeat(DELETE, settings.deleteAge(), deadline, stopping);
    Phase purged = repeat(PURGE_BODIES, settings.bodyAge(), deadline, stopping);
    deletedEmails.increment(deleted.rows());
    purgedBodies.increment(purged.rows());
    return new Purged(
        deleted.rows(),
        purged.rows(),
        deleted.batches() + purged.batches(),
        deleted.finished() && purged.finished());
  }

  private record Phase(int rows, int batches, boolean finished) {}

  private Phase repeat(String statement, Duration age, long deadline, BooleanSupplier stopping) {
    int rows = 0;
    int batches = 0;
    int last;
    do {
      last = batch(statement, age);
      rows += last;
      batches++;
    } while (last == settings.batchSize()
        && System.nanoTime() < deadline
        && !stopping.getAsBoolean());
    // A short batch means nothing was left that another run had not locked.
    return new Phase(rows, batches, last < settings.batchSize());
  }

  private int batch(String statement, Duration age) {
    return jdbc.sql(statement)
        .param("ageMillis", age.toMillis())
        .param("deleteAgeMillis", settings.deleteAge().toMillis())
        .param("limit", settings.batchSize())
        .update();
  }
}
