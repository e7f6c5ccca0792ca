package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.MailroomApplication;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.webhook.WebhookReceiver.Request;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    Process child = startServiceProcess();
    WebhookDispatcher survivor = new WebhookDispatcher(deliveries, urls, survivorSettings(), json);
    try {
      receiver.await(
          "the second process delivers", rs -> rs.size() >= EMAILS / 4, Duration.ofSeconds(120));
      await("the second process holds claims")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> sendingBy("child") > 0);
      child.destroyForcibly().waitFor();
      assertThat(delivered()).isLessThan(EMAILS);
      survivor.start();
      await("every webhook DELIVERED")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> delivered() == EMAILS);
    } finally {
      child.destroyForcibly();
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

  private Process startServiceProcess() throws Exception {
    HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                MailroomApplication.class.getName()));
    command.addAll(
        List.of(
            "--spring.datasource.url=" + hikari.getJdbcUrl(),
            "--spring.datasource.username=" + hikari.getUsername(),
            "--spring.datasource.password=" + hikari.getPassword(),
            "--server.port=0",
            "--management.server.port=0",
            "--mailroom.email.default-from=sender@mailroom.test",
            "--mailroom.smtp.relays[0].name=test-relay",
            "--mailroom.smtp.relays[0].host=localhost",
            "--mailroom.smtp.relays[0].port=" + relay.port(),
            "--mailroom.smtp.relays[0].tls-mode=NONE",
            "--mailroom.delivery.enabled=false",
            "--mailroom.webhooks.allow-private-networks=true",
            "--mailroom.webhooks.dispatcher-id=child",
            "--mailroom.webhooks.lease-duration=" + LEASE.toMillis() + "ms"));
    File log = File.createTempFile("webhook-crash-child", ".log");
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }
}
