package dev.mailroom.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mailroom.retention.Retention.Purged;
import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Purge runs built by hand against the real outbox, with ages of days (7 for messages, 14 for
 * emails) so that the application's own schedule, which keeps 30 and 90 days, never touches the
 * rows of these tests.
 */
class RetentionTest extends ScriptedRelayTest {

  private static final Duration BODY_AGE = Duration.ofDays(7);
  private static final Duration DELETE_AGE = Duration.ofDays(14);

  @Autowired DataSource dataSource;

  private Retention retention(int batchSize, Duration maxRunTime) {
    RetentionSettings settings =
        new RetentionSettings(
            true, Duration.ofHours(1), BODY_AGE, DELETE_AGE, batchSize, maxRunTime);
    return new Retention(jdbc, settings, new SimpleMeterRegistry());
  }

  private Retention retention() {
    return retention(1000, Duration.ofMinutes(1));
  }

  @Test
  void settledEmailsPastTheDeleteAgeGoWithTheirRecipientsAndAttempts() {
    insertEmails(3, "SENT", "20 days");
    insertEmails(2, "FAILED", "20 days");
    insertEmails(1, "CANCELLED", "15 days");

    Purged purged = retention().run();

    assertThat(purged.deletedEmails()).isEqualTo(6);
    assertThat(count("emails")).isZero();
    assertThat(count("email_recipients")).isZero();
    assertThat(count("delivery_attempts")).isZero();
  }

  @Test
  void settledEmailsPastTheBodyAgeLoseOnlyTheirMessage() {
    List<UUID> old = insertEmails(2, "SENT", "10 days");
    insertEmails(1, "FAILED", "8 days");

    Purged purged = retention().run();

    assertThat(purged.purgedBodies()).isEqualTo(3);
    assertThat(purged.deletedEmails()).isZero();
    assertThat(count("emails WHERE mime IS NULL AND purged_at IS NOT NULL")).isEqualTo(3);
    assertThat(count("email_recipients")).isEqualTo(3);
    assertThat(count("delivery_attempts")).isEqualTo(3);
    assertThat(updatedAt(old.get(0)))
        .as("purging does not move the settlement time that delete-age counts from")
        .isBefore(java.time.Instant.now().minus(Duration.ofDays(9)));
  }

  @Test
  void emailsYoungerThanTheAgesAreKept() {
    insertEmails(2, "SENT", "6 days");
    insertEmails(1, "FAILED", "1 hour");

    Purged purged = retention().run();

    assertThat(purged).isEqualTo(new Purged(0, 0, 2, true));
    assertThat(count("emails WHERE mime IS NOT NULL AND purged_at IS NULL")).isEqualTo(3);
  }

  @Test
  void unsettledEmailsKeepEverythingWhateverTheirAge() {
    for (String status : List.of("SCHEDULED", "QUEUED", "DEFERRED", "SENDING")) {
      insertEmails(1, status, "100 days");
    }

    retention().run();

    assertThat(count("emails WHERE mime IS NOT NULL AND purged_at IS NULL")).isEqualTo(4);
    assertThat(count("email_recipients")).isEqualTo(4);
  }

  @Test
  void purgedEmailStillShowsItsStatusRecipientsAndAttempts() {
    String id =
        api.post(
                "/emails",
                """
                {"to": ["ann@example.com"], "cc": ["bob@example.com"],
                 "subject": "Your code", "text": "123456"}
                """)
            .body()
            .path("id")
            .asString();
    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));
    jdbc.sql("UPDATE emails SET updated_at = now() - interval '10 days' WHERE id = :id")
        .param("id", UUID.fromString(id))
        .update();

    assertThat(retention().run().purgedBodies()).isEqualTo(1);

    Api.Response after = api.get("/emails/" + id);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.body()).isEqualTo(sent);
    assertThat(after.body().path("recipients")).hasSize(2);
    assertThat(after.body().path("attempts")).hasSize(1);
    assertThat(count("emails WHERE mime IS NULL")).isEqualTo(1);
  }

  @Test
  void aRunWorksThroughEverythingInBatchesOfTheConfiguredSize() {
    insertEmails(25, "SENT", "20 days");
    insertEmails(12, "SENT", "10 days");

    Purged purged = retention(10, Duration.ofMinutes(1)).run();

    // Deletion: 10, 10, 5. Messages: 10, 2.
    assertThat(purged).isEqualTo(new Purged(25, 12, 5, true));
    assertThat(count("emails")).isEqualTo(12);
    assertThat(count("emails WHERE mime IS NULL")).isEqualTo(12);
  }

  @Test
  void aRunPastItsTimeBudgetStartsNoFurtherBatch() {
    insertEmails(25, "SENT", "10 days");
    Retention outOfTime = retention(10, Duration.ZERO);

    assertThat(outOfTime.run()).isEqualTo(new Purged(0, 10, 2, false));
    assertThat(count("emails WHERE mime IS NULL")).isEqualTo(10);
    assertThat(outOfTime.run()).isEqualTo(new Purged(0, 10, 2, false));
    assertThat(outOfTime.run()).isEqualTo(new Purged(0, 5, 2, true));
    assertThat(count("emails WHERE mime IS NULL")).isEqualTo(25);
  }

  @Test
  void messagesOfEmailsPastTheDeleteAgeAreNotPurgedFirst() {
    insertEmails(3, "SENT", "20 days");
    Retention outOfTime = retention(2, Duration.ZERO);

    assertThat(outOfTime.run()).isEqualTo(new Purged(2, 0, 2, false));
    assertThat(count("emails WHERE mime IS NULL")).isZero();
  }

  @Test
  void rowsLockedByAnotherTransactionAreSkippedWithoutWaiting() throws Exception {
    insertEmails(5, "SENT", "20 days");
    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      try (Statement lock = other.createStatement()) {
        lock.execute(
            "SELECT id FROM emails ORDER BY updated_at LIMIT 2 FOR UPDATE"); // held until rollback
        Retention retention = retention();
        Purged purged = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> retention.run());
        assertThat(purged.deletedEmails()).isEqualTo(3);
        assertThat(count("emails")).isEqualTo(2);
      } finally {
        other.rollback();
      }
    }

    assertThat(retention().run().deletedEmails()).isEqualTo(2);
    assertThat(count("emails")).isZero();
  }

  @Test
  void concurrentRunsShareTheWorkWithoutFailingOrCountingARowTwice() throws Exception {
    insertEmails(2000, "SENT", "20 days");
    insertEmails(2000, "FAILED", "10 days");
    insertEmails(50, "SENT", "1 day");
    CyclicBarrier start = new CyclicBarrier(2);
    // Neither run goes past its first batch before the other has done one too: from there on both
    // are running at once, whatever the scheduler does with the two threads.
    CyclicBarrier bothStarted = new CyclicBarrier(2);
    Callable<Purged> replica =
        () -> {
          Retention own = retention(50, Duration.ofMinutes(1));
          AtomicBoolean firstBatch = new AtomicBoolean(true);
          start.await();
          return own.run(
              () -> {
                if (firstBatch.getAndSet(false)) {
                  awaitOtherRun(bothStarted);
                }
                return false;
              });
        };

    ExecutorService replicas = Executors.newFixedThreadPool(2);
    try {
      Future<Purged> first = replicas.submit(replica);
      Future<Purged> second = replicas.submit(replica);
      Purged a = first.get();
      Purged b = second.get();

      assertThat(a.deletedEmails() + b.deletedEmails()).isEqualTo(2000);
      assertThat(a.purgedBodies() + b.purgedBodies()).isEqualTo(2000);
      assertThat(List.of(a, b)).as("both runs did work").allMatch(run -> run.deletedEmails() > 0);
    } finally {
      replicas.shutdownNow();
    }
    assertThat(count("emails")).isEqualTo(2050);
    assertThat(count("emails WHERE mime IS NULL")).isEqualTo(2000);
    assertThat(count("email_recipients")).isEqualTo(2050);
  }

  @Test
  void theScheduleRunsWithoutBeingCalled() throws InterruptedException {
    insertEmails(3, "SENT", "20 days");
    RetentionSettings settings =
        new RetentionSettings(
            true, Duration.ofMillis(100), BODY_AGE, DELETE_AGE, 1000, Duration.ofMinutes(1));
    RetentionSchedule schedule =
        new RetentionSchedule(new Retention(jdbc, settings, new SimpleMeterRegistry()), settings);

    schedule.start();
    try {
      await("the scheduled run")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> count("emails") == 0);
    } finally {
      schedule.stop();
    }

    assertThat(count("emails")).isZero();
    assertThat(schedule.isRunning()).isFalse();
  }

  private static void awaitOtherRun(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (BrokenBarrierException | TimeoutException e) {
      throw new IllegalStateException("the other run never finished its first batch", e);
    }
  }

  /**
   * Emails that settled (or, for unsettled statuses, were last touched) this long ago, each with
   * one recipient and one attempt. Unsettled ones are due far in the future, out of the running
   * dispatcher's reach.
   */
  private List<UUID> insertEmails(int n, String status, String ago) {
    return jdbc.sql(
            """
            WITH new AS (
              INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                  message_id, mime, due_at, created_at, updated_at)
              SELECT gen_random_uuid(), 'test', :status, 'sender@mailroom.test', 'sender@mailroom.test',
                     'Hello', '<' || gen_random_uuid() || '@retention.test>',
                     convert_to('Subject: Hello' || chr(13) || chr(10), 'UTF8'),
                     CASE WHEN :status IN ('SENT', 'FAILED', 'CANCELLED') THEN NULL
                          ELSE now() + interval '1 day' END,
                     now() - CAST(:ago AS interval), now() - CAST(:ago AS interval)
                FROM generate_series(1, :n)
              RETURNING id, updated_at),
            recipients AS (
              INSERT INTO email_recipients (email_id, position, kind, address)
              SELECT id, 0, 'TO', 'someone@example.com' FROM new)
            INSERT INTO delivery_attempts (email_id, number, dispatcher, relay, started_at,
                                           duration_ms, outcome)
            SELECT id, 1, 'test', 'test-relay', updated_at, 1, 'SENT' FROM new
            RETURNING email_id
            """)
        .param("status", status)
        .param("ago", ago)
        .param("n", n)
        .query(UUID.class)
        .list();
  }

  private java.time.Instant updatedAt(UUID id) {
    return jdbc.sql("SELECT updated_at FROM emails WHERE id = :id")
        .param("id", id)
        .query(java.sql.Timestamp.class)
        .single()
        .toInstant();
  }
}
