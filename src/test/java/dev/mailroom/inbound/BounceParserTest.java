package dev.mailroom.inbound;

import static dev.mailroom.inbound.BounceSamples.MESSAGE_ID;
import static dev.mailroom.inbound.BounceSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.inbound.Bounce.Kind;
import dev.mailroom.inbound.BounceReport.Format;
import dev.mailroom.inbound.BounceReport.RecipientReport;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BounceParserTest {

  private static final String VERP = "b-1verpverp@bounces.mailroom.test";

  private final BounceParser parser = new BounceParser();

  @Test
  void postfixUserUnknownIsAHardBounceWithItsStatusDiagnosticAndRemoteMta() {
    BounceReport report = parser.parse(sample("postfix-user-unknown.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.DSN);
    assertThat(report.reportedBy()).isEqualTo("mail.relay.example.net");
    assertThat(report.originalMessageId()).isEqualTo(MESSAGE_ID);
    assertThat(report.originalSenders()).contains(VERP);
    assertThat(report.recipients())
        .containsExactly(
            new RecipientReport(
                Kind.HARD,
                "nobody@example.org",
                "failed",
                "5.1.1",
                "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in"
                    + " virtual mailbox table",
                "mx1.example.org"));
  }

  @Test
  void postfixDelayedNoticeIsDelayedNotABounce() {
    BounceReport report = parser.parse(sample("postfix-delayed.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.DSN);
    assertThat(report.originalMessageId()).isEqualTo(MESSAGE_ID);
    RecipientReport recipient = report.recipients().get(0);
    assertThat(recipient.kind()).isEqualTo(Kind.DELAYED);
    assertThat(recipient.action()).isEqualTo("delayed");
    assertThat(recipient.status()).isEqualTo("4.4.1");
    assertThat(recipient.address()).isEqualTo("slow@example.net");
    assertThat(recipient.diagnostic())
        .isEqualTo("connect to mx.example.net[203.0.113.9]:25: Connection timed out");
  }

  @Test
  void eximClassOnlyStatusIsRefinedByTheCodeInItsDiagnostic() {
    BounceReport report = parser.parse(sample("exim-user-unknown.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.DSN);
    assertThat(report.reportedBy()).isEqualTo("smtp.hosting.example.com");
    assertThat(report.originalSenders()).containsExactly(VERP);
    RecipientReport recipient = report.recipients().get(0);
    assertThat(recipient.kind()).isEqualTo(Kind.HARD);
    assertThat(recipient.address()).isEqualTo("gone@example.com");
    assertThat(recipient.status()).isEqualTo("5.1.1");
    assertThat(recipient.remoteMta()).isEqualTo("mail.example.com");
  }

  @Test
  void gmailReportInsideRelatedAndAlternativePartsIsFoundAndItsFoldedDiagnosticUnfolded() {
    BounceReport report = parser.parse(sample("gmail-no-such-user.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.DSN);
    assertThat(report.reportedBy()).isEqualTo("googlemail.com");
    assertThat(report.originalMessageId()).isEqualTo(MESSAGE_ID);
    assertThat(report.originalSenders()).containsExactly(VERP);
    RecipientReport recipient = report.recipients().get(0);
    assertThat(recipient.kind()).isEqualTo(Kind.HARD);
    assertThat(recipient.address()).isEqualTo("no.such.person@gmail.com");
    assertThat(recipient.status()).isEqualTo("5.1.1");
    assertThat(recipient.diagnostic())
        .startsWith("550-5.1.1 The email account that you tried to reach does not exist.")
        .doesNotContain("\n");
    assertThat(recipient.remoteMta()).startsWith("gmail-smtp-in.l.google.com.");
  }

  @Test
  void exchangeOnlineThreeDigitDetailCodeIsKept() {
    BounceReport report = parser.parse(sample("exchange-online-recipient-not-found.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.DSN);
    assertThat(report.reportedBy()).isEqualTo("AM9PR07MB7761.eurprd07.prod.outlook.com");
    assertThat(report.originalMessageId()).isEqualTo(MESSAGE_ID);
    RecipientReport recipient = report.recipients().get(0);
    assertThat(recipient.kind()).isEqualTo(Kind.HARD);
    assertThat(recipient.address()).isEqualTo("former.employee@contoso.example");
    assertThat(recipient.status()).isEqualTo("5.1.10");
    assertThat(recipient.diagnostic())
        .isEqualTo(
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address"
                + " lookup");
  }

  @Test
  void feedbackReportIsAComplaintNamingTheRecipientAndTheOriginalSender() {
    BounceReport report = parser.parse(sample("arf-abuse-complaint.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.ARF);
    assertThat(report.reportedBy()).isEqualTo("staff@feedback.mailbox.example");
    assertThat(report.originalMessageId()).isEqualTo(MESSAGE_ID);
    assertThat(report.originalSenders()).containsExactly(VERP);
    assertThat(report.recipients())
        .containsExactly(
            new RecipientReport(
                Kind.COMPLAINT, "reader@mailbox.example", null, null, "abuse", null));
  }

  @Test
  void nonStandardBounceYieldsTheStatusTheAddressAndTheMessageIdFromItsText() {
    BounceReport report = parser.parse(sample("qmail-non-standard.eml"));

    assertThat(report.format()).isEqualTo(Format.NON_STANDARD);
    assertThat(report.reportedBy()).isEqualTo("MAILER-DAEMON@mx.old-isp.example");
    assertThat(report.originalMessageId()).isEqualTo(MESSAGE_ID);
    RecipientReport recipient = report.recipients().get(0);
    assertThat(recipient.kind()).isEqualTo(Kind.HARD);
    assertThat(recipient.status()).isEqualTo("5.2.1");
    assertThat(recipient.address()).isEqualTo("closed.account@old-isp.example");
    assertThat(recipient.diagnostic())
        .isEqualTo(
            "Remote host said: 550 5.2.1 <closed.account@old-isp.example>: mailbox disabled");
  }

  @Test
  void nonStandardBounceWithOnlyABasicReplyCodeKeepsThatCode() {
    String bounce =
        """
        From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
        Subject: Returned mail: see transcript for details
        To: bounces@bounces.mailroom.test

        ----- The following addresses had permanent fatal errors -----
        <someone@example.net>
            (reason: 550 Requested action not taken: mailbox unavailable)
        """;

    BounceReport report = parser.parse(bounce.getBytes(StandardCharsets.US_ASCII));

    assertThat(report.format()).isEqualTo(Format.NON_STANDARD);
    assertThat(report.recipients().get(0).status()).isEqualTo("550");
    assertThat(report.recipients().get(0).kind()).isEqualTo(Kind.HARD);
    assertThat(report.recipients().get(0).address()).isEqualTo("someone@example.net");
  }

  @Test
  void autoReplyIsNotReadAsABounceThoughItsTextHoldsA5xxNumber() {
    BounceReport report = parser.parse(sample("out-of-office.eml", VERP));

    assertThat(report.format()).isEqualTo(Format.UNRECOGNIZED);
    assertThat(report.recipients()).isEmpty();
  }

  @Test
  void randomBytesAreRecordedNotThrown() {
    byte[] garbage = new byte[64 * 1024];
    new Random(42).nextBytes(garbage);

    BounceReport report = parser.parse(garbage);

    assertThat(report.format()).isIn(Format.MALFORMED, Format.UNRECOGNIZED);
    assertThat(report.recipients()).isEmpty();
  }

  @Test
  void reportWithABrokenBoundaryIsMalformedOrUnrecognisedNeverAnException() {
    String broken =
        """
        From: MAILER-DAEMON@mx.example.net
        Subject: Undelivered Mail Returned to Sender
        Content-Type: multipart/report; report-type=delivery-status; boundary="

        --
        Content-Type: message/delivery-status
        """;

    BounceReport report = parser.parse(broken.getBytes(StandardCharsets.US_ASCII));

    assertThat(report.format()).isIn(Format.MALFORMED, Format.UNRECOGNIZED);
  }

  @Test
  void reportNestedBeyondTheDepthLimitIsNotSearchedForever() {
    StringBuilder message = new StringBuilder("From: MAILER-DAEMON@mx.example.net\r\n");
    for (int i = 0; i < 200; i++) {
      message.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n");
      message.append("--b").append(i).append("\r\n");
    }
    message.append("Content-Type: text/plain\r\n\r\n550 5.1.1 gone@example.net\r\n");

    BounceReport report = parser.parse(message.toString().getBytes(StandardCharsets.US_ASCII));

    assertThat(report.format()).isNotNull();
  }
}
