package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ServiceProcess;
import dev.mailroom.webhook.WebhookReceiver.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A second service process, a real JVM, delivers webhooks to a slow receiver and is killed with
 * SIGKILL while it holds claims. After its leases expire a surviving dispatcher delivers the rest:
 * every event arrives, correctly signed, at least once, and the only repeats are deliveries the
 * dead process had in flight, with the same webhook-id and body.
 */
@TestPropertySource(
    properties = {"mailroom.delivery.enabled=false", "mailroom.webhooks.enabled=false"})
class WebhookCrashTest extends ScriptedRelayTest {

  static final int EMAILS = 300;
  static final Duration LEASE = Duration.ofSeconds(3);

  static final WebhookReceiver receiver = new WebhookReceiver();

  @Autowired WebhookDeliveries deliveries;
  @Autowired WebhookUrls urls;
  @Autowired JsonMapper json;
  @Autowired DataSource dataSource;

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void killedProcessLosesNoWebhookAndRepeatsOnlyWhatItHadInFlight() throws Exception {
    String secret =
        WebhookApiTest.create(api, receiver.url(), "[\"email.accepted\"]")
            .path("secret")
            .asString();
    for (int i = 0; i < EMAILS; i++) {
      WebhookApiTest.send(api, "user" + i + "@example.com");
    }
    receiver.delay(Duration.ofMillis(100));
    WebhookDispatcher survivor = new WebhookDispatcher(deliveries, urls, survivorSettings(), json);
    try (ServiceProcess child = startServiceProcess()) {
      receiver.await(
          "the second process delivers", rs -> rs.size() >= EMAILS / 4, Duration.ofSeconds(120));
      await("the second process holds claims")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> sendingBy("child") > 0);
      child.kill();
      assertThat(delivered()).isLessThan(EMAILS);
      survivor.start();
      await("every webhook DELIVERED")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> delivered() == EMAILS);
    } finally {
      survivor.stop();
    }

    List<Request> received = receiver.requests();
    Map<String, List<Request>> byId =
        received.stream().collect(Collectors.groupingBy(Request::webhookId));
    assertThat(byId).hasSize(EMAILS);
    assertThat(received.stream().map(Request::emailId).distinct()).hasSize(EMAILS);
    assertThat(received)
        .allSatisfy(r -> assertThat(WebhookReceiver.verify(r, secret)).isEqualTo(1));
    // In flight at most: the child's threads times its batch size.
    assertThat(received.size() - EMAILS).isLessThanOrEqualTo(4 * 10);
    for (List<Request> copies : byId.values()) {
      assertThat(copies)
          .extracting(r -> new String(r.body()))
          .containsOnly(new String(copies.get(0).body()));
    }
    assertThat(
            jdbc.sql("SELECT count(DISTINCT dispatcher) FROM webhook_attempts")
                .query(Long.class)
                .single())
        .isEqualTo(2);
  }

  private long delivered() {
    return jdbc.sql("SELECT count(*) FROM webhook_deliveries WHERE status = 'DELIVERED'")
        .query(Long.class)
        .single();
  }

  private long sendingBy(String dispatcher) {
    return jdbc.sql(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'SENDING' AND locked_by = :d")
        .param("d", dispatcher)
        .query(Long.class)
        .single();
  }

  private static WebhookSettings survivorSettings() {
    return new WebhookSettings(
        true,
        true,
        2,
        10,
        Duration.ofMillis(100),
        LEASE,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        20,
        Duration.ofDays(5),
        new WebhookSettings.Retry(
            Duration.ofMillis(200), 1.5, Duration.ofSeconds(2), Duration.ofDays(3), 0),
        "survivor");
  }

  private ServiceProcess startServiceProcess() throws Exception {
    return ServiceProcess.start(
        "webhook-crash-child",
        dataSource,
        relay.port(),
        "--mailroom.delivery.enabled=false",
        "--mailroom.webhooks.allow-private-networks=true",
        "--mailroom.webhooks.dispatcher-id=child",
        "--mailroom.webhooks.lease-duration=" + LEASE.toMillis() + "ms");
  }
}
