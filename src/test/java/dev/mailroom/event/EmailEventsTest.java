package dev.mailroom.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.system.SqlTransactions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionTemplate;

/** Events are written with the state change they report, in its transaction, of either kind. */
class EmailEventsTest extends ScriptedRelayTest {

  @Autowired private EmailEvents events;
  @Autowired private SqlTransactions sqlTransactions;
  @Autowired private TransactionTemplate jpaTransactions;

  @Test
  void anEventOutsideATransactionIsRefusedAndNothingIsWritten() {
    UUID email = acceptedEmail();
    long before = eventsOf(email);

    assertThatThrownBy(() -> events.record(List.of(sent(email))))
        .isInstanceOf(IllegalTransactionStateException.class);

    assertThat(eventsOf(email)).isEqualTo(before);
  }

  @Test
  void anEventIsWrittenInASqlTransactionAndInTheApplicationsOwn() {
    UUID email = acceptedEmail();
    long before = eventsOf(email);

    sqlTransactions.template().executeWithoutResult(tx -> events.record(List.of(sent(email))));
    jpaTransactions.executeWithoutResult(tx -> events.record(List.of(sent(email))));

    assertThat(eventsOf(email)).isEqualTo(before + 2);
  }

  @Test
  void anEventRolledBackWithItsTransactionIsNotWritten() {
    UUID email = acceptedEmail();
    long before = eventsOf(email);

    sqlTransactions
        .template()
        .executeWithoutResult(
            tx -> {
              events.record(List.of(sent(email)));
              tx.setRollbackOnly();
            });

    assertThat(eventsOf(email)).isEqualTo(before);
  }

  private UUID acceptedEmail() {
    Api.Response response =
        api.post(
            "/emails",
            // Scheduled an hour ahead: no dispatcher adds events of its own during the test.
            "{\"to\": [\"a@example.com\"], \"subject\": \"Hi\", \"text\": \"Hi\","
                + " \"sendAt\": \""
                + Instant.now().plusSeconds(3600)
                + "\"}");
    assertThat(response.status()).isEqualTo(202);
    return UUID.fromString(response.body().path("id").asString());
  }

  private static EmailEvent sent(UUID email) {
    return EmailEvent.of(
        "test", email, EmailEventType.SENT, Instant.now(), Map.of("status", "SENT"));
  }

  private long eventsOf(UUID email) {
    return jdbc.sql("SELECT count(*) FROM email_events WHERE email_id = :id")
        .param("id", email)
        .query(Long.class)
        .single();
  }
}
