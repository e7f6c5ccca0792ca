package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailroom.support.Api;
import dev.mailroom.support.IntegrationTest;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The whole path against GreenMail: POST, render, store, dispatch, SMTP, status. */
class DeliveryFlowTest extends IntegrationTest {

  @RegisterExtension
  static GreenMailExtension greenMail =
      new GreenMailExtension(
              new ServerSetup(0, "localhost", ServerSetup.PROTOCOL_SMTP).dynamicPort())
          .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication())
          .withPerMethodLifecycle(false);

  @BeforeEach
  void emptyMailboxes() throws Exception {
    greenMail.purgeEmailFromAllMailboxes();
  }

  @DynamicPropertySource
  static void relay(DynamicPropertyRegistry registry) {
    relayAt(registry, () -> greenMail.getSmtp().getPort());
  }

  @Test
  void templatedFrenchEmailArrivesAsProperMimeAndIsReportedSent() throws Exception {
    Api.Response accepted =
        api.post(
            "/emails",
            """
            {"to": [{"email": "zoe@example.com", "name": "Zoé Dupré"}],
             "template": "welcome", "locale": "fr-CA",
             "variables": {"name": "Zoé", "productName": "Équipe Café", "actionUrl": "https://example.com/start"},
             "tags": ["onboarding"], "metadata": {"userId": "42"}}
            """);

    assertThat(accepted.status()).isEqualTo(202);
    String id = accepted.body().path("id").asString();
    assertThat(accepted.header("Location")).isEqualTo("/emails/" + id);
    assertThat(accepted.body().path("status").asString()).isEqualTo("QUEUED");

    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(greenMail.waitForIncomingEmail(5000, 1)).isTrue();
    MimeMessage message = greenMail.getReceivedMessages()[0];

    assertThat(message.getSubject()).contains("Zoé").contains("Équipe Café");
    assertThat(message.getHeader("Subject")[0]).startsWith("=?UTF-8?");
    assertThat(message.getHeader("Message-ID")[0]).isEqualTo(sent.path("messageId").asString());
    assertThat(sent.path("messageId").asString()).isEqualTo("<" + id + "@mailroom.test>");
    assertThat(message.getHeader("Date")).isNotNull();
    assertThat(message.getRecipients(RecipientType.TO)[0].toString()).contains("zoe@example.com");
    assertThat(message.getHeader("From")[0]).contains("sender@mailroom.test");
    assertThat(message.getContentType()).startsWith("multipart/alternative");
    MimeMultipart parts = (MimeMultipart) message.getContent();
    assertThat(parts.getCount()).isEqualTo(2);
    assertThat(parts.getBodyPart(0).getContentType())
        .startsWith("text/plain")
        .containsIgnoringCase("charset=UTF-8");
    assertThat(parts.getBodyPart(1).getContentType())
        .startsWith("text/html")
        .containsIgnoringCase("charset=UTF-8");
    assertThat((String) parts.getBodyPart(0).getContent()).contains("Zoé");
    assertThat((String) parts.getBodyPart(1).getContent())
        .contains("Zoé")
        .contains("https://example.com/start");
    String raw = GreenMailUtil.getWholeMessage(message);
    assertThat(raw).doesNotContain("onboarding").doesNotContain("userId");

    assertThat(sent.path("template").path("name").asString()).isEqualTo("welcome");
    assertThat(sent.path("template").path("locale").asString()).isEqualTo("fr");
    assertThat(sent.path("template").path("version").asString()).isNotBlank();
    assertThat(sent.path("tags").get(0).asString()).isEqualTo("onboarding");
    assertThat(sent.path("metadata").path("userId").asString()).isEqualTo("42");
    assertThat(sent.path("sentAt").isMissingNode()).isFalse();
    JsonNode recipient = sent.path("recipients").get(0);
    assertThat(recipient.path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(recipient.path("lastReply").path("code").asInt()).isEqualTo(250);
    JsonNode attempt = sent.path("attempts").get(0);
    assertThat(attempt.path("outcome").asString()).isEqualTo("SENT");
    assertThat(attempt.path("relay").asString()).isEqualTo("test-relay");
    assertThat(attempt.path("reply").path("code").asInt()).isEqualTo(250);
    assertThat(attempt.has("durationMs")).isTrue();
  }

  @Test
  void readyContentWithHtmlOnlyGetsADerivedTextPartAndBccStaysOutOfTheHeaders() throws Exception {
    Api.Response accepted =
        api.post(
            "/emails",
            """
            {"from": "Shop <shop@example.com>", "to": "buyer@example.com", "bcc": ["audit@example.com"],
             "replyTo": "help@example.com",
             "subject": "Your receipt", "html": "<h1>Thanks</h1><p>Order <b>1001</b> is paid.</p>"}
            """);
    assertThat(accepted.status()).isEqualTo(202);
    api.awaitEmail(
        accepted.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));

    assertThat(greenMail.waitForIncomingEmail(5000, 2)).isTrue();
    MimeMessage message = greenMail.getReceivedMessagesForDomain("example.com")[0];
    String raw = GreenMailUtil.getWholeMessage(message);
    assertThat(raw).doesNotContainIgnoringCase("bcc:").doesNotContain("audit@example.com");
    assertThat(message.getHeader("Reply-To")[0]).isEqualTo("help@example.com");
    MimeMultipart parts = (MimeMultipart) message.getContent();
    assertThat((String) parts.getBodyPart(0).getContent())
        .contains("Thanks")
        .contains("Order 1001 is paid.")
        .doesNotContain("<");
    assertThat(greenMail.getReceivedMessagesForDomain("example.com")).isNotEmpty();
  }
}
