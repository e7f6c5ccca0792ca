package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Templates stored through the API, and emails rendered from them, over real HTTP and SMTP. */
class StoredTemplatesTest extends ScriptedRelayTest {

  private static final String RECEIPT =
      """
      {"subject": "Receipt [(${orderNumber})]",
       "html": "<p>Hello <b th:text=\\"${name}\\">x</b>, order [[${orderNumber}]] is paid.</p>",
       "locales": {"fr": {"subject": "Reçu [(${orderNumber})]",
                          "html": "<p>Bonjour <b th:text=\\"${name}\\">x</b>.</p>",
                          "text": "Bonjour [(${name})], commande [(${orderNumber})]."}},
       "requiredVariables": ["name", "orderNumber"]}
      """;

  private static final String VARIABLES = "{\"name\": \"Zoé\", \"orderNumber\": \"A-1\"}";

  private String name;

  @BeforeEach
  void uniqueName() {
    name = "receipt-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void putCreatesVersionOneThatCanBeReadBack() {
    Api.Response created = put(name, RECEIPT);

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/templates/" + name + "/versions/1");
    assertThat(created.body().path("version").asInt()).isEqualTo(1);
    assertThat(created.body().path("source").asString()).isEqualTo("API");
    assertThat(created.body().path("locales").path("fr").path("subject").asString())
        .isEqualTo("Reçu [(${orderNumber})]");
    assertThat(created.body().path("requiredVariables").valueStream().map(JsonNode::asString))
        .containsExactly("name", "orderNumber");

    JsonNode template = api.get("/templates/" + name).body();
    assertThat(template.path("latestVersion").asInt()).isEqualTo(1);
    assertThat(template.path("archived").asBoolean()).isFalse();
    assertThat(template.path("versions").valueStream().map(v -> v.path("version").asInt()))
        .containsExactly(1);
    assertThat(template.path("latest").path("subject").asString())
        .isEqualTo("Receipt [(${orderNumber})]");
    assertThat(api.get("/templates/" + name + "/versions/1").body().path("html").asString())
        .contains("th:text=\"${name}\"");
    assertThat(
            api.get("/templates")
                .body()
                .path("templates")
                .valueStream()
                .filter(t -> t.path("name").asString().equals(name))
                .map(t -> t.path("latestVersion").asInt() + " " + t.path("archived").asBoolean()))
        .containsExactly("1 false");
  }

  @Test
  void puttingTheSameContentAgainCreatesNoVersion() {
    put(name, RECEIPT);

    Api.Response again = put(name, RECEIPT);

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Location")).isNull();
    assertThat(again.header("Content-Location")).isEqualTo("/templates/" + name + "/versions/1");
    assertThat(again.body().path("version").asInt()).isEqualTo(1);
    assertThat(api.get("/templates/" + name).body().path("versions").size()).isEqualTo(1);
  }

  @Test
  void previewRendersWithoutSendingOrStoring() {
    put(name, RECEIPT);

    Api.Response preview =
        api.post(
            "/templates/" + name + "/preview",
            "{\"variables\": " + VARIABLES + ", \"locale\": \"fr-CA\"}");

    assertThat(preview.status()).isEqualTo(200);
    assertThat(preview.body().path("version").asInt()).isEqualTo(1);
    assertThat(preview.body().path("locale").asString()).isEqualTo("fr");
    assertThat(preview.body().path("subject").asString()).isEqualTo("Reçu A-1");
    assertThat(preview.body().path("html").asString()).isEqualTo("<p>Bonjour <b>Zoé</b>.</p>");
    assertThat(preview.body().path("text").asString()).isEqualTo("Bonjour Zoé, commande A-1.");
    assertThat(count("emails")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(200));
  }

  @Test
  void previewOfAnEarlierVersionRendersThatVersion() {
    put(name, RECEIPT);
    put(name, RECEIPT.replace("Receipt [(", "Your receipt [("));

    JsonNode latest =
        api.post("/templates/" + name + "/preview", "{\"variables\": " + VARIABLES + "}").body();
    JsonNode first =
        api.post(
                "/templates/" + name + "/preview",
                "{\"variables\": " + VARIABLES + ", \"version\": 1}")
            .body();

    assertThat(latest.path("subject").asString()).isEqualTo("Your receipt A-1");
    assertThat(first.path("subject").asString()).isEqualTo("Receipt A-1");
    assertThat(first.path("version").asInt()).isEqualTo(1);
    assertThat(
            api.post("/templates/" + name + "/preview", "{\"variables\": {}, \"version\": 9}")
                .status())
        .isEqualTo(404);
  }

  @Test
  void previewListsEveryMissingVariable() {
    put(name, RECEIPT);

    Api.Response preview = api.post("/templates/" + name + "/preview", "{\"variables\": {}}");

    assertThat(preview.status()).isEqualTo(422);
    assertThat(preview.contentType()).startsWith("application/problem+json");
    assertThat(pointers(preview)).containsExactly("/variables/name", "/variables/orderNumber");
  }

  @Test
  void emailsPinTheVersionTheyWereRenderedFrom() throws Exception {
    put(name, RECEIPT);
    String first = send(name).body().path("id").asString();

    Api.Response updated = put(name, RECEIPT.replace("Receipt [(", "Your receipt [("));
    String second = send(name).body().path("id").asString();

    assertThat(updated.status()).isEqualTo(201);
    assertThat(updated.body().path("version").asInt()).isEqualTo(2);
    assertThat(api.get("/emails/" + first).body().path("template").path("version").asString())
        .isEqualTo("1");
    assertThat(api.get("/emails/" + second).body().path("template").path("version").asString())
        .isEqualTo("2");
    List<ScriptedSmtpServer.Received> received = relay.awaitReceived(2, Duration.ofSeconds(10));
    assertThat(received).hasSize(2);
    assertThat(received.stream().map(this::subject))
        .containsExactlyInAnyOrder("Receipt A-1", "Your receipt A-1");
  }

  @Test
  void declaredVariablesAreRequiredEvenWhereTheTemplateDoesNotUseThem() {
    put(
        name,
        "{\"subject\": \"Hi\", \"html\": \"<p>Hi</p>\", \"requiredVariables\": [\"userId\"]}");

    Api.Response response =
        api.post("/emails", "{\"to\": [\"a@example.com\"], \"template\": \"" + name + "\"}");

    assertThat(response.status()).isEqualTo(422);
    assertThat(pointers(response)).containsExactly("/variables/userId");
    assertThat(count("emails")).isZero();
  }

  @Test
  void archivedTemplateSendsNothingNewAndAPutBringsItBack() {
    put(name, RECEIPT);
    String before = send(name).body().path("id").asString();

    Api.Response archived = delete("/templates/" + name);
    Api.Response refused = send(name);

    assertThat(archived.status()).isEqualTo(204);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(pointers(refused)).containsExactly("/template");
    assertThat(refused.body().path("errors").get(0).path("detail").asString()).contains("archived");
    assertThat(api.get("/templates/" + name).body().path("archived").asBoolean()).isTrue();
    assertThat(api.get("/emails/" + before).body().path("template").path("version").asString())
        .isEqualTo("1");
    assertThat(delete("/templates/" + name).status()).isEqualTo(204);

    Api.Response restored = put(name, RECEIPT);
    Api.Response after = send(name);

    assertThat(restored.status()).isEqualTo(201);
    assertThat(restored.body().path("version").asInt()).isEqualTo(2);
    assertThat(api.get("/templates/" + name).body().path("archived").asBoolean()).isFalse();
    assertThat(after.status()).isEqualTo(202);
    assertThat(
            api.get("/emails/" + after.body().path("id").asString())
                .body()
                .path("template")
                .path("version")
                .asString())
        .isEqualTo("2");
  }

  @Test
  void unknownTemplatesAreNotFound() {
    assertThat(api.get("/templates/no-such-template").status()).isEqualTo(404);
    assertThat(api.get("/templates/no-such-template").contentType())
        .startsWith("application/problem+json");
    assertThat(api.get("/templates/Not%20A%20Name").status()).isEqualTo(404);
    assertThat(api.get("/templates/no-such-template/versions/1").status()).isEqualTo(404);
    assertThat(delete("/templates/no-such-template").status()).isEqualTo(404);
    assertThat(api.post("/templates/no-such-template/preview", "{}").status()).isEqualTo(404);
  }

  @Test
  void syntaxErrorIsRefusedNamingTheFieldLineAndReason() {
    Api.Response response =
        put(
            name,
            """
            {"subject": "Hello",
             "html": "<p>One</p>\\n<p>Two</p>\\n<p th:text=\\"${user.}\\">x</p>",
             "locales": {"fr": {"subject": "Bonjour [/]", "html": "<p>Bonjour</p>"}}}
            """);

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(pointers(response)).containsExactly("/html", "/locales/fr/subject");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .startsWith("line 3, column ")
        .contains("user.");
    assertThat(response.body().path("errors").get(1).path("detail").asString())
        .isEqualTo("line 1, column 9: Malformed template: unnamed closing element is never opened");
    assertThat(api.get("/templates/" + name).status()).isEqualTo(404);
  }

  @Test
  void invalidFieldsAreEachNamed() {
    Api.Response response =
        put(
            name,
            """
            {"html": " ",
             "locales": {"french": {"subject": "S", "html": "H"},
                         "de": {"subject": "Eins\\nZwei", "html": "<p>x</p>"},
                         "fr_CA": {"subject": "S", "html": "H"}, "fr-ca": {"subject": "S", "html": "H"}},
             "requiredVariables": ["ok", "not-a-name"]}
            """);

    assertThat(response.status()).isEqualTo(422);
    assertThat(pointers(response))
        .containsExactlyInAnyOrder(
            "/subject",
            "/html",
            "/locales/french",
            "/locales/de/subject",
            "/locales/fr-ca",
            "/requiredVariables/1");
  }

  @Test
  void invalidNameIsRefused() {
    assertThat(put("Not_Valid", RECEIPT).status()).isEqualTo(422);
    assertThat(put("a..b", RECEIPT).status()).isEqualTo(422);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${T(java.lang.System).getenv()}",
        "${@environment}",
        "${#ctx.getEnvironment()}",
        "${@java.lang.System@getenv('HOME')}",
        "${new java.lang.ProcessBuilder('true').start()}",
        "${#strings.class.classLoader}"
      })
  void expressionsReachingBeyondTheVariablesAreRefusedAtPut(String expression) {
    Api.Response response =
        put(
            name,
            "{\"subject\": \"Hi\", \"html\": \"<p>Hi</p>\\n<p th:text=\\\""
                + expression.replace("\"", "\\\"")
                + "\\\">x</p>\"}");

    assertThat(response.status()).isEqualTo(422);
    assertThat(pointers(response)).containsExactly("/html");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .startsWith("line 2, column ");
    assertThat(api.get("/templates/" + name).status()).isEqualTo(404);
  }

  @Test
  void classReachedThroughAVariableIsRefusedAtPut() {
    Api.Response response =
        put(
            name,
            "{\"subject\": \"Hi\", \"html\": \"<p th:text=\\\"${name.class.classLoader}\\\">x</p>\"}");

    Api.Response email =
        api.post(
            "/emails",
            "{\"to\": [\"a@example.com\"], \"template\": \""
                + name
                + "\", \"variables\": {\"name\": \"Ada\"}}");

    assertThat(response.status()).isEqualTo(422);
    assertThat(pointers(response)).containsExactly("/html");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("classes are not available");
    assertThat(api.get("/templates/" + name).status()).isEqualTo(404);
    assertThat(email.status()).isEqualTo(422);
    assertThat(count("emails")).isZero();
  }

  @Test
  void propertyOfATextVariableFailsPreviewAndSendWithA422() {
    put(name, "{\"subject\": \"Hi\", \"html\": \"<p th:text=\\\"${name.first}\\\">x</p>\"}");

    Api.Response preview =
        api.post("/templates/" + name + "/preview", "{\"variables\": {\"name\": \"Ada\"}}");
    Api.Response email =
        api.post(
            "/emails",
            "{\"to\": [\"a@example.com\"], \"template\": \""
                + name
                + "\", \"variables\": {\"name\": \"Ada\"}}");

    assertThat(preview.status()).isEqualTo(422);
    assertThat(preview.body().path("errors").get(0).path("detail").asString())
        .contains("cannot read 'first' of a text")
        .contains(name + "/1/default/body.html");
    assertThat(email.status()).isEqualTo(422);
    assertThat(count("emails")).isZero();
  }

  private Api.Response put(String template, String json) {
    return api.send(
        HttpRequest.newBuilder(api.uri("/templates/" + template))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private Api.Response delete(String path) {
    return api.send(
        HttpRequest.newBuilder(api.uri(path)).timeout(Duration.ofSeconds(30)).DELETE().build());
  }

  private Api.Response send(String template) {
    return api.post(
        "/emails",
        "{\"to\": [\"buyer@example.com\"], \"template\": \""
            + template
            + "\", \"variables\": "
            + VARIABLES
            + "}");
  }

  private String subject(ScriptedSmtpServer.Received received) {
    try {
      return received.parse().getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> pointers(Api.Response response) {
    return response
        .body()
        .path("errors")
        .valueStream()
        .map(e -> e.path("pointer").asString())
        .toList();
  }
}
