package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;

/** Who may call what: keys, scopes, sender domains and rate limits, as a caller sees them. */
@TestPropertySource(
    properties = {
      "mailroom.api-keys[1].name=reader",
      "mailroom.api-keys[1].project=test",
      "mailroom.api-keys[1].hash=" + ApiKeyTest.READER_HASH,
      "mailroom.api-keys[1].scopes=read",
      "mailroom.api-keys[2].name=billing",
      "mailroom.api-keys[2].hash=" + ApiKeyTest.BILLING_HASH,
      "mailroom.api-keys[2].scopes=send",
      "mailroom.api-keys[2].allowed-sender-domains=billing.acme.example,*.shop.example",
      "mailroom.api-keys[3].name=limited",
      "mailroom.api-keys[3].hash=" + ApiKeyTest.LIMITED_HASH,
      "mailroom.api-keys[3].scopes=send,read",
      "mailroom.api-keys[3].rate-limit.per-second=0.01",
      "mailroom.api-keys[3].rate-limit.burst=2"
    })
class ApiKeyTest extends ScriptedRelayTest {

  static final String READER = "mr_test_reader";
  static final String READER_HASH =
      "7450cec1b716431f059af47bf7277cbf28c3bf07fb751b3694616c7b7ba91b6a";
  static final String BILLING = "mr_test_billing";
  static final String BILLING_HASH =
      "0903ac5eb623724edfd50e287b19c465f26200c35c8ed97ed9eab15792edbf89";
  static final String LIMITED = "mr_test_limited";
  static final String LIMITED_HASH =
      "e0b75c4ff2975785b366292bfe5d61d81160494afe4596bbbc355a1018099f10";

  static final String EMAIL = "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\"}";

  @LocalManagementPort int managementPort;

  @Test
  void requestWithoutAKeyIs401WithABearerChallenge() {
    Api.Response response = api.withoutKey().post("/emails", EMAIL);

    assertProblem(response, 401);
    assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(response.body().path("detail").asString()).contains("Authorization: Bearer");
    assertThat(response.body().path("instance").asString()).isEqualTo("/emails");
    assertThat(count("emails")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "Token mr_test_all_scopes"})
  void malformedAuthorizationHeaderIs401(String header) {
    Api.Response response = api.withoutKey().post("/emails", EMAIL, "Authorization", header);

    assertProblem(response, 401);
    assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(count("emails")).isZero();
  }

  @Test
  void unknownKeyIs401InvalidToken() {
    Api.Response response = api.withKey("mr_not_a_configured_key").post("/emails", EMAIL);

    assertProblem(response, 401);
    assertThat(response.header("WWW-Authenticate")).startsWith("Bearer").contains("invalid_token");
    assertThat(count("emails")).isZero();
  }

  @Test
  void schemeIsCaseInsensitive() {
    Api.Response response =
        api.withoutKey().post("/emails", EMAIL, "Authorization", "bearer mr_test_all_scopes");

    assertThat(response.status()).isEqualTo(202);
  }

  @Test
  void keyWithoutTheSendScopeCannotSend() {
    Api.Response response = api.withKey(READER).post("/emails", EMAIL);

    assertProblem(response, 403);
    assertThat(response.body().path("detail").asString()).contains("'send' scope");
    assertThat(response.header("WWW-Authenticate")).contains("insufficient_scope");
    assertThat(count("emails")).isZero();
  }

  @Test
  void keyWithoutTheReadScopeCannotReadButReaderCan() {
    String id = api.post("/emails", EMAIL).body().path("id").asString();

    Api.Response billing = api.withKey(BILLING).get("/emails/" + id);
    Api.Response reader = api.withKey(READER).get("/emails/" + id);

    assertProblem(billing, 403);
    assertThat(billing.body().path("detail").asString()).contains("'read' scope");
    assertThat(reader.status()).isEqualTo(200);
    assertThat(reader.body().path("id").asString()).isEqualTo(id);
  }

  @Test
  void cancellingNeedsTheSendScope() {
    Api.Response response =
        api.withKey(READER).post("/emails/" + UUID.randomUUID() + "/cancel", "{}");

    assertProblem(response, 403);
    assertThat(response.body().path("detail").asString()).contains("'send' scope");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "invoices@billing.acme.example",
        "Billing <invoices@BILLING.Acme.Example>",
        "orders@eu.shop.example"
      })
  void senderInAnAllowedDomainIsAccepted(String from) {
    Api.Response response = api.withKey(BILLING).post("/emails", withFrom(from));

    assertThat(response.status()).isEqualTo(202);
    assertThat(count("emails")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ceo@acme.example",
        "x@evilbilling.acme.example",
        "x@billing.acme.example.evil.test",
        "x@shop.example"
      })
  void senderOutsideTheAllowedDomainsIs403NamingFrom(String from) {
    Api.Response response = api.withKey(BILLING).post("/emails", withFrom(from));

    assertProblem(response, 403);
    assertThat(response.body().path("errors").get(0).path("pointer").asString()).isEqualTo("/from");
    assertThat(count("emails")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(50));
  }

  @Test
  void requestWithoutFromIsSentAsTheDefaultSender() {
    Api.Response response = api.withKey(BILLING).post("/emails", EMAIL);

    assertThat(response.status()).isEqualTo(202);
  }

  @Test
  void keyWithoutDomainsMaySendFromAnyDomain() {
    assertThat(api.post("/emails", withFrom("anyone@anywhere.example")).status()).isEqualTo(202);
  }

  @Test
  void unknownRouteNeedsAKeyAndIsThen404() {
    assertProblem(api.withoutKey().get("/no/such/route"), 401);
    assertProblem(api.get("/no/such/route"), 404);
  }

  @Test
  void keyOverItsRateLimitIs429WithRetryAfter() {
    Api.Response first = api.withKey(LIMITED).get("/emails/" + UUID.randomUUID());
    Api.Response second = api.withKey(LIMITED).get("/emails/" + UUID.randomUUID());
    Api.Response third = api.withKey(LIMITED).get("/emails/" + UUID.randomUUID());
    Api.Response otherKey = api.get("/emails/" + UUID.randomUUID());

    assertThat(first.status()).isEqualTo(404);
    assertThat(second.status()).isEqualTo(404);
    assertProblem(third, 429);
    assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 100L);
    assertThat(third.body().path("detail").asString()).contains("limited");
    assertThat(otherKey.status()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus"})
  void managementPortNeedsNoKey(String path) {
    Api.Response response =
        api.withoutKey()
            .send(
                HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + managementPort + path))
                    .header("Authorization", "Bearer not-a-key")
                    .GET()
                    .build());

    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void managementEndpointsAreNotOnTheApiPort() {
    assertProblem(api.withoutKey().get("/actuator/health"), 401);
  }

  private static String withFrom(String from) {
    return "{\"from\":\"" + from + "\"," + EMAIL.substring(1);
  }

  private static void assertProblem(Api.Response response, int status) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("status").asInt()).isEqualTo(status);
    assertThat(response.body().path("title").asString()).isNotBlank();
  }
}
