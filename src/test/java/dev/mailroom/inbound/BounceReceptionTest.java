package dev.mailroom.inbound;

import static dev.mailroom.inbound.BounceSamples.EMAIL_ID;
import static dev.mailroom.inbound.BounceSamples.MESSAGE_ID;
import static dev.mailroom.inbound.BounceSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.inbound.Bounce.Kind;
import dev.mailroom.inbound.Bounce.MatchedBy;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

/** Bounces and complaints mailed to the listener over SMTP: what is recorded and published. */
class BounceReceptionTest extends InboundIntegrationTest {

  @Autowired InboundRetention retention;

  @Test
  void hardBounceMailedToItsVerpAddressIsRecordedAndPublishedForThatRecipient() throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 2);

    SmtpClient.Reply reply = deliver(verp, sample("postfix-user-unknown.eml", verp));

    assertThat(reply.code()).isEqualTo(250);
    assertThat(published.received)
        .extracting(BounceReceived::bounce)
        .containsExactly(
            new Bounce(
                Kind.HARD,
                EMAIL_ID,
                2,
                "nobody@example.org",
                "5.1.1",
                "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in"
                    + " virtual mailbox table",
                "mx1.example.org",
                "mail.relay.example.net",
                MatchedBy.VERP_TOKEN));
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row)
                  .containsEntry("outcome", "MATCHED")
                  .containsEntry("format", "DSN")
                  .containsEntry("kind", "HARD")
                  .containsEntry("email_id", EMAIL_ID)
                  .containsEntry("envelope_from", "")
                  .containsEntry("original_message_id", MESSAGE_ID);
              // A matched message is summed up by its row; only the others keep their bytes.
              assertThat(row.get("raw")).isNull();
            });
    assertThat(published.received.get(0).inboundMessageId()).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "postfix-user-unknown.eml, HARD, 5.1.1, nobody@example.org",
    "exim-user-unknown.eml, HARD, 5.1.1, gone@example.com",
    "gmail-no-such-user.eml, HARD, 5.1.1, no.such.person@gmail.com",
    "exchange-online-recipient-not-found.eml, HARD, 5.1.10, former.employee@contoso.example",
    "postfix-delayed.eml, DELAYED, 4.4.1, slow@example.net",
  })
  void reportOfEachCommonShapeIsMatchedByItsVerpToken(
      String sample, Kind kind, String status, String address) throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);

    assertThat(deliver(verp, sample(sample, verp)).code()).isEqualTo(250);

    assertThat(published.received)
        .singleElement()
        .extracting(BounceReceived::bounce)
        .satisfies(
            bounce -> {
              assertThat(bounce.kind()).isEqualTo(kind);
              assertThat(bounce.status()).isEqualTo(status);
              assertThat(bounce.recipientAddress()).isEqualTo(address);
              assertThat(bounce.emailId()).isEqualTo(EMAIL_ID);
              assertThat(bounce.recipientPosition()).isZero();
            });
  }

  @Test
  void complaintMailedToAFixedFeedbackAddressIsMatchedByTheTokenInTheReturnedMessage()
      throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 1);

    SmtpClient.Reply reply =
        deliver("fbl@" + BOUNCE_DOMAIN, sample("arf-abuse-complaint.eml", verp));

    assertThat(reply.code()).isEqualTo(250);
    assertThat(published.received)
        .extracting(BounceReceived::bounce)
        .containsExactly(
            new Bounce(
                Kind.COMPLAINT,
                EMAIL_ID,
                1,
                "reader@mailbox.example",
                null,
                "abuse",
                null,
                "staff@feedback.mailbox.example",
                MatchedBy.VERP_TOKEN));
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row ->
                assertThat(row).containsEntry("format", "ARF").containsEntry("kind", "COMPLAINT"));
  }

  @Test
  void bounceWithoutATokenIsMatchedByTheMessageIdOfAnEmailWeStored() throws Exception {
    storeSentEmail();

    SmtpClient.Reply reply = deliver("bounces@" + BOUNCE_DOMAIN, sample("qmail-non-standard.eml"));

    assertThat(reply.code()).isEqualTo(250);
    assertThat(published.received)
        .extracting(BounceReceived::bounce)
        .containsExactly(
            new Bounce(
                Kind.HARD,
                EMAIL_ID,
                null,
                "closed.account@old-isp.example",
                "5.2.1",
                "Remote host said: 550 5.2.1 <closed.account@old-isp.example>: mailbox disabled",
                null,
                "MAILER-DAEMON@mx.old-isp.example",
                MatchedBy.MESSAGE_ID));
  }

  @Test
  void bounceForAMessageIdWeNeverSentIsUnmatchedAndKeptWithItsBytes() throws Exception {
    byte[] bounce = sample("qmail-non-standard.eml");
    double before = counted("unmatched");

    assertThat(deliver("bounces@" + BOUNCE_DOMAIN, bounce).code()).isEqualTo(250);

    assertThat(published.received).isEmpty();
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row)
                  .containsEntry("outcome", "UNMATCHED")
                  .containsEntry("email_id", null)
                  .containsEntry("project", null);
              assertThat((byte[]) row.get("raw")).isEqualTo(bounce);
            });
    assertThat(counted("unmatched")).isEqualTo(before + 1);
  }

  @Test
  void reportToAForgedTokenIsUnmatched() throws Exception {
    String forged = "b-1" + "a".repeat(48) + "@" + BOUNCE_DOMAIN;

    assertThat(deliver(forged, sample("postfix-user-unknown.eml", forged)).code()).isEqualTo(250);

    assertThat(published.received).isEmpty();
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(row -> assertThat(row).containsEntry("outcome", "UNMATCHED"));
  }

  @Test
  void autoReplyToAVerpAddressIsRecordedAsUnparseableNotAsABounce() throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);
    double before = counted("unparseable");

    assertThat(deliver(verp, sample("out-of-office.eml", verp)).code()).isEqualTo(250);

    assertThat(published.received).isEmpty();
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row)
                  .containsEntry("outcome", "UNPARSEABLE")
                  .containsEntry("format", "UNRECOGNIZED");
              assertThat(row.get("raw")).isNotNull();
            });
    assertThat(counted("unparseable")).isEqualTo(before + 1);
  }

  @Test
  void matchedBounceIsCounted() throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);
    double before = counted("matched");

    deliver(verp, sample("gmail-no-such-user.eml", verp));

    assertThat(counted("matched")).isEqualTo(before + 1);
  }

  @Test
  void bounceArrivesOverStartTls() throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 5);
    Properties properties = new Properties();
    properties.setProperty("mail.smtp.host", "127.0.0.1");
    properties.setProperty("mail.smtp.port", String.valueOf(listener.port()));
    properties.setProperty("mail.smtp.starttls.enable", "true");
    properties.setProperty("mail.smtp.starttls.required", "true");
    properties.setProperty("mail.smtp.ssl.trust", "*");
    properties.setProperty("mail.smtp.from", "mailer-daemon@mail.relay.example.net");
    properties.setProperty("mail.smtp.connectiontimeout", "5000");
    properties.setProperty("mail.smtp.timeout", "5000");
    properties.setProperty("mail.smtp.writetimeout", "5000");
    Session session = Session.getInstance(properties);
    MimeMessage message =
        new MimeMessage(
            session, new ByteArrayInputStream(sample("postfix-user-unknown.eml", verp)));

    try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
      transport.connect();
      transport.sendMessage(message, new InternetAddress[] {new InternetAddress(verp)});
      assertThat(transport.getLastReturnCode()).isEqualTo(250);
    }

    assertThat(published.received)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.bounce().recipientPosition()).isEqualTo(5);
              assertThat(event.bounce().kind()).isEqualTo(Kind.HARD);
            });
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row ->
                assertThat(row)
                    .containsEntry("envelope_from", "mailer-daemon@mail.relay.example.net"));
  }

  @Test
  void inboundMessagesPastTheRetentionAreDeletedAndNewerOnesKept() throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);
    deliver(verp, sample("postfix-user-unknown.eml", verp));
    deliver(verp, sample("gmail-no-such-user.eml", verp));
    jdbc.sql(
            "UPDATE inbound_messages SET received_at = now() - interval '31 days'"
                + " WHERE id = (SELECT min(id) FROM inbound_messages)")
        .update();

    retention.purge();

    assertThat(inboundMessages())
        .singleElement()
        .satisfies(row -> assertThat(row).containsEntry("format", "DSN"));
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM inbound_messages WHERE received_at < now() - interval '30 days'")
                .query(Long.class)
                .single())
        .isZero();
  }

  private void storeSentEmail() {
    jdbc.sql(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime)
            VALUES (:id, 'test', 'SENT', 'no-reply@acme.example', 'no-reply@acme.example',
                    'Your receipt', :messageId, :mime)
            """)
        .paramSource(
            Map.of(
                "id", EMAIL_ID,
                "messageId", MESSAGE_ID,
                "mime",
                    "Subject: Your receipt\r\n\r\nOrder 1001\r\n"
                        .getBytes(StandardCharsets.US_ASCII)))
        .update();
  }
}
