package dev.mailroom.event;

import dev.mailroom.system.SqlTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records events, and queues their webhook deliveries, inside the caller's transaction or inside
 * the caller's own statement: an event exists exactly when the state change it reports was
 * committed, and so does every delivery it owes. Whatever the batch, it is one statement, so the
 * dispatcher's and intake's batched writes stay one round trip longer, not one per email; and a
 * single change made in one statement ({@link #recordWith}) takes no round trip more at all.
 */
@Repository
public class EmailEvents {

  /**
   * The events go in from arrays (one element per event); the same statement inserts one delivery
   * per event and endpoint of the event's project that subscribed to its type. To a disabled
   * endpoint the delivery is written FAILED at once: the event is not lost, it shows in the
   * endpoint's delivery log and can be replayed once the endpoint is enabled again.
   *
   * @param which a condition on the events' rows ({@code e}), or nothing for all of them
   */
  private static String recorded(String which) {
    return """
        recorded AS (
          INSERT INTO email_events (project, email_id, recipient, type, occurred_at, data)
          SELECT project, email_id, recipient, type, occurred_at, CAST(data AS jsonb)
            FROM unnest(CAST(:projects AS text[]), CAST(:emailIds AS uuid[]),
                        CAST(:recipients AS smallint[]), CAST(:types AS text[]),
                        CAST(:occurredAt AS timestamptz[]), CAST(:data AS text[]))
                 AS e(project, email_id, recipient, type, occurred_at, data)
           %s
          RETURNING id, project, type
        )
        """
        .formatted(which);
  }

  private static final String DELIVERIES =
      """
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

  private static final String RECORD = "WITH " + recorded("") + DELIVERIES;

  /**
   * What follows the caller's change in {@link #recordWith}: the events of the emails it changed,
   * their deliveries, and the counts of both.
   */
  private static final String AFTER_CHANGE =
      recorded("WHERE e.email_id IN (SELECT id FROM changed)")
          + ", deliveries AS (\n"
          + DELIVERIES
          + ")\n"
          + """
          SELECT (SELECT count(*) FROM changed) AS changed,
                 (SELECT count(*) FROM deliveries WHERE status = 'PENDING') AS queued
          """;

  private static final TypeReference<Map<String, @Nullable Object>> DATA = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final ApplicationEventPublisher publisher;

  /**
   * The statements of {@link #recordWith}, one per change: built once, so the hot paths hand the
   * driver and the SQL parser's cache the same string every time rather than a new one per email.
   * The changes are constants of the callers, so there are as many as there are callers.
   */
  private final Map<String, String> statements = new ConcurrentHashMap<>();

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
    run(RECORD, bind(new MapSqlParameterSource(), events));
  }

  /**
   * Makes the caller's change and records its events in one statement. {@code change} is one or
   * more data-modifying common table expressions (without {@code WITH}), bound by {@code params},
   * one of which is named {@code changed} and returns the {@code id} of each email it changed; an
   * event is recorded only for an email among them, so a change that found nothing to do (a
   * fenced-off result) records nothing either. The parameters' names must not be the events' own
   * ({@code projects, emailIds, recipients, types, occurredAt, data}), nor the expressions' names
   * {@code recorded} or {@code deliveries}. One statement is atomic by itself, so outside a
   * transaction this is one round trip that commits the change and its events together or neither;
   * inside one it joins it.
   *
   * @return how many emails the change changed
   */
  public int recordWith(String change, MapSqlParameterSource params, List<EmailEvent> events) {
    String sql = statements.computeIfAbsent(change, c -> "WITH " + c + ",\n" + AFTER_CHANGE);
    int[] counts =
        jdbc.sql(sql)
            .paramSource(bind(params, events))
            .query((rs, n) -> new int[] {rs.getInt("changed"), rs.getInt("queued")})
            .single();
    // Once the statement is done and its connection back in the pool.
    queued(counts[1]);
    return counts[0];
  }

  /** Adds the events to the statement's parameters, as arrays of one element per event. */
  private MapSqlParameterSource bind(MapSqlParameterSource params, List<EmailEvent> events) {
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
    return params
        .addValue("projects", projects)
        .addValue("emailIds", emailIds)
        .addValue("recipients", recipients)
        .addValue("types", types)
        .addValue("occurredAt", occurredAt)
        .addValue("data", data);
  }

  /** Runs {@link #RECORD}, and wakes the webhook senders if it queued deliveries. */
  private void run(String sql, MapSqlParameterSource params) {
    queued(
        (int)
            jdbc.sql(sql).paramSource(params).query(String.class).list().stream()
                .filter("PENDING"::equals)
                .count());
  }

  private void queued(int deliveries) {
    if (deliveries > 0) {
      publisher.publishEvent(new WebhooksQueued(deliveries));
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
