package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.support.ScriptedSmtpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
    return TestRelay.at(port).readTimeout(readTimeout).build();
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

  @Test
  void connectionIsRetiredAfterMaxMessagesPerConnection() throws Exception {
    try (RecordingSmtpServer recording = new RecordingSmtpServer();
        RelayPool pool =
            new RelayPool(
                TestRelay.at(recording.port()).maxMessagesPerConnection(2).build(),
                "client.test")) {
      for (int i = 0; i < 5; i++) {
        assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);
      }

      assertThat(recording.connections()).isEqualTo(3);
      assertThat(recording.awaitCount("QUIT", 2, Duration.ofSeconds(5))).isEqualTo(2);
      assertThat(recording.count("MAIL")).isEqualTo(5);
    }
  }

  @Test
  void messagesTheRelayTookFollowEachOtherWithoutANoop() throws Exception {
    try (RecordingSmtpServer recording = new RecordingSmtpServer();
        RelayPool pool = new RelayPool(TestRelay.at(recording.port()).build(), "client.test")) {
      for (int i = 0; i < 5; i++) {
        assertThat(pool.send(message("b@example.com", "c@example.com")).outcome())
            .isEqualTo(Outcome.SENT);
      }

      assertThat(recording.connections()).isEqualTo(1);
      assertThat(recording.count("MAIL")).isEqualTo(5);
      assertThat(recording.count("NOOP")).isZero();
    }
  }

  @Test
  void aRefusedMessageHasTheSessionCheckedBeforeItIsReused() throws Exception {
    try (RecordingSmtpServer recording =
            new RecordingSmtpServer().answer("DATA", "554 5.7.1 Message refused");
        RelayPool pool = new RelayPool(TestRelay.at(recording.port()).build(), "client.test")) {
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.FAILED);
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.FAILED);

      assertThat(recording.count("NOOP")).isEqualTo(2);
      assertThat(recording.connections()).isEqualTo(1);
    }
  }

  @Test
  void connectionIsRetiredAfterMaxConnectionAge() throws Exception {
    try (RecordingSmtpServer recording = new RecordingSmtpServer();
        RelayPool pool =
            new RelayPool(
                TestRelay.at(recording.port()).maxConnectionAge(Duration.ofMillis(200)).build(),
                "client.test")) {
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);
      Thread.sleep(300);
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);

      assertThat(recording.connections()).isEqualTo(2);
      assertThat(recording.awaitCount("QUIT", 1, Duration.ofSeconds(5))).isEqualTo(1);
    }
  }

  @Test
  void closeSaysQuitOnEveryPooledConnection() throws Exception {
    try (RecordingSmtpServer recording = new RecordingSmtpServer()) {
      RelayPool pool = new RelayPool(TestRelay.at(recording.port()).build(), "client.test");
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);
      assertThat(recording.count("QUIT")).isZero();

      pool.close();

      assertThat(recording.awaitCount("QUIT", 1, Duration.ofSeconds(5))).isEqualTo(1);
      assertThat(recording.connections()).isEqualTo(1);
    }
  }

  @Test
  void tooManyRecipientsDefersOnlyTheRecipientsOverTheLimit() {
    server.rejectRecipient("c@example.com", "452 4.5.3 Too many recipients");
    server.rejectRecipient("d@example.com", "452 4.5.3 Too many recipients");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      SendResult result =
          pool.send(message("a@example.com", "b@example.com", "c@example.com", "d@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(result.relayFailure()).isFalse();
      assertThat(result.recipients())
          .extractingFromEntries(e -> e.getKey() + "=" + e.getValue().outcome())
          .containsExactly(
              "a@example.com=ACCEPTED",
              "b@example.com=ACCEPTED",
              "c@example.com=DEFERRED",
              "d@example.com=DEFERRED");
      assertThat(result.recipients().get("c@example.com").reply().enhancedCode())
          .isEqualTo("4.5.3");
    }
    assertThat(server.received())
        .singleElement()
        .satisfies(
            r -> assertThat(r.recipients()).containsExactly("a@example.com", "b@example.com"));
  }

  @Test
  void delayStatedInATransientReplyBecomesTheRetryHint() {
    server.failDataWith("451 4.7.1 Greylisted, please try again in 120 seconds");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(120));
      assertThat(result.relayFailure()).isFalse();
    }
  }

  @Test
  void relayClosingTheSessionIsARelayFailure() {
    server.failDataWith("421 4.3.2 Service shutting down");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(421);
      assertThat(result.relayFailure()).isTrue();
    }
  }

  @Test
  void relayRefusingMailFromForNowIsARelayFailure() throws Exception {
    try (RecordingSmtpServer busy =
            new RecordingSmtpServer().answer("MAIL", "451 4.3.0 Local error in processing");
        RelayPool pool = new RelayPool(TestRelay.at(busy.port()).build(), "client.test")) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(451);
      assertThat(result.relayFailure()).isTrue();
      assertThat(busy.count("DATA")).isZero();
    }
  }

  @Test
  void relayDemandingAuthenticationDefersInsteadOfFailingTheEmail() throws Exception {
    try (RecordingSmtpServer locked =
            new RecordingSmtpServer().answer("MAIL", "530 5.7.0 Authentication required");
        RelayPool pool = new RelayPool(TestRelay.at(locked.port()).build(), "client.test")) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(530);
      assertThat(result.relayFailure()).isTrue();
      assertThat(result.recipients().get("b@example.com").outcome())
          .isEqualTo(RecipientOutcome.DEFERRED);
    }
  }

  @Test
  void rejectedRecipientsAndRejectedContentAreNotRelayFailures() {
    server.rejectRecipient("gone@example.com", "550 5.1.1 User unknown");
    try (RelayPool pool =
        new RelayPool(relay(server.port(), Duration.ofSeconds(5)), "client.test")) {
      assertThat(pool.send(message("gone@example.com")).relayFailure()).isFalse();
      server.failDataWith("554 5.7.1 Spam detected");
      assertThat(pool.send(message("b@example.com")).relayFailure()).isFalse();
    }
  }

  @Test
  void unreachableRelayIsARelayFailure() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (RelayPool pool = new RelayPool(relay(closedPort, Duration.ofSeconds(1)), "client.test")) {
      assertThat(pool.send(message("b@example.com")).relayFailure()).isTrue();
    }
  }

  @Test
  void aMessageWithNoRecipientLeftIsDeferredWithoutReachingOrBlamingTheRelay() {
    try (RelayPool pool =
        new RelayPool(
            relay(server.port(), Duration.ofSeconds(5)),
            "client.test",
            new SmtpSettings.CircuitBreaker(1, Duration.ofMinutes(1)),
            Clock.systemUTC())) {
      for (int i = 0; i < 3; i++) {
        SendResult result = pool.send(message());

        assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(result.relayFailure()).isFalse();
        assertThat(result.reply().text()).contains("no recipient");
      }
      assertThat(pool.circuitState()).isZero();
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);
    }
    assertThat(server.received()).hasSize(1);
  }

  @Test
  void rateLimitDefersWhatCannotBeSentInTimeWithoutBlamingTheRelay() {
    try (RelayPool pool =
        new RelayPool(
            TestRelay.at(server.port())
                .rateLimit(0.5)
                .borrowTimeout(Duration.ofMillis(100))
                .build(),
            "client.test")) {
      assertThat(pool.send(message("b@example.com")).outcome()).isEqualTo(Outcome.SENT);

      SendResult limited = pool.send(message("b@example.com"));

      assertThat(limited.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(limited.reply().text()).contains("rate limit");
      assertThat(limited.relayFailure()).isFalse();
      assertThat(pool.circuitState()).isZero();
    }
    assertThat(server.received()).hasSize(1);
  }

  private static void acceptAndSayNothing(ServerSocket server) {
    try (Socket socket = server.accept()) {
      Thread.sleep(3000);
    } catch (IOException | InterruptedException ignored) {
      // the test is over
    }
  }
}
