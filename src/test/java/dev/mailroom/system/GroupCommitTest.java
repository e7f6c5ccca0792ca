package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.CannotCreateTransactionException;

class GroupCommitTest {

  private final ExecutorService callers = Executors.newFixedThreadPool(16);

  @AfterEach
  void stopCallers() throws InterruptedException {
    callers.shutdownNow();
    assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aCallerAloneStoresItsItemAtOnceInAGroupOfOne() {
    List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    GroupCommit<String, String> commit =
        new GroupCommit<>(
            group -> {
              groups.add(group);
              return group.stream().map(String::toUpperCase).toList();
            },
            2,
            64,
            String::length,
            Long.MAX_VALUE,
            Long.MAX_VALUE);

    assertThat(commit.store("a")).isEqualTo("A");
    assertThat(commit.store("b")).isEqualTo("B");

    assertThat(groups).containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void concurrentCallersShareGroupsAndEachReturnsOnlyOnceItsItemIsStored() throws Exception {
    Set<Integer> stored = ConcurrentHashMap.newKeySet();
    List<Integer> groupSizes = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger writingNow = new AtomicInteger();
    AtomicInteger mostWritingAtOnce = new AtomicInteger();
    GroupCommit<Integer, Integer> commit =
        new GroupCommit<>(
            group -> {
              mostWritingAtOnce.accumulateAndGet(writingNow.incrementAndGet(), Math::max);
              sleep(5);
              groupSizes.add(group.size());
              stored.addAll(group);
              writingNow.decrementAndGet();
              return group.stream().map(item -> -item).toList();
            },
            2,
            8,
            item -> 1,
            Long.MAX_VALUE,
            Long.MAX_VALUE);

    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> calls = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int item = i;
      calls.add(
          callers.submit(
              () -> {
                start.await();
                int answer = commit.store(item);
                return stored.contains(item) && answer == -item;
              }));
    }
    start.countDown();

    for (Future<Boolean> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS)).as("stored before store() returned").isTrue();
    }
    assertThat(stored).hasSize(400);
    assertThat(groupSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(400);
    assertThat(groupSizes).allMatch(size -> size <= 8);
    assertThat(groupSizes).anyMatch(size -> size > 1);
    assertThat(mostWritingAtOnce.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void aBadItemFailsOnlyItsOwnCallerAndTheRestOfItsGroupIsStored() throws Exception {
    Set<String> stored = ConcurrentHashMap.newKeySet();
    HeldWriter held =
        new HeldWriter(
            group -> {
              if (group.contains("bad")) {
                throw new DataIntegrityViolationException("bad row");
              }
              stored.addAll(group);
              return group;
            });

    Future<?> good1 = callers.submit(() -> held.commit.store("good1"));
    Future<?> bad = callers.submit(() -> held.commit.store("bad"));
    Future<?> good2 = callers.submit(() -> held.commit.store("good2"));
    held.releaseOnce(3);

    good1.get(10, TimeUnit.SECONDS);
    good2.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DataIntegrityViolationException.class);
    assertThat(stored).containsExactlyInAnyOrder("good1", "good2");
  }

  @Test
  void anUnavailableDatabaseFailsTheWholeGroupWithoutStoringItemsOneByOne() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    HeldWriter held =
        new HeldWriter(
            group -> {
              attempts.incrementAndGet();
              throw new CannotCreateTransactionException("no connection");
            });

    List<Future<?>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String item = "item" + i;
      queued.add(callers.submit(() -> held.commit.store(item)));
    }
    held.releaseOnce(5);

    for (Future<?> call : queued) {
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CannotCreateTransactionException.class);
    }
    assertThat(attempts.get()).isEqualTo(1);
  }

  @Test
  void aFailureThatIsNotARefusedStatementFailsTheWholeGroupWithoutStoringAgain() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    HeldWriter held =
        new HeldWriter(
            group -> {
              attempts.incrementAndGet();
              // As a listener of the commit could: after the items were stored.
              throw new IllegalStateException("after the commit");
            });

    Future<?> first = callers.submit(() -> held.commit.store("first"));
    Future<?> second = callers.submit(() -> held.commit.store("second"));
    held.releaseOnce(2);

    for (Future<?> call : List.of(first, second)) {
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
    }
    assertThat(attempts.get()).isEqualTo(1);
  }

  @Test
  void aCallerInterruptedBeforeAWriterTookItsItemLeavesNothingStored() throws Exception {
    Set<String> stored = ConcurrentHashMap.newKeySet();
    HeldWriter held =
        new HeldWriter(
            group -> {
              stored.addAll(group);
              return group;
            });

    Future<?> withdrawn = callers.submit(() -> held.commit.store("withdrawn"));
    await().atMost(Duration.ofSeconds(10)).until(() -> held.commit.waiting() == 1);
    withdrawn.cancel(true);
    held.releaseOnce(0);
    held.commit.store("after");

    assertThat(stored).containsExactlyInAnyOrder("after");
  }

  @Test
  void aGroupIsCutAtItsByteLimitAndAnItemLargerThanTheLimitIsStoredAlone() throws Exception {
    List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    HeldWriter held =
        new HeldWriter(
            group -> {
              groups.add(group);
              return group;
            },
            10);

    List<Future<?>> queued = new ArrayList<>();
    for (String item : List.of("aaaa", "bbbb", "cccc", "a-large-item", "dd")) {
      queued.add(callers.submit(() -> held.commit.store(item)));
      // One at a time, so they queue in this order.
      int waiting = queued.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> held.commit.waiting() == waiting);
    }
    held.releaseOnce(5);
    for (Future<?> call : queued) {
      call.get(10, TimeUnit.SECONDS);
    }

    assertThat(groups)
        .containsExactly(
            List.of("aaaa", "bbbb"), List.of("cccc"), List.of("a-large-item"), List.of("dd"));
  }

  @Test
  void anItemLargerThanTheAloneLimitIsStoredAtOnceByItsCallerWhileTheWriterIsBusy()
      throws Exception {
    List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    HeldWriter held =
        new HeldWriter(
            group -> {
              groups.add(group);
              return group.stream().map(String::toUpperCase).toList();
            },
            Long.MAX_VALUE,
            10);

    Future<String> small = callers.submit(() -> held.commit.store("small"));
    await().atMost(Duration.ofSeconds(10)).until(() -> held.commit.waiting() == 1);
    // The only writer is held, yet the large item is stored, alone, and answered.
    Future<String> large = callers.submit(() -> held.commit.store("a-large-item"));
    assertThat(large.get(5, TimeUnit.SECONDS)).isEqualTo("A-LARGE-ITEM");
    assertThat(groups).containsExactly(List.of("a-large-item"));
    assertThat(small).isNotDone();

    held.releaseOnce(1);
    assertThat(small.get(10, TimeUnit.SECONDS)).isEqualTo("SMALL");
    assertThat(groups).containsExactly(List.of("a-large-item"), List.of("small"));
  }

  @Test
  void anItemStoredAloneThatFailsFailsItsCallerOnly() throws Exception {
    GroupCommit<String, String> commit =
        new GroupCommit<>(
            group -> {
              if (group.contains("a-bad-large-item")) {
                throw new DataIntegrityViolationException("refused");
              }
              return group;
            },
            1,
            64,
            String::length,
            Long.MAX_VALUE,
            10);

    assertThatThrownBy(() -> commit.store("a-bad-large-item"))
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThat(commit.store("small")).isEqualTo("small");
  }

  /**
   * A commit with one writer, held inside the group of the item {@code "hold"}: what is stored
   * meanwhile waits, and forms one group once the writer is released. Other groups go to {@code
   * storeAll}.
   */
  private final class HeldWriter {
    final GroupCommit<String, String> commit;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Future<?> holder;

    HeldWriter(Function<List<String>, List<String>> storeAll) throws InterruptedException {
      this(storeAll, Long.MAX_VALUE);
    }

    HeldWriter(Function<List<String>, List<String>> storeAll, long maxGroupBytes)
        throws InterruptedException {
      this(storeAll, maxGroupBytes, Long.MAX_VALUE);
    }

    HeldWriter(Function<List<String>, List<String>> storeAll, long maxGroupBytes, long aloneBytes)
        throws InterruptedException {
      commit =
          new GroupCommit<>(
              group -> {
                if (group.contains("hold")) {
                  holding.countDown();
                  awaitLatch(release);
                  return group;
                }
                return storeAll.apply(group);
              },
              1,
              64,
              String::length,
              maxGroupBytes,
              aloneBytes);
      holder = callers.submit(() -> commit.store("hold"));
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Once this many items wait, lets the held writer finish. */
    void releaseOnce(int waiting) throws Exception {
      await().atMost(Duration.ofSeconds(10)).until(() -> commit.waiting() == waiting);
      release.countDown();
      holder.get(10, TimeUnit.SECONDS);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
