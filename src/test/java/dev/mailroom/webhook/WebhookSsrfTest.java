package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * As in production, private networks are not allowed: URLs resolving to them are refused when an
 * endpoint is made or changed, and again before each delivery, when a name may have come to resolve
 * elsewhere.
 */
@TestPropertySource(properties = "mailroom.webhooks.allow-private-networks=false")
class WebhookSsrfTest extends ScriptedRelayTest {

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

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook",
        "http://localhost/hook"
      })
  void urlResolvingToANonPublicAddressIsRefusedAndNothingStored(String url) {
    Api.Response response = api.post("/webhooks", "{\"url\": \"" + url + "\"}");

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("errors").get(0).path("pointer").asString()).isEqualTo("/url");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("only public addresses");
    assertThat(count("webhook_endpoints")).isZero();
  }

  @Test
  void changingTheUrlToALoopbackAddressIsRefused() {
    UUID id = insertEndpoint("https://93.184.215.14/hooks");

    Api.Response response =
        api.send(
            WebhookDeliveryTest.request(api, "/webhooks/" + id)
                .header("Content-Type", "application/json")
                .method(
                    "PATCH",
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"url\": \"http://127.0.0.1/\"}"))
                .build());

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").get(0).path("pointer").asString()).isEqualTo("/url");
    assertThat(api.get("/webhooks/" + id).body().path("url").asString())
        .isEqualTo("https://93.184.215.14/hooks");
  }

  @Test
  void aUrlThatNowResolvesToLoopbackIsNotCalledAtDeliveryTime() {
    // As if the name had resolved to a public address when the endpoint was made.
    UUID id = insertEndpoint(receiver.url());

    Api.Response sent =
        api.post("/emails", "{\"to\": [\"a@example.com\"], \"subject\": \"Hi\", \"text\": \"Hi\"}");
    JsonNode log =
        org.awaitility.Awaitility.await("a refused try in the log")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> api.get("/webhooks/" + id + "/deliveries").body().path("deliveries"),
                l -> l.size() > 0 && l.get(0).path("tries").size() > 0);

    assertThat(sent.status()).isEqualTo(202);
    assertThat(log.get(0).path("tries").get(0).path("error").asString())
        .contains("not sent")
        .contains("loopback");
    assertThat(log.get(0).path("status").asString()).isEqualTo("PENDING");
    assertThat(receiver.requests()).isEmpty();
  }

  private UUID insertEndpoint(String url) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO webhook_endpoints (id, project, url, event_types, secret, created_at,
                                           updated_at)
            VALUES (:id, :project, :url, ARRAY['email.accepted'], :secret, :now, :now)
            """)
        .param("id", id)
        .param("project", WebhookApiTest.TEST_PROJECT)
        .param("url", url)
        .param("secret", WebhookSecrets.generate())
        .param("now", java.sql.Timestamp.from(Instant.now()))
        .update();
    return id;
  }
}
