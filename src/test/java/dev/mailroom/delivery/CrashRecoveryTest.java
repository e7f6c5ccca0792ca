package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.email.EmailIntake;
import dev.mailroom.email.SendEmailRequests;
import dev.mailroom.relay.Relays;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import dev.mailroom.support.ServiceProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A second service process, a real JVM, is killed with SIGKILL halfway through 2,000 emails. After
 * its leases expire the surviving dispatcher delivers the rest: nothing is lost, and the only
 * duplicates are emails the dead process had in flight, resent byte for byte.
 */
@TestPropertySource(properties = "mailroom.delivery.enabled=false")
class CrashRecoveryTest extends ScriptedRelayTest {

  static final int EMAILS = 2000;
  static final Duration LEASE = Duration.ofSeconds(3);

  /** The child's workers and batch size: at most their product is in flight when it is killed. */
  static final int CHILD_WORKERS = 4;

  static final int CHILD_BATCH = 20;

  @Autowired EmailIntake intake;
  @Autowired EmailClaims claims;
  @Autowired Relays relays;
  @Autowired DeliverySettings settings;
  @Autowired DataSource dataSource;

  @Test
  void killedDispatcherLosesNothingAndResendsOnlyWhatItHadInFlight() throws Exception {
    for (int i = 0; i < EMAILS; i++) {
      intake.accept(
          "test",
          SendEmailRequests.to("user" + i + "@example.com")
              .subject("Hi")
              .text("Message " + i)
              .build(),
          null);
    }
    Dispatcher survivor =
        new Dispatcher(
            claims,
            relays,
            new DeliverySettings(
                true,
                2,
                20,
                Duration.ofMillis(100),
                LEASE,
                Duration.ofSeconds(5),
                settings.retry(),
                "survivor"),
            new SimpleMeterRegistry());
    try (ServiceProcess child = startServiceProcess()) {
      relay.awaitReceived(1, Duration.ofSeconds(90)); // the second process delivers
      survivor.start();
      relay.awaitReceived(EMAILS / 2, Duration.ofSeconds(120));
      child.kill();
      await("every email SENT")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> sent() == EMAILS);
    } finally {
      survivor.stop();
    }

    assertThat(sent()).isEqualTo(EMAILS);
    List<Received> received = relay.received();
    Map<String, List<Received>> byMessageId =
        received.stream().collect(Collectors.groupingBy(CrashRecoveryTest::messageId));
    assertThat(byMessageId).hasSize(EMAILS);
    List<List<Received>> duplicated =
        byMessageId.values().stream().filter(copies -> copies.size() > 1).toList();
    // In flight at most: the child's workers times its batch size.
    assertThat(received.size() - EMAILS).isLessThanOrEqualTo(CHILD_WORKERS * CHILD_BATCH);
    for (List<Received> copies : duplicated) {
      assertThat(copies).extracting(Received::sent).containsOnly(copies.get(0).sent());
    }
    assertThat(
            jdbc.sql("SELECT count(DISTINCT dispatcher) FROM delivery_attempts")
                .query(Long.class)
                .single())
        .isEqualTo(2);
  }

  private long sent() {
    return jdbc.sql("SELECT count(*) FROM emails WHERE status = 'SENT'").query(Long.class).single();
  }

  private ServiceProcess startServiceProcess() throws Exception {
    return ServiceProcess.start(
        "crash-recovery-child",
        dataSource,
        relay.port(),
        "--mailroom.delivery.dispatcher-id=child",
        "--mailroom.delivery.lease-duration=" + LEASE.toMillis() + "ms",
        "--mailroom.delivery.concurrency=" + CHILD_WORKERS,
        "--mailroom.delivery.batch-size=" + CHILD_BATCH);
  }

  private static String messageId(Received received) {
    return received
        .text()
        .lines()
        .filter(l -> l.startsWith("Message-ID:"))
        .findFirst()
        .orElseThrow();
  }
}
