package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Stopping a dispatcher in the middle of a batch to a slow relay. */
class ShutdownTest extends HandBuiltDispatcherTest {

  @Test
  void stopFinishesTheSendInHandAndGivesBackTheClaimsNotStarted() {
    UUID inHand = accept("in-hand@example.com");
    UUID retried = accept("retried@example.com");
    UUID fresh = accept("fresh@example.com");
    // The second was deferred once before: its earlier attempt is kept.
    jdbc.sql("UPDATE emails SET status = 'DEFERRED', attempts = 1 WHERE id = :id")
        .param("id", retried)
        .update();
    relay.delayData(Duration.ofMillis(1500));
    Dispatcher dispatcher = start(dispatcher("stopping"));
    assertThat(relay.awaitDataSeen(1, Duration.ofSeconds(5))).hasSize(1);
    assertThat(withStatus("SENDING")).isEqualTo(3);

    long stopping = System.nanoTime();
    dispatcher.stop();
    Duration stopTook = Duration.ofNanos(System.nanoTime() - stopping);

    assertThat(stopTook).isLessThan(Duration.ofSeconds(10)); // the drain timeout
    assertThat(status(inHand)).isEqualTo("SENT");
    assertThat(deliveredTo()).containsExactly("in-hand@example.com");
    assertThat(relay.dataSeen()).hasSize(1);

    assertThat(status(retried)).isEqualTo("DEFERRED");
    assertThat(column(retried, "attempts")).isEqualTo("1");
    assertThat(status(fresh)).isEqualTo("QUEUED");
    assertThat(column(fresh, "attempts")).isEqualTo("0");
    for (UUID released : new UUID[] {retried, fresh}) {
      assertThat(column(released, "locked_by")).isNull();
      assertThat(instant(released, "due_at")).isBeforeOrEqualTo(Instant.now());
    }
    assertThat(withStatus("SENDING")).isZero();
  }
}
