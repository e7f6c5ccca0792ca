package dev.mailroom.event;

import dev.mailroom.system.SqlTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records events, and queues their webhook deliveries, inside the caller's transaction: an event
 * exists exactly when the state change it reports was committed, and so does every delivery it
 * owes. Whatever the batch, it is one statement, so the dispatcher's and intake's batched writes
 * stay one round trip longer, not one per email.
 */
@Repository
public class EmailEvents {

  /**
   * The events go in from arrays (one element per event); the same statement inserts one delivery
   * per event and endpoint of the event's project that subscribed to its type. To a disabled
   * endpoint the delivery is written FAILED at once: the event is not lost, it shows in the
   * endpoint's delivery log and can be replayed once the endpoint is enabled again.
   */
  private static final String RECORD =
      """
      WITH recorded AS (
        INSERT INTO email_events (project, email_id, recipient, type, occurred_at, data)
        SELECT project, email_id, recipient, type, occurred_at, CAST(data AS jsonb)
          FROM unnest(CAST(:projects AS text[]), CAST(:emailIds AS uuid[]),
                      CAST(:recipients AS smallint[]), CAST(:types AS text[]),
                      CAST(:occurredAt AS timestamptz[]), CAST(:data AS text[]))
               AS e(project, email_id, recipient, type, occurred_at, data)
        RETURNING id, project, type
      )
      INSERT INTO webhook_deliveries (id, endpoint_id, project, event_id, status, due_at,
                                      last_error)
      SELECT gen_random_uuid(), w.id, r.project, r.id,
             CASE WHEN w.enabled THEN 'PENDING' ELSE 'FAILED' END,
             CASE WHEN w.enabled THEN now() END,
             CASE WHEN NOT w.enabled THEN 'not sent: the endpoint is disabled' END
        FROM recorded r
        JOIN webhook_endpoints w
          ON w.project = r.project AND r.type = ANY(w.event_types)
      RETURNING status
      """;

  private static final TypeReference<Map<String, @Nullable Object>> DATA = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final ApplicationEventPublisher publisher;

  EmailEvents(JdbcClient jdbc, JsonMapper json, ApplicationEventPublisher publisher) {
    this.jdbc = jdbc;
    this.json = json;
    this.publisher = publisher;
  }

  /**
   * Records the events in the transaction in progress, which must exist: an event without its state
   * change, or the other way round, would be a lie.
   */
  public void record(List<EmailEvent> events) {
    // Checked by hand, not by @Transactional(MANDATORY): intake's transactions are SqlTransactions,
    // which JPA's transaction manager does not see as one of its own.
    SqlTransactions.requireActive("Recording events");
    if (events.isEmpty()) {
      return;
    }
    int n = events.size();
    String[] projects = new String[n];
    UUID[] emailIds = new UUID[n];
    Integer[] recipients = new Integer[n];
    String[] types = new String[n];
    String[] occurredAt = new String[n];
    String[] data = new String[n];
    for (int i = 0; i < n; i++) {
      EmailEvent event = events.get(i);
      projects[i] = event.project();
      emailIds[i] = event.emailId();
      recipients[i] = event.recipient();
      types[i] = event.type().wireName();
      occurredAt[i] = event.occurredAt().toString();
      data[i] = json.writeValueAsString(event.data());
    }
    long queued =
        jdbc
            .sql(RECORD)
            .param("projects", projects)
            .param("emailIds", emailIds)
            .param("recipients", recipients)
            .param("types", types)
            .param("occurredAt", occurredAt)
            .param("data", data)
            .query(String.class)
            .list()
            .stream()
            .filter("PENDING"::equals)
            .count();
    if (queued > 0) {
      publisher.publishEvent(new WebhooksQueued((int) queued));
    }
  }

  /**
   * The statement that reads an email's events, oldest first, by its one named parameter {@code
   * :id}; {@link #timelineEvent} maps its rows. Given out so that the email's own reads and this
   * one go to the database together, in one round trip.
   */
  public static final String TIMELINE =
      """
      SELECT e.type, e.occurred_at, r.address, e.data::text AS data
        FROM email_events e
        LEFT JOIN email_recipients r
          ON r.email_id = e.email_id AND r.position = e.recipient
       WHERE e.email_id = :id
       ORDER BY e.occurred_at, e.id
      """;

  /** One row of {@link #TIMELINE}. */
  public TimelineEvent timelineEvent(ResultSet rs) throws SQLException {
    return new TimelineEvent(
        rs.getString("type"),
        rs.getTimestamp("occurred_at").toInstant(),
        rs.getString("address"),
        json.readValue(rs.getString("data"), DATA));
  }
}
