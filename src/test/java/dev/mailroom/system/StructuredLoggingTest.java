package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The console log with {@code logging.structured.format.console=ecs}, as the chart sets it: one
 * JSON object per line, each delivery line naming its email and project, and never the email's
 * content.
 *
 * <p>Logging is configured once per JVM by whichever context starts last, so this context is used
 * by this class alone: all of its tests run right after the context started.
 */
// A sent email's line is at DEBUG (deferred and failed ones at INFO), so DEBUG is on for it here.
@TestPropertySource(
    properties = {
      "logging.structured.format.console=ecs",
      "logging.level.dev.mailroom.delivery.Dispatcher=debug"
    })
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest extends ScriptedRelayTest {

  private static final String SUBJECT = "Reset your password, Quentin";
  private static final String CODE = "Use 7304918 within ten minutes";

  private String send(String to) {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["%s"], "subject": "%s", "text": "%s", "html": "<p>%s</p>"}
            """
                .formatted(to, SUBJECT, CODE, CODE));
    assertThat(response.status()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  @Test
  void deliveryLinesAreJsonCarryingTheEmailId(CapturedOutput output) {
    String id = send("quentin@example.com");
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    List<JsonNode> lines = jsonLinesAbout(output, id);

    assertThat(lines)
        .anySatisfy(
            line -> {
              assertThat(line.path("log").path("logger").asString())
                  .isEqualTo("dev.mailroom.delivery.Dispatcher");
              assertThat(line.path("message").asString()).contains("SENT");
              assertThat(line.path("project").asString()).isEqualTo("test");
            });
  }

  @Test
  void subjectAndBodyNeverReachTheLog(CapturedOutput output) {
    relay.alwaysFailDataWith("554 5.7.1 no");
    String id = send("quentin@example.com");
    api.awaitEmail(id, Api.status("FAILED"), Duration.ofSeconds(10));

    assertThat(jsonLinesAbout(output, id)).isNotEmpty();
    assertThat(output.getAll()).doesNotContain("Quentin", "7304918");
  }

  private static List<JsonNode> jsonLinesAbout(CapturedOutput output, String id) {
    return output
        .getOut()
        .lines()
        .filter(line -> line.startsWith("{"))
        .map(Api::parse)
        .filter(line -> id.equals(line.path("emailId").asString()))
        .toList();
  }
}
