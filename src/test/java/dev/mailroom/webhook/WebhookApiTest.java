package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code /webhooks} as callers of two projects see it: the test key's, and {@code shop}'s. Neither
 * sees, changes or replays the other's endpoints, and one project's events never reach the other's
 * endpoints.
 */
@TestPropertySource(
    properties = {
      "mailroom.api-keys[1].name=shop-hooks",
      "mailroom.api-keys[1].project=shop",
      "mailroom.api-keys[1].hash=" + WebhookApiTest.SHOP_HASH,
      "mailroom.api-keys[1].scopes=send,read,webhooks",
      "mailroom.api-keys[2].name=reader",
      "mailroom.api-keys[2].hash=" + WebhookApiTest.READER_HASH,
      "mailroom.api-keys[2].scopes=read"
    })
class WebhookApiTest extends ScriptedRelayTest {

  /** The project of the test key (a key's project defaults to its name). */
  static final String TEST_PROJECT = "test";

  static final String SHOP = "mr_test_webhooks_shop";
  static final String SHOP_HASH =
      "31d4b845ecebc3d04b6130b31e4631ba31390e3c0a8f364ba7b3a7ef0a273785";
  static final String READER = "mr_test_read_only_hooks";
  static final String READER_HASH =
      "5c1d0153402df8cc41e61477177298ce289155f6d103c96fa5c34b0a4fc7e043";

  static final WebhookReceiver receiver = new WebhookReceiver();
  static final WebhookReceiver shopReceiver = new WebhookReceiver();

  private Api shop;

  @BeforeEach
  void clean() {
    receiver.reset();
    shopReceiver.reset();
    jdbc.sql("DELETE FROM webhook_endpoints").update();
    shop = api.withKey(SHOP);
  }

  @AfterAll
  static void stop() {
    receiver.close();
    shopReceiver.close();
  }

  @Test
  void createdEndpointShowsItsSecretOnceAndNeverAgain() {
    Api.Response created =
        api.post("/webhooks", "{\"url\": \"" + receiver.url() + "\", \"description\": \"Orders\"}");
    String id = created.body().path("id").asString();
    String secret = created.body().path("secret").asString();

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/webhooks/" + id);
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSizeBetween(24, 32);
    assertThat(created.body().path("events"))
        .extracting(JsonNode::asString)
        .contains("email.sent", "email.bounced", "email.delivery_delayed")
        .hasSize(10);
    JsonNode read = api.get("/webhooks/" + id).body();
    JsonNode list = api.get("/webhooks").body().path("webhooks");
    assertThat(read.has("secret")).isFalse();
    assertThat(read.path("description").asString()).isEqualTo("Orders");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).has("secret")).isFalse();
    assertThat(read.toString()).doesNotContain(secret.substring(6));
  }

  @Test
  void patchChangesOnlyTheFieldsGiven() {
    String id = create(api, receiver.url(), "[\"email.sent\"]").path("id").asString();

    Api.Response patched =
        patch(
            api,
            "/webhooks/" + id,
            "{\"events\": [\"email.failed\", \"email.bounced\"], \"enabled\": false}");

    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.body().path("events"))
        .extracting(JsonNode::asString)
        .containsExactly("email.failed", "email.bounced");
    assertThat(patched.body().path("enabled").asBoolean()).isFalse();
    assertThat(patched.body().path("disabledReason").asString()).isNotBlank();
    assertThat(patched.body().path("url").asString()).isEqualTo(receiver.url());
    JsonNode enabled = patch(api, "/webhooks/" + id, "{\"enabled\": true}").body();
    assertThat(enabled.path("enabled").asBoolean()).isTrue();
    assertThat(enabled.has("disabledReason")).isFalse();
  }

  @Test
  void badFieldsAreA422NamingEachAndStoreNothing() {
    Api.Response response =
        api.post(
            "/webhooks",
            "{\"url\": \"ftp://example.com/x\", \"events\": [\"email.sent\", \"email.opened\"],"
                + " \"description\": \""
                + "x".repeat(300)
                + "\"}");

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors"))
        .extracting(e -> e.path("pointer").asString())
        .containsExactlyInAnyOrder("/url", "/events/1", "/description");
    assertThat(count("webhook_endpoints")).isZero();
  }

  @Test
  void missingUrlAndUnknownFieldsAreRefused() {
    assertThat(api.post("/webhooks", "{}").status()).isEqualTo(422);
    assertThat(
            api.post("/webhooks", "{\"url\": \"" + receiver.url() + "\", \"secret\": \"x\"}")
                .status())
        .isEqualTo(400);
    assertThat(
            api.post("/webhooks", "{\"url\": \"" + receiver.url() + "\", \"events\": []}").status())
        .isEqualTo(422);
    assertThat(count("webhook_endpoints")).isZero();
  }

  @Test
  void aKeyWithoutTheWebhooksScopeIsForbidden() {
    Api reader = api.withKey(READER);

    assertThat(reader.get("/webhooks").status()).isEqualTo(403);
    assertThat(reader.post("/webhooks", "{\"url\": \"" + receiver.url() + "\"}").status())
        .isEqualTo(403);
    assertThat(count("webhook_endpoints")).isZero();
  }

  @Test
  void deletedEndpointIsGone() {
    String id = create(api, receiver.url(), null).path("id").asString();

    Api.Response deleted =
        api.send(WebhookDeliveryTest.request(api, "/webhooks/" + id).DELETE().build());

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(api.get("/webhooks/" + id).status()).isEqualTo(404);
  }

  @Test
  void anotherProjectsEndpointIsNotFoundForAnyOperation() {
    String id = create(api, receiver.url(), null).path("id").asString();

    assertThat(shop.get("/webhooks").body().path("webhooks")).isEmpty();
    assertThat(shop.get("/webhooks/" + id).status()).isEqualTo(404);
    assertThat(patch(shop, "/webhooks/" + id, "{\"enabled\": false}").status()).isEqualTo(404);
    assertThat(shop.post("/webhooks/" + id + "/rotate-secret", "").status()).isEqualTo(404);
    assertThat(shop.get("/webhooks/" + id + "/deliveries").status()).isEqualTo(404);
    assertThat(
            shop.send(WebhookDeliveryTest.request(shop, "/webhooks/" + id).DELETE().build())
                .status())
        .isEqualTo(404);
    assertThat(api.get("/webhooks/" + id).body().path("enabled").asBoolean()).isTrue();
  }

  @Test
  void anotherProjectsDeliveriesCannotBeReplayed() {
    JsonNode mine = create(api, receiver.url(), "[\"email.accepted\"]");
    JsonNode theirs = create(shop, shopReceiver.url(), "[\"email.accepted\"]");
    send(api, "a@example.com");
    receiver.await("one delivery", rs -> rs.size() == 1, Duration.ofSeconds(30));
    String delivery =
        api.get("/webhooks/" + mine.path("id").asString() + "/deliveries")
            .body()
            .path("deliveries")
            .get(0)
            .path("id")
            .asString();

    assertThat(
            shop.post(
                    "/webhooks/"
                        + mine.path("id").asString()
                        + "/deliveries/"
                        + delivery
                        + "/replay",
                    "")
                .status())
        .isEqualTo(404);
    assertThat(
            shop.post(
                    "/webhooks/"
                        + theirs.path("id").asString()
                        + "/deliveries/"
                        + delivery
                        + "/replay",
                    "")
                .status())
        .isEqualTo(404);
  }

  @Test
  void eventsOfOneProjectNeverReachAnothersEndpoints() {
    create(api, receiver.url(), null);
    create(shop, shopReceiver.url(), null);

    String mine = send(api, "mine@example.com");
    String theirs = send(shop, "theirs@example.com");
    receiver.awaitEvent("email.sent", mine);
    shopReceiver.awaitEvent("email.sent", theirs);

    assertThat(receiver.requests()).extracting(WebhookReceiver.Request::emailId).containsOnly(mine);
    assertThat(shopReceiver.requests())
        .extracting(WebhookReceiver.Request::emailId)
        .containsOnly(theirs);
    assertThat(shopReceiver.requests())
        .extracting(r -> r.json().path("data").path("project").asString())
        .containsOnly("shop");
  }

  @Test
  void deliveryLogPagesWithACursor() {
    JsonNode endpoint = create(api, receiver.url(), "[\"email.accepted\"]");
    for (int i = 0; i < 3; i++) {
      send(api, "page" + i + "@example.com");
    }
    receiver.await("three deliveries", rs -> rs.size() == 3, Duration.ofSeconds(30));
    String path = "/webhooks/" + endpoint.path("id").asString() + "/deliveries";

    JsonNode first = api.get(path + "?limit=2").body();
    JsonNode second = api.get(path + "?limit=2&cursor=" + first.path("next").asString()).body();

    assertThat(first.path("deliveries")).hasSize(2);
    assertThat(second.path("deliveries")).hasSize(1);
    assertThat(second.has("next")).isFalse();
    assertThat(api.get(path + "?cursor=nonsense").status()).isEqualTo(400);
    assertThat(api.get(path + "?limit=0").status()).isEqualTo(400);
    assertThat(api.get("/webhooks/" + UUID.randomUUID() + "/deliveries").status()).isEqualTo(404);
  }

  static JsonNode create(Api api, String url, String eventsJson) {
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

  static Api.Response patch(Api api, String path, String json) {
    return api.send(
        WebhookDeliveryTest.request(api, path)
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  static String send(Api api, String to) {
    Api.Response response =
        api.post("/emails", "{\"to\": [\"" + to + "\"], \"subject\": \"Hello\", \"text\": \"Hi\"}");
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().path("id").asString();
  }
}
