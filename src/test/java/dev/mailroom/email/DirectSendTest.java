package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /emails} answered by {@link DirectSend} and by Spring MVC gives the same answer: the
 * same status, headers and body, for accepted sends and for every kind of refusal. A send with
 * {@code Accept: *}{@code /*;q=1} means what one without Accept means, but is not in the plain form
 * DirectSend takes ({@link #onlyThePlainFormIsAnsweredDirectly}), so MVC answers it.
 */
class DirectSendTest extends ScriptedRelayTest {

  private static final String[] THROUGH_MVC = {"Accept", "*/*;q=1"};

  /** Headers whose values differ from one answer to the next, whichever path gave it. */
  private static final Set<String> VARYING = Set.of("date", "location");

  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  static Stream<Arguments> refusals() {
    return BadRequestTest.badRequests();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void aRefusedSendIsAnsweredAsMvcAnswersIt(String name, String body, int status, String pointer) {
    Api.Response direct = api.post("/emails", body);
    Api.Response mvc = api.post("/emails", body, THROUGH_MVC);

    assertThat(direct.status()).isEqualTo(status);
    assertSameAnswer(direct, mvc);
    assertThat(count("emails")).isZero();
  }

  @Test
  void anAcceptedSendIsAnsweredAsMvcAnswersIt() {
    String body = "{\"to\":[\"a@example.com\"],\"subject\":\"Receipt\",\"text\":\"Paid\"}";

    Api.Response direct = api.post("/emails", body);
    Api.Response mvc = api.post("/emails", body, THROUGH_MVC);

    assertThat(direct.status()).isEqualTo(202);
    assertThat(direct.contentType()).isEqualTo("application/json");
    assertThat(direct.header("Location"))
        .isEqualTo("/emails/" + direct.body().path("id").asString());
    assertThat(mvc.header("Location")).isEqualTo("/emails/" + mvc.body().path("id").asString());
    assertSameAnswer(direct, mvc);
    assertThat(count("emails")).isEqualTo(2);
    api.awaitEmail(direct.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
  }

  @Test
  void aReplayedSendIsAnsweredAsMvcAnswersIt() {
    String body = "{\"to\":[\"a@example.com\"],\"subject\":\"Receipt\",\"text\":\"Paid\"}";
    String first =
        api.post("/emails", body, "Idempotency-Key", "direct-1").body().path("id").asString();
    String second =
        api.post("/emails", body, "Idempotency-Key", "mvc-1", THROUGH_MVC[0], THROUGH_MVC[1])
            .body()
            .path("id")
            .asString();
    // A replay answers with the email's status now: both settled, so the two answers cannot differ
    // by how far delivery got in between.
    api.awaitEmail(first, Api.status("SENT"), Duration.ofSeconds(10));
    api.awaitEmail(second, Api.status("SENT"), Duration.ofSeconds(10));

    Api.Response direct = api.post("/emails", body, "Idempotency-Key", "direct-1");
    Api.Response mvc =
        api.post("/emails", body, "Idempotency-Key", "mvc-1", THROUGH_MVC[0], THROUGH_MVC[1]);

    assertThat(direct.header("Idempotent-Replayed")).isEqualTo("true");
    assertSameAnswer(direct, mvc);
    Api.Response conflict =
        api.post("/emails", body.replace("Paid", "Due"), "Idempotency-Key", "direct-1");
    Api.Response mvcConflict =
        api.post(
            "/emails",
            body.replace("Paid", "Due"),
            "Idempotency-Key",
            "mvc-1",
            THROUGH_MVC[0],
            THROUGH_MVC[1]);
    assertThat(conflict.status()).isEqualTo(422);
    assertSameAnswer(conflict, mvcConflict);
    assertThat(count("emails")).isEqualTo(2);
  }

  @Test
  void aBodyThatIsNotUtf8IsAnsweredAsMvcAnswersIt() {
    byte[] body =
        "{\"to\":[\"a@example.com\"],\"subject\":\"\u00c0\",\"text\":\"t\"}"
            .getBytes(StandardCharsets.ISO_8859_1);

    Api.Response direct = api.send(post(body).build());
    Api.Response mvc = api.send(post(body).header(THROUGH_MVC[0], THROUGH_MVC[1]).build());

    assertThat(direct.status()).isEqualTo(400);
    assertSameAnswer(direct, mvc);
    assertThat(count("emails")).isZero();
  }

  static Stream<Arguments> bodiesThatAreNoEmail() {
    return Stream.of("", "null", "[]", "\"text\"", "1", "{}", "{\"to\":null}", " ", "\u0000")
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("bodiesThatAreNoEmail")
  void aBodyThatIsNoEmailIsAnsweredAsMvcAnswersIt(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Api.Response direct = api.send(post(bytes).build());
    Api.Response mvc = api.send(post(bytes).header(THROUGH_MVC[0], THROUGH_MVC[1]).build());

    assertThat(direct.status()).isBetween(400, 499);
    assertThat(direct.contentType()).startsWith("application/problem+json");
    assertSameAnswer(direct, mvc);
    assertThat(count("emails")).isZero();
  }

  @Test
  void onlyThePlainFormIsAnsweredDirectly() {
    assertThat(DirectSend.isPlain(plain())).isTrue();
    MockHttpServletRequest utf8 = plain();
    utf8.setContentType("application/json; charset=\"UTF-8\"");
    assertThat(DirectSend.isPlain(utf8)).isTrue();
    for (String accept : new String[] {"*/*", "application/json", "APPLICATION/JSON"}) {
      MockHttpServletRequest request = plain();
      request.addHeader("Accept", accept);
      assertThat(DirectSend.isPlain(request)).as(accept).isTrue();
    }

    for (String path : new String[] {"/emails/", "/emails;x=1", "/Emails", "/emails/batch"}) {
      MockHttpServletRequest request = plain();
      request.setRequestURI(path);
      assertThat(DirectSend.isPlain(request)).as(path).isFalse();
    }
    for (String type :
        new String[] {
          "text/plain",
          "application/json;charset=ISO-8859-1",
          "application/problem+json",
          "application/json;x=1",
          "application/*",
          "not a type"
        }) {
      MockHttpServletRequest request = plain();
      request.setContentType(type);
      assertThat(DirectSend.isPlain(request)).as(type).isFalse();
    }
    for (String accept :
        new String[] {
          "*/*;q=1", "application/json, */*", "application/problem+json", "text/html"
        }) {
      MockHttpServletRequest request = plain();
      request.addHeader("Accept", accept);
      assertThat(DirectSend.isPlain(request)).as(accept).isFalse();
    }
    MockHttpServletRequest twoAccepts = plain();
    twoAccepts.addHeader("Accept", "*/*");
    twoAccepts.addHeader("Accept", "*/*");
    assertThat(DirectSend.isPlain(twoAccepts)).isFalse();
    MockHttpServletRequest twoKeys = plain();
    twoKeys.addHeader("Idempotency-Key", "a");
    twoKeys.addHeader("Idempotency-Key", "b");
    assertThat(DirectSend.isPlain(twoKeys)).isFalse();
    MockHttpServletRequest get = plain();
    get.setMethod("GET");
    assertThat(DirectSend.isPlain(get)).isFalse();
    MockHttpServletRequest error = plain();
    error.setDispatcherType(DispatcherType.ERROR);
    assertThat(DirectSend.isPlain(error)).isFalse();
  }

  private static MockHttpServletRequest plain() {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/emails");
    request.setContentType("application/json");
    request.setContent("{}".getBytes(StandardCharsets.UTF_8));
    return request;
  }

  private HttpRequest.Builder post(byte[] body) {
    return HttpRequest.newBuilder(api.uri("/emails"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  /** Status, headers (names, and values but for those that vary) and body, ids aside. */
  private static void assertSameAnswer(Api.Response direct, Api.Response mvc) {
    assertThat(direct.status()).isEqualTo(mvc.status());
    assertThat(headers(direct)).isEqualTo(headers(mvc));
    assertThat(withoutIds(direct.body())).isEqualTo(withoutIds(mvc.body()));
    assertThat(direct.raw().body().isEmpty()).isEqualTo(mvc.raw().body().isEmpty());
  }

  private static TreeMap<String, Object> headers(Api.Response response) {
    TreeMap<String, Object> headers = new TreeMap<>();
    response
        .raw()
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              String key = name.toLowerCase(Locale.ROOT);
              headers.put(key, VARYING.contains(key) ? "(varies)" : new TreeSet<>(values));
            });
    headers.remove("content-length"); // follows the body, compared without its ids
    return headers;
  }

  /**
   * The body without the fields that are ids, and with every id in a text written as {@code <id>}.
   */
  private static JsonNode withoutIds(JsonNode body) {
    if (body instanceof ObjectNode object) {
      ObjectNode copy = object.deepCopy();
      copy.remove("id");
      copy.remove("errorId");
      return Api.parse(UUID.matcher(copy.toString()).replaceAll("<id>"));
    }
    return body;
  }
}
