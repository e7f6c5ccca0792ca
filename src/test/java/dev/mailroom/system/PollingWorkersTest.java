package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

class PollingWorkersTest {

  /** Longer than any test waits: a round that comes sooner was not started by polling. */
  private static final Duration NEVER = Duration.ofHours(1);

  private static final Duration DRAIN = Duration.ofSeconds(10);

  private PollingWorkers workers = workers(1, NEVER);

  @AfterEach
  void stopWorkers() {
    workers.stop(DRAIN);
  }

  @Test
  void roundsRunBackToBackWhileTheyFindAFullBatch() {
    AtomicInteger rounds = new AtomicInteger();

    workers.start(() -> rounds.incrementAndGet() < 5);

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 5);
  }

  @Test
  void anIdleWorkerRunsAgainWhenWoken() {
    AtomicInteger rounds = new AtomicInteger();
    workers.start(() -> rounds.incrementAndGet() < 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 1);

    workers.wake();

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 2);
  }

  @Test
  void aWakeUpBringsInOneIdleWorkerNotEvery() {
    workers = workers(4, NEVER);
    AtomicInteger rounds = new AtomicInteger();
    workers.start(() -> rounds.incrementAndGet() < 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 4);

    workers.wake();

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 5);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> rounds.get() == 5);
  }

  /** Wake-ups that come while workers are waking are not lost; more rounds than that may run. */
  @Test
  void noWakeUpIsLost() {
    workers = workers(4, NEVER);
    AtomicInteger rounds = new AtomicInteger();
    workers.start(() -> rounds.incrementAndGet() < 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 4);

    for (int i = 0; i < 3; i++) {
      workers.wake();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() >= 7);
  }

  @Test
  void aFullRoundBringsInTheNextIdleWorker() {
    workers = workers(2, NEVER);
    List<String> names = new CopyOnWriteArrayList<>();
    AtomicInteger rounds = new AtomicInteger();
    CountDownLatch bothIdle = new CountDownLatch(2);
    workers.start(
        () -> {
          int round = rounds.incrementAndGet();
          names.add(Thread.currentThread().getName());
          bothIdle.countDown();
          // Round 3, the first after both went idle, finds a full batch; the rest find none.
          return round == 3;
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 2);

    workers.wake();

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 5);
    assertThat(names.subList(2, 5)).containsOnly("test-1", "test-2").hasSize(3);
    assertThat(names.subList(3, 5)).doesNotHaveDuplicates();
  }

  @Test
  void anIdleWorkerPollsAgainAfterThePollInterval() {
    workers = workers(1, Duration.ofMillis(20));
    AtomicInteger rounds = new AtomicInteger();

    workers.start(() -> rounds.incrementAndGet() < 0);

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() >= 3);
  }

  @Test
  void aWorkerBacksOffWhileTheDatabaseIsUnavailableAndThenGoesOn() {
    AtomicInteger rounds = new AtomicInteger();

    workers.start(
        () -> {
          switch (rounds.incrementAndGet()) {
            case 1 -> throw new DataAccessResourceFailureException("connection refused");
            case 2 -> throw new CannotCreateTransactionException("no connection");
            default -> {
              return false;
            }
          }
        });

    // 250 ms, then 500 ms: the backoff of a database outage, not the hour-long poll interval.
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 3);
  }

  @Test
  void aWorkerWhoseRoundFailsGoesOnAfterThePollInterval() {
    workers = workers(1, Duration.ofMillis(20));
    AtomicInteger rounds = new AtomicInteger();

    workers.start(
        () -> {
          if (rounds.incrementAndGet() == 1) {
            throw new IllegalStateException("a defect");
          }
          return false;
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() >= 2);
  }

  @Test
  void everyThreadRunsRoundsUnderItsName() {
    workers = workers(3, NEVER);
    List<String> names = new CopyOnWriteArrayList<>();
    CountDownLatch allIn = new CountDownLatch(3);

    workers.start(
        () -> {
          names.add(Thread.currentThread().getName());
          allIn.countDown();
          awaitQuietly(allIn);
          return false;
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> names.size() == 3);
    assertThat(names).containsExactlyInAnyOrder("test-1", "test-2", "test-3");
  }

  @Test
  void stopWaitsForTheRoundInHandAndSaysItDrained() throws Exception {
    CountDownLatch inRound = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Boolean> stoppingSeenInRound = new CopyOnWriteArrayList<>();
    workers.start(
        () -> {
          inRound.countDown();
          awaitQuietly(release);
          stoppingSeenInRound.add(workers.stopping());
          return false;
        });
    assertThat(inRound.await(10, TimeUnit.SECONDS)).isTrue();

    List<Boolean> drained = new CopyOnWriteArrayList<>();
    Thread stopper = new Thread(() -> drained.add(workers.stop(DRAIN)));
    stopper.start();
    await().atMost(Duration.ofSeconds(10)).until(workers::stopping);
    release.countDown();
    stopper.join(DRAIN.multipliedBy(2).toMillis());

    assertThat(stoppingSeenInRound).containsExactly(true);
    assertThat(drained).containsExactly(true);
    assertThat(workers.running()).isFalse();
  }

  @Test
  void stopEndsAWaitAtOnce() {
    AtomicInteger rounds = new AtomicInteger();
    workers.start(() -> rounds.incrementAndGet() < 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 1);

    assertThat(workers.stop(DRAIN)).isTrue();

    assertThat(rounds).hasValue(1);
  }

  @Test
  void stopEndsAPauseAfterAFailureAtOnce() {
    AtomicInteger rounds = new AtomicInteger();
    workers.start(
        () -> {
          rounds.incrementAndGet();
          throw new IllegalStateException("a defect");
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() == 1);

    assertThat(workers.stop(DRAIN)).isTrue();

    assertThat(rounds).hasValue(1);
  }

  @Test
  void aRoundThatOutlivesTheDrainTimeoutIsInterruptedAndStopSaysSo() {
    CountDownLatch inRound = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    List<Boolean> interrupted = new CopyOnWriteArrayList<>();
    workers.start(
        () -> {
          inRound.countDown();
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.add(true);
          }
          return false;
        });
    awaitQuietly(inRound);

    assertThat(workers.stop(Duration.ofMillis(50))).isFalse();

    await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.size() == 1);
  }

  @Test
  void stopBeforeStartHasNothingToDrain() {
    assertThat(workers.stop(DRAIN)).isTrue();
    assertThat(workers.running()).isFalse();
  }

  private static PollingWorkers workers(int concurrency, Duration pollInterval) {
    return new PollingWorkers("Test dispatcher", "test", concurrency, pollInterval);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
