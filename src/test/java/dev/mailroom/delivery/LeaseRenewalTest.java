package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A batch that takes longer than its lease keeps its claims by renewing them, and renewing never
 * takes back a claim another dispatcher holds.
 */
class LeaseRenewalTest extends HandBuiltDispatcherTest {

  static final Duration LEASE = Duration.ofSeconds(3);

  @Test
  void aBatchSlowerThanItsLeaseIsSentWholeByItsDispatcherAlone() {
    List<String> recipients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      recipients.add("slow" + i + "@example.com");
      accept(recipients.get(i));
    }
    relay.delayData(Duration.ofMillis(700)); // 8 sends: about 5.6 s, almost twice the lease
    Dispatcher holder = dispatcher("holder", 20, LEASE, settings.retry());
    CompletableFuture<Integer> batch = CompletableFuture.supplyAsync(holder::runOnce);
    await("8 emails claimed")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> withStatus("SENDING") == 8);

    // A rival polls all along; it would take over any claim whose lease ran out.
    start(dispatcher("rival", 20, LEASE, settings.retry()));

    assertThat(batch.join()).isEqualTo(8);
    assertThat(withStatus("SENT")).isEqualTo(8);
    assertThat(deliveredTo()).containsExactlyElementsOf(recipients);
    assertThat(jdbc.sql("SELECT dispatcher FROM delivery_attempts").query(String.class).list())
        .hasSize(8)
        .containsOnly("holder");
  }

  @Test
  void aClaimTakenOverByAnotherDispatcherIsNotRenewedNorSent() {
    UUID first = accept("first@example.com");
    UUID taken = accept("taken@example.com");
    UUID third = accept("third@example.com");
    relay.delayData(Duration.ofMillis(1500)); // past a third of the lease: renew before the next
    Dispatcher holder = dispatcher("holder", 20, LEASE, settings.retry());
    CompletableFuture<Integer> batch = CompletableFuture.supplyAsync(holder::runOnce);

    // While the first email is in DATA, another dispatcher takes the second over, as it would
    // after the holder's lease had lapsed.
    assertThat(relay.awaitDataSeen(1, Duration.ofSeconds(5))).hasSize(1);
    jdbc.sql(
            "UPDATE emails SET claim_token = claim_token + 1, locked_by = 'thief',"
                + " due_at = now() + interval '1 hour' WHERE id = :id")
        .param("id", taken)
        .update();
    batch.join();

    assertThat(deliveredTo()).containsExactly("first@example.com", "third@example.com");
    assertThat(status(first)).isEqualTo("SENT");
    assertThat(status(third)).isEqualTo("SENT");
    assertThat(status(taken)).isEqualTo("SENDING");
    assertThat(column(taken, "locked_by")).isEqualTo("thief");
    assertThat(instant(taken, "due_at")).isAfter(Instant.now().plus(Duration.ofMinutes(30)));
  }

  @Test
  void renewingExtendsOnlyCurrentClaims() {
    UUID kept = accept("kept@example.com");
    UUID lost = accept("lost@example.com");
    List<ClaimedEmail> claimed = claims.claim("holder", 10, Duration.ofSeconds(30));
    jdbc.sql("UPDATE emails SET claim_token = claim_token + 1 WHERE id = :id")
        .param("id", lost)
        .update();
    Instant lostLease = instant(lost, "due_at");

    Set<UUID> renewed = claims.renew(claimed, Duration.ofMinutes(10));

    assertThat(renewed).containsExactly(kept);
    assertThat(instant(kept, "due_at")).isAfter(Instant.now().plus(Duration.ofMinutes(9)));
    assertThat(instant(lost, "due_at")).isEqualTo(lostLease);
  }
}
