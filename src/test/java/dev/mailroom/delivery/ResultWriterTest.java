package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.delivery.EmailClaims.Recorded;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.util.backoff.BackOffExecution;

class ResultWriterTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  final List<List<Recorded>> writes = new ArrayList<>();

  static List<Recorded> results(int n) {
    List<Recorded> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ClaimedEmail email =
          new ClaimedEmail(
              UUID.randomUUID(),
              "test",
              1,
              "from@example.com",
              new byte[0],
              1,
              NOW,
              NOW,
              NOW.plusSeconds(60),
              List.of());
      results.add(new Recorded(email, "writer", NOW, null, Settlement.expired(email, NOW)));
    }
    return results;
  }

  /** A writer whose database fails the first {@code failures} writes with this exception. */
  ResultWriter failing(int failures, RuntimeException failure) {
    return new ResultWriter(
        "writer",
        results -> {
          writes.add(results);
          if (writes.size() <= failures) {
            throw failure;
          }
          return results.size();
        },
        ResultWriter.databaseHiccups(Duration.ofMillis(1)));
  }

  @Test
  void resultsAreWrittenOnceWhenTheDatabaseAnswers() {
    List<Recorded> results = results(3);

    failing(0, new IllegalStateException("unused")).write(results);

    assertThat(writes).containsExactly(results);
  }

  @Test
  void aWriteIsTriedAgainWhileNoConnectionCanBeHad() {
    List<Recorded> results = results(2);

    failing(2, new CannotGetJdbcConnectionException("database down")).write(results);

    assertThat(writes).hasSize(3).containsOnly(results);
  }

  @Test
  void aWriteIsTriedAgainWhenNoTransactionCanBeStarted() {
    failing(1, new CannotCreateTransactionException("database down")).write(results(1));

    assertThat(writes).hasSize(2);
  }

  @Test
  void theWriterGivesUpQuietlyAfterFiveTries() {
    failing(Integer.MAX_VALUE, new CannotGetJdbcConnectionException("database down"))
        .write(results(1));

    assertThat(writes).hasSize(5);
  }

  @Test
  void aFailureOtherThanTheDatabaseIsNotRetriedAndReachesTheCaller() {
    ResultWriter writer = failing(1, new IllegalStateException("a defect"));

    assertThatThrownBy(() -> writer.write(results(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a defect");
    assertThat(writes).hasSize(1);
  }

  @Test
  void nothingIsWrittenForNoResults() {
    failing(0, new IllegalStateException("unused")).write(List.of());

    assertThat(writes).isEmpty();
  }

  @Test
  void theDispatchersPolicyPausesFromAQuarterSecondDoublingFourTimes() {
    BackOffExecution pauses = ResultWriter.DATABASE_HICCUPS.getBackOff().start();

    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      millis.add(pauses.nextBackOff());
    }

    assertThat(millis).containsExactly(250L, 500L, 1000L, 2000L, BackOffExecution.STOP);
  }

  @Test
  void theDispatchersPolicyRetriesOnlyDatabaseUnavailability() {
    assertThat(ResultWriter.DATABASE_HICCUPS.shouldRetry(new CannotGetJdbcConnectionException("x")))
        .isTrue();
    assertThat(ResultWriter.DATABASE_HICCUPS.shouldRetry(new CannotCreateTransactionException("x")))
        .isTrue();
    assertThat(ResultWriter.DATABASE_HICCUPS.shouldRetry(new IllegalStateException("x"))).isFalse();
  }
}
