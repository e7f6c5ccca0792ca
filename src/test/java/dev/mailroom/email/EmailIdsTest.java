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
    assertThat(millis(id)).isBetween(before, after);
  }

  /**
   * PostgreSQL orders uuids byte by byte, as their lower-case text sorts: an id of a later
   * millisecond sorts after every id of an earlier one.
   */
  @Test
  void idsOfLaterMillisecondsAscendInPostgresOrder() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ids.add(EmailIds.next());
    }

    assertThat(ids).doesNotHaveDuplicates();
    for (int i = 1; i < ids.size(); i++) {
      UUID previous = ids.get(i - 1);
      UUID id = ids.get(i);
      assertThat(millis(id)).isGreaterThanOrEqualTo(millis(previous));
      if (millis(id) > millis(previous)) {
        assertThat(id.toString()).isGreaterThan(previous.toString());
      }
    }
    assertThat(millis(ids.get(ids.size() - 1))).isGreaterThan(millis(ids.get(0)));
  }

  /** The random bits are drawn for each id: the next id is not the last one plus one. */
  @Test
  void idsMadeInTheSameMillisecondAreNotACounter() {
    int sameMillisecond = 0;
    UUID previous = EmailIds.next();
    for (int i = 0; i < 20_000; i++) {
      UUID id = EmailIds.next();
      if (millis(id) == millis(previous)) {
        sameMillisecond++;
        long step = id.getLeastSignificantBits() - previous.getLeastSignificantBits();
        assertThat(Math.abs(step)).as("%s after %s", id, previous).isGreaterThan(1L << 32);
      }
      previous = id;
    }
    assertThat(sameMillisecond).isGreaterThan(100);
  }

  private static long millis(UUID id) {
    return id.getMostSignificantBits() >>> 16;
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
