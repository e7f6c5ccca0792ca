package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import dev.mailroom.support.ScriptedSmtpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMTP client against real servers: one per failure class, classified in one place. */
class RelayPoolTest {

  static final ScriptedSmtpServer server = new ScriptedSmtpServer();

  static final byte[] MESSAGE =
      "From: a@example.com\r\nTo: b@example.com\r\nSubject: t\r\nMessage-ID: <x@test>\r\n\r\nbody\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void reset() {
    server.reset();
  }

  static Relay relay(int port, Duration readTimeout) {
    return new Relay(
        "r",
        "localhost",
        port,
        TlsMode.NONE,
        null,
        null,
        Duration.ofSeconds(2),
        readTimeout,
        Duration.ofSeconds(2),
        2,
        Duration.ofMinutes(5),
        1000,
        Duration.ofSeconds(2));
  }

  static OutgoingMessage message(String... recipients) {
    return new OutgoingMessage(UUID.randomUUID(), "a@example.com", List.of(recipients), MESSAGE);
  }

  @Test
  void connectionsAreReusedAcrossMessages() {
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      for (int i = 0; i < 5; i++) {
        assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);
      }
      assertThat(pool.openConnections()).isEqualTo(1);
    }
    assertThat(server.received()).hasSize(5);
  }

  @Test
  void refusedConnectionIsDeferredWithoutAReplyCode() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (RelayPool pool = new RelayPool(relay(closedPort, Duration.ofSeconds(1)), "client.test")) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isZero();
      assertThat(result.reply().text()).contains("could not connect");
    }
  }

  @Test
  void silentServerTimesOutInsteadOfHanging() throws IOException {
    try (ServerSocket silent = new ServerSocket(0);
        RelayPool pool =
            new RelayPool(relay(silent.getLocalPort(), Duration.ofMillis(500)), "client.test")) {
      Thread acceptor = new Thread(() -> acceptAndSayNothing(silent));
      acceptor.start();
      long started = System.nanoTime();
      SendResult result = pool.send(message("b@example.com"));

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().text()).containsIgnoringCase("timed out");
    }
  }

  @Test
  void transientDataReplyDefersEveryRecipient() {
    server.failDataWith("452 4.3.1 Insufficient system storage");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      SendResult result = pool.send(message("b@example.com", "c@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(452);
      assertThat(result.recipients().values())
          .allMatch(r -> r.outcome() == RecipientOutcome.DEFERRED);
    }
  }

  @Test
  void permanentDataReplyFailsTheMessage() {
    server.failDataWith("554 5.7.1 Spam detected");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(result.reply().enhancedCode()).isEqualTo("5.7.1");
    }
  }

  @Test
  void recipientRepliesAreKeptPerRecipient() {
    server.rejectRecipient("gone@example.com", "550 5.1.1 User unknown");
    server.rejectRecipient("full@example.com", "452 4.2.2 Mailbox full");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      SendResult result =
          pool.send(message("b@example.com", "gone@example.com", "full@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(result.recipients().get("b@example.com").outcome())
          .isEqualTo(RecipientOutcome.ACCEPTED);
      assertThat(result.recipients().get("gone@example.com").outcome())
          .isEqualTo(RecipientOutcome.REJECTED);
      assertThat(result.recipients().get("gone@example.com").reply().code()).isEqualTo(550);
      assertThat(result.recipients().get("full@example.com").outcome())
          .isEqualTo(RecipientOutcome.DEFERRED);
      assertThat(result.recipients().get("full@example.com").reply().code()).isEqualTo(452);
    }
    assertThat(server.received())
        .singleElement()
        .satisfies(r -> assertThat(r.recipients()).containsExactly("b@example.com"));
  }

  private static void acceptAndSayNothing(ServerSocket server) {
    try (Socket socket = server.accept()) {
      Thread.sleep(3000);
    } catch (IOException | InterruptedException ignored) {
      // the test is over
    }
  }
}
