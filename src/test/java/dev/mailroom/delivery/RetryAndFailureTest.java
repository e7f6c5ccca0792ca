package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Relay replies that are not a plain 250, each with what the caller then sees. */
class RetryAndFailureTest extends ScriptedRelayTest {

  private String send(String to) {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["%s"], "subject": "Code", "text": "Your code is 123456"}
            """
                .formatted(to));
    assertThat(response.status()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  @Test
  void transientReplyIsDeferredThenRetriedWithTheSameBytes() {
    relay.failDataWith("451 4.3.0 Mailbox temporarily unavailable");

    String id = send("ann@example.com");
    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    List<JsonNode> attempts = sent.path("attempts").valueStream().toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).path("outcome").asString()).isEqualTo("DEFERRED");
    assertThat(attempts.get(0).path("reply").path("code").asInt()).isEqualTo(451);
    assertThat(attempts.get(0).path("reply").path("enhancedCode").asString()).isEqualTo("4.3.0");
    assertThat(attempts.get(0).path("reply").path("text").asString())
        .contains("temporarily unavailable");
    assertThat(attempts.get(1).path("outcome").asString()).isEqualTo("SENT");
    assertThat(relay.received()).hasSize(1);
    assertThat(relay.received().get(0).text())
        .contains("Message-ID: " + sent.path("messageId").asString());
    assertThat(relay.dataSeen()).hasSize(2);
    assertThat(relay.dataSeen().get(0)).isEqualTo(relay.dataSeen().get(1));
  }

  @Test
  void deferredEmailShowsWhenItWillBeTriedNext() {
    relay.alwaysFailDataWith("421 4.7.0 Try again later");

    String id = send("bob@example.com");
    JsonNode deferred = api.awaitEmail(id, Api.status("DEFERRED"), Duration.ofSeconds(10));

    assertThat(deferred.path("nextAttemptAt").isMissingNode()).isFalse();
    assertThat(deferred.path("recipients").get(0).path("status").asString()).isEqualTo("DEFERRED");
    assertThat(deferred.path("recipients").get(0).path("lastReply").path("code").asInt())
        .isEqualTo(421);
  }

  @Test
  void permanentReplyFailsTheEmailWithTheReplyRecorded() {
    relay.alwaysFailDataWith("554 5.6.0 Message content rejected");

    String id = send("cy@example.com");
    JsonNode failed = api.awaitEmail(id, Api.status("FAILED"), Duration.ofSeconds(10));

    assertThat(failed.path("failureReason").asString()).isEqualTo("REJECTED");
    assertThat(failed.path("failureDetail").asString())
        .contains("554")
        .contains("content rejected");
    assertThat(failed.path("attempts")).hasSize(1);
    assertThat(failed.path("attempts").get(0).path("reply").path("code").asInt()).isEqualTo(554);
    assertThat(failed.path("recipients").get(0).path("status").asString()).isEqualTo("REJECTED");
    assertThat(relay.received()).isEmpty();
  }

  @Test
  void rejectedRecipientDoesNotFailTheOthers() {
    relay.rejectRecipient("ghost@example.com", "550 5.1.1 No such user here");

    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["dee@example.com", "ghost@example.com"], "cc": ["eve@example.com"],
             "subject": "Team update", "html": "<p>Hello team</p>"}
            """);
    String id = response.body().path("id").asString();
    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    List<JsonNode> recipients = sent.path("recipients").valueStream().toList();
    assertThat(recipients)
        .extracting(r -> r.path("email").asString() + "=" + r.path("status").asString())
        .containsExactly(
            "dee@example.com=ACCEPTED", "ghost@example.com=REJECTED", "eve@example.com=ACCEPTED");
    JsonNode ghostReply = recipients.get(1).path("lastReply");
    assertThat(ghostReply.path("code").asInt()).isEqualTo(550);
    assertThat(ghostReply.path("enhancedCode").asString()).isEqualTo("5.1.1");
    assertThat(relay.received()).hasSize(1);
    assertThat(relay.received().get(0).recipients())
        .containsExactly("dee@example.com", "eve@example.com");
  }

  @Test
  void everyRecipientRejectedFailsTheEmail() {
    relay.rejectRecipient("nobody@example.com", "550 5.1.1 No such user");

    String id = send("nobody@example.com");
    JsonNode failed = api.awaitEmail(id, Api.status("FAILED"), Duration.ofSeconds(10));

    assertThat(failed.path("failureReason").asString()).isEqualTo("REJECTED");
    assertThat(failed.path("recipients").get(0).path("lastReply").path("code").asInt())
        .isEqualTo(550);
    assertThat(relay.received()).isEmpty();
  }
}
