package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad attachments and headers are a 4xx problem naming the field, and nothing is stored or sent.
 */
class AttachmentAndHeaderValidationTest extends ScriptedRelayTest {

  private static final String PDF = "JVBERi0xLjQK"; // "%PDF-1.4\n"

  static Stream<Arguments> badAttachments() {
    return Stream.of(
        Arguments.of(
            "missing filename", "{\"content\":\"" + PDF + "\"}", "/attachments/0/filename"),
        Arguments.of(
            "blank filename",
            "{\"filename\":\" \",\"content\":\"" + PDF + "\"}",
            "/attachments/0/filename"),
        Arguments.of(
            "CRLF in filename",
            "{\"filename\":\"a.pdf\\r\\nBcc: x@evil.test\",\"content\":\"" + PDF + "\"}",
            "/attachments/0/filename"),
        Arguments.of(
            "tab in filename",
            "{\"filename\":\"a\\tb.pdf\",\"content\":\"" + PDF + "\"}",
            "/attachments/0/filename"),
        Arguments.of(
            "slash in filename",
            "{\"filename\":\"../etc/passwd\",\"content\":\"" + PDF + "\"}",
            "/attachments/0/filename"),
        Arguments.of(
            "backslash in filename",
            "{\"filename\":\"C:\\\\temp\\\\a.pdf\",\"content\":\"" + PDF + "\"}",
            "/attachments/0/filename"),
        Arguments.of(
            "filename of 256 characters",
            "{\"filename\":\"" + "a".repeat(252) + ".pdf\",\"content\":\"" + PDF + "\"}",
            "/attachments/0/filename"),
        Arguments.of(
            "content type without subtype",
            "{\"filename\":\"a.pdf\",\"contentType\":\"pdf\",\"content\":\"" + PDF + "\"}",
            "/attachments/0/contentType"),
        Arguments.of(
            "content type with two slashes",
            "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf/x\",\"content\":\""
                + PDF
                + "\"}",
            "/attachments/0/contentType"),
        Arguments.of(
            "CRLF in content type",
            "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\\r\\nX-Evil: 1\","
                + "\"content\":\""
                + PDF
                + "\"}",
            "/attachments/0/contentType"),
        Arguments.of(
            "multipart content type",
            "{\"filename\":\"a.eml\",\"contentType\":\"multipart/mixed\",\"content\":\""
                + PDF
                + "\"}",
            "/attachments/0/contentType"),
        Arguments.of("missing content", "{\"filename\":\"a.pdf\"}", "/attachments/0/content"),
        Arguments.of(
            "content not base64",
            "{\"filename\":\"a.pdf\",\"content\":\"%PDF-1.4\"}",
            "/attachments/0/content"),
        Arguments.of(
            "content without padding",
            "{\"filename\":\"a.txt\",\"content\":\"aGk\"}",
            "/attachments/0/content"),
        Arguments.of(
            "content in the URL-safe alphabet",
            "{\"filename\":\"a.bin\",\"content\":\"-_-_\"}",
            "/attachments/0/content"),
        Arguments.of(
            "content with a line break",
            "{\"filename\":\"a.pdf\",\"content\":\"JVBE\\r\\nRi0xLjQK\"}",
            "/attachments/0/content"),
        Arguments.of(
            "content with non-zero pad bits",
            "{\"filename\":\"a.txt\",\"content\":\"aGl=\"}",
            "/attachments/0/content"),
        Arguments.of(
            "content ID with a space",
            "{\"filename\":\"a.png\",\"content\":\"" + PDF + "\",\"contentId\":\"my logo\"}",
            "/attachments/0/contentId"),
        Arguments.of(
            "content ID with angle brackets",
            "{\"filename\":\"a.png\",\"content\":\"" + PDF + "\",\"contentId\":\"<logo>\"}",
            "/attachments/0/contentId"),
        Arguments.of(
            "content ID with CRLF",
            "{\"filename\":\"a.png\",\"content\":\"" + PDF + "\",\"contentId\":\"a\\r\\nb\"}",
            "/attachments/0/contentId"),
        Arguments.of("null attachment", "null", "/attachments/0"));
  }

  @AfterEach
  void nothingWasStoredOrSent() {
    assertThat(count("emails")).isZero();
    assertThat(count("email_recipients")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(50));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAttachments")
  void badAttachmentIsAProblemNamingTheField(String name, String attachment, String pointer) {
    assertProblem(api.post("/emails", withAttachments(attachment)), 422, pointer);
  }

  @Test
  void badContentOfTheFourthAttachmentIsNamedByItsIndex() {
    String good = "{\"filename\":\"a.pdf\",\"content\":\"" + PDF + "\"}";
    String bad = "{\"filename\":\"d.pdf\",\"content\":\"not base64!\"}";

    Api.Response response =
        api.post("/emails", withAttachments(good + "," + good + "," + good + "," + bad));

    assertProblem(response, 422, "/attachments/3/content");
    assertThat(response.body().path("errors")).hasSize(1);
  }

  @Test
  void inlineAttachmentWithoutHtmlIsRefused() {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["a@example.com"], "subject": "s", "text": "no html here",
             "attachments": [{"filename": "logo.png", "content": "%s", "contentId": "logo"}]}
            """
                .formatted(PDF));

    assertProblem(response, 422, "/attachments/0/contentId");
  }

  @Test
  void twoInlineAttachmentsWithTheSameContentIdAreRefused() {
    String logo = "{\"filename\":\"logo.png\",\"content\":\"" + PDF + "\",\"contentId\":\"logo\"}";

    assertProblem(
        api.post("/emails", withAttachments(logo + "," + logo)), 422, "/attachments/1/contentId");
  }

  @Test
  void moreAttachmentsThanAllowedAreRefused() {
    String attachments =
        IntStream.range(0, 21)
            .mapToObj(i -> "{\"filename\":\"f" + i + ".pdf\",\"content\":\"" + PDF + "\"}")
            .collect(Collectors.joining(","));

    Api.Response response = api.post("/emails", withAttachments(attachments));

    assertProblem(response, 422, "/attachments");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("at most 20");
  }

  @Test
  void attachmentsLargerTogetherThanAllowedAreRefusedWithin413Limit() {
    // Each within the request limit, together one byte over 10 MiB once decoded.
    String half = Base64.getEncoder().encodeToString(new byte[5 * 1024 * 1024]);
    String more = Base64.getEncoder().encodeToString(new byte[1]);
    String attachments =
        Stream.of(half, half, more)
            .map(content -> "{\"filename\":\"f.bin\",\"content\":\"" + content + "\"}")
            .collect(Collectors.joining(","));

    Api.Response response = api.post("/emails", withAttachments(attachments));

    assertProblem(response, 422, "/attachments");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("10485761 bytes")
        .contains("at most 10485760");
  }

  @Test
  void attachmentsThatAreNotAListAreA400() {
    assertProblem(
        api.post(
            "/emails",
            "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\",\"attachments\":{}}"),
        400,
        "/attachments");
  }

  @Test
  void unknownAttachmentFieldIsA400() {
    assertProblem(
        api.post("/emails", withAttachments("{\"filename\":\"a.pdf\",\"data\":\"" + PDF + "\"}")),
        400,
        "/attachments/0/data");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "From",
        "to",
        "CC",
        "Bcc",
        "Reply-To",
        "Subject",
        "Date",
        "message-id",
        "MIME-Version",
        "Content-Type",
        "content-transfer-encoding",
        "Content-Disposition",
        "Return-Path",
        "DKIM-Signature",
        "Received",
        "Sender"
      })
  void headerTheServiceOwnsIsRefused(String name) {
    assertProblem(
        api.post("/emails", withHeaders("\"" + name + "\": \"x\"")), 422, "/headers/" + name);
  }

  static Stream<Arguments> badHeaders() {
    return Stream.of(
        Arguments.of("space in name", "\"X Bad\": \"v\"", "/headers/X Bad"),
        Arguments.of("colon in name", "\"X-Bad:\": \"v\"", "/headers/X-Bad:"),
        Arguments.of("non-ASCII name", "\"X-Café\": \"v\"", "/headers/X-Café"),
        Arguments.of("empty name", "\"\": \"v\"", "/headers/"),
        Arguments.of(
            "CRLF in value", "\"X-Inject\": \"v\\r\\nBcc: x@evil.test\"", "/headers/X-Inject"),
        Arguments.of("LF in value", "\"X-Inject\": \"v\\nw\"", "/headers/X-Inject"),
        Arguments.of("null value", "\"X-Null\": null", "/headers/X-Null"),
        Arguments.of(
            "value longer than a header line",
            "\"X-Long\": \"" + "a".repeat(999) + "\"",
            "/headers/X-Long"),
        Arguments.of(
            "same name twice in other case",
            "\"X-Tag\": \"a\", \"x-tag\": \"b\"",
            "/headers/x-tag"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badHeaders")
  void badHeaderIsAProblemNamingIt(String name, String headers, String pointer) {
    assertProblem(api.post("/emails", withHeaders(headers)), 422, pointer);
  }

  @Test
  void moreHeadersThanAllowedAreRefused() {
    String headers =
        IntStream.range(0, 51)
            .mapToObj(i -> "\"X-H" + i + "\": \"v\"")
            .collect(Collectors.joining(","));

    assertProblem(api.post("/emails", withHeaders(headers)), 422, "/headers");
  }

  private static String withAttachments(String attachments) {
    return "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"html\":\"<p>h</p>\",\"attachments\":["
        + attachments
        + "]}";
  }

  private static String withHeaders(String headers) {
    return "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\",\"headers\":{"
        + headers
        + "}}";
  }

  private static void assertProblem(Api.Response response, int status, String pointer) {
    assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .as(response.body().toString())
        .contains(pointer);
  }
}
