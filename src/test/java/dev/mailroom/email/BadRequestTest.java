package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets a 4xx problem naming what is wrong, and nothing is stored or sent. Each case is a
 * request body, the status, and the JSON pointer (or header) the problem must name.
 */
class BadRequestTest extends ScriptedRelayTest {

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("no recipients", "{\"subject\":\"s\",\"text\":\"t\"}", 422, "/to"),
        Arguments.of("empty to", "{\"to\":[],\"subject\":\"s\",\"text\":\"t\"}", 422, "/to"),
        Arguments.of(
            "malformed address",
            "{\"to\":[\"not-an-address\"],\"subject\":\"s\",\"text\":\"t\"}",
            422,
            "/to/0/email"),
        Arguments.of(
            "address without domain dot",
            "{\"to\":[\"a@localhost\"],\"subject\":\"s\",\"text\":\"t\"}",
            422,
            "/to/0/email"),
        Arguments.of(
            "two at signs",
            "{\"to\":[\"a@b@example.com\"],\"subject\":\"s\",\"text\":\"t\"}",
            422,
            "/to/0/email"),
        Arguments.of(
            "CRLF in address",
            "{\"to\":[\"a@example.com\\r\\nBcc: x@evil.test\"],\"subject\":\"s\",\"text\":\"t\"}",
            422,
            "/to/0/email"),
        Arguments.of(
            "CRLF in display name",
            "{\"to\":[{\"email\":\"a@example.com\",\"name\":\"Eve\\r\\nBcc: x@evil.test\"}],\"subject\":\"s\",\"text\":\"t\"}",
            422,
            "/to/0/name"),
        Arguments.of(
            "LF in subject",
            "{\"to\":[\"a@example.com\"],\"subject\":\"Hi\\nBcc: x@evil.test\",\"text\":\"t\"}",
            422,
            "/subject"),
        Arguments.of(
            "CR in from",
            "{\"from\":\"a@example.com\\r\",\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\"}",
            422,
            "/from/email"),
        Arguments.of(
            "missing subject", "{\"to\":[\"a@example.com\"],\"text\":\"t\"}", 422, "/subject"),
        Arguments.of(
            "missing body", "{\"to\":[\"a@example.com\"],\"subject\":\"s\"}", 422, "/html"),
        Arguments.of(
            "template and subject",
            "{\"to\":[\"a@example.com\"],\"template\":\"welcome\",\"subject\":\"s\"}",
            422,
            "/template"),
        Arguments.of(
            "unknown template",
            "{\"to\":[\"a@example.com\"],\"template\":\"no-such-template\"}",
            422,
            "/template"),
        Arguments.of(
            "path traversal template",
            "{\"to\":[\"a@example.com\"],\"template\":\"../../etc/passwd\"}",
            422,
            "/template"),
        Arguments.of(
            "missing variable",
            "{\"to\":[\"a@example.com\"],\"template\":\"welcome\",\"variables\":{\"name\":\"Al\"}}",
            422,
            "/variables/productName"),
        Arguments.of(
            "bad locale",
            "{\"to\":[\"a@example.com\"],\"template\":\"welcome\",\"locale\":\"../x\"}",
            422,
            "/locale"),
        Arguments.of(
            "CRLF reaching the subject through a variable",
            "{\"to\":[\"a@example.com\"],\"template\":\"welcome\",\"variables\":{\"name\":\"Al\\r\\nBcc: x@evil.test\",\"productName\":\"P\",\"actionUrl\":\"https://e.test\"}}",
            422,
            "/variables"),
        Arguments.of(
            "bad tag",
            "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\",\"tags\":[\"has space\"]}",
            422,
            "/tags/0"),
        Arguments.of(
            "bad metadata value",
            "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\",\"metadata\":{\"k\":null}}",
            422,
            "/metadata/k"),
        Arguments.of(
            "unknown field",
            "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\",\"sendNow\":true}",
            400,
            "/sendNow"),
        Arguments.of(
            "wrong type",
            "{\"to\":[\"a@example.com\"],\"subject\":[\"s\"],\"text\":\"t\"}",
            400,
            "/subject"),
        Arguments.of("malformed JSON", "{\"to\":[\"a@example.com\"", 400, null),
        Arguments.of("not JSON at all", "to=a@example.com", 400, null));
  }

  @AfterEach
  void nothingWasStoredOrSent() {
    assertThat(count("emails")).isZero();
    assertThat(count("email_recipients")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(50));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequestIsAProblemNamingTheField(String name, String body, int status, String pointer) {
    Api.Response response = api.post("/emails", body);

    assertThat(response.status()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("status").asInt()).isEqualTo(status);
    assertThat(response.body().path("title").asString()).isNotBlank();
    if (pointer != null) {
      assertThat(
              response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
          .contains(pointer);
    }
  }

  @Test
  void tooManyRecipientsIsRejected() {
    StringBuilder to = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      to.append(i == 0 ? "" : ",").append("\"r").append(i).append("@example.com\"");
    }
    Api.Response response =
        api.post("/emails", "{\"to\":[" + to + "],\"subject\":\"s\",\"text\":\"t\"}");

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("at most 50");
  }

  @Test
  void oversizedBodyIsRefusedWith413() {
    String html = "x".repeat(16 * 1024 * 1024);
    Api.Response response =
        api.post(
            "/emails", "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"html\":\"" + html + "\"}");

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  @Test
  void wrongContentTypeIs415() {
    Api.Response response =
        api.send(
            HttpRequest.newBuilder(api.uri("/emails"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":[\"a@example.com\"]}"))
                .build());

    assertThat(response.status()).isEqualTo(415);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  @Test
  void unknownEmailIs404Problem() {
    Api.Response response = api.get("/emails/6f1d8a3e-1c1b-4a53-9d5e-2a1d3b4c5d6e");

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("detail").asString())
        .contains("6f1d8a3e-1c1b-4a53-9d5e-2a1d3b4c5d6e");
  }

  @Test
  void malformedIdIs400Problem() {
    Api.Response response = api.get("/emails/not-a-uuid");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }
}
