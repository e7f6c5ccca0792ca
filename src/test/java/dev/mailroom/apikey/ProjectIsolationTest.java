package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Two projects side by side, as their callers see them: the test key's project {@code test}, and
 * {@code shop} with two keys. Neither can read, search, cancel, replay or learn the id of the
 * other's emails, nor read or change the other's templates; both read the shared templates from
 * files and change none; an admin key sees both.
 */
@TestPropertySource(
    properties = {
      "mailroom.api-keys[1].name=shop-sender",
      "mailroom.api-keys[1].project=shop",
      "mailroom.api-keys[1].hash=" + ProjectIsolationTest.SHOP_HASH,
      "mailroom.api-keys[1].scopes=send,read,templates",
      "mailroom.api-keys[2].name=shop-reader",
      "mailroom.api-keys[2].project=shop",
      "mailroom.api-keys[2].hash=" + ProjectIsolationTest.SHOP_READER_HASH,
      "mailroom.api-keys[2].scopes=read",
      "mailroom.api-keys[3].name=ops",
      "mailroom.api-keys[3].hash=" + ProjectIsolationTest.OPS_HASH,
      "mailroom.api-keys[3].scopes=admin,send"
    })
class ProjectIsolationTest extends ScriptedRelayTest {

  static final String SHOP = "mr_test_shop";
  static final String SHOP_HASH =
      "b36fc8a5ef1ac700f595ae28251de3cfac37ff8780de877361a0c4de440b547d";
  static final String SHOP_READER = "mr_test_shop_reader";
  static final String SHOP_READER_HASH =
      "050ea3eccd01a1ffe439062970ec359a085d068d3fba67e79b14a6f09906cb42";
  static final String OPS = "mr_test_ops";
  static final String OPS_HASH = "a3f50ea956a93fab869b3235e4df4a1079e8cb28aad4dd117781a045589d5a47";

  private static final String EMAIL =
      "{\"to\": [\"a@example.com\"], \"subject\": \"Hello\", \"text\": \"Hi\"}";
  private static final String OTHER_EMAIL =
      "{\"to\": [\"b@example.com\"], \"subject\": \"Other\", \"text\": \"Hi\"}";

  /** The test key, of the project {@code test}. */
  private Api test;

  private Api shop;
  private Api shopReader;
  private Api ops;

  @BeforeEach
  void keys() {
    test = api;
    shop = api.withKey(SHOP);
    shopReader = api.withKey(SHOP_READER);
    ops = api.withKey(OPS);
  }

  // GET /emails/{id}

  @Test
  void anotherProjectsEmailIsNotFoundWithTheBodyOfAnUnknownId() {
    String id = send(test, EMAIL);
    String unknown = UUID.randomUUID().toString();

    Api.Response other = shop.get("/emails/" + id);
    Api.Response none = shop.get("/emails/" + unknown);

    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body().toString())
        .isEqualTo(none.body().toString().replace(unknown, id))
        .doesNotContain("test", "project");
    assertThat(test.get("/emails/" + id).status()).isEqualTo(200);
  }

  @Test
  void keysOfOneProjectShareItsEmails() {
    String id = send(shop, EMAIL);

    Api.Response read = shopReader.get("/emails/" + id);

    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().path("project").asString()).isEqualTo("shop");
    assertThat(ids(shopReader.get("/emails"))).containsExactly(id);
  }

  @Test
  void theEmailViewNamesItsProject() {
    String id = send(test, EMAIL);

    assertThat(test.get("/emails/" + id).body().path("project").asString()).isEqualTo("test");
    assertThat(test.get("/emails").body().path("emails").get(0).path("project").asString())
        .isEqualTo("test");
  }

  // GET /emails

  @Test
  void searchListsTheKeysProjectOnlyWhateverTheFilter() {
    String mine = send(test, EMAIL);
    String theirs = send(shop, EMAIL);

    assertThat(ids(test.get("/emails"))).containsExactly(mine);
    assertThat(ids(shop.get("/emails"))).containsExactly(theirs);
    assertThat(ids(shop.get("/emails?recipient=a@example.com"))).containsExactly(theirs);
    assertThat(ids(shop.get("/emails?createdAfter=2000-01-01T00:00:00Z"))).containsExactly(theirs);
    assertThat(ids(shop.get("/emails?project=shop"))).containsExactly(theirs);
  }

  @Test
  void searchingAnotherProjectNeedsTheAdminScope() {
    send(test, EMAIL);

    Api.Response response = shop.get("/emails?project=test");

    assertThat(response.status()).isEqualTo(403);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("errors").get(0).path("parameter").asString())
        .isEqualTo("project");
    assertThat(response.body().path("emails").isMissingNode()).isTrue();
  }

  // POST /emails/{id}/cancel

  @Test
  void cancellingAnotherProjectsEmailIsNotFoundAndLeavesItScheduled() {
    String id = send(test, scheduled());
    String unknown = UUID.randomUUID().toString();

    Api.Response other = shop.post("/emails/" + id + "/cancel", "{}");
    Api.Response none = shop.post("/emails/" + unknown + "/cancel", "{}");

    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body().toString()).isEqualTo(none.body().toString().replace(unknown, id));
    assertThat(test.get("/emails/" + id).body().path("status").asString()).isEqualTo("SCHEDULED");
    assertThat(test.post("/emails/" + id + "/cancel", "{}").status()).isEqualTo(200);
  }

  // Idempotency-Key

  @Test
  void theSameIdempotencyKeyInAnotherProjectSendsAnotherEmail() {
    Api.Response first = test.post("/emails", EMAIL, "Idempotency-Key", "order-1");

    Api.Response other = shop.post("/emails", EMAIL, "Idempotency-Key", "order-1");
    Api.Response replay = shop.post("/emails", EMAIL, "Idempotency-Key", "order-1");

    assertThat(other.status()).isEqualTo(202);
    assertThat(other.header("Idempotent-Replayed")).isNull();
    assertThat(id(other)).isNotEqualTo(id(first));
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(id(replay)).isEqualTo(id(other));
    assertThat(count("emails")).isEqualTo(2);
  }

  @Test
  void anIdempotencyConflictNamesOnlyTheProjectsOwnEmail() {
    String theirs = id(test.post("/emails", EMAIL, "Idempotency-Key", "order-2"));

    Api.Response differentBody = shop.post("/emails", OTHER_EMAIL, "Idempotency-Key", "order-2");
    Api.Response conflict = shop.post("/emails", EMAIL, "Idempotency-Key", "order-2");

    assertThat(differentBody.status())
        .as("the key is free in this project, whatever another did with it")
        .isEqualTo(202);
    assertThat(conflict.status()).isEqualTo(422);
    assertThat(conflict.body().toString()).contains(id(differentBody)).doesNotContain(theirs);
  }

  // POST /emails/batch

  @Test
  void aBatchIsTheSendersAndItsKeyReplaysInItsProjectOnly() {
    String batch = "{\"emails\": [" + EMAIL + ", " + OTHER_EMAIL + "]}";
    Api.Response mine = test.post("/emails/batch", batch, "Idempotency-Key", "batch-1");

    Api.Response theirs = shop.post("/emails/batch", batch, "Idempotency-Key", "batch-1");
    Api.Response replay = shop.post("/emails/batch", batch, "Idempotency-Key", "batch-1");

    assertThat(theirs.status()).isEqualTo(202);
    assertThat(theirs.header("Idempotent-Replayed")).isNull();
    assertThat(batchIds(theirs)).doesNotContainAnyElementsOf(batchIds(mine));
    assertThat(batchIds(replay)).isEqualTo(batchIds(theirs));
    for (String id : batchIds(mine)) {
      assertThat(shop.get("/emails/" + id).status()).isEqualTo(404);
      assertThat(test.get("/emails/" + id).body().path("project").asString()).isEqualTo("test");
    }
  }

  // Templates

  @Test
  void anotherProjectsTemplateIsNotFoundForReadingPreviewingOrArchiving() {
    String name = uniqueName();
    assertThat(put(shop, name, template("Shop's")).status()).isEqualTo(201);

    assertThat(test.get("/templates/" + name).status()).isEqualTo(404);
    assertThat(test.get("/templates/" + name + "/versions/1").status()).isEqualTo(404);
    assertThat(test.post("/templates/" + name + "/preview", "{}").status()).isEqualTo(404);
    assertThat(delete(test, "/templates/" + name).status()).isEqualTo(404);
    assertThat(names(test.get("/templates"))).doesNotContain(name);
    assertThat(names(shop.get("/templates"))).contains(name);
    assertThat(shop.get("/templates/" + name).body().path("archived").asBoolean()).isFalse();
  }

  @Test
  void aPutMakesTheProjectsOwnTemplateAndLeavesAnothersOfTheSameNameAlone() {
    String name = uniqueName();
    put(shop, name, template("Shop's"));

    Api.Response mine = put(test, name, template("Test's"));

    assertThat(mine.status()).isEqualTo(201);
    assertThat(mine.body().path("version").asInt()).isEqualTo(1);
    assertThat(latestSubject(shop, name)).startsWith("Shop's");
    assertThat(latestSubject(test, name)).startsWith("Test's");
    assertThat(delete(test, "/templates/" + name).status()).isEqualTo(204);
    assertThat(shop.get("/templates/" + name).body().path("archived").asBoolean()).isFalse();
  }

  @Test
  void sendingWithAnotherProjectsTemplateIsAnUnknownTemplate() {
    String name = uniqueName();
    put(shop, name, template("Shop's"));

    Api.Response response = test.post("/emails", withTemplate(name));

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").get(0).path("pointer").asString())
        .isEqualTo("/template");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .isEqualTo("no template named '" + name + "'");
    assertThat(count("emails")).isZero();
    assertThat(shop.post("/emails", withTemplate(name)).status()).isEqualTo(202);
  }

  /** Same name, same version number: the renderer's caches must still tell them apart. */
  @Test
  void twoProjectsTemplatesOfOneNameEachRenderTheirOwn() {
    String name = uniqueName();
    put(test, name, template("Test's"));
    put(shop, name, template("Shop's"));

    for (int i = 0; i < 2; i++) {
      String mine = send(test, withTemplate(name));
      String theirs = send(shop, withTemplate(name));
      assertThat(test.get("/emails/" + mine).body().path("subject").asString())
          .isEqualTo("Test's Ada");
      assertThat(shop.get("/emails/" + theirs).body().path("subject").asString())
          .isEqualTo("Shop's Ada");
    }
    assertThat(preview(test, name).path("subject").asString()).isEqualTo("Test's Ada");
    assertThat(preview(shop, name).path("subject").asString()).isEqualTo("Shop's Ada");
  }

  @Test
  void sharedTemplatesFromFilesAreReadByEveryProjectAndChangedByNone() {
    Api.Response put = put(shop, "welcome", template("Mine now"));
    Api.Response archive = delete(shop, "/templates/welcome");

    for (Api.Response refused : List.of(put, archive)) {
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.contentType()).startsWith("application/problem+json");
      assertThat(refused.body().path("errors").get(0).path("parameter").asString())
          .isEqualTo("name");
      assertThat(refused.body().path("errors").get(0).path("detail").asString()).contains("shares");
    }
    for (Api key : List.of(test, shop)) {
      JsonNode welcome = key.get("/templates/welcome").body();
      assertThat(welcome.path("shared").asBoolean()).isTrue();
      assertThat(welcome.path("archived").asBoolean()).isFalse();
      assertThat(welcome.path("latest").path("source").asString()).isEqualTo("FILE");
      assertThat(names(key.get("/templates"))).contains("welcome", "order-confirmation");
    }
    String id =
        send(
            shop,
            "{\"to\": [\"a@example.com\"], \"template\": \"welcome\", \"variables\":"
                + " {\"name\": \"Ada\", \"productName\": \"Shop\","
                + " \"actionUrl\": \"https://shop.example/start\"}}");
    assertThat(shop.get("/emails/" + id).body().path("template").path("name").asString())
        .isEqualTo("welcome");
  }

  // Admin

  @Test
  void anAdminKeySeesEveryProjectAndFiltersByOne() {
    String mine = send(test, scheduled());
    String theirs = send(shop, EMAIL);

    assertThat(ops.get("/emails/" + mine).body().path("project").asString()).isEqualTo("test");
    assertThat(ops.get("/emails/" + theirs).body().path("project").asString()).isEqualTo("shop");
    assertThat(ids(ops.get("/emails"))).containsExactlyInAnyOrder(mine, theirs);
    assertThat(ids(ops.get("/emails?project=shop"))).containsExactly(theirs);
    assertThat(ids(ops.get("/emails?project=nobody"))).isEmpty();
    assertThat(ops.post("/emails/" + mine + "/cancel", "{}").body().path("status").asString())
        .isEqualTo("CANCELLED");
  }

  @Test
  void anAdminKeySendsInItsOwnProject() {
    String id = send(ops, EMAIL);

    assertThat(ops.get("/emails/" + id).body().path("project").asString()).isEqualTo("ops");
    assertThat(test.get("/emails/" + id).status()).isEqualTo(404);
  }

  private static String send(Api key, String json) {
    Api.Response response = key.post("/emails", json);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return id(response);
  }

  private static String id(Api.Response response) {
    return response.body().path("id").asString();
  }

  private static List<String> ids(Api.Response page) {
    assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
    return page.body().path("emails").valueStream().map(e -> e.path("id").asString()).toList();
  }

  private static List<String> batchIds(Api.Response batch) {
    return batch.body().path("emails").valueStream().map(e -> e.path("id").asString()).toList();
  }

  private static List<String> names(Api.Response list) {
    return list.body().path("templates").valueStream().map(t -> t.path("name").asString()).toList();
  }

  private static String scheduled() {
    return "{\"to\": [\"a@example.com\"], \"subject\": \"Later\", \"text\": \"Hi\", \"sendAt\": \""
        + Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS)
        + "\"}";
  }

  private static String uniqueName() {
    return "isolated-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String template(String subject) {
    return "{\"subject\": \"" + subject + " [(${name})]\", \"html\": \"<p>Hi</p>\"}";
  }

  private static String withTemplate(String name) {
    return "{\"to\": [\"a@example.com\"], \"template\": \""
        + name
        + "\", \"variables\": {\"name\": \"Ada\"}}";
  }

  private static String latestSubject(Api key, String name) {
    return key.get("/templates/" + name).body().path("latest").path("subject").asString();
  }

  private static JsonNode preview(Api key, String name) {
    Api.Response response =
        key.post("/templates/" + name + "/preview", "{\"variables\": {\"name\": \"Ada\"}}");
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    return response.body();
  }

  private static Api.Response put(Api key, String name, String json) {
    return key.send(
        HttpRequest.newBuilder(key.uri("/templates/" + name))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static Api.Response delete(Api key, String path) {
    return key.send(
        HttpRequest.newBuilder(key.uri(path)).timeout(Duration.ofSeconds(30)).DELETE().build());
  }
}
