package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Custom headers that would forge trace, authentication or the service's own fields, or smuggle
 * text past the checks, are a 422 naming {@code /headers/<name>}; nothing is stored or sent.
 */
class HostileHeaderTest extends ScriptedRelayTest {

  @AfterEach
  void nothingWasStoredOrSent() {
    assertThat(count("emails")).isZero();
    assertThat(count("email_recipients")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(20));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // Trace fields mail servers add on the way.
        "Received",
        "received",
        "Return-Path",
        "Delivered-To",
        "Envelope-To",
        "Received-SPF",
        "Resent-From",
        "Resent-To",
        "Resent-Date",
        "Resent-Message-ID",
        "Resent-Sender",
        "RESENT-CC",
        // Authentication results and signatures.
        "Authentication-Results",
        "ARC-Seal",
        "ARC-Message-Signature",
        "ARC-Authentication-Results",
        "DKIM-Signature",
        "dkim-signature",
        "DomainKey-Signature",
        "BIMI-Selector",
        "BIMI-Location",
        // Identity and requests a receiver acts on.
        "Sender",
        "Disposition-Notification-To",
        "Return-Receipt-To",
        "Errors-To",
        "Apparently-To",
        "Original-Recipient",
        "TLS-Required",
        "Require-Recipient-Valid-Since",
        "Organization",
        // The service's own fields.
        "From",
        "Message-ID",
        "Date",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "content-id",
        "Subject",
        "Bcc",
        // Receivers' own X- fields.
        "X-Original-To",
        "X-Originating-IP",
        "X-Forwarded-For",
        "X-Forwarded-To",
        "X-Envelope-From",
        "X-Delivered-To",
        "X-Received",
        "X-Original-Authentication-Results",
        "X-Authenticated-Sender",
        "X-Auth-User",
        "X-Google-DKIM-Signature",
        "X-Google-Smtp-Source",
        "X-Gm-Message-State",
        "x-gm-spam",
        "X-MS-Exchange-Organization-SCL",
        "X-MS-Exchange-Organization-AuthAs",
        "X-Microsoft-Antispam",
        "X-Forefront-Antispam-Report",
        "X-Spam-Status",
        "X-Spam-Flag",
        "X-Spamd-Result",
        "X-Virus-Scanned",
        "X-Rspamd-Queue-Id",
        "X-Proofpoint-Spam-Details",
        "X-Mimecast-Spam-Score",
        "X-Barracuda-Spam-Score",
        "X-IronPort-AV",
        "X-YMail-OSG",
        "X-ARC-Seal",
        "X-DMARC-Policy",
        "X-SPF-Result",
        // Not X- names in the syntax receivers expect.
        "X-",
        "X-<script>",
        "X-a/b",
        "X-\"quoted\""
      })
  void headerACallerMayNotWriteIsRefused(String name) {
    Api.Response response = api.post("/emails", withHeader(name, "x"));

    assertProblemAt(response, "/headers/" + name.replace("/", "~1"));
  }

  static Stream<Arguments> hostileValues() {
    return Stream.of(
        Arguments.of("encoded word", "=?utf-8?q?PayPal?="),
        Arguments.of("encoded word in base64", "=?UTF-8?B?QWRtaW4=?="),
        Arguments.of("encoded word inside text", "see =?iso-8859-1?q?caf=E9?= here"),
        Arguments.of("start of an encoded word", "a=?b"),
        Arguments.of("CRLF and a Received line", "v\r\nReceived: from evil.test"),
        Arguments.of("CRLF and Authentication-Results", "v\r\nAuthentication-Results: pass"),
        Arguments.of("bare CR", "v\rw"),
        Arguments.of("bare LF", "v\nw"),
        Arguments.of("NUL", "v\u0000w"),
        Arguments.of("tab", "v\tw"),
        Arguments.of("DEL", "v\u007Fw"),
        Arguments.of("U+0085 next line", "v\u0085Bcc: x@evil.test"),
        Arguments.of("U+2028 line separator", "v\u2028Bcc: x@evil.test"),
        Arguments.of("U+2029 paragraph separator", "v\u2029w"),
        Arguments.of("longer than one header line", "a".repeat(999)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileValues")
  void hostileValueOfAnAllowedHeaderIsRefused(String name, String value) {
    Api.Response response = api.post("/emails", withHeader("X-Campaign", value));

    assertProblemAt(response, "/headers/X-Campaign");
  }

  @Test
  void oneRefusedHeaderAmongAllowedOnesIsNamedAlone() {
    String json =
        """
        {"to": ["a@example.com"], "subject": "s", "text": "t",
         "headers": {"List-Unsubscribe": "<https://acme.test/u/1>", "X-Campaign": "winter",
                     "Authentication-Results": "mx.example.com; dkim=pass", "In-Reply-To": "<a@b>"}}
        """;

    Api.Response response = api.post("/emails", json);

    assertProblemAt(response, "/headers/Authentication-Results");
    assertThat(response.body().path("errors")).hasSize(1);
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("List-Unsubscribe", "X- name");
  }

  @Test
  void refusedHeaderInABatchIsNamedWithItsIndex() {
    String json =
        """
        {"emails": [
          {"to": ["a@example.com"], "subject": "s", "text": "t"},
          {"to": ["b@example.com"], "subject": "s", "text": "t", "headers": {"ARC-Seal": "i=1"}}]}
        """;

    assertProblemAt(api.post("/emails/batch", json), "/emails/1/headers/ARC-Seal");
  }

  private static String withHeader(String name, String value) {
    return "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"t\",\"headers\":{"
        + json(name)
        + ":"
        + json(value)
        + "}}";
  }

  /** A JSON string literal, with every character outside printable ASCII escaped. */
  private static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.chars()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
              } else if (c < 0x20 || c >= 0x7F) {
                out.append("\\u%04x".formatted(c));
              } else {
                out.append((char) c);
              }
            });
    return out.append('"').toString();
  }

  private static void assertProblemAt(Api.Response response, String pointer) {
    assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .as(response.body().toString())
        .contains(pointer);
    assertThat(response.raw().body()).doesNotContain("java.", "Exception", "\tat ");
  }
}
