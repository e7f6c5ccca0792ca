package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Template and expression-language syntax sent as data is data: it is accepted, and the message the
 * relay receives carries it literally. Every expression computes 7*7 (or would run a command), so a
 * 49 anywhere in the subject or the bodies means something was evaluated.
 */
class ExpressionInjectionTest extends ScriptedRelayTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "${T(java.lang.Runtime).getRuntime().exec('id')}",
        "${7*7}",
        "__${7*7}__::x",
        "*{7*7}",
        "#{7*7}",
        "@{/x(n=${7*7})}",
        "~{::x}",
        "[[${7*7}]]",
        "[(${7*7})]",
        "<span th:text=\"${7*7}\">x</span>",
        "{{7*7}}"
      })
  void expressionsInTemplateVariablesAreRenderedLiterally(String expression) throws Exception {
    String body =
        JSON.writeValueAsString(
            java.util.Map.of(
                "to",
                List.of("a@example.com"),
                "template",
                "welcome",
                "variables",
                java.util.Map.of(
                    "name", expression, "productName", expression, "actionUrl", "https://e.test")));

    MimeMessage message = sendAndReceive(body);

    assertThat(message.getSubject())
        .isEqualTo("Welcome to " + expression + ", " + expression + "!");
    assertThat(text(message)).contains(expression);
    assertNothingEvaluated(message);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"${7*7}", "__${7*7}__::x", "[[${7*7}]]", "[(${7*7})]", "*{7*7}"})
  void readyMadeContentIsNeverTreatedAsATemplate(String expression) throws Exception {
    String body =
        JSON.writeValueAsString(
            java.util.Map.of(
                "to",
                List.of("a@example.com"),
                "subject",
                expression,
                "html",
                "<p th:text=\"${7*7}\">" + expression + "</p>"));

    MimeMessage message = sendAndReceive(body);

    assertThat(message.getSubject()).isEqualTo(expression);
    assertThat(html(message)).contains(expression).contains("th:text=\"${7*7}\"");
    assertNothingEvaluated(message);
  }

  private MimeMessage sendAndReceive(String body) {
    Api.Response response = api.post("/emails", body);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    List<ScriptedSmtpServer.Received> received = relay.awaitReceived(1, Duration.ofSeconds(20));
    assertThat(received).hasSize(1);
    return received.get(0).parse();
  }

  private static void assertNothingEvaluated(MimeMessage message) throws Exception {
    assertThat(message.getSubject()).doesNotContain("49");
    assertThat(text(message)).doesNotContain("49").doesNotContain("uid=");
    assertThat(html(message)).doesNotContain("49").doesNotContain("uid=");
  }

  private static String text(MimeMessage message) throws Exception {
    return part(message, "text/plain");
  }

  private static String html(MimeMessage message) throws Exception {
    return part(message, "text/html");
  }

  private static String part(MimeMessage message, String type) throws Exception {
    MimeMultipart parts = (MimeMultipart) message.getContent();
    for (int i = 0; i < parts.getCount(); i++) {
      if (parts.getBodyPart(i).isMimeType(type)) {
        return (String) parts.getBodyPart(i).getContent();
      }
    }
    throw new AssertionError("no " + type + " part");
  }
}
