package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the SMTP server receives for allowed custom headers, and for subjects and display names that
 * look like encoded words or addresses: the caller's literal text, one mailbox per address.
 */
class HeaderDeliveryTest extends ScriptedRelayTest {

  @Test
  void allowedHeadersArriveAsGiven() {
    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Hi", "text": "Hello",
             "headers": {"List-Unsubscribe": "<https://acme.test/u/42>, <mailto:u@acme.test>",
                         "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                         "List-Id": "Acme news <news.acme.test>",
                         "In-Reply-To": "<order-1001@acme.test>",
                         "References": "<order-1000@acme.test> <order-1001@acme.test>",
                         "Auto-Submitted": "auto-generated",
                         "Feedback-ID": "welcome:acme:mailroom",
                         "x-campaign": "winter-2026"}}
            """);

    assertThat(delivered(id).sent())
        .contains("\r\nList-Unsubscribe: <https://acme.test/u/42>, <mailto:u@acme.test>\r\n")
        .contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
        .contains("\r\nList-Id: Acme news <news.acme.test>\r\n")
        .contains("\r\nIn-Reply-To: <order-1001@acme.test>\r\n")
        .contains("\r\nReferences: <order-1000@acme.test> <order-1001@acme.test>\r\n")
        .contains("\r\nAuto-Submitted: auto-generated\r\n")
        .contains("\r\nFeedback-ID: welcome:acme:mailroom\r\n")
        .contains("\r\nx-campaign: winter-2026\r\n");
  }

  @Test
  void subjectThatLooksEncodedArrivesAsTheLiteralText() throws Exception {
    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "=?UTF-8?B?QWRtaW4=?= =?utf-8?q?PayPal?= ok",
             "text": "t"}
            """);
    Received received = delivered(id);

    assertThat(received.parse().getSubject())
        .isEqualTo("=?UTF-8?B?QWRtaW4=?= =?utf-8?q?PayPal?= ok");
    assertThat(received.sent())
        .doesNotContain("QWRtaW4=?=")
        .doesNotContain("?q?PayPal")
        .containsPattern("\r\nSubject: =\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?=\r\n");
  }

  @Test
  void subjectRenderedFromAVariableThatLooksEncodedArrivesAsTheLiteralText() throws Exception {
    String id =
        accept(
            """
            {"to": ["a@example.com"], "template": "welcome",
             "variables": {"name": "=?utf-8?q?Admin?=", "productName": "Acme",
                           "actionUrl": "https://acme.test/start"}}
            """);

    assertThat(delivered(id).parse().getSubject()).isEqualTo("Welcome to Acme, =?utf-8?q?Admin?=!");
  }

  @Test
  void displayNamesThatLookEncodedOrLikeAddressesStayOneMailboxEach() throws Exception {
    String id =
        accept(
            """
            {"from": {"email": "shop@example.com", "name": "=?utf-8?q?PayPal?= <service@paypal.example>"},
             "to": ["\\"support@bank.example\\" <a@example.com>",
                    {"email": "b@example.com", "name": "Bank, Inc. <support@bank.example>"}],
             "cc": {"email": "c@example.com", "name": "=?UTF-8?B?c3VwcG9ydEBiYW5rLmV4YW1wbGU=?="},
             "replyTo": {"email": "r@example.com", "name": "\\"quoted\\" \\\\ back"},
             "subject": "Hi", "text": "t"}
            """);
    Received received = delivered(id);
    MimeMessage message = received.parse();

    assertMailboxes(
        message.getFrom(), "shop@example.com", "=?utf-8?q?PayPal?= <service@paypal.example>");
    assertMailboxes(
        message.getRecipients(RecipientType.TO),
        "a@example.com",
        "support@bank.example",
        "b@example.com",
        "Bank, Inc. <support@bank.example>");
    assertMailboxes(
        message.getRecipients(RecipientType.CC),
        "c@example.com",
        "=?UTF-8?B?c3VwcG9ydEBiYW5rLmV4YW1wbGU=?=");
    assertMailboxes(message.getReplyTo(), "r@example.com", "\"quoted\" \\ back");
    assertThat(InternetAddress.parseHeader(message.getHeader("To", ","), true)).hasSize(2);
    assertThat(received.recipients())
        .containsExactlyInAnyOrder("a@example.com", "b@example.com", "c@example.com");
    assertThat(received.sent()).doesNotContain("?q?PayPal", "c3VwcG9ydEBiYW5rLmV4YW1wbGU=?=");
  }

  private static void assertMailboxes(Address[] addresses, String... emailsAndNames) {
    assertThat(addresses).hasSize(emailsAndNames.length / 2);
    for (int i = 0; i < addresses.length; i++) {
      InternetAddress address = (InternetAddress) addresses[i];
      assertThat(address.getAddress()).isEqualTo(emailsAndNames[2 * i]);
      assertThat(address.getPersonal()).isEqualTo(emailsAndNames[2 * i + 1]);
    }
  }

  private String accept(String json) {
    Api.Response response = api.post("/emails", json);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  private Received delivered(String id) {
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(20));
    List<Received> received = relay.awaitReceived(1, Duration.ofSeconds(5));
    assertThat(received).hasSize(1);
    return received.get(0);
  }
}
