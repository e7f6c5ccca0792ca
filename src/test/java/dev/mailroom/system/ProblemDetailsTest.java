package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP errors that Spring MVC raises before a controller runs are problem details too. Input
 * errors a controller sees are covered by {@code BadRequestTest}.
 */
class ProblemDetailsTest extends ScriptedRelayTest {

  static final String EMAIL = "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\"}";

  @AfterEach
  void nothingWasStored() {
    assertThat(count("emails")).isZero();
  }

  @Test
  void unknownPathIs404() {
    assertProblem(api.get("/no/such/thing"), 404);
  }

  @Test
  void wrongMethodIs405NamingTheAllowedOnes() {
    Api.Response response = api.send(HttpRequest.newBuilder(api.uri("/emails")).DELETE().build());

    assertProblem(response, 405);
    assertThat(response.header("Allow")).contains("POST");
  }

  @Test
  void wrongMethodOnAnEmailIs405() {
    Api.Response response =
        api.send(
            HttpRequest.newBuilder(api.uri("/emails/" + UUID.randomUUID()))
                .PUT(HttpRequest.BodyPublishers.ofString(EMAIL))
                .header("Content-Type", "application/json")
                .build());

    assertProblem(response, 405);
  }

  @Test
  void unacceptableResponseTypeIs406() {
    Api.Response response = api.get("/emails/" + UUID.randomUUID(), "Accept", "application/xml");

    assertProblem(response, 406);
  }

  @Test
  void unacceptableResponseTypeOnSendIs406() {
    Api.Response response = api.post("/emails", EMAIL, "Accept", "text/html");

    assertProblem(response, 406);
  }

  @Test
  void missingContentTypeIs415() {
    Api.Response response =
        api.send(
            HttpRequest.newBuilder(api.uri("/emails"))
                .POST(HttpRequest.BodyPublishers.ofString(EMAIL))
                .build());

    assertProblem(response, 415);
  }

  @Test
  void emptyBodyIs400() {
    assertProblem(api.post("/emails", ""), 400);
  }

  @Test
  void nullBodyIs400() {
    assertProblem(api.post("/emails", "null"), 400);
  }

  @Test
  void arrayInsteadOfObjectIs400() {
    assertProblem(api.post("/emails", "[" + EMAIL + "]"), 400);
  }

  @Test
  void oversizeChunkedBodyIs413() {
    byte[] body =
        ("{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\""
                + "x".repeat(16 * 1024 * 1024)
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    Api.Response response =
        api.send(
            HttpRequest.newBuilder(api.uri("/emails"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build());

    assertProblem(response, 413);
  }

  private static void assertProblem(Api.Response response, int status) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("status").asInt()).isEqualTo(status);
    assertThat(response.body().path("title").asString()).isNotBlank();
  }
}
