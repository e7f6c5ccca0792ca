package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The running service with two relays: the preferred one is down, the other speaks STARTTLS with a
 * certificate trusted through its CA bundle. What the caller sees is the relay that took the email
 * and the TLS session it was sent over.
 */
class RelayFailoverFlowTest extends IntegrationTest {

  static final TestCertificate CERTIFICATE = TestCertificate.forHosts("localhost");
  static final SecureSmtpServer secure =
      new SecureSmtpServer(
          b -> b.enableTLS().requireTLS().startTlsSocketFactory(CERTIFICATE.serverContext()));

  @AfterAll
  static void stopRelay() {
    secure.close();
  }

  @DynamicPropertySource
  static void relays(DynamicPropertyRegistry registry) throws IOException {
    Path caBundle = CERTIFICATE.writePem(Files.createTempDirectory("relay-ca"));
    registry.add("mailroom.smtp.relays[0].name", () -> "down");
    registry.add("mailroom.smtp.relays[0].host", () -> "localhost");
    registry.add("mailroom.smtp.relays[0].port", RelayFailoverFlowTest::closedPort);
    registry.add("mailroom.smtp.relays[0].tls-mode", () -> "NONE");
    registry.add("mailroom.smtp.relays[0].connect-timeout", () -> "2s");
    registry.add("mailroom.smtp.relays[1].name", () -> "secure");
    registry.add("mailroom.smtp.relays[1].host", () -> "localhost");
    registry.add("mailroom.smtp.relays[1].port", secure::port);
    registry.add("mailroom.smtp.relays[1].priority", () -> "1");
    registry.add("mailroom.smtp.relays[1].tls-mode", () -> "STARTTLS");
    registry.add("mailroom.smtp.relays[1].ca-bundle", caBundle::toString);
    registry.add("mailroom.smtp.relays[1].read-timeout", () -> "5s");
  }

  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void emailGoesToTheNextRelayAndTheAttemptShowsItsTlsSession() {
    Api.Response accepted =
        api.post(
            "/emails",
            """
            {"to": ["ann@example.com"], "subject": "Code", "text": "Your code is 123456"}
            """);
    JsonNode sent =
        api.awaitEmail(
            accepted.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));

    assertThat(sent.path("attempts")).hasSize(1);
    JsonNode attempt = sent.path("attempts").get(0);
    assertThat(attempt.path("relay").asString()).isEqualTo("secure");
    assertThat(attempt.path("outcome").asString()).isEqualTo("SENT");
    assertThat(attempt.path("tls").path("protocol").asString()).startsWith("TLSv1.");
    assertThat(attempt.path("tls").path("cipher").asString()).startsWith("TLS_");
    assertThat(secure.delivered()).contains("ann@example.com");
  }
}
