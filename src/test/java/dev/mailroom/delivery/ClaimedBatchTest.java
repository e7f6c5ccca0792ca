package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.delivery.EmailClaims.Recorded;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClaimedBatchTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  final AtomicLong nanos = new AtomicLong(987_654_321L);

  static ClaimedEmail claim() {
    return new ClaimedEmail(
        UUID.randomUUID(),
        "test",
        1,
        "from@example.com",
        new byte[0],
        1,
        NOW,
        null,
        NOW,
        List.of());
  }

  static Recorded expired(ClaimedEmail email) {
    return new Recorded(email, "batch", NOW, null, Settlement.expired(email, NOW));
  }

  @Test
  void claimsAreHandedOutInClaimOrderAndTheRestIsUnstarted() {
    ClaimedEmail first = claim();
    ClaimedEmail second = claim();
    ClaimedEmail third = claim();
    ClaimedBatch batch = new ClaimedBatch(List.of(first, second, third), nanos::get);

    assertThat(batch.next()).isSameAs(first);

    assertThat(batch.unstarted()).containsExactly(second, third);
  }

  @Test
  void heldClaimsAreTheWaitingAndTheSentButUnwritten() {
    ClaimedEmail sent = claim();
    ClaimedEmail waiting = claim();
    ClaimedBatch batch = new ClaimedBatch(List.of(sent, waiting), nanos::get);
    batch.done(expired(batch.next()));

    assertThat(batch.held()).containsExactlyInAnyOrder(sent, waiting);
  }

  @Test
  void claimsNotRenewedAreDroppedUnsent() {
    ClaimedEmail kept = claim();
    ClaimedEmail lost = claim();
    ClaimedBatch batch = new ClaimedBatch(List.of(kept, lost), nanos::get);

    assertThat(batch.dropAllBut(Set.of(kept.id()))).containsExactly(lost);
    assertThat(batch.unstarted()).containsExactly(kept);
  }

  @Test
  void aFlushIsDueOnlyAfterTheFlushIntervalAndCountsFromTheLastFlush() {
    ClaimedBatch batch = new ClaimedBatch(List.of(claim(), claim()), nanos::get);
    batch.done(expired(batch.next()));
    assertThat(batch.flushDue()).isFalse();

    nanos.addAndGet(ClaimedBatch.FLUSH_EVERY.plus(Duration.ofNanos(1)).toNanos());
    assertThat(batch.flushDue()).isTrue();

    List<List<Recorded>> written = new ArrayList<>();
    batch.flush(written::add);
    assertThat(written).singleElement().asList().hasSize(1);
    assertThat(batch.flushDue()).isFalse();
    assertThat(batch.held()).hasSize(1);
  }
}
