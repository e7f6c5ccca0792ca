package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.webhook.WebhookReceiver.Request;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Events of real emails, delivered to a real HTTP receiver that checks every request the way
 * Standard Webhooks tells a receiver to.
 */
class WebhookDeliveryTest extends ScriptedRelayTest {

  static final WebhookReceiver receiver = new WebhookReceiver();

  @BeforeEach
  void clean() {
    receiver.reset();
    jdbc.sql("DELETE FROM webhook_endpoints").update();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void sentEmailIsAnnouncedSignedPerStandardWebhooks() {
    JsonNode endpoint = createEndpoint(receiver.url(), null);
    String secret = endpoint.path("secret").asString();

    String id = send("a@example.com");
    Request accepted = receiver.awaitEvent("email.accepted", id);
    Request sent = receiver.awaitEvent("email.sent", id);

    assertThat(WebhookReceiver.verify(accepted, secret)).isEqualTo(1);
    assertThat(WebhookReceiver.verify(sent, secret)).isEqualTo(1);
    assertThat(sent.header("content-type")).startsWith("application/json");
    assertThat(sent.webhookId()).startsWith("msg_").isNotEqualTo(accepted.webhookId());
    JsonNode body = sent.json();
    assertThat(body.path("type").asString()).isEqualTo("email.sent");
    assertThat(Instant.parse(body.path("timestamp").asString())).isBefore(Instant.now());
    JsonNode data = body.path("data");
    assertThat(data.path("emailId").asString()).isEqualTo(id);
    assertThat(data.path("project").asString()).isNotBlank();
    assertThat(data.path("smtpCode").asInt()).isEqualTo(250);
    assertThat(data.path("relay").asString()).isEqualTo("test-relay");
    assertThat(data.path("recipients").get(0).path("email").asString()).isEqualTo("a@example.com");
    assertThat(data.path("recipients").get(0).path("status").asString()).isEqualTo("ACCEPTED");
  }

  @Test
  void deferredAndFailedEmailsAreAnnouncedWithTheRelaysReply() {
    String secret = createEndpoint(receiver.url(), null).path("secret").asString();
    relay.alwaysFailDataWith("451 4.3.0 Mailbox busy, try later");

    String deferredId = send("busy@example.com");
    Request deferred = receiver.awaitEvent("email.deferred", deferredId);
    relay.reset();
    relay.rejectRecipient("nobody@example.com", "550 5.1.1 No such user");
    String failedId = send("nobody@example.com");
    Request failed = receiver.awaitEvent("email.failed", failedId);

    assertThat(WebhookReceiver.verify(deferred, secret)).isEqualTo(1);
    JsonNode deferredData = deferred.json().path("data");
    assertThat(deferredData.path("smtpCode").asInt()).isEqualTo(451);
    assertThat(deferredData.path("enhancedCode").asString()).isEqualTo("4.3.0");
    assertThat(deferredData.path("diagnostic").asString()).contains("Mailbox busy");
    assertThat(deferredData.path("nextAttemptAt").asString()).isNotBlank();

    assertThat(WebhookReceiver.verify(failed, secret)).isEqualTo(1);
    JsonNode failedData = failed.json().path("data");
    assertThat(failedData.path("reason").asString()).isEqualTo("REJECTED");
    JsonNode recipient = failedData.path("recipients").get(0);
    assertThat(recipient.path("email").asString()).isEqualTo("nobody@example.com");
    assertThat(recipient.path("smtpCode").asInt()).isEqualTo(550);
    assertThat(recipient.path("enhancedCode").asString()).isEqualTo("5.1.1");
    assertThat(recipient.path("diagnostic").asString()).contains("No such user");
  }

  @Test
  void cancelledEmailIsAnnounced() {
    String secret =
        createEndpoint(receiver.url(), "[\"email.cancelled\"]").path("secret").asString();
    String id =
        sendJson(
            "{\"to\": [\"later@example.com\"], \"subject\": \"Later\", \"text\": \"Hi\","
                + " \"sendAt\": \""
                + Instant.now().plusSeconds(3600)
                + "\"}");

    assertThat(api.post("/emails/" + id + "/cancel", "").status()).isEqualTo(200);
    Request cancelled = receiver.awaitEvent("email.cancelled", id);

    assertThat(WebhookReceiver.verify(cancelled, secret)).isEqualTo(1);
    assertThat(receiver.requests()).extracting(Request::type).containsOnly("email.cancelled");
  }

  @Test
  void emailViewShowsTheTimeline() {
    String id = send("timeline@example.com");
    JsonNode email = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(30));

    JsonNode events = email.path("events");
    assertThat(events)
        .extracting(e -> e.path("type").asString())
        .containsExactly("email.accepted", "email.sent");
    assertThat(events.get(1).path("data").path("smtpCode").asInt()).isEqualTo(250);
    assertThat(events.get(1).path("at").asString()).isNotBlank();
  }

  @Test
  void receiverErrorsAreRetriedWithTheSameWebhookId() {
    JsonNode endpoint = createEndpoint(receiver.url(), "[\"email.sent\"]");
    String secret = endpoint.path("secret").asString();
    receiver.answer(500, 503);

    String id = send("retry@example.com");
    List<Request> tries =
        receiver.await("three tries", rs -> rs.size() >= 3, Duration.ofSeconds(30));

    assertThat(tries).extracting(Request::webhookId).containsOnly(tries.get(0).webhookId());
    assertThat(tries).allSatisfy(r -> assertThat(WebhookReceiver.verify(r, secret)).isEqualTo(1));
    assertThat(tries).extracting(Request::emailId).containsOnly(id);
    assertThat(tries.get(2).body()).isEqualTo(tries.get(0).body());
    JsonNode log = awaitLog(endpoint, l -> "DELIVERED".equals(l.path(0).path("status").asString()));
    JsonNode delivery = log.get(0);
    assertThat(delivery.path("webhookId").asString()).isEqualTo(tries.get(0).webhookId());
    assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
    assertThat(delivery.path("tries"))
        .extracting(t -> t.path("statusCode").asInt())
        .containsExactly(500, 503, 204);
  }

  @Test
  void onlyTheChosenEventTypesAreDelivered() {
    JsonNode endpoint = createEndpoint(receiver.url(), "[\"email.failed\"]");

    String id = send("fine@example.com");
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(30));

    // Deliveries are queued in the transaction of the event: none exists for the sent email.
    assertThat(
            jdbc.sql("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = :id")
                .param("id", java.util.UUID.fromString(endpoint.path("id").asString()))
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void afterRotationDeliveriesCarryBothSignatures() {
    JsonNode endpoint = createEndpoint(receiver.url(), "[\"email.sent\"]");
    String old = endpoint.path("secret").asString();
    Api.Response rotated =
        api.post("/webhooks/" + endpoint.path("id").asString() + "/rotate-secret", "");
    String fresh = rotated.body().path("secret").asString();

    String id = send("rotated@example.com");
    Request sent = receiver.awaitEvent("email.sent", id);

    assertThat(rotated.status()).isEqualTo(200);
    assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
    assertThat(rotated.body().path("previousSecretExpiresAt").asString()).isNotBlank();
    assertThat(sent.header("webhook-signature").split(" ")).hasSize(2);
    assertThat(WebhookReceiver.verify(sent, old, fresh)).isEqualTo(2);
  }

  @Test
  void goneDisablesTheEndpointAndSaysSo() {
    JsonNode endpoint = createEndpoint(receiver.url(), "[\"email.sent\"]");
    receiver.answer(410);

    send("gone@example.com");
    receiver.await("one try", rs -> !rs.isEmpty(), Duration.ofSeconds(30));

    JsonNode after =
        org.awaitility.Awaitility.await("endpoint disabled")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> api.get("/webhooks/" + endpoint.path("id").asString()).body(),
                b -> !b.path("enabled").asBoolean(true));
    assertThat(after.path("disabledReason").asString()).contains("410");
    assertThat(after.path("disabledAt").asString()).isNotBlank();
  }

  @Test
  void endpointFailingForDaysIsDisabledSaysWhenAndWhyAndItsEventsWaitForAReplay() {
    JsonNode endpoint = createEndpoint(receiver.url(), "[\"email.sent\"]");
    String path = "/webhooks/" + endpoint.path("id").asString();
    receiver.answer(java.util.Collections.nCopies(200, 500).toArray(Integer[]::new));
    String first = send("down@example.com");
    receiver.awaitEvent("email.sent", first);
    // Its failures started six days ago, longer than mailroom.webhooks.disable-after (5d).
    jdbc.sql("UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' WHERE id = ?")
        .param(UUID.fromString(endpoint.path("id").asString()))
        .update();

    JsonNode disabled =
        org.awaitility.Awaitility.await("endpoint disabled")
            .atMost(Duration.ofSeconds(30))
            .until(() -> api.get(path).body(), b -> !b.path("enabled").asBoolean(true));
    assertThat(disabled.path("disabledReason").asString())
        .startsWith("every delivery failed since")
        .contains("HTTP 500");
    Instant disabledAt = Instant.parse(disabled.path("disabledAt").asString());
    assertThat(disabledAt).isBefore(Instant.now()).isAfter(Instant.now().minusSeconds(60));

    String second = send("meanwhile@example.com");
    api.awaitEmail(second, Api.status("SENT"), Duration.ofSeconds(10));
    JsonNode log =
        awaitLog(
            endpoint,
            l ->
                l.size() == 2
                    && "FAILED".equals(l.path(0).path("status").asString())
                    && "FAILED".equals(l.path(1).path("status").asString()));
    int triesBefore = receiver.requests().size();
    assertThat(log.path(0).path("emailId").asString()).isEqualTo(second);
    assertThat(log.path(0).path("lastError").asString()).contains("disabled");
    assertThat(log.path(1).path("emailId").asString()).isEqualTo(first);
    assertThat(log.path(1).path("lastStatusCode").asInt()).isEqualTo(500);
    String replayPath = path + "/deliveries/" + log.path(0).path("id").asString() + "/replay";
    assertThat(api.post(replayPath, "").status()).isEqualTo(409);
    assertThat(receiver.requests()).hasSize(triesBefore);

    Api.Response enabled = WebhookApiTest.patch(api, path, "{\"enabled\": true}");
    assertThat(enabled.status()).isEqualTo(200);
    assertThat(enabled.body().path("enabled").asBoolean()).isTrue();
    assertThat(enabled.body().has("disabledReason")).isFalse();
    assertThat(enabled.body().has("disabledAt")).isFalse();
    receiver.reset();
    assertThat(api.post(replayPath, "").status()).isEqualTo(202);
    assertThat(
            api.post(path + "/deliveries/" + log.path(1).path("id").asString() + "/replay", "")
                .status())
        .isEqualTo(202);

    Request replayed = receiver.awaitEvent("email.sent", second);
    assertThat(replayed.webhookId()).isEqualTo(log.path(0).path("webhookId").asString());
    assertThat(WebhookReceiver.verify(replayed, endpoint.path("secret").asString())).isEqualTo(1);
    assertThat(receiver.awaitEvent("email.sent", first).webhookId())
        .isEqualTo(log.path(1).path("webhookId").asString());
    awaitLog(
        endpoint,
        l ->
            "DELIVERED".equals(l.path(0).path("status").asString())
                && "DELIVERED".equals(l.path(1).path("status").asString()));
  }

  @Test
  void replayDeliversAgainWithTheSameWebhookId() {
    JsonNode endpoint = createEndpoint(receiver.url(), "[\"email.sent\"]");
    String id = send("replay@example.com");
    Request first = receiver.awaitEvent("email.sent", id);
    JsonNode log = awaitLog(endpoint, l -> "DELIVERED".equals(l.path(0).path("status").asString()));

    Api.Response replay =
        api.post(
            "/webhooks/"
                + endpoint.path("id").asString()
                + "/deliveries/"
                + log.get(0).path("id").asString()
                + "/replay",
            "");
    List<Request> both = receiver.await("the replay", rs -> rs.size() >= 2, Duration.ofSeconds(30));

    assertThat(replay.status()).isEqualTo(202);
    assertThat(both.get(1).webhookId()).isEqualTo(first.webhookId());
    assertThat(both.get(1).body()).isEqualTo(first.body());
  }

  private JsonNode awaitLog(JsonNode endpoint, java.util.function.Predicate<JsonNode> condition) {
    return org.awaitility.Awaitility.await("delivery log")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                api.get("/webhooks/" + endpoint.path("id").asString() + "/deliveries")
                    .body()
                    .path("deliveries"),
            condition);
  }

  private JsonNode createEndpoint(String url, String eventsJson) {
    Api.Response response =
        api.post(
            "/webhooks",
            "{\"url\": \""
                + url
                + "\""
                + (eventsJson == null ? "" : ", \"events\": " + eventsJson)
                + "}");
    assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
    return response.body();
  }

  private String send(String to) {
    return sendJson("{\"to\": [\"" + to + "\"], \"subject\": \"Hello\", \"text\": \"Hi\"}");
  }

  private String sendJson(String json) {
    Api.Response response = api.post("/emails", json);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  static HttpRequest.Builder request(Api api, String path) {
    return HttpRequest.newBuilder(api.uri(path)).timeout(Duration.ofSeconds(30));
  }
}
