package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * As in production, private networks are not allowed: URLs resolving to them are refused when an
 * endpoint is made or changed, and again before each delivery, when a name may have come to resolve
 * elsewhere.
 */
@TestPropertySource(
    properties = {
      "mailroom.webhooks.allow-private-networks=false",
      "mailroom.webhooks.connect-timeout=1s"
    })
@Import(WebhookSsrfTest.Rebinding.class)
class WebhookSsrfTest extends ScriptedRelayTest {

  static final WebhookReceiver receiver = new WebhookReceiver();

  static final String REBINDING_HOST = "hooks.rebind.test";

  /**
   * Lookups of {@link #REBINDING_HOST}, answered from {@link #answers}; others go to the system.
   */
  static final List<String> lookups = new CopyOnWriteArrayList<>();

  static final Deque<String> answers = new ConcurrentLinkedDeque<>();

  /** After the scripted answers run out, the name resolves to this. */
  static volatile String lastAnswer = "127.0.0.1";

  @TestConfiguration
  static class Rebinding {
    @Bean
    WebhookUrls.HostResolver rebindingResolver() {
      return host -> {
        if (!host.equals(REBINDING_HOST)) {
          return InetAddress.getAllByName(host);
        }
        lookups.add(host);
        String next = answers.poll();
        return new InetAddress[] {InetAddress.getByName(next != null ? next : lastAnswer)};
      };
    }
  }

  @BeforeEach
  void clean() {
    receiver.reset();
    lookups.clear();
    answers.clear();
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
    // Waiting for its next try, or in it already (the retry is 200 ms away): never delivered.
    assertThat(log.get(0).path("status").asString()).isIn("PENDING", "SENDING");
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void theAddressCheckedIsTheAddressConnectedTo() {
    // A name that resolves to a public address while it is checked, and to the receiver on
    // loopback from the third lookup on: the endpoint is made (lookup 1), the first delivery
    // checks and connects to the public address (lookup 2, one lookup for both), and the next try
    // finds loopback (lookup 3) and refuses it. A client that looked the name up again to connect
    // after checking would have reached the receiver.
    answers.addAll(List.of("192.0.2.10", "192.0.2.10"));
    lastAnswer = "127.0.0.1";
    String url = "http://" + REBINDING_HOST + ":" + receiver.port() + "/hooks";
    Api.Response created =
        api.post("/webhooks", "{\"url\": \"" + url + "\", \"events\": [\"email.accepted\"]}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    String id = created.body().path("id").asString();

    api.post("/emails", "{\"to\": [\"a@example.com\"], \"subject\": \"Hi\", \"text\": \"Hi\"}");
    JsonNode tries =
        org.awaitility.Awaitility.await("a try refused for loopback")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    api.get("/webhooks/" + id + "/deliveries")
                        .body()
                        .path("deliveries")
                        .path(0)
                        .path("tries"),
                t ->
                    t.size() >= 2
                        && t.get(t.size() - 1).path("error").asString().contains("loopback"));

    assertThat(tries.get(0).path("error").asString()).doesNotContain("not sent");
    assertThat(tries.get(tries.size() - 1).path("error").asString())
        .startsWith("not sent: the URL resolves to a loopback address (127.0.0.1)");
    assertThat(receiver.requests()).isEmpty();
    // One lookup to create the endpoint, then exactly one per try.
    assertThat(lookups).hasSize(1 + tries.size());
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
