package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import dev.mailroom.support.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS, implicit TLS and AUTH against real servers: encrypted, verified, or not sent at all.
 */
class RelayTlsTest {

  static final TestCertificate LOCALHOST = TestCertificate.forHosts("localhost");

  @TempDir static Path directory;
  static Path caBundle;

  @BeforeAll
  static void writeCaBundle() {
    caBundle = LOCALHOST.writePem(directory);
  }

  static OutgoingMessage message() {
    return new OutgoingMessage(
        UUID.randomUUID(), "a@example.com", List.of("b@example.com"), RelayPoolTest.MESSAGE);
  }

  static SendResult sendOnce(TestRelay relay) {
    try (RelayPool pool = new RelayPool(relay.build(), "client.test")) {
      return pool.send(message());
    }
  }

  @Test
  void startTlsIsNegotiatedVerifiedAndRecorded() {
    try (SecureSmtpServer server =
        new SecureSmtpServer(
            b -> b.enableTLS().requireTLS().startTlsSocketFactory(LOCALHOST.serverContext()))) {
      SendResult result =
          sendOnce(TestRelay.at(server.port()).tls(TlsMode.STARTTLS).caBundle(caBundle));

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(result.tls()).isNotNull();
      assertThat(result.tls().protocol()).startsWith("TLSv1.");
      assertThat(result.tls().cipher()).startsWith("TLS_");
      assertThat(server.delivered()).containsExactly("b@example.com");
    }
  }

  @Test
  void relayNotOfferingStartTlsIsARelayFailureAndNothingIsSentInPlaintext() {
    try (ScriptedSmtpServer plain = new ScriptedSmtpServer()) {
      SendResult result = sendOnce(TestRelay.at(plain.port()).tls(TlsMode.STARTTLS));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.relayFailure()).isTrue();
      assertThat(result.reply().text()).containsIgnoringCase("STARTTLS");
      assertThat(result.tls()).isNull();
      assertThat(plain.dataSeen()).isEmpty();
    }
  }

  @Test
  void implicitTlsWithTheRelaysCaBundleIsVerifiedAndRecorded() {
    try (SecureSmtpServer server =
        new SecureSmtpServer(b -> b.serverSocketFactory(LOCALHOST.serverContext()))) {
      SendResult result =
          sendOnce(TestRelay.at(server.port()).tls(TlsMode.IMPLICIT).caBundle(caBundle));

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(result.tls()).isNotNull();
      assertThat(result.tls().protocol()).startsWith("TLSv1.");
      assertThat(server.delivered()).containsExactly("b@example.com");
    }
  }

  @Test
  void certificateNotTrustedByTheJvmIsRejected() {
    try (SecureSmtpServer server =
        new SecureSmtpServer(b -> b.serverSocketFactory(LOCALHOST.serverContext()))) {
      SendResult result = sendOnce(TestRelay.at(server.port()).tls(TlsMode.IMPLICIT));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.relayFailure()).isTrue();
      assertThat(result.reply().text()).containsIgnoringCase("certification path");
      assertThat(server.delivered()).isEmpty();
    }
  }

  @Test
  void certificateForAnotherHostIsRejectedEvenWhenTrusted() {
    TestCertificate other = TestCertificate.forHosts("mail.elsewhere.test");
    try (SecureSmtpServer server =
        new SecureSmtpServer(
            b -> b.enableTLS().requireTLS().startTlsSocketFactory(other.serverContext()))) {
      SendResult result =
          sendOnce(
              TestRelay.at(server.port())
                  .tls(TlsMode.STARTTLS)
                  .caBundle(other.writePem(directory)));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.relayFailure()).isTrue();
      assertThat(result.reply().text()).contains("matching localhost");
      assertThat(server.delivered()).isEmpty();
    }
  }

  @Test
  void authenticatesWithTheConfiguredCredentials() {
    try (SecureSmtpServer server =
        new SecureSmtpServer(
            b ->
                b.enableTLS()
                    .requireTLS()
                    .startTlsSocketFactory(LOCALHOST.serverContext())
                    .authenticationHandlerFactory(SecureSmtpServer.credentials())
                    .requireAuth())) {
      SendResult result =
          sendOnce(
              TestRelay.at(server.port())
                  .tls(TlsMode.STARTTLS)
                  .caBundle(caBundle)
                  .credentials(SecureSmtpServer.USER, SecureSmtpServer.PASSWORD));

      assertThat(result.outcome()).isEqualTo(Outcome.SENT);
      assertThat(server.delivered()).containsExactly("b@example.com");
    }
  }

  @Test
  void refusedCredentialsDeferWithThe535AndCountAgainstTheRelay() {
    try (SecureSmtpServer server =
        new SecureSmtpServer(
            b ->
                b.enableTLS()
                    .requireTLS()
                    .startTlsSocketFactory(LOCALHOST.serverContext())
                    .authenticationHandlerFactory(SecureSmtpServer.credentials())
                    .requireAuth())) {
      SendResult result =
          sendOnce(
              TestRelay.at(server.port())
                  .tls(TlsMode.STARTTLS)
                  .caBundle(caBundle)
                  .credentials(SecureSmtpServer.USER, "wrong"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.reply().code()).isEqualTo(535);
      assertThat(result.relayFailure()).isTrue();
      assertThat(result.reply().text()).doesNotContain("wrong");
      assertThat(server.delivered()).isEmpty();
    }
  }
}
