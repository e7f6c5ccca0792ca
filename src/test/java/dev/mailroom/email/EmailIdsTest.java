package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EmailIdsTest {

  @Test
  void idsAreVersion7WithTheTimeOfTheirMaking() {
    long before = Instant.now().toEpochMilli();
    UUID id = EmailIds.next();
    long after = Instant.now().toEpochMilli();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    long millis = id.getMostSignificantBits() >>> 16;
    assertThat(millis).isBetween(before, after);
  }

  /** PostgreSQL orders uuids byte by byte, as their lower-case text sorts. */
  @Test
  void idsMadeOneAfterAnotherAscendInPostgresOrder() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ids.add(EmailIds.next().toString());
    }

    assertThat(ids).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void idsMadeOnManyThreadsAreDistinct() throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    List<List<UUID>> made = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<UUID> mine = new ArrayList<>();
      made.add(mine);
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  mine.add(EmailIds.next());
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(30_000);
      assertThat(thread.isAlive()).isFalse();
    }

    HashSet<UUID> all = new HashSet<>();
    made.forEach(all::addAll);
    assertThat(all).hasSize(40_000);
  }
}
