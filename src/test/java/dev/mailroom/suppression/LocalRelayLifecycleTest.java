package dev.mailroom.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.IntegrationTest;
import dev.mailroom.support.LocalRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Local mode's relay answers like a real one for its special addresses, and the service makes of it
 * what it makes of a real relay's answers and reports: BOUNCED, COMPLAINED, REJECTED, and each
 * address suppressed, with nothing but the service and that relay.
 */
class LocalRelayLifecycleTest extends IntegrationTest {

  private static final int INBOUND_PORT = freePort();
  private static final int RELAY_PORT = freePort();
  private static final LocalRelay relay = new LocalRelay(RELAY_PORT, mailDirectory(), INBOUND_PORT);

  @DynamicPropertySource
  static void localRelay(DynamicPropertyRegistry registry) {
    relayAt(registry, () -> RELAY_PORT);
    registry.add("mailroom.inbound.port", () -> INBOUND_PORT);
    registry.add("mailroom.bounces.domain", () -> "bounces.mailroom.localhost");
    registry.add(
        "mailroom.bounces.secret", () -> "bG9jYWwtbW9kZS1vbmx5LWJvdW5jZS1zZWNyZXQtMzItYnl0ZXMh");
  }

  @AfterAll
  static void stopRelay() {
    relay.close();
  }

  @BeforeEach
  void noSuppressions() {
    jdbc.sql("TRUNCATE suppressions").update();
  }

  @Test
  void bounceAddressEndsBouncedAndSuppressedAndIsNotSentToAgain() {
    String id = send("bounce@example.com");

    JsonNode email = api.awaitEmail(id, recipientStatus("BOUNCED"), Duration.ofSeconds(15));

    assertThat(email.path("status").asString()).isEqualTo("SENT");
    assertThat(email.path("recipients").get(0).path("bounce").path("status").asString())
        .isEqualTo("5.1.1");
    assertThat(api.get("/suppressions/bounce@example.com").body().path("reason").asString())
        .isEqualTo("HARD_BOUNCE");
    Api.Response again =
        api.post(
            "/emails",
            """
            {"to": ["bounce@example.com"], "subject": "Again", "text": "Hi"}
            """);
    assertThat(again.body().path("failureReason").asString()).isEqualTo("SUPPRESSED");
  }

  @Test
  void complaintAddressEndsComplainedAndSuppressed() {
    String id = send("complaint@example.com");

    api.awaitEmail(id, recipientStatus("COMPLAINED"), Duration.ofSeconds(15));

    assertThat(api.get("/suppressions/complaint@example.com").body().path("reason").asString())
        .isEqualTo("COMPLAINT");
  }

  @Test
  void rejectAddressIsRefusedAtRcptAndSuppressed() {
    String id = send("reject@example.com");

    JsonNode email = api.awaitEmail(id, Api.status("FAILED"), Duration.ofSeconds(15));

    JsonNode recipient = email.path("recipients").get(0);
    assertThat(recipient.path("status").asString()).isEqualTo("REJECTED");
    assertThat(recipient.path("lastReply").path("enhancedCode").asString()).isEqualTo("5.1.1");
    assertThat(api.get("/suppressions/reject@example.com").body().path("reason").asString())
        .isEqualTo("MAILBOX_UNKNOWN");
  }

  private String send(String to) {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["%s"], "subject": "Hello", "text": "Hi"}
            """
                .formatted(to));
    assertThat(response.status()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  private static java.util.function.Predicate<JsonNode> recipientStatus(String status) {
    return email -> email.path("recipients").get(0).path("status").asString().equals(status);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path mailDirectory() {
    try {
      return Files.createTempDirectory("mailroom-local-relay");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
