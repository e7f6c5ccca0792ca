package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.support.Api;
import dev.mailroom.system.SqlTransactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A cancel and a dispatcher's claim meet on the same email: exactly one of them wins. */
class CancelRaceTest extends HandBuiltDispatcherTest {

  /** How often the racing dispatcher, never woken, looks for due email. */
  static final Duration POLL = Duration.ofMillis(200);

  /** Rounds the race runs at least, and at most while one side has not yet won. */
  static final int MIN_ROUNDS = 30;

  static final int MAX_ROUNDS = 300;

  // The claims' own kind of transaction, so the claim joins it and stays uncommitted in it.
  @Autowired SqlTransactions transactions;

  private Api.Response cancel(UUID id) {
    return api.post("/emails/" + id + "/cancel", "");
  }

  @Test
  void aCancelledEmailIsNeverClaimed() {
    UUID id = accept("cancelled@example.com");

    assertThat(cancel(id).status()).isEqualTo(200);

    assertThat(dispatcher("after-cancel").runOnce()).isZero();
    assertThat(status(id)).isEqualTo("CANCELLED");
    assertThat(relay.dataSeen()).isEmpty();
  }

  @Test
  void aCancelArrivingWhileAClaimIsUncommittedWaitsForItAndIsRefused() {
    UUID id = accept("claimed@example.com");
    CompletableFuture<Api.Response> cancelled = new CompletableFuture<>();

    transactions
        .template()
        .executeWithoutResult(
            tx -> {
              List<ClaimedEmail> claimed = claims.claim("claimer", 10, Duration.ofMinutes(5));
              assertThat(claimed).extracting(ClaimedEmail::id).containsExactly(id);
              CompletableFuture.runAsync(() -> cancelled.complete(cancel(id)));
              // Polled from another thread, so on a connection outside this transaction.
              await("the cancel blocked on the row this transaction locked")
                  .atMost(Duration.ofSeconds(10))
                  .pollInterval(Duration.ofMillis(10))
                  .until(() -> blockedStatements() == 1);
              assertThat(cancelled).isNotDone();
            });

    Api.Response response = cancelled.join();
    assertThat(response.status()).isEqualTo(409);
    assertThat(response.body().path("emailStatus").asString()).isEqualTo("SENDING");
    assertThat(status(id)).isEqualTo("SENDING");
  }

  /**
   * The dispatcher is never woken: it claims on its own poll, at moments the test does not choose.
   * Each cancel follows its accept after a delay spread over more than the poll interval, so
   * cancels land before a claim, while one is uncommitted and after one. The rounds go on until
   * both sides have won at least once; the race is only tested when both outcomes happened.
   */
  @Test
  void underLoadEveryEmailIsEitherCancelledAndNeverSentOrSentAndRefused() {
    start(dispatcher("racer", 20, Duration.ofMinutes(5), POLL, settings.retry()));
    List<UUID> ids = new ArrayList<>();
    List<Integer> answers = new ArrayList<>();
    for (int round = 0; round < MIN_ROUNDS || (round < MAX_ROUNDS && !bothWon(answers)); round++) {
      UUID id = accept("race" + round + "@example.com");
      pause(Duration.ofMillis(round * 37L % (POLL.toMillis() + 50)));
      ids.add(id);
      answers.add(cancel(id).status());
    }
    int total = ids.size();
    await("every raced email settled")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> withStatus("SENT") + withStatus("CANCELLED") == total);

    List<String> delivered = deliveredTo();
    for (int i = 0; i < total; i++) {
      String to = "race" + i + "@example.com";
      if (answers.get(i) == 200) {
        assertThat(status(ids.get(i))).as(to).isEqualTo("CANCELLED");
        assertThat(delivered).as(to).doesNotContain(to);
      } else {
        assertThat(answers.get(i)).as(to).isEqualTo(409);
        assertThat(status(ids.get(i))).as(to).isEqualTo("SENT");
        assertThat(delivered).as(to).containsOnlyOnce(to);
      }
    }
    assertThat(answers)
        .as("cancels that won (200) and lost (409) over %d rounds", total)
        .contains(200, 409);
  }

  private static boolean bothWon(List<Integer> answers) {
    return answers.contains(200) && answers.contains(409);
  }

  /** Statements of this test's database waiting on a lock another transaction holds. */
  private long blockedStatements() {
    return jdbc.sql(
            "SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0")
        .query(Long.class)
        .single();
  }
}
