package dev.mailroom.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The webhook outbox in SQL: claim due deliveries under a lease, write tries back only while the
 * claim is still ours (fencing), give back what was not started; and the delivery log.
 */
@Repository
class WebhookDeliveries {

  /**
   * One statement claims a batch, like the email claim: SKIP LOCKED lets dispatchers take disjoint
   * rows without waiting, an expired SENDING lease is due like any other row (a crashed
   * dispatcher's work is taken over), and the subquery walks {@code webhook_deliveries_due_idx}.
   * The same statement reads the endpoint and the event each delivery needs.
   */
  static final String CLAIM =
      """
      WITH claimed AS (
        UPDATE webhook_deliveries d
           SET status = 'SENDING', locked_by = :dispatcher, claim_token = d.claim_token + 1,
               attempts = d.attempts + 1, due_at = now() + :lease * interval '1 millisecond'
          FROM (SELECT id FROM webhook_deliveries
                 WHERE status IN ('PENDING', 'SENDING') AND due_at <= now()
                 ORDER BY due_at
                 LIMIT :limit
                 FOR UPDATE SKIP LOCKED) due
         WHERE d.id = due.id
        RETURNING d.id, d.claim_token, d.attempts, d.endpoint_id, d.event_id, d.project,
                  d.retry_from
      )
      SELECT c.id, c.claim_token, c.attempts, c.endpoint_id, c.project, c.retry_from,
             w.url, w.enabled, w.secret, w.previous_secret, w.previous_expires_at,
             e.type, e.occurred_at, e.email_id, e.data::text AS data, r.address AS recipient
        FROM claimed c
        JOIN webhook_endpoints w ON w.id = c.endpoint_id
        JOIN email_events e ON e.id = c.event_id
        LEFT JOIN email_recipients r ON r.email_id = e.email_id AND r.position = e.recipient
      """;

  /** One try of a delivery, if the claim is still ours. */
  static final String RECORD =
      """
      UPDATE webhook_deliveries
         SET status = ?, due_at = ?, locked_by = NULL,
             last_status_code = CASE WHEN ? THEN ? ELSE last_status_code END,
             last_error = ?, last_attempt_at = COALESCE(?, last_attempt_at),
             delivered_at = ?
       WHERE id = ? AND claim_token = ? AND status = 'SENDING'
      """;

  /** A claim given back untried: due again at once, its attempt returned. */
  static final String RELEASE =
      """
      UPDATE webhook_deliveries SET status = 'PENDING', attempts = attempts - 1, due_at = now(),
             locked_by = NULL
       WHERE id = ? AND claim_token = ? AND status = 'SENDING'
      """;

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;

  WebhookDeliveries(JdbcClient jdbc, JdbcTemplate batch) {
    this.jdbc = jdbc;
    this.batch = batch;
  }

  @Transactional
  List<ClaimedDelivery> claim(String dispatcher, int limit, Duration lease) {
    return jdbc.sql(CLAIM)
        .param("dispatcher", dispatcher)
        .param("lease", lease.toMillis())
        .param("limit", limit)
        .query(
            (rs, n) ->
                new ClaimedDelivery(
                    rs.getObject("id", UUID.class),
                    rs.getLong("claim_token"),
                    rs.getInt("attempts"),
                    rs.getObject("endpoint_id", UUID.class),
                    rs.getString("project"),
                    rs.getTimestamp("retry_from").toInstant(),
                    rs.getString("url"),
                    rs.getBoolean("enabled"),
                    rs.getString("secret"),
                    rs.getString("previous_secret"),
                    instant(rs.getTimestamp("previous_expires_at")),
                    rs.getString("type"),
                    rs.getTimestamp("occurred_at").toInstant(),
                    rs.getObject("email_id", UUID.class),
                    rs.getString("recipient"),
                    rs.getString("data")))
        .list();
  }

  /** What became of one try, and so of the delivery and its endpoint. */
  record Tried(
      ClaimedDelivery delivery,
      String dispatcher,
      Instant startedAt,
      long durationMs,
      /** false when no request was made (the endpoint was disabled). */
      boolean attempted,
      @Nullable Integer statusCode,
      @Nullable String error,
      DeliveryStatus status,
      @Nullable Instant nextAttemptAt,
      /** Set when this try disables the endpoint (410 Gone). */
      @Nullable String disables) {}

  enum DeliveryStatus {
    PENDING,
    SENDING,
    DELIVERED,
    FAILED
  }

  /**
   * Writes a batch of tries in one transaction: each delivery (only while its claim is current),
   * its try in the log, and its endpoint's health: a success ends a failing streak; a failure
   * starts one or, once it has lasted {@code disableAfter}, disables the endpoint.
   *
   * @return how many tries were still ours and written
   */
  @Transactional
  int record(List<Tried> tried, Duration disableAfter) {
    if (tried.isEmpty()) {
      return 0;
    }
    int[] updated =
        batch
            .batchUpdate(
                RECORD,
                tried,
                tried.size(),
                (ps, t) -> {
                  ps.setString(1, t.status().name());
                  ps.setTimestamp(2, timestamp(t.nextAttemptAt()));
                  // A try that made no request (disabled endpoint) keeps the last answer seen.
                  ps.setBoolean(3, t.attempted());
                  setInteger(ps, 4, t.statusCode());
                  ps.setString(5, t.error());
                  ps.setTimestamp(6, t.attempted() ? Timestamp.from(t.startedAt()) : null);
                  ps.setTimestamp(
                      7,
                      t.status() == DeliveryStatus.DELIVERED
                          ? Timestamp.from(t.startedAt())
                          : null);
                  ps.setObject(8, t.delivery().id());
                  ps.setLong(9, t.delivery().token());
                })[0];
    List<Tried> current = new ArrayList<>();
    for (int i = 0; i < tried.size(); i++) {
      if (updated[i] == 1) {
        current.add(tried.get(i));
      }
    }
    List<Tried> attempted = current.stream().filter(Tried::attempted).toList();
    batch.batchUpdate(
        """
        INSERT INTO webhook_attempts (delivery_id, number, dispatcher, started_at, duration_ms,
                                      status_code, error)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        attempted,
        attempted.size(),
        (ps, t) -> {
          ps.setObject(1, t.delivery().id());
          ps.setInt(2, t.delivery().attempts());
          ps.setString(3, t.dispatcher());
          ps.setTimestamp(4, Timestamp.from(t.startedAt()));
          ps.setInt(5, (int) Math.min(Integer.MAX_VALUE, t.durationMs()));
          setInteger(ps, 6, t.statusCode());
          ps.setString(7, t.error());
        });
    writeEndpointHealth(attempted, disableAfter);
    return current.size();
  }

  /** One statement per endpoint touched, by the last try to it in the batch. */
  private void writeEndpointHealth(List<Tried> attempted, Duration disableAfter) {
    Map<UUID, Tried> last = new LinkedHashMap<>();
    for (Tried t : attempted) {
      last.put(t.delivery().endpointId(), t);
    }
    List<Tried> succeeded = new ArrayList<>();
    List<Tried> failed = new ArrayList<>();
    List<Tried> gone = new ArrayList<>();
    for (Tried t : last.values()) {
      if (t.disables() != null) {
        gone.add(t);
      } else if (t.status() == DeliveryStatus.DELIVERED) {
        succeeded.add(t);
      } else {
        failed.add(t);
      }
    }
    batch.batchUpdate(
        "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
        succeeded,
        succeeded.size(),
        (ps, t) -> ps.setObject(1, t.delivery().endpointId()));
    // The version goes up only when the endpoint changes as the API shows it, so that a PATCH
    // racing with it fails rather than undoes it.
    batch.batchUpdate(
        """
        UPDATE webhook_endpoints
           SET failing_since = COALESCE(failing_since, ?),
               enabled = false,
               disabled_reason = 'every delivery failed since '
                   || to_char(COALESCE(failing_since, ?) AT TIME ZONE 'UTC',
                              'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                   || '; last: ' || ?,
               disabled_at = ?, updated_at = now(), version = version + 1
         WHERE id = ? AND enabled AND COALESCE(failing_since, ?) <= ?
        """,
        failed,
        failed.size(),
        (ps, t) -> {
          Timestamp at = Timestamp.from(t.startedAt());
          ps.setTimestamp(1, at);
          ps.setTimestamp(2, at);
          ps.setString(3, describe(t));
          ps.setTimestamp(4, at);
          ps.setObject(5, t.delivery().endpointId());
          ps.setTimestamp(6, at);
          ps.setTimestamp(7, Timestamp.from(t.startedAt().minus(disableAfter)));
        });
    batch.batchUpdate(
        "UPDATE webhook_endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL",
        failed,
        failed.size(),
        (ps, t) -> {
          ps.setTimestamp(1, Timestamp.from(t.startedAt()));
          ps.setObject(2, t.delivery().endpointId());
        });
    batch.batchUpdate(
        """
        UPDATE webhook_endpoints
           SET enabled = false, disabled_reason = ?, disabled_at = ?, updated_at = now(),
               version = version + 1
         WHERE id = ? AND enabled
        """,
        gone,
        gone.size(),
        (ps, t) -> {
          ps.setString(1, t.disables());
          ps.setTimestamp(2, Timestamp.from(t.startedAt()));
          ps.setObject(3, t.delivery().endpointId());
        });
  }

  private static String describe(Tried t) {
    return t.statusCode() != null ? "HTTP " + t.statusCode() : String.valueOf(t.error());
  }

  /** Gives back claims never tried (shutdown, or the lease ran short): due again at once. */
  @Transactional
  void release(List<ClaimedDelivery> deliveries) {
    batch.batchUpdate(
        RELEASE,
        deliveries,
        deliveries.size(),
        (ps, d) -> {
          ps.setObject(1, d.id());
          ps.setLong(2, d.token());
        });
  }

  /** One delivery in the endpoint's log, with every try. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record LogEntry(
      UUID id,
      String webhookId,
      String eventType,
      UUID emailId,
      String status,
      int attempts,
      Instant createdAt,
      @Nullable Instant lastAttemptAt,
      @Nullable Instant nextAttemptAt,
      @Nullable Instant deliveredAt,
      @Nullable Integer lastStatusCode,
      @Nullable String lastError,
      List<Try> tries) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Try(
      int number,
      Instant at,
      @Nullable Integer statusCode,
      @Nullable String error,
      long durationMs,
      String dispatcher) {}

  /** Where a page of the log starts: after this delivery, in (created_at, id) descending order. */
  record Position(Instant createdAt, UUID id) {}

  /** A page of the endpoint's deliveries, newest first, and one more to tell if there are more. */
  @Transactional(readOnly = true)
  List<LogEntry> log(UUID endpointId, @Nullable Position after, int limit) {
    List<LogEntry> page =
        jdbc.sql(
                """
                SELECT d.id, d.status, d.attempts, d.created_at, d.last_attempt_at,
                       CASE WHEN d.status = 'PENDING' THEN d.due_at END AS next_attempt_at,
                       d.delivered_at, d.last_status_code, d.last_error, e.type, e.email_id
                  FROM webhook_deliveries d
                  JOIN email_events e ON e.id = d.event_id
                 WHERE d.endpoint_id = :endpoint
                   AND (CAST(:afterCreated AS timestamptz) IS NULL
                        OR (d.created_at, d.id) < (CAST(:afterCreated AS timestamptz), :afterId))
                 ORDER BY d.created_at DESC, d.id DESC
                 LIMIT :limit
                """)
            .param("endpoint", endpointId)
            .param("afterCreated", after == null ? null : Timestamp.from(after.createdAt()))
            .param("afterId", after == null ? new UUID(0, 0) : after.id())
            .param("limit", limit + 1)
            .query(
                (rs, n) ->
                    new LogEntry(
                        rs.getObject("id", UUID.class),
                        "msg_" + rs.getObject("id", UUID.class),
                        rs.getString("type"),
                        rs.getObject("email_id", UUID.class),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        rs.getTimestamp("created_at").toInstant(),
                        instant(rs.getTimestamp("last_attempt_at")),
                        instant(rs.getTimestamp("next_attempt_at")),
                        instant(rs.getTimestamp("delivered_at")),
                        integer(rs.getInt("last_status_code"), rs.wasNull()),
                        rs.getString("last_error"),
                        List.of()))
            .list();
    if (page.isEmpty()) {
      return page;
    }
    Map<UUID, List<Try>> tries = new HashMap<>();
    jdbc.sql(
            """
            SELECT delivery_id, number, started_at, status_code, error, duration_ms, dispatcher
              FROM webhook_attempts WHERE delivery_id = ANY(:ids) ORDER BY delivery_id, id
            """)
        .param("ids", page.stream().map(LogEntry::id).toArray(UUID[]::new))
        .query(
            rs -> {
              tries
                  .computeIfAbsent(rs.getObject("delivery_id", UUID.class), k -> new ArrayList<>())
                  .add(
                      new Try(
                          rs.getInt("number"),
                          rs.getTimestamp("started_at").toInstant(),
                          integer(rs.getInt("status_code"), rs.wasNull()),
                          rs.getString("error"),
                          rs.getLong("duration_ms"),
                          rs.getString("dispatcher")));
            });
    return page.stream()
        .map(
            e ->
                new LogEntry(
                    e.id(),
                    e.webhookId(),
                    e.eventType(),
                    e.emailId(),
                    e.status(),
                    e.attempts(),
                    e.createdAt(),
                    e.lastAttemptAt(),
                    e.nextAttemptAt(),
                    e.deliveredAt(),
                    e.lastStatusCode(),
                    e.lastError(),
                    tries.getOrDefault(e.id(), List.of())))
        .toList();
  }

  /** What a replay request found. */
  enum Replay {
    QUEUED,
    IN_FLIGHT,
    NOT_FOUND
  }

  /**
   * Queues the delivery again, due now, with a fresh retry window and the same webhook-id; a
   * delivery being sent right now is left to finish.
   */
  @Transactional
  Replay replay(UUID endpointId, UUID deliveryId) {
    int updated =
        jdbc.sql(
                """
                UPDATE webhook_deliveries
                   SET status = 'PENDING', due_at = now(), retry_from = now(), locked_by = NULL
                 WHERE id = :id AND endpoint_id = :endpoint AND status <> 'SENDING'
                """)
            .param("id", deliveryId)
            .param("endpoint", endpointId)
            .update();
    if (updated == 1) {
      return Replay.QUEUED;
    }
    boolean exists =
        jdbc.sql(
                    "SELECT count(*) FROM webhook_deliveries WHERE id = :id AND endpoint_id = :endpoint")
                .param("id", deliveryId)
                .param("endpoint", endpointId)
                .query(Long.class)
                .single()
            > 0;
    return exists ? Replay.IN_FLIGHT : Replay.NOT_FOUND;
  }

  private static void setInteger(PreparedStatement ps, int index, @Nullable Integer value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.SMALLINT);
    } else {
      ps.setInt(index, value);
    }
  }

  private static @Nullable Integer integer(int value, boolean wasNull) {
    return wasNull ? null : value;
  }

  private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  private static @Nullable Timestamp timestamp(@Nullable Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }
}
