package dev.mailroom.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The suppression list as callers see it: the API within one project, suppressed recipients at
 * intake (never reaching the relay), the relay's "no such mailbox" suppressing automatically, and
 * two projects that never see or block each other.
 */
@TestPropertySource(
    properties = {
      "mailroom.api-keys[1].name=test-suppressions",
      "mailroom.api-keys[1].project=test",
      "mailroom.api-keys[1].hash=" + SuppressionsTest.SUPPRESSIONS_HASH,
      "mailroom.api-keys[1].scopes=suppressions",
      "mailroom.api-keys[2].name=test-reader",
      "mailroom.api-keys[2].project=test",
      "mailroom.api-keys[2].hash=" + SuppressionsTest.READER_HASH,
      "mailroom.api-keys[2].scopes=read",
      "mailroom.api-keys[3].name=shop",
      "mailroom.api-keys[3].project=shop",
      "mailroom.api-keys[3].hash=" + SuppressionsTest.SHOP_HASH,
      "mailroom.api-keys[3].scopes=send,read,suppressions"
    })
class SuppressionsTest extends ScriptedRelayTest {

  static final String SUPPRESSIONS = "mr_test_supp";
  static final String SUPPRESSIONS_HASH =
      "1505b946e6b3b50c814a7c5ef021687c0c99dac6c6e70c1ee9dc02a834f7fdfa";
  static final String READER = "mr_test_supp_reader";
  static final String READER_HASH =
      "bac1e8232db313d764d5e8ce8e699eca97cec659cb0f257a7d50200aa3ffe9ea";
  static final String SHOP = "mr_test_shop_supp";
  static final String SHOP_HASH =
      "57fdcecceec15534312202c5faf17cd8689013bacf822d73b3a5435798353a24";

  private Api manager;
  private Api reader;
  private Api shop;

  @BeforeEach
  void keys() {
    jdbc.sql("TRUNCATE suppressions").update();
    manager = api.withKey(SUPPRESSIONS);
    reader = api.withKey(READER);
    shop = api.withKey(SHOP);
  }

  // The API

  @Test
  void putSuppressesTheAddressInLowerCaseAndGetShowsIt() {
    Api.Response put = put(manager, "Jane.Doe@Example.COM", "MANUAL", "asked to stop");

    assertThat(put.status()).isEqualTo(201);
    assertThat(put.body().path("address").asString()).isEqualTo("jane.doe@example.com");
    assertThat(put.body().path("reason").asString()).isEqualTo("MANUAL");
    assertThat(put.body().path("detail").asString()).isEqualTo("asked to stop");
    Api.Response got = manager.get("/suppressions/JANE.DOE@example.com");
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body().path("address").asString()).isEqualTo("jane.doe@example.com");
    assertThat(got.body().path("createdAt").isMissingNode()).isFalse();
  }

  @Test
  void putAgainChangesTheReasonAndAnswers200() {
    put(manager, "jane@example.com", "MANUAL", null);

    Api.Response again = put(manager, "jane@example.com", "COMPLAINT", "by phone");

    assertThat(again.status()).isEqualTo(200);
    assertThat(manager.get("/suppressions/jane@example.com").body().path("reason").asString())
        .isEqualTo("COMPLAINT");
  }

  @Test
  void putWithoutAValidReasonIs422AndStoresNothing() {
    Api.Response missing = put(manager, "jane@example.com", null, null);
    Api.Response unknown = put(manager, "jane@example.com", "BORED", null);

    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.body().path("errors").get(0).path("pointer").asString())
        .isEqualTo("/reason");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(count("suppressions")).isZero();
  }

  @Test
  void putOfSomethingThatIsNotAnAddressIs422() {
    Api.Response response = put(manager, "not-an-address", "MANUAL", null);

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").get(0).path("parameter").asString())
        .isEqualTo("address");
    assertThat(count("suppressions")).isZero();
  }

  @Test
  void deleteRemovesTheSuppressionAndTheAddressIsSentToAgain() {
    put(manager, "jane@example.com", "MANUAL", null);

    assertThat(manager.send(request("DELETE", "/suppressions/jane@example.com", null)).status())
        .isEqualTo(204);

    assertThat(manager.get("/suppressions/jane@example.com").status()).isEqualTo(404);
    assertThat(manager.send(request("DELETE", "/suppressions/jane@example.com", null)).status())
        .isEqualTo(404);
    Api.Response sent = send(api, "jane@example.com");
    assertThat(sent.body().path("status").asString()).isEqualTo("QUEUED");
    assertThat(relay.awaitReceived(1, Duration.ofSeconds(10)).get(0).recipients())
        .containsExactly("jane@example.com");
  }

  @Test
  void listPagesInAddressOrderAndFiltersByReason() {
    for (String address : List.of("d@example.com", "a@example.com", "c@example.com")) {
      put(manager, address, "MANUAL", null);
    }
    put(manager, "b@example.com", "HARD_BOUNCE", null);

    JsonNode first = manager.get("/suppressions?limit=2").body();
    assertThat(addresses(first)).containsExactly("a@example.com", "b@example.com");
    JsonNode second =
        manager.get("/suppressions?limit=2&after=" + first.path("next").asString()).body();
    assertThat(addresses(second)).containsExactly("c@example.com", "d@example.com");
    assertThat(second.path("next").isMissingNode() || second.path("next").isNull()).isTrue();
    assertThat(addresses(manager.get("/suppressions?reason=hard_bounce").body()))
        .containsExactly("b@example.com");
    assertThat(manager.get("/suppressions?reason=BORED").status()).isEqualTo(422);
    assertThat(manager.get("/suppressions?limit=0").status()).isEqualTo(422);
  }

  @Test
  void readScopeReadsTheListButCannotChangeIt() {
    put(manager, "jane@example.com", "MANUAL", null);

    assertThat(reader.get("/suppressions/jane@example.com").status()).isEqualTo(200);
    assertThat(addresses(reader.get("/suppressions").body())).containsExactly("jane@example.com");
    assertThat(put(reader, "joe@example.com", "MANUAL", null).status()).isEqualTo(403);
    assertThat(reader.send(request("DELETE", "/suppressions/jane@example.com", null)).status())
        .isEqualTo(403);
    assertThat(manager.get("/suppressions/jane@example.com").status()).isEqualTo(200);
  }

  @Test
  void suppressionsScopeAloneCannotSendOrReadEmails() {
    assertThat(send(manager, "jane@example.com").status()).isEqualTo(403);
    assertThat(manager.get("/emails").status()).isEqualTo(403);
  }

  // Projects apart

  @Test
  void anotherProjectNeitherSeesNorRemovesTheSuppression() {
    put(manager, "jane@example.com", "MANUAL", null);

    assertThat(shop.get("/suppressions/jane@example.com").status()).isEqualTo(404);
    assertThat(addresses(shop.get("/suppressions").body())).isEmpty();
    assertThat(shop.send(request("DELETE", "/suppressions/jane@example.com", null)).status())
        .isEqualTo(404);
    assertThat(manager.get("/suppressions/jane@example.com").status()).isEqualTo(200);
  }

  @Test
  void aProjectsSuppressionNeverBlocksAnotherProjectsSend() {
    put(manager, "jane@example.com", "MANUAL", null);

    Api.Response ours = send(api, "jane@example.com");
    Api.Response theirs = send(shop, "jane@example.com");

    assertThat(ours.body().path("status").asString()).isEqualTo("FAILED");
    assertThat(theirs.body().path("status").asString()).isEqualTo("QUEUED");
    shop.awaitEmail(
        theirs.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(relay.received()).hasSize(1);
  }

  @Test
  void concurrentSendsOfTwoProjectsAreEachCheckedAgainstTheirOwnList() throws Exception {
    put(manager, "jane@example.com", "MANUAL", null);
    ExecutorService callers = Executors.newFixedThreadPool(24);
    try {
      // Sent at once, so they are stored in shared transactions, both projects mixed.
      List<Future<Api.Response>> ours = new ArrayList<>();
      List<Future<Api.Response>> theirs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ours.add(callers.submit(() -> send(api, "jane@example.com")));
        theirs.add(callers.submit(() -> send(shop, "jane@example.com")));
      }
      for (Future<Api.Response> response : ours) {
        assertThat(response.get(30, TimeUnit.SECONDS).body().path("status").asString())
            .isEqualTo("FAILED");
      }
      for (Future<Api.Response> response : theirs) {
        JsonNode body = response.get(30, TimeUnit.SECONDS).body();
        assertThat(body.path("status").asString()).isEqualTo("QUEUED");
        shop.awaitEmail(body.path("id").asString(), Api.status("SENT"), Duration.ofSeconds(20));
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(relay.received()).hasSize(12);
  }

  @Test
  void sameAddressMayBeSuppressedByBothProjectsWithTheirOwnReasons() {
    put(manager, "jane@example.com", "MANUAL", null);
    put(shop, "jane@example.com", "COMPLAINT", null);

    assertThat(manager.get("/suppressions/jane@example.com").body().path("reason").asString())
        .isEqualTo("MANUAL");
    assertThat(shop.get("/suppressions/jane@example.com").body().path("reason").asString())
        .isEqualTo("COMPLAINT");
  }

  // Intake

  @Test
  void suppressedRecipientIsMarkedAndTheOthersAreSent() {
    put(manager, "gone@example.com", "HARD_BOUNCE", null);

    Api.Response response = send(api, "ann@example.com", "GONE@example.com");

    assertThat(response.status()).isEqualTo(202);
    assertThat(response.body().path("status").asString()).isEqualTo("QUEUED");
    JsonNode sent =
        api.awaitEmail(
            response.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(sent.path("recipients").get(0).path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(sent.path("recipients").get(1).path("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(relay.received())
        .singleElement()
        .satisfies(
            received -> assertThat(received.recipients()).containsExactly("ann@example.com"));
  }

  @Test
  void emailWithEveryRecipientSuppressedIsAcceptedAsFailedAndNeverReachesTheRelay() {
    put(manager, "gone@example.com", "HARD_BOUNCE", null);
    put(manager, "left@example.com", "MANUAL", null);

    Api.Response response = send(api, "gone@example.com", "left@example.com");

    assertThat(response.status()).isEqualTo(202);
    assertThat(response.body().path("status").asString()).isEqualTo("FAILED");
    assertThat(response.body().path("failureReason").asString()).isEqualTo("SUPPRESSED");
    JsonNode stored = api.get("/emails/" + response.body().path("id").asString()).body();
    assertThat(stored.path("status").asString()).isEqualTo("FAILED");
    assertThat(stored.path("failureReason").asString()).isEqualTo("SUPPRESSED");
    assertThat(stored.path("recipients").valueStream().map(r -> r.path("status").asString()))
        .containsOnly("SUPPRESSED");
    relay.assertNothingReceivedFor(Duration.ofMillis(500));
  }

  @Test
  void batchMarksSuppressedRecipientsPerEmail() {
    put(manager, "gone@example.com", "MANUAL", null);

    Api.Response response =
        api.post(
            "/emails/batch",
            """
            {"emails": [
              {"to": ["gone@example.com"], "subject": "One", "text": "1"},
              {"to": ["ann@example.com", "gone@example.com"], "subject": "Two", "text": "2"}
            ]}
            """);

    assertThat(response.status()).isEqualTo(202);
    JsonNode emails = response.body().path("emails");
    assertThat(emails.get(0).path("status").asString()).isEqualTo("FAILED");
    assertThat(emails.get(0).path("failureReason").asString()).isEqualTo("SUPPRESSED");
    assertThat(emails.get(1).path("status").asString()).isEqualTo("QUEUED");
    assertThat(emails.get(1).path("failureReason").isMissingNode()).isTrue();
    api.awaitEmail(emails.get(1).path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(relay.received())
        .singleElement()
        .satisfies(
            received -> assertThat(received.recipients()).containsExactly("ann@example.com"));
  }

  // Refusals at RCPT

  @Test
  void relaysNoSuchMailboxSuppressesTheAddressButAPolicyRefusalDoesNot() {
    relay.rejectRecipient("ghost@example.com", "550 5.1.1 No such user here");
    relay.rejectRecipient("closed@example.com", "550 5.2.1 Mailbox disabled");
    relay.rejectRecipient("picky@example.com", "550 5.7.1 Relaying denied");

    Api.Response response =
        send(
            api, "ann@example.com", "ghost@example.com", "closed@example.com", "picky@example.com");
    api.awaitEmail(
        response.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));

    JsonNode list = manager.get("/suppressions").body();
    assertThat(addresses(list)).containsExactly("closed@example.com", "ghost@example.com");
    assertThat(list.path("suppressions").get(0).path("reason").asString())
        .isEqualTo("MAILBOX_DISABLED");
    assertThat(list.path("suppressions").get(1).path("reason").asString())
        .isEqualTo("MAILBOX_UNKNOWN");
    assertThat(list.path("suppressions").get(1).path("detail").asString()).contains("5.1.1");
    assertThat(shop.get("/suppressions/ghost@example.com").status()).isEqualTo(404);
  }

  private static List<String> addresses(JsonNode page) {
    return page.path("suppressions").valueStream().map(s -> s.path("address").asString()).toList();
  }

  private static Api.Response send(Api as, String... to) {
    StringBuilder recipients = new StringBuilder();
    for (String address : to) {
      recipients.append(recipients.isEmpty() ? "" : ", ").append('"').append(address).append('"');
    }
    return as.post(
        "/emails",
        """
        {"to": [%s], "subject": "Hello", "text": "Hi"}
        """
            .formatted(recipients));
  }

  private Api.Response put(Api as, String address, String reason, String detail) {
    StringBuilder body = new StringBuilder("{");
    if (reason != null) {
      body.append("\"reason\": \"").append(reason).append('"');
    }
    if (detail != null) {
      body.append(reason != null ? ", " : "").append("\"detail\": \"").append(detail).append('"');
    }
    return as.send(request("PUT", "/suppressions/" + address, body.append('}').toString()));
  }

  private HttpRequest request(String method, String path, String json) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(api.uri(path)).timeout(Duration.ofSeconds(30));
    if (json == null) {
      return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    return builder
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json))
        .build();
  }
}
