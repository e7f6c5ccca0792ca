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
            64);

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
            8);

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
    CountDownLatch firstGroupStarted = new CountDownLatch(1);
    CountDownLatch othersQueued = new CountDownLatch(1);
    GroupCommit<String, String> commit =
        new GroupCommit<>(
            group -> {
              if (group.contains("hold")) {
                firstGroupStarted.countDown();
                awaitLatch(othersQueued);
              }
              if (group.contains("bad")) {
                throw new DataIntegrityViolationException("bad row");
              }
              stored.addAll(group);
              return group;
            },
            1,
            64);

    Future<?> holder = callers.submit(() -> commit.store("hold"));
    assertThat(firstGroupStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Future<?> good1 = callers.submit(() -> commit.store("good1"));
    Future<?> bad = callers.submit(() -> commit.store("bad"));
    Future<?> good2 = callers.submit(() -> commit.store("good2"));
    // The three are queued behind the only writer, so they form one group once it is free.
    await().atMost(Duration.ofSeconds(10)).until(() -> commit.waiting() == 3);
    othersQueued.countDown();

    holder.get(10, TimeUnit.SECONDS);
    good1.get(10, TimeUnit.SECONDS);
    good2.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DataIntegrityViolationException.class);
    assertThat(stored).containsExactlyInAnyOrder("hold", "good1", "good2");
  }

  @Test
  void anUnavailableDatabaseFailsTheWholeGroupWithoutStoringItemsOneByOne() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch firstGroupStarted = new CountDownLatch(1);
    CountDownLatch othersQueued = new CountDownLatch(1);
    GroupCommit<String, String> commit =
        new GroupCommit<>(
            group -> {
              if (group.contains("hold")) {
                firstGroupStarted.countDown();
                awaitLatch(othersQueued);
                return group;
              }
              attempts.incrementAndGet();
              throw new CannotCreateTransactionException("no connection");
            },
            1,
            64);

    Future<?> holder = callers.submit(() -> commit.store("hold"));
    assertThat(firstGroupStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<Future<?>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String item = "item" + i;
      queued.add(callers.submit(() -> commit.store(item)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> commit.waiting() == 5);
    othersQueued.countDown();

    holder.get(10, TimeUnit.SECONDS);
    for (Future<?> call : queued) {
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CannotCreateTransactionException.class);
    }
    assertThat(attempts.get()).isEqualTo(1);
  }

  @Test
  void aCallerInterruptedBeforeAWriterTookItsItemLeavesNothingStored() throws Exception {
    Set<String> stored = ConcurrentHashMap.newKeySet();
    CountDownLatch firstGroupStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> commit =
        new GroupCommit<>(
            group -> {
              if (group.contains("hold")) {
                firstGroupStarted.countDown();
                awaitLatch(release);
              }
              stored.addAll(group);
              return group;
            },
            1,
            64);

    Future<?> holder = callers.submit(() -> commit.store("hold"));
    assertThat(firstGroupStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Future<?> withdrawn = callers.submit(() -> commit.store("withdrawn"));
    await().atMost(Duration.ofSeconds(10)).until(() -> commit.waiting() == 1);
    withdrawn.cancel(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> commit.waiting() == 0);
    release.countDown();
    holder.get(10, TimeUnit.SECONDS);
    commit.store("after");

    assertThat(stored).containsExactlyInAnyOrder("hold", "after");
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
