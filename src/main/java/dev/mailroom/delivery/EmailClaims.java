package dev.mailroom.delivery;

import dev.mailroom.email.RecipientStatus;
import dev.mailroom.event.EmailEvents;
import dev.mailroom.relay.SendResult;
import dev.mailroom.relay.SmtpReply;
import dev.mailroom.system.SqlTransactions;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outbox as the dispatcher sees it: claim due rows under a lease, write results back only while
 * the claim is still ours (fencing), release what was not started. Everything here is SQL, in
 * {@link SqlTransactions}, and so is what it sets off inside them (events, webhook deliveries, the
 * suppression list); a claim, and a result written alone, are one statement each and commit by
 * themselves.
 */
@Repository
class EmailClaims {

  /**
   * One statement claims a batch: SKIP LOCKED lets concurrent dispatchers take disjoint rows
   * without waiting; an expired SENDING lease is due like any other row, so a crashed dispatcher's
   * work is taken over. The subquery walks {@code emails_due_idx} (priority, due_at): naming every
   * priority makes each one a range scan that stops at the first row not yet due, in the order the
   * claim wants. It returns the row's due time before the claim, for ordering the batch. The batch
   * is also cut at {@link #MAX_BATCH_BYTES} of stored messages (the first email always goes), so a
   * worker never holds more than that plus one message: rows locked but cut are free again when the
   * claim commits. octet_length reads a stored value's size without reading the value.
   *
   * <p>The recipients come back with each row, as three arrays in position order, from a lateral
   * lookup by the recipients' primary key: one statement and one plan for the whole claim. (As a
   * separate {@code email_id = ANY(...)} query it was planned once, while the table was new and
   * small, and that generic plan scanned the whole table on every claim until the next ANALYZE.)
   */
  static final String CLAIM =
      """
      UPDATE emails e
         SET status = 'SENDING', locked_by = :dispatcher, claim_token = e.claim_token + 1,
             attempts = e.attempts + 1, due_at = now() + :lease * interval '1 millisecond',
             updated_at = now()
        FROM (SELECT id, due_at
                FROM (SELECT id, due_at,
                             sum(size) OVER (ORDER BY priority, due_at) - size AS before
                        FROM (SELECT id, due_at, priority,
                                     COALESCE(octet_length(mime), 0) AS size
                                FROM emails
                               WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING')
                                 AND priority IN (0, 1, 2)
                                 AND due_at <= now()
                               ORDER BY priority, due_at
                               LIMIT :limit
                               FOR UPDATE SKIP LOCKED) locked) sized
               WHERE before < :maxBytes) due
             CROSS JOIN LATERAL
             (SELECT array_agg(CAST(r.position AS integer) ORDER BY r.position) AS positions,
                     array_agg(r.address ORDER BY r.position) AS addresses,
                     array_agg(r.status ORDER BY r.position) AS statuses
                FROM email_recipients r
               WHERE r.email_id = due.id) recipients
       WHERE e.id = due.id
      RETURNING e.id, e.project, e.claim_token, e.envelope_from, e.mime, e.attempts, e.created_at,
                e.expires_at, e.priority, due.due_at AS was_due, e.due_at AS lease_until,
                recipients.positions, recipients.addresses, recipients.statuses
      """;

  /** Message bytes one claim may load; messages with attachments can be megabytes each. */
  static final long MAX_BATCH_BYTES = 16L * 1024 * 1024;

  /**
   * The results of a batch, each written where the claim is still ours, in one statement: one
   * execution, not one per email, so the table, its indexes and the plan are opened once for the
   * batch. It returns the emails it wrote. The arrays are parallel, one element per result, and the
   * batch names each email once. Like every statement here that finds an email by its key, its
   * condition names no {@code due_at}, so {@code emails_due_idx} cannot serve it (V55), however
   * empty PostgreSQL last counted that index.
   *
   * <p>The condition on the token is always true (tokens start at 0 and only grow); it is there for
   * the planner. PostgreSQL takes an array parameter to hold ten elements, and over a new, small
   * table it would rather read every {@code SENDING} row, or the whole table, once than look up ten
   * keys, and it keeps that plan as the table grows. A range condition on the batch makes it count
   * the batch as one row, and one row is always looked up by its key.
   */
  static final String RECORD =
      """
      UPDATE emails e
         SET status = u.status, due_at = u.due_at, sent_at = u.sent_at, failure_reason = u.reason,
             failure_detail = u.detail, locked_by = NULL, updated_at = now()
        FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS bigint[]), CAST(:statuses AS text[]),
                    CAST(:dueAts AS timestamptz[]), CAST(:sentAts AS timestamptz[]),
                    CAST(:reasons AS text[]), CAST(:details AS text[]))
             AS u(id, token, status, due_at, sent_at, reason, detail)
       WHERE e.id = u.id AND e.claim_token = u.token AND e.status = 'SENDING'
         AND u.token BETWEEN 0 AND 9223372036854775807
      RETURNING e.id
      """;

  /**
   * The recipients' outcomes of a batch's results, in one statement; parallel arrays again, and a
   * condition on the position that is always true, for the planner, as in {@link #RECORD}.
   */
  static final String RECORD_RECIPIENTS =
      """
      UPDATE email_recipients r
         SET status = u.status, reply_code = u.code, enhanced_code = u.enhanced,
             reply_text = u.text, updated_at = now()
        FROM unnest(CAST(:ids AS uuid[]), CAST(:positions AS smallint[]),
                    CAST(:outcomes AS text[]), CAST(:codes AS smallint[]),
                    CAST(:enhanced AS text[]), CAST(:texts AS text[]))
             AS u(email_id, position, status, code, enhanced, text)
       WHERE r.email_id = u.email_id AND r.position = u.position
         AND u.position BETWEEN 0 AND 32767
      """;

  /**
   * A longer lease on the claims still ours; the condition on the token is for the planner, as in
   * {@link #RECORD}.
   */
  static final String RENEW =
      """
      UPDATE emails e SET due_at = now() + :lease * interval '1 millisecond'
        FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS bigint[])) AS held(id, token)
       WHERE e.id = held.id AND e.claim_token = held.token AND e.status = 'SENDING'
         AND held.token BETWEEN 0 AND 9223372036854775807
      RETURNING e.id
      """;

  /** A claim given back unattempted: due again at once, its attempt returned. */
  static final String RELEASE =
      """
      UPDATE emails SET status = CASE WHEN attempts > 1 THEN 'DEFERRED' ELSE 'QUEUED' END,
             attempts = attempts - 1, due_at = now(), locked_by = NULL, updated_at = now()
       WHERE id = ? AND claim_token = ? AND status = 'SENDING'
      """;

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;
  private final ApplicationEventPublisher publisher;
  private final EmailEvents events;
  private final TransactionTemplate transaction;

  EmailClaims(
      JdbcClient jdbc,
      JdbcTemplate batch,
      ApplicationEventPublisher publisher,
      EmailEvents events,
      SqlTransactions transactions) {
    // JDBC only: no JPA session for each claim and each result write.
    this.transaction = transactions.template();
    this.jdbc = jdbc;
    this.batch = batch;
    this.publisher = publisher;
    this.events = events;
  }

  /**
   * Claims a batch in one statement, which commits by itself: no transaction around it, so a claim
   * is one round trip (a transaction would add its commit).
   */
  List<ClaimedEmail> claim(String dispatcher, int limit, Duration lease) {
    record Row(
        UUID id,
        String project,
        long token,
        String envelopeFrom,
        byte[] mime,
        int attempts,
        Instant createdAt,
        @Nullable Instant expiresAt,
        int priority,
        Instant wasDue,
        Instant leaseUntil,
        List<ClaimedEmail.Recipient> recipients) {}
    List<Row> rows =
        jdbc
            .sql(CLAIM)
            .param("dispatcher", dispatcher)
            .param("lease", lease.toMillis())
            .param("limit", limit)
            .param("maxBytes", MAX_BATCH_BYTES)
            .query(
                (rs, n) ->
                    new Row(
                        rs.getObject("id", UUID.class),
                        rs.getString("project"),
                        rs.getLong("claim_token"),
                        rs.getString("envelope_from"),
                        rs.getBytes("mime"),
                        rs.getInt("attempts"),
                        rs.getTimestamp("created_at").toInstant(),
                        instant(rs.getTimestamp("expires_at")),
                        rs.getInt("priority"),
                        rs.getTimestamp("was_due").toInstant(),
                        rs.getTimestamp("lease_until").toInstant(),
                        recipients(rs)))
            // list(), not stream(): outside a transaction, an open stream would hold its
            // connection until closed.
            .list()
            .stream()
            // RETURNING has no order: send the batch in the order it was claimed.
            .sorted(Comparator.comparingInt(Row::priority).thenComparing(Row::wasDue))
            .toList();
    return rows.stream()
        .map(
            r ->
                new ClaimedEmail(
                    r.id(),
                    r.project(),
                    r.token(),
                    r.envelopeFrom(),
                    r.mime(),
                    r.attempts(),
                    r.createdAt(),
                    r.expiresAt(),
                    r.leaseUntil(),
                    r.recipients()))
        .toList();
  }

  /** The recipients a claimed row came back with, in position order (none: an empty list). */
  private static List<ClaimedEmail.Recipient> recipients(ResultSet rs) throws SQLException {
    Array positions = rs.getArray("positions");
    if (positions == null) {
      return List.of();
    }
    Integer[] position = (Integer[]) positions.getArray();
    String[] address = (String[]) rs.getArray("addresses").getArray();
    String[] status = (String[]) rs.getArray("statuses").getArray();
    List<ClaimedEmail.Recipient> recipients = new ArrayList<>(position.length);
    for (int i = 0; i < position.length; i++) {
      recipients.add(
          new ClaimedEmail.Recipient(position[i], address[i], RecipientStatus.valueOf(status[i])));
    }
    return List.copyOf(recipients);
  }

  /** One attempt's outcome, ready to be written. */
  record Recorded(
      ClaimedEmail email,
      String dispatcher,
      Instant startedAt,
      @Nullable SendResult result,
      Settlement settlement) {}

  /**
   * Writes a batch of results in one transaction, with the event each one is (and so its webhook
   * deliveries). A result whose claim token is no longer current (the lease expired and another
   * dispatcher took the email) is dropped whole, event included.
   *
   * @return how many results were written
   */
  int record(List<Recorded> results) {
    if (results.isEmpty()) {
      return 0;
    }
    if (results.size() == 1 && refusals(results.get(0)).isEmpty()) {
      return recordOne(results.get(0));
    }
    return transaction.execute(tx -> recordNow(results));
  }

  /**
   * One result as one statement, which commits by itself: the email (if the claim is still ours),
   * its attempt, its recipients' outcomes, and its event with the event's webhook deliveries. A
   * quiet dispatcher writes its results one at a time, and then what a caller waits for is the
   * number of round trips: one here, five for a batch (four statements and the commit). A result
   * that refuses a recipient for good goes the batch's way, whose transaction the suppression list
   * joins.
   */
  static final String RECORD_ONE =
      """
      changed AS (
        UPDATE emails SET status = :status, due_at = CAST(:dueAt AS timestamptz),
               sent_at = CAST(:sentAt AS timestamptz), failure_reason = :reason,
               failure_detail = :detail, locked_by = NULL, updated_at = now()
         WHERE id = :id AND claim_token = :token AND status = 'SENDING'
        RETURNING id
      ),
      attempt AS (
        INSERT INTO delivery_attempts (email_id, number, dispatcher, relay, started_at, duration_ms,
                                       outcome, reply_code, enhanced_code, reply_text,
                                       tls_protocol, tls_cipher)
        SELECT id, CAST(:number AS integer), :dispatcher, :relay,
               CAST(:startedAt AS timestamptz), CAST(:durationMs AS integer), :outcome,
               CAST(:replyCode AS smallint), :replyEnhanced, :replyText, :tlsProtocol, :tlsCipher
          FROM changed
         WHERE CAST(:attempted AS boolean)
      ),
      recipients_out AS (
        UPDATE email_recipients r
           SET status = u.status, reply_code = u.code, enhanced_code = u.enhanced,
               reply_text = u.text, updated_at = now()
          FROM changed,
               unnest(CAST(:positions AS smallint[]), CAST(:outcomes AS text[]),
                      CAST(:codes AS smallint[]), CAST(:enhanced AS text[]),
                      CAST(:texts AS text[])) AS u(position, status, code, enhanced, text)
         WHERE r.email_id = changed.id AND r.position = u.position
      )""";

  private int recordOne(Recorded r) {
    Settlement s = r.settlement();
    RecipientOutcomes outcomes = new RecipientOutcomes();
    for (Settlement.RecipientUpdate u : s.recipients()) {
      outcomes.add(r.email().id(), u);
    }
    SendResult result = r.result();
    SmtpReply reply = result == null ? null : result.reply();
    MapSqlParameterSource params =
        new MapSqlParameterSource()
            .addValue("id", r.email().id())
            .addValue("token", r.email().token())
            .addValue("status", s.status().name())
            .addValue("dueAt", timestamp(s.dueAt()))
            .addValue("sentAt", timestamp(s.sentAt()))
            .addValue("reason", s.failureReason())
            .addValue("detail", s.failureDetail())
            .addValue("attempted", result != null)
            .addValue("number", r.email().attempts())
            .addValue("dispatcher", r.dispatcher())
            .addValue("relay", result == null ? null : result.relay())
            .addValue("startedAt", Timestamp.from(r.startedAt()))
            .addValue(
                "durationMs",
                result == null
                    ? null
                    : (int) Math.min(Integer.MAX_VALUE, result.duration().toMillis()))
            .addValue("outcome", result == null ? null : result.outcome().name())
            .addValue("replyCode", reply == null || reply.code() <= 0 ? null : reply.code())
            .addValue("replyEnhanced", reply == null ? null : reply.enhancedCode())
            .addValue("replyText", reply == null ? null : reply.text())
            .addValue(
                "tlsProtocol",
                result == null || result.tls() == null ? null : result.tls().protocol())
            .addValue(
                "tlsCipher", result == null || result.tls() == null ? null : result.tls().cipher());
    outcomes.bind(params);
    return events.recordWith(RECORD_ONE, params, SettlementEvents.of(List.of(r)));
  }

  /** The recipients a result refuses for good, each to go on the project's suppression list. */
  private static List<RecipientsRefused.Refusal> refusals(Recorded r) {
    List<RecipientsRefused.Refusal> refusals = new ArrayList<>();
    for (Settlement.RecipientUpdate u : r.settlement().recipients()) {
      if (u.status() == RecipientStatus.REJECTED && u.reply().isPermanent()) {
        refusals.add(refusal(r.email(), u));
      }
    }
    return refusals;
  }

  private int recordNow(List<Recorded> results) {
    int n = results.size();
    UUID[] ids = new UUID[n];
    Long[] tokens = new Long[n];
    String[] statuses = new String[n];
    String[] dueAts = new String[n];
    String[] sentAts = new String[n];
    String[] reasons = new String[n];
    String[] details = new String[n];
    for (int i = 0; i < n; i++) {
      Recorded r = results.get(i);
      Settlement s = r.settlement();
      ids[i] = r.email().id();
      tokens[i] = r.email().token();
      statuses[i] = s.status().name();
      dueAts[i] = text(s.dueAt());
      sentAts[i] = text(s.sentAt());
      reasons[i] = s.failureReason();
      details[i] = s.failureDetail();
    }
    Set<UUID> written =
        new HashSet<>(
            jdbc.sql(RECORD)
                .param("ids", ids)
                .param("tokens", tokens)
                .param("statuses", statuses)
                .param("dueAts", dueAts)
                .param("sentAts", sentAts)
                .param("reasons", reasons)
                .param("details", details)
                .query((rs, row) -> rs.getObject("id", UUID.class))
                .list());
    List<Recorded> current = new ArrayList<>();
    for (Recorded r : results) {
      if (written.contains(r.email().id())) {
        current.add(r);
      }
    }
    events.record(SettlementEvents.of(current));
    List<Recorded> attempted = current.stream().filter(r -> r.result() != null).toList();
    if (attempted.isEmpty()) {
      writeRecipients(current);
      return current.size();
    }
    batch.batchUpdate(
        """
        INSERT INTO delivery_attempts (email_id, number, dispatcher, relay, started_at, duration_ms,
                                       outcome, reply_code, enhanced_code, reply_text,
                                       tls_protocol, tls_cipher)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        attempted,
        attempted.size(),
        (ps, r) -> {
          SendResult result = r.result();
          SmtpReply reply = result.reply();
          ps.setObject(1, r.email().id());
          ps.setInt(2, r.email().attempts());
          ps.setString(3, r.dispatcher());
          ps.setString(4, result.relay());
          ps.setTimestamp(5, Timestamp.from(r.startedAt()));
          ps.setInt(6, (int) Math.min(Integer.MAX_VALUE, result.duration().toMillis()));
          ps.setString(7, result.outcome().name());
          setReply(ps, 8, reply);
          ps.setString(11, result.tls() == null ? null : result.tls().protocol());
          ps.setString(12, result.tls() == null ? null : result.tls().cipher());
        });
    writeRecipients(current);
    return current.size();
  }

  private void writeRecipients(List<Recorded> current) {
    RecipientOutcomes outcomes = new RecipientOutcomes();
    List<RecipientsRefused.Refusal> refusals = new ArrayList<>();
    for (Recorded r : current) {
      for (Settlement.RecipientUpdate u : r.settlement().recipients()) {
        outcomes.add(r.email().id(), u);
      }
      refusals.addAll(refusals(r));
    }
    if (outcomes.ids.isEmpty()) {
      return;
    }
    if (!refusals.isEmpty()) {
      // Listeners write in this transaction: the suppression list in one batched statement.
      publisher.publishEvent(new RecipientsRefused(refusals));
    }
    MapSqlParameterSource params =
        new MapSqlParameterSource("ids", outcomes.ids.toArray(UUID[]::new));
    outcomes.bind(params);
    jdbc.sql(RECORD_RECIPIENTS).paramSource(params).update();
  }

  /**
   * Recipients' outcomes as the parallel arrays {@link #RECORD_ONE} and {@link #RECORD_RECIPIENTS}
   * take, one element per recipient.
   */
  private static final class RecipientOutcomes {
    final List<UUID> ids = new ArrayList<>();
    final List<Integer> positions = new ArrayList<>();
    final List<String> outcomes = new ArrayList<>();
    final List<Integer> codes = new ArrayList<>();
    final List<String> enhanced = new ArrayList<>();
    final List<String> texts = new ArrayList<>();

    void add(UUID email, Settlement.RecipientUpdate u) {
      ids.add(email);
      positions.add(u.position());
      outcomes.add(u.status().name());
      codes.add(u.reply().code() > 0 ? u.reply().code() : null);
      enhanced.add(u.reply().enhancedCode());
      texts.add(u.reply().text());
    }

    /** Everything but the emails' ids, which only the batch's statement names. */
    void bind(MapSqlParameterSource params) {
      params
          .addValue("positions", positions.toArray(Integer[]::new))
          .addValue("outcomes", outcomes.toArray(String[]::new))
          .addValue("codes", codes.toArray(Integer[]::new))
          .addValue("enhanced", enhanced.toArray(String[]::new))
          .addValue("texts", texts.toArray(String[]::new));
    }
  }

  private static RecipientsRefused.Refusal refusal(
      ClaimedEmail email, Settlement.RecipientUpdate update) {
    String address =
        email.recipients().stream()
            .filter(r -> r.position() == update.position())
            .map(ClaimedEmail.Recipient::address)
            .findFirst()
            .orElseThrow();
    SmtpReply reply = update.reply();
    return new RecipientsRefused.Refusal(
        email.id(), email.project(), address, reply.code(), reply.enhancedCode(), reply.line());
  }

  /**
   * Extends the lease on claims still held: only where the claim token is still current and the
   * email still SENDING, so a claim another dispatcher took over stays theirs.
   *
   * @return the ids whose lease was extended
   */
  Set<UUID> renew(List<ClaimedEmail> emails, Duration lease) {
    if (emails.isEmpty()) {
      return Set.of();
    }
    return transaction.execute(tx -> renewNow(emails, lease));
  }

  private Set<UUID> renewNow(List<ClaimedEmail> emails, Duration lease) {
    return new HashSet<>(
        jdbc.sql(RENEW)
            .param("lease", lease.toMillis())
            .param("ids", emails.stream().map(ClaimedEmail::id).toArray(UUID[]::new))
            .param("tokens", emails.stream().map(ClaimedEmail::token).toArray(Long[]::new))
            .query((rs, n) -> rs.getObject("id", UUID.class))
            .list());
  }

  /**
   * Gives back claims that were never attempted (shutdown, or a lease that could not be renewed):
   * the email is due again at once and the attempt it was charged is returned.
   */
  void release(List<ClaimedEmail> emails) {
    if (emails.isEmpty()) {
      return;
    }
    transaction.executeWithoutResult(
        tx ->
            batch.batchUpdate(
                RELEASE,
                emails,
                emails.size(),
                (ps, e) -> {
                  ps.setObject(1, e.id());
                  ps.setLong(2, e.token());
                }));
  }

  private static void setReply(java.sql.PreparedStatement ps, int first, SmtpReply reply)
      throws java.sql.SQLException {
    if (reply.code() > 0) {
      ps.setInt(first, reply.code());
    } else {
      ps.setNull(first, Types.SMALLINT);
    }
    ps.setString(first + 1, reply.enhancedCode());
    ps.setString(first + 2, reply.text());
  }

  private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  /** An instant as PostgreSQL reads a timestamptz, for an array of them. */
  private static @Nullable String text(@Nullable Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static @Nullable Timestamp timestamp(@Nullable Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }
}
