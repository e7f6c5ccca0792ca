package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code POST /emails/{id}/cancel}. */
class CancelTest extends ScriptedRelayTest {

  private String send(String extraFields) {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["ann@example.com", "bob@example.com"], "subject": "Reminder",
             "text": "Your appointment is tomorrow" %s}
            """
                .formatted(extraFields));
    assertThat(response.status()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  private Api.Response cancel(String id) {
    return api.post("/emails/" + id + "/cancel", "");
  }

  @Test
  void aScheduledEmailIsCancelledAndNeverSent() {
    Instant sendAt = Instant.now().plusSeconds(1);
    String id = send(", \"sendAt\": \"" + sendAt + "\"");

    Api.Response response = cancel(id);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).startsWith("application/json");
    assertThat(response.body().path("id").asString()).isEqualTo(id);
    assertThat(response.body().path("status").asString()).isEqualTo("CANCELLED");
    assertThat(response.body().path("nextAttemptAt").isMissingNode()).isTrue();
    assertThat(response.body().path("recipients").valueStream().map(r -> r.path("status")))
        .extracting(JsonNode::asString)
        .containsExactly("PENDING", "PENDING");

    // Well past its send time, with the dispatcher polling every 100 ms.
    relay.assertNoDataFor(Duration.ofSeconds(2));
    assertThat(api.get("/emails/" + id).body().path("status").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void aDeferredEmailIsCancelledAndNotRetried() {
    relay.alwaysFailDataWith("421 4.7.0 Try again later");
    String id = send("");
    api.awaitEmail(id, Api.status("DEFERRED"), Duration.ofSeconds(10));
    int triesBeforeCancel = relay.dataSeen().size();

    Api.Response response = cancel(id);

    // A retry may have been in flight: then the cancel is refused while it is SENDING.
    if (response.status() == 409) {
      api.awaitEmail(id, Api.status("DEFERRED"), Duration.ofSeconds(10));
      response = cancel(id);
      triesBeforeCancel = relay.dataSeen().size();
    }
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().path("status").asString()).isEqualTo("CANCELLED");
    assertThat(response.body().path("recipients").get(0).path("status").asString())
        .isEqualTo("DEFERRED");
    // Retries come every 200 ms in these tests: none follows the cancel.
    relay.assertNoFurtherDataFor(triesBeforeCancel, Duration.ofSeconds(1));
  }

  @Test
  void aSentEmailCannotBeCancelled() {
    String id = send("");
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    Api.Response response = cancel(id);

    assertThat(response.status()).isEqualTo(409);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("emailStatus").asString()).isEqualTo("SENT");
    assertThat(response.body().path("detail").asString()).contains("is SENT");
    assertThat(api.get("/emails/" + id).body().path("status").asString()).isEqualTo("SENT");
  }

  @Test
  void cancellingTwiceIsRefusedTheSecondTime() {
    String id = send(", \"sendAt\": \"" + Instant.now().plus(Duration.ofHours(1)) + "\"");
    assertThat(cancel(id).status()).isEqualTo(200);

    Api.Response again = cancel(id);

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("emailStatus").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void cancellingAnUnknownEmailIs404() {
    Api.Response response = cancel("6f1d8a3e-1c1b-4a53-9d5e-2a1d3b4c5d6e");

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }
}
