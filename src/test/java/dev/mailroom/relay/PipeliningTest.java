package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mail transaction against a relay that offers PIPELINING (RFC 2920). The server holds its
 * replies to MAIL and RCPT until DATA arrives, so a client that waited for each reply would time
 * out: every send here that succeeds went out as one group.
 */
class PipeliningTest {

  private static final String STORED =
      "From: a@example.com\r\nTo: b@example.com\r\nSubject: dots\r\nMessage-ID: <p@test>\r\n\r\n"
          + "first line\r\n.a line that starts with a dot\r\n..two dots\r\nlast line\r\n";

  private static final String ON_THE_WIRE =
      "From: a@example.com\r\nTo: b@example.com\r\nSubject: dots\r\nMessage-ID: <p@test>\r\n\r\n"
          + "first line\r\n..a line that starts with a dot\r\n...two dots\r\nlast line\r\n";

  private static OutgoingMessage message(String... recipients) {
    return new OutgoingMessage(
        UUID.randomUUID(),
        "bounces@example.com",
        List.of(recipients),
        STORED.getBytes(StandardCharsets.US_ASCII));
  }

  private static RelayPool pool(RecordingSmtpServer server) {
    return new RelayPool(
        TestRelay.at(server.port()).readTimeout(Duration.ofSeconds(2)).build(), "client.test");
  }

  @Test
  void theTransactionGoesOutAsOneGroupAndTheMessageAsStored() throws Exception {
    try (RecordingSmtpServer server = new RecordingSmtpServer().pipelining();
        RelayPool pool = pool(server)) {
      for (int i = 0; i < 3; i++) {
        SendResult result = pool.send(message("b@example.com", "c@example.com"));

        assertThat(result.outcome()).isEqualTo(Outcome.SENT);
        assertThat(result.reply().code()).isEqualTo(250);
        assertThat(result.reply().text()).isEqualTo("Ok: queued");
        assertThat(result.recipients().values())
            .allSatisfy(
                r -> {
                  assertThat(r.outcome()).isEqualTo(RecipientOutcome.ACCEPTED);
                  assertThat(r.reply().enhancedCode()).isEqualTo("2.1.5");
                });
      }
      assertThat(server.messages()).containsExactly(ON_THE_WIRE, ON_THE_WIRE, ON_THE_WIRE);
      assertThat(server.connections()).isEqualTo(1);
      assertThat(server.count("MAIL")).isEqualTo(3);
      assertThat(server.count("RCPT")).isEqualTo(6);
      assertThat(server.count("RSET")).isZero();
      assertThat(server.count("NOOP")).isZero();
    }
  }

  /**
   * MAIL, every RCPT and DATA in one write: a relay then reads them at once and can answer them at
   * once. Written one by one, each could come in a segment of its own, and be answered in one.
   */
  @Test
  void theGroupReachesTheRelayInOneRead() throws Exception {
    try (RecordingSmtpServer server = new RecordingSmtpServer().pipelining();
        RelayPool pool = pool(server)) {
      for (int i = 0; i < 5; i++) {
        assertThat(pool.send(message("b@example.com", "c@example.com")).outcome())
            .isEqualTo(Outcome.SENT);
      }

      List<String> groups = server.reads().stream().filter(r -> r.startsWith("MAIL")).toList();
      assertThat(groups)
          .hasSize(5)
          .allSatisfy(
              read ->
                  assertThat(read)
                      .isEqualTo(
                          "MAIL FROM:<bounces@example.com>\r\nRCPT TO:<b@example.com>\r\n"
                              + "RCPT TO:<c@example.com>\r\nDATA\r\n"));
    }
  }

  @Test
  void theGroupGoesOutOverStartTlsToo(@TempDir Path directory) throws Exception {
    TestCertificate localhost = TestCertificate.forHosts("localhost");
    try (RecordingSmtpServer server =
            new RecordingSmtpServer().pipelining().startTls(localhost.serverContext());
        RelayPool pool =
            new RelayPool(
                TestRelay.at(server.port())
                    .readTimeout(Duration.ofSeconds(2))
                    .tls(TlsMode.STARTTLS)
                    .caBundle(localhost.writePem(directory))
                    .build(),
                "client.test")) {
      SendResult first = pool.send(message("b@example.com", "c@example.com"));
      SendResult second = pool.send(message("d@example.com"));

      assertThat(first.outcome()).isEqualTo(Outcome.SENT);
      assertThat(second.outcome()).isEqualTo(Outcome.SENT);
      assertThat(first.tls()).isNotNull();
      assertThat(first.tls().protocol()).startsWith("TLSv1.");
      assertThat(server.count("STARTTLS")).isEqualTo(1);
      assertThat(server.count("EHLO")).isEqualTo(2);
      assertThat(server.messages()).containsExactly(ON_THE_WIRE, ON_THE_WIRE);
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void eachRecipientKeepsItsOwnReplyFromTheGroup() throws Exception {
    try (RecordingSmtpServer server =
            new RecordingSmtpServer()
                .pipelining()
                .answerRecipient("gone@example.com", "550 5.1.1 User unknown")
                .answerRecipient("full@example.com", "452 4.2.2 Mailbox full");
        RelayPool pool = pool(server)) {
      SendResult result =
          pool.send(message("gone@example.com", "b@example.com", "full@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(result.relayFailure()).isFalse();
      assertThat(result.recipients().get("b@example.com").outcome())
          .isEqualTo(RecipientOutcome.ACCEPTED);
      assertThat(result.recipients().get("gone@example.com").outcome())
          .isEqualTo(RecipientOutcome.REJECTED);
      assertThat(result.recipients().get("gone@example.com").reply().line())
          .isEqualTo("550 5.1.1 User unknown");
      assertThat(result.recipients().get("full@example.com").outcome())
          .isEqualTo(RecipientOutcome.DEFERRED);
      assertThat(result.recipients().get("full@example.com").reply().code()).isEqualTo(452);
      assertThat(server.messages()).containsExactly(ON_THE_WIRE);
    }
  }

  @Test
  void aRefusedMailFromIsReadPastAndTheSessionStaysInStep() throws Exception {
    try (RecordingSmtpServer server =
            new RecordingSmtpServer()
                .pipelining()
                .answer("MAIL", "451 4.3.0 Local error in processing");
        RelayPool pool = pool(server)) {
      for (int i = 0; i < 2; i++) {
        SendResult result = pool.send(message("b@example.com", "c@example.com"));

        assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(result.reply().line()).isEqualTo("451 4.3.0 Local error in processing");
        assertThat(result.relayFailure()).isTrue();
        assertThat(result.recipients().values())
            .allSatisfy(r -> assertThat(r.reply().code()).isEqualTo(451));
      }
      assertThat(server.messages()).isEmpty();
      assertThat(server.count("RSET")).isEqualTo(2);
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void whenEveryRecipientIsRefusedNoMessageIsSentAndTheNextOneIs() throws Exception {
    try (RecordingSmtpServer server =
            new RecordingSmtpServer()
                .pipelining()
                .answerRecipient("gone@example.com", "550 5.1.1 User unknown");
        RelayPool pool = pool(server)) {
      SendResult refused = pool.send(message("gone@example.com"));
      SendResult sent = pool.send(message("b@example.com"));

      assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(refused.reply().line()).isEqualTo("550 5.1.1 User unknown");
      assertThat(refused.relayFailure()).isFalse();
      assertThat(sent.outcome()).isEqualTo(Outcome.SENT);
      assertThat(server.messages()).containsExactly(ON_THE_WIRE);
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void aDataAnsweredAfterEveryRecipientWasRefusedIsEndedAtOnce() throws Exception {
    try (RecordingSmtpServer server =
            new RecordingSmtpServer()
                .pipelining()
                .dataAfterRefusals()
                .answerRecipient("gone@example.com", "550 5.1.1 User unknown");
        RelayPool pool = pool(server)) {
      SendResult refused = pool.send(message("gone@example.com"));
      SendResult sent = pool.send(message("b@example.com"));

      assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(refused.reply().code()).isEqualTo(550);
      assertThat(sent.outcome()).isEqualTo(Outcome.SENT);
      assertThat(server.messages()).containsExactly("", ON_THE_WIRE);
    }
  }

  @Test
  void aRefusedDataSpeaksForTheAcceptedRecipientsOnly() throws Exception {
    try (RecordingSmtpServer server =
            new RecordingSmtpServer()
                .pipelining()
                .answerRecipient("gone@example.com", "550 5.1.1 User unknown")
                .answer("DATA", "452 4.3.1 Insufficient system storage");
        RelayPool pool = pool(server)) {
      SendResult result = pool.send(message("b@example.com", "gone@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(452);
      assertThat(result.recipients().get("b@example.com").reply().code()).isEqualTo(452);
      assertThat(result.recipients().get("b@example.com").outcome())
          .isEqualTo(RecipientOutcome.DEFERRED);
      assertThat(result.recipients().get("gone@example.com").outcome())
          .isEqualTo(RecipientOutcome.REJECTED);
      assertThat(server.messages()).isEmpty();
      assertThat(server.count("RSET")).isEqualTo(1);
    }
  }

  @Test
  void perRecipientEnvelopesAreOneGroupEachOnOneConnection() throws Exception {
    try (RecordingSmtpServer server = new RecordingSmtpServer().pipelining();
        RelayPool pool = pool(server)) {
      OutgoingMessage verp =
          new OutgoingMessage(
              UUID.randomUUID(),
              "bounces@example.com",
              List.of("b@example.com", "c@example.com"),
              STORED.getBytes(StandardCharsets.US_ASCII),
              List.of("b+1@bounces.example.com", "b+2@bounces.example.com"));
      SendResult result = pool.send(verp);

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(result.recipients().values())
          .allMatch(r -> r.outcome() == RecipientOutcome.ACCEPTED);
      assertThat(server.messages()).containsExactly(ON_THE_WIRE, ON_THE_WIRE);
      assertThat(server.count("MAIL")).isEqualTo(2);
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void aRelayShuttingDownAtDataIsARelayFailure() throws Exception {
    try (RecordingSmtpServer server =
            new RecordingSmtpServer().pipelining().answer("DATA", "421 4.3.2 Shutting down");
        RelayPool pool = pool(server)) {
      SendResult result = pool.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(421);
      assertThat(result.relayFailure()).isTrue();
      assertThat(server.messages()).isEmpty();
    }
  }

  @Test
  void aConnectionLostInTheGroupDefersTheMessageAndTheNextOneGetsANewConnection() throws Exception {
    try (RecordingSmtpServer server = new RecordingSmtpServer().pipelining().closeOnceAt("DATA");
        RelayPool pool = pool(server)) {
      SendResult lost = pool.send(message("b@example.com"));
      SendResult sent = pool.send(message("b@example.com"));

      assertThat(lost.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(lost.relayFailure()).isTrue();
      assertThat(lost.recipients().get("b@example.com").outcome())
          .isEqualTo(RecipientOutcome.DEFERRED);
      assertThat(sent.outcome()).isEqualTo(Outcome.SENT);
      assertThat(server.messages()).containsExactly(ON_THE_WIRE);
      assertThat(server.connections()).isEqualTo(2);
    }
  }
}
