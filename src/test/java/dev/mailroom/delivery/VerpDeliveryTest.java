package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.inbound.VerpToken;
import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With a bounce domain, each recipient goes in a transaction of its own with an envelope sender
 * that names the email and the recipient; the relay receives the same bytes for each.
 */
@TestPropertySource(
    properties = {
      "mailroom.bounces.domain=bounces.mailroom.test",
      "mailroom.bounces.secret=dGhpcnR5LXR3by1ieXRlcy1vZi1rZXktZm9yLWJvdW5jZXMtb25seQ=="
    })
class VerpDeliveryTest extends ScriptedRelayTest {

  @Autowired VerpToken tokens;

  @Test
  void eachRecipientIsSentWithItsOwnReturnPath() {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["ann@example.com", "bob@example.com"], "cc": [{"email": "cy@example.com"}],
             "subject": "Receipt", "text": "Order 1001"}
            """);
    String id = response.body().path("id").asString();
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    List<Received> received = relay.awaitReceived(3, Duration.ofSeconds(5));
    assertThat(received).hasSize(3);
    UUID emailId = UUID.fromString(id);
    assertThat(received)
        .extracting(Received::recipients)
        .containsExactly(
            List.of("ann@example.com"), List.of("bob@example.com"), List.of("cy@example.com"));
    for (int position = 0; position < 3; position++) {
      String from = received.get(position).from();
      assertThat(from).startsWith("b-").endsWith("@bounces.mailroom.test");
      assertThat(tokens.verify(from)).contains(new VerpToken.Recipient(emailId, position));
    }
    // The server prepends a Received header naming the recipient; what we sent is the same.
    assertThat(received.get(1).sent()).isEqualTo(received.get(0).sent());
    assertThat(received.get(2).sent()).isEqualTo(received.get(0).sent());
    assertThat(received.get(0).sent()).contains("To: ann@example.com, bob@example.com");
  }

  @Test
  void severalEmailsGoOverOnePooledSessionWithOneMailFromPerRecipient() {
    String first =
        api.post(
                "/emails",
                """
                {"to": ["ann@example.com", "bob@example.com"], "cc": [{"email": "cy@example.com"}],
                 "subject": "Receipt", "text": "Order 1001"}
                """)
            .body()
            .path("id")
            .asString();
    api.awaitEmail(first, Api.status("SENT"), Duration.ofSeconds(10));
    String second =
        api.post(
                "/emails",
                """
                {"to": ["dee@example.com", "eve@example.com"], "subject": "Receipt",
                 "text": "Order 1002"}
                """)
            .body()
            .path("id")
            .asString();
    api.awaitEmail(second, Api.status("SENT"), Duration.ofSeconds(10));

    List<Received> received = relay.awaitReceived(5, Duration.ofSeconds(5));
    String session = received.get(0).session();
    assertThat(received).extracting(Received::session).containsOnly(session);
    // The session may be one an earlier test left in the pool; no other was opened meanwhile.
    assertThat(relay.sessionsOpened()).isSubsetOf(session);

    List<VerpToken.Recipient> expected =
        List.of(
            new VerpToken.Recipient(UUID.fromString(first), 0),
            new VerpToken.Recipient(UUID.fromString(first), 1),
            new VerpToken.Recipient(UUID.fromString(first), 2),
            new VerpToken.Recipient(UUID.fromString(second), 0),
            new VerpToken.Recipient(UUID.fromString(second), 1));
    List<ScriptedSmtpServer.MailFrom> mailFroms = relay.mailFroms();
    assertThat(mailFroms).hasSize(5);
    assertThat(mailFroms).extracting(ScriptedSmtpServer.MailFrom::session).containsOnly(session);
    assertThat(mailFroms)
        .extracting(from -> tokens.verify(from.address()).orElseThrow())
        .containsExactlyElementsOf(expected);
    assertThat(received)
        .extracting(Received::recipients)
        .containsExactly(
            List.of("ann@example.com"),
            List.of("bob@example.com"),
            List.of("cy@example.com"),
            List.of("dee@example.com"),
            List.of("eve@example.com"));
    assertThat(received)
        .extracting(Received::from)
        .containsExactlyElementsOf(
            mailFroms.stream().map(ScriptedSmtpServer.MailFrom::address).toList());
  }

  @Test
  void aRecipientRefusedInItsTransactionLeavesTheOthersAccepted() {
    relay.rejectRecipient("ghost@example.com", "550 5.1.1 No such user here");

    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["ghost@example.com", "ann@example.com"], "subject": "Hi", "text": "Hello"}
            """);
    JsonNode sent =
        api.awaitEmail(
            response.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));

    assertThat(sent.path("recipients").get(0).path("status").asString()).isEqualTo("REJECTED");
    assertThat(sent.path("recipients").get(0).path("lastReply").path("enhancedCode").asString())
        .isEqualTo("5.1.1");
    assertThat(sent.path("recipients").get(1).path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(sent.path("attempts")).hasSize(1);
    assertThat(relay.received())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.recipients()).containsExactly("ann@example.com");
              assertThat(tokens.verify(r.from()))
                  .contains(
                      new VerpToken.Recipient(UUID.fromString(sent.path("id").asString()), 1));
            });
  }
}
