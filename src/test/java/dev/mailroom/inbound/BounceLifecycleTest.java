package dev.mailroom.inbound;

import static dev.mailroom.inbound.BounceSamples.MESSAGE_ID;
import static dev.mailroom.inbound.BounceSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * After the relay's 250: a bounce or complaint mailed over SMTP to the listener changes what {@code
 * GET /emails/{id}} shows of the recipient, suppresses the address, and the next email to it never
 * reaches the relay.
 */
@TestPropertySource(
    properties = {
      "mailroom.api-keys[1].name=test-suppressions",
      "mailroom.api-keys[1].project=test",
      "mailroom.api-keys[1].hash=" + BounceLifecycleTest.SUPPRESSIONS_HASH,
      "mailroom.api-keys[1].scopes=suppressions"
    })
class BounceLifecycleTest extends InboundIntegrationTest {

  static final String SUPPRESSIONS = "mr_test_supp";
  static final String SUPPRESSIONS_HASH =
      "1505b946e6b3b50c814a7c5ef021687c0c99dac6c6e70c1ee9dc02a834f7fdfa";

  @BeforeEach
  void noSuppressions() {
    jdbc.sql("TRUNCATE suppressions").update();
  }

  @Test
  void hardBounceTurnsTheRecipientBouncedAndTheNextEmailToItIsNeverSent() throws Exception {
    JsonNode sent = sendAndAwaitSent("nobody@example.org");
    UUID id = UUID.fromString(sent.path("id").asString());
    // The return path the relay was given, as a remote MTA would bounce to it.
    String verp = relay.awaitReceived(1, Duration.ofSeconds(5)).get(0).from();
    assertThat(tokens.verify(verp)).contains(new VerpToken.Recipient(id, 0));

    assertThat(deliver(verp, returned("postfix-user-unknown.eml", verp, sent)).code())
        .isEqualTo(250);

    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row ->
                assertThat(row)
                    .containsEntry("outcome", "MATCHED")
                    .containsEntry("email_id", id)
                    .containsEntry("project", "test"));
    JsonNode after = api.get("/emails/" + id).body();
    assertThat(after.path("status").asString()).isEqualTo("SENT");
    JsonNode recipient = after.path("recipients").get(0);
    assertThat(recipient.path("status").asString()).isEqualTo("BOUNCED");
    assertThat(recipient.path("bounce").path("kind").asString()).isEqualTo("HARD");
    assertThat(recipient.path("bounce").path("status").asString()).isEqualTo("5.1.1");
    assertThat(recipient.path("bounce").path("diagnostic").asString()).contains("User unknown");
    assertThat(recipient.path("bounce").path("at").isMissingNode()).isFalse();
    assertThat(eventTypes(after)).contains("email.bounced");
    assertThat(event(after, "email.bounced").path("recipient").asString())
        .isEqualTo("nobody@example.org");
    assertThat(event(after, "email.bounced").path("data").path("enhancedCode").asString())
        .isEqualTo("5.1.1");

    Api.Response suppression = api.withKey(SUPPRESSIONS).get("/suppressions/nobody@example.org");
    assertThat(suppression.status()).isEqualTo(200);
    assertThat(suppression.body().path("reason").asString()).isEqualTo("HARD_BOUNCE");
    assertThat(suppression.body().path("emailId").asString()).isEqualTo(id.toString());
    assertThat(suppression.body().path("detail").asString()).startsWith("5.1.1");

    relay.reset();
    Api.Response next = send("Nobody@Example.org");
    assertThat(next.status()).isEqualTo(202);
    assertThat(next.body().path("status").asString()).isEqualTo("FAILED");
    assertThat(next.body().path("failureReason").asString()).isEqualTo("SUPPRESSED");
    JsonNode stored = api.get("/emails/" + next.body().path("id").asString()).body();
    assertThat(stored.path("recipients").get(0).path("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(eventTypes(stored)).contains("email.accepted", "email.suppressed", "email.failed");
    relay.assertNothingReceivedFor(Duration.ofMillis(500));
  }

  @Test
  void complaintTurnsTheRecipientComplainedAndSuppressesTheAddress() throws Exception {
    JsonNode sent = sendAndAwaitSent("reader@mailbox.example");
    UUID id = UUID.fromString(sent.path("id").asString());
    String verp = tokens.envelopeSender(id, 0);

    assertThat(
            deliver("fbl@" + BOUNCE_DOMAIN, returned("arf-abuse-complaint.eml", verp, sent)).code())
        .isEqualTo(250);

    JsonNode recipient = api.get("/emails/" + id).body().path("recipients").get(0);
    assertThat(recipient.path("status").asString()).isEqualTo("COMPLAINED");
    assertThat(recipient.path("bounce").path("kind").asString()).isEqualTo("COMPLAINT");
    assertThat(recipient.path("bounce").path("diagnostic").asString()).isEqualTo("abuse");
    assertThat(eventTypes(api.get("/emails/" + id).body())).contains("email.complained");
    assertThat(
            api.withKey(SUPPRESSIONS)
                .get("/suppressions/reader@mailbox.example")
                .body()
                .path("reason")
                .asString())
        .isEqualTo("COMPLAINT");
  }

  @Test
  void delayedNoticeLeavesTheRecipientAcceptedAndSuppressesNothing() throws Exception {
    JsonNode sent = sendAndAwaitSent("slow@example.net");
    UUID id = UUID.fromString(sent.path("id").asString());
    String verp = tokens.envelopeSender(id, 0);

    assertThat(deliver(verp, returned("postfix-delayed.eml", verp, sent)).code()).isEqualTo(250);

    JsonNode recipient = api.get("/emails/" + id).body().path("recipients").get(0);
    assertThat(recipient.path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(recipient.path("bounce").isMissingNode()).isTrue();
    assertThat(count("suppressions")).isZero();
    assertThat(eventTypes(api.get("/emails/" + id).body()))
        .contains("email.delivery_delayed")
        .doesNotContain("email.bounced");
  }

  @Test
  void bounceMatchedByMessageIdAppliesToTheRecipientWithThatAddress() throws Exception {
    JsonNode sent = sendAndAwaitSent("friend@example.com", "closed.account@old-isp.example");
    String id = sent.path("id").asString();

    assertThat(
            deliver("bounces@" + BOUNCE_DOMAIN, returned("qmail-non-standard.eml", "", sent))
                .code())
        .isEqualTo(250);

    JsonNode recipients = api.get("/emails/" + id).body().path("recipients");
    assertThat(recipients.get(0).path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(recipients.get(1).path("status").asString()).isEqualTo("BOUNCED");
    assertThat(recipients.get(1).path("bounce").path("status").asString()).isEqualTo("5.2.1");
    assertThat(
            jdbc.sql("SELECT address FROM suppressions WHERE project = 'test'")
                .query(String.class)
                .list())
        .containsExactly("closed.account@old-isp.example");
  }

  @Test
  void bounceMatchedByMessageIdForAnAddressTheEmailWasNotSentToChangesNothing() throws Exception {
    JsonNode sent = sendAndAwaitSent("friend@example.com");
    String id = sent.path("id").asString();

    assertThat(
            deliver("bounces@" + BOUNCE_DOMAIN, returned("qmail-non-standard.eml", "", sent))
                .code())
        .isEqualTo(250);

    assertThat(api.get("/emails/" + id).body().path("recipients").get(0).path("status").asString())
        .isEqualTo("ACCEPTED");
    assertThat(count("suppressions")).isZero();
  }

  private Api.Response send(String... to) {
    StringBuilder recipients = new StringBuilder();
    for (String address : to) {
      recipients.append(recipients.isEmpty() ? "" : ", ").append('"').append(address).append('"');
    }
    return api.post(
        "/emails",
        """
        {"to": [%s], "subject": "Your receipt", "text": "Order 1001"}
        """
            .formatted(recipients));
  }

  private JsonNode sendAndAwaitSent(String... to) {
    Api.Response response = send(to);
    assertThat(response.status()).isEqualTo(202);
    return api.awaitEmail(
        response.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
  }

  /** A sample report about the email as it was sent: its Message-ID in the returned headers. */
  private static byte[] returned(String sample, String verp, JsonNode email) {
    String text = new String(sample(sample, verp), StandardCharsets.UTF_8);
    return text.replace(MESSAGE_ID, email.path("messageId").asString())
        .getBytes(StandardCharsets.UTF_8);
  }

  private static java.util.List<String> eventTypes(JsonNode email) {
    java.util.List<String> types = new java.util.ArrayList<>();
    email.path("events").forEach(e -> types.add(e.path("type").asString()));
    return types;
  }

  private static JsonNode event(JsonNode email, String type) {
    for (JsonNode e : email.path("events")) {
      if (e.path("type").asString().equals(type)) {
        return e;
      }
    }
    throw new AssertionError("no " + type + " event in " + email.path("events"));
  }
}
