package dev.mailroom.email;

import dev.mailroom.email.EmailView.Attempt;
import dev.mailroom.email.EmailView.Recipient;
import dev.mailroom.email.EmailView.Reply;
import dev.mailroom.email.EmailView.TemplateUsed;
import dev.mailroom.email.EmailView.Tls;
import dev.mailroom.event.EmailEvent;
import dev.mailroom.event.EmailEventType;
import dev.mailroom.event.EmailEvents;
import dev.mailroom.event.TimelineEvent;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The outbox as intake and the status API see it. */
@Repository
class EmailRepository {

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  /** The statuses an email waits in for its next attempt; only these can be cancelled. */
  private static final Set<EmailStatus> CANCELLABLE =
      EnumSet.of(EmailStatus.SCHEDULED, EmailStatus.QUEUED, EmailStatus.DEFERRED);

  private static final String[] WAITING = names(CANCELLABLE);

  /**
   * The caller's project, or any when {@code :project} is null (an admin key). Another project's
   * email is then not found at all, the same as an id that does not exist.
   */
  private static final String IN_PROJECT = "(CAST(:project AS text) IS NULL OR project = :project)";

  /** Cancels a waiting email of the project; returns the project when it did. */
  static final String CANCEL =
      """
      UPDATE emails SET status = :cancelled, due_at = NULL, updated_at = now()
       WHERE id = :id AND status = ANY(CAST(:cancellable AS text[])) AND %s
      RETURNING project
      """
          .formatted(IN_PROJECT);

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;
  private final NamedParameterJdbcTemplate named;
  private final JsonMapper json;
  private final EmailEvents events;

  EmailRepository(
      JdbcClient jdbc,
      JdbcTemplate batch,
      NamedParameterJdbcTemplate named,
      JsonMapper json,
      EmailEvents events) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.named = named;
    this.json = json;
    this.events = events;
  }

  /** A row to insert: the rendered, composed email and its envelope. */
  record NewEmail(
      UUID id,
      String project,
      String from,
      String envelopeFrom,
      String subject,
      String messageId,
      byte[] mime,
      @Nullable TemplateUsed template,
      List<String> tags,
      Map<String, String> metadata,
      @Nullable String idempotencyKey,
      byte @Nullable [] requestHash,
      List<NewRecipient> recipients,
      EmailStatus status,
      Schedule schedule,
      @Nullable String failureReason,
      @Nullable Claim claim) {

    /** A failure reason: every recipient's address is on the project's suppression list. */
    static final String SUPPRESSED = "SUPPRESSED";

    /**
     * Stored as claimed by this dispatcher, under a lease (see {@link DeliveryHandoff}): SENDING
     * with the first fencing token and its first attempt. Its {@link #status} stays QUEUED, the
     * status it is accepted with and answered with.
     */
    record Claim(String dispatcher, java.time.Duration lease) {}

    NewEmail claimedBy(String dispatcher, java.time.Duration lease) {
      return with(recipients, status, failureReason, new Claim(dispatcher, lease));
    }

    /**
     * The email with the recipients whose address is suppressed marked so; FAILED when that is
     * every recipient.
     */
    NewEmail suppressing(java.util.Set<String> suppressed) {
      List<NewRecipient> marked =
          recipients.stream()
              .map(r -> suppressed.contains(r.address()) ? r.suppressed() : r)
              .toList();
      boolean none = marked.stream().allMatch(NewRecipient::isSuppressed);
      return none
          ? with(marked, EmailStatus.FAILED, SUPPRESSED, null)
          : with(marked, status, failureReason, claim);
    }

    private NewEmail with(
        List<NewRecipient> recipients,
        EmailStatus status,
        @Nullable String failureReason,
        @Nullable Claim claim) {
      return new NewEmail(
          id,
          project,
          from,
          envelopeFrom,
          subject,
          messageId,
          mime,
          template,
          tags,
          metadata,
          idempotencyKey,
          requestHash,
          recipients,
          status,
          schedule,
          failureReason,
          claim);
    }
  }

  record NewRecipient(
      RecipientKind kind, String address, @Nullable String name, RecipientStatus status) {

    NewRecipient(RecipientKind kind, String address, @Nullable String name) {
      this(kind, address, name, RecipientStatus.PENDING);
    }

    NewRecipient suppressed() {
      return new NewRecipient(kind, address, name, RecipientStatus.SUPPRESSED);
    }

    boolean isSuppressed() {
      return status == RecipientStatus.SUPPRESSED;
    }
  }

  /**
   * Inserts one email, its recipients and its events (with their webhook deliveries) in one
   * statement, so in one round trip: intake's single sends are the hot path, and at light load its
   * latency is the number of round trips. The statement is atomic by itself, so it needs no
   * transaction; inside one, it joins it.
   */
  void insert(NewEmail email) {
    int n = email.recipients().size();
    String[] kinds = new String[n];
    String[] addresses = new String[n];
    String[] names = new String[n];
    String[] statuses = new String[n];
    for (int i = 0; i < n; i++) {
      NewRecipient r = email.recipients().get(i);
      kinds[i] = r.kind().name();
      addresses[i] = r.address();
      names[i] = r.name();
      statuses[i] = r.status().name();
    }
    events.recordWith(
        EMAIL_WITH_RECIPIENTS,
        row(email, null)
            .addValue("kinds", kinds)
            .addValue("addresses", addresses)
            .addValue("names", names)
            .addValue("statuses", statuses),
        accepted(List.of(email)));
  }

  /**
   * The facts of an intake: each email accepted, and each recipient the project's suppression list
   * left out (with the email's failure when it left out every one).
   */
  private static List<EmailEvent> accepted(List<NewEmail> emails) {
    Instant now = Instant.now();
    List<EmailEvent> facts = new java.util.ArrayList<>();
    for (NewEmail email : emails) {
      facts.add(
          EmailEvent.of(
              email.project(),
              email.id(),
              EmailEventType.ACCEPTED,
              now,
              Map.of("status", email.status().name())));
      for (int i = 0; i < email.recipients().size(); i++) {
        if (email.recipients().get(i).status() == RecipientStatus.SUPPRESSED) {
          facts.add(
              new EmailEvent(
                  email.project(),
                  email.id(),
                  i,
                  EmailEventType.SUPPRESSED,
                  now,
                  Map.of("address", email.recipients().get(i).address())));
        }
      }
      if (email.failureReason() != null) {
        facts.add(
            EmailEvent.of(
                email.project(),
                email.id(),
                EmailEventType.FAILED,
                now,
                Map.of("reason", email.failureReason())));
      }
    }
    return facts;
  }

  /**
   * Inserts a batch's emails and all their recipients with two batched statements. The email that
   * carries the batch's idempotency key also keeps the ids of the whole batch, in order, so a
   * replay can answer with them.
   */
  void insertAll(List<NewEmail> emails) {
    insertRows(emails, emails.stream().map(email -> email.id().toString()).toArray(String[]::new));
  }

  /**
   * Inserts emails sent apart, stored together (see {@code EmailIntake}): the same two batched
   * statements as a batch, without batch ids.
   */
  void insertEach(List<NewEmail> emails) {
    insertRows(emails, null);
  }

  private void insertRows(List<NewEmail> emails, String @Nullable [] batchIds) {
    SqlParameterSource[] rows = new SqlParameterSource[emails.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = row(emails.get(i), batchIds);
    }
    named.batchUpdate(INSERT_EMAIL, rows);
    List<Object[]> recipients = new java.util.ArrayList<>();
    for (NewEmail email : emails) {
      for (int i = 0; i < email.recipients().size(); i++) {
        NewRecipient r = email.recipients().get(i);
        recipients.add(
            new Object[] {
              email.id(), i, r.kind().name(), r.address(), r.name(), r.status().name()
            });
      }
    }
    batch.batchUpdate(
        """
        INSERT INTO email_recipients (email_id, position, kind, address, display_name, status)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        recipients,
        new int[] {
          java.sql.Types.OTHER,
          java.sql.Types.INTEGER,
          java.sql.Types.VARCHAR,
          java.sql.Types.VARCHAR,
          java.sql.Types.VARCHAR,
          java.sql.Types.VARCHAR
        });
    events.record(accepted(emails));
  }

  private static final String INSERT_EMAIL =
      """
        INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                            message_id, mime, template_name, template_version, template_locale,
                            tags, metadata,
                            idempotency_key, request_hash, batch_ids, send_at, expires_at,
                            priority, due_at, failure_reason, failure_detail,
                            locked_by, claim_token, attempts)
        VALUES (:id, :project, :status, :from, :envelopeFrom, :subject, :messageId, :mime,
                :templateName, :templateVersion, :templateLocale, :tags, CAST(:metadata AS jsonb),
                :idempotencyKey, :requestHash, CAST(:batchIds AS uuid[]), :sendAt, :expiresAt,
                :priority,
                CASE WHEN :status = 'FAILED' THEN NULL
                     WHEN :status = 'SENDING'
                     THEN now() + CAST(:leaseMillis AS bigint) * interval '1 millisecond'
                     ELSE GREATEST(CAST(:sendAt AS timestamptz), now()) END,
                :failureReason, :failureDetail,
                :lockedBy, :claimToken, :attempts)""";

  /**
   * The email and its recipients, in order, from four arrays, as common table expressions to run
   * with the email's events (see {@link EmailEvents#recordWith}); the foreign keys are checked at
   * the end of the statement.
   */
  private static final String EMAIL_WITH_RECIPIENTS =
      "changed AS ("
          + INSERT_EMAIL
          + " RETURNING id),\n"
          + """
          recipients_in AS (
            INSERT INTO email_recipients (email_id, position, kind, address, display_name, status)
            SELECT changed.id, r.position - 1, r.kind, r.address, r.display_name, r.status
              FROM changed,
                   unnest(CAST(:kinds AS text[]), CAST(:addresses AS text[]),
                          CAST(:names AS text[]), CAST(:statuses AS text[]))
                     WITH ORDINALITY AS r (kind, address, display_name, status, position)
          )""";

  private MapSqlParameterSource row(NewEmail email, String @Nullable [] batchIds) {
    NewEmail.Claim claim = email.claim();
    return new MapSqlParameterSource()
        .addValue("id", email.id())
        .addValue("project", email.project())
        .addValue("status", claim == null ? email.status().name() : EmailStatus.SENDING.name())
        .addValue("leaseMillis", claim == null ? null : claim.lease().toMillis())
        .addValue("lockedBy", claim == null ? null : claim.dispatcher())
        .addValue("claimToken", claim == null ? 0L : DeliveryHandoff.FIRST_TOKEN)
        .addValue("attempts", claim == null ? 0 : 1)
        .addValue("sendAt", timestamp(email.schedule().sendAt()))
        .addValue("expiresAt", timestamp(email.schedule().expiresAt()))
        .addValue("priority", email.schedule().priority().rank())
        .addValue("from", email.from())
        .addValue("envelopeFrom", email.envelopeFrom())
        .addValue("subject", email.subject())
        .addValue("messageId", email.messageId())
        .addValue("mime", email.mime())
        .addValue("templateName", email.template() == null ? null : email.template().name())
        .addValue("templateVersion", email.template() == null ? null : email.template().version())
        .addValue("templateLocale", email.template() == null ? null : email.template().locale())
        .addValue("tags", email.tags().toArray(String[]::new))
        .addValue("metadata", json.writeValueAsString(email.metadata()))
        .addValue("idempotencyKey", email.idempotencyKey())
        .addValue("requestHash", email.requestHash())
        .addValue("batchIds", email.idempotencyKey() == null ? null : batchIds)
        .addValue("failureReason", email.failureReason())
        .addValue(
            "failureDetail",
            email.failureReason() == null
                ? null
                : "every recipient is on the project's suppression list");
  }

  /**
   * The email already stored under an idempotency key, with the hash of its request.
   *
   * @param batchIds when the key was sent with a batch: the ids of the whole batch, in order
   */
  record Existing(UUID id, EmailStatus status, byte[] requestHash, @Nullable List<UUID> batchIds) {

    String describe() {
      return batchIds == null ? "email " + id : "a batch of " + batchIds.size() + " emails";
    }
  }

  /** Idempotency keys are the project's own: another project's use of the same key is not found. */
  Optional<Existing> findByIdempotencyKey(String project, String key) {
    return jdbc.sql(
            """
            SELECT id, status, request_hash, batch_ids FROM emails
             WHERE project = :project AND idempotency_key = :key
            """)
        .param("project", project)
        .param("key", key)
        .query(
            (rs, n) ->
                new Existing(
                    rs.getObject("id", UUID.class),
                    EmailStatus.valueOf(rs.getString("status")),
                    rs.getBytes("request_hash"),
                    uuids(rs.getArray("batch_ids"))))
        .optional();
  }

  /** The current status of each of these emails of the project that is still stored. */
  Map<UUID, EmailStatus> statuses(String project, List<UUID> ids) {
    Map<UUID, EmailStatus> statuses = new java.util.HashMap<>();
    jdbc.sql(
            "SELECT id, status FROM emails WHERE id = ANY(CAST(:ids AS uuid[])) AND project = :project")
        .param("ids", ids.stream().map(UUID::toString).toArray(String[]::new))
        .param("project", project)
        .query(
            rs -> {
              statuses.put(
                  rs.getObject("id", UUID.class), EmailStatus.valueOf(rs.getString("status")));
            });
    return statuses;
  }

  /**
   * Serialises requests that share an idempotency key within a project: false when another
   * transaction holds it. A space joins the two, as neither a project name nor a key has one.
   */
  boolean tryLockIdempotencyKey(String project, String key) {
    return Boolean.TRUE.equals(
        jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtextextended(:project || ' ' || :key, 0))")
            .param("project", project)
            .param("key", key)
            .query(Boolean.class)
            .single());
  }

  /**
   * The outcome of a cancel request.
   *
   * @param cancelled true when this call cancelled the email
   * @param status the email's status after the call
   */
  record Cancellation(boolean cancelled, EmailStatus status) {}

  /**
   * Cancels an email that no dispatcher holds. The conditional UPDATE is the whole decision: a
   * dispatcher that claimed the row first has made it SENDING, so the UPDATE finds nothing to
   * change (it waits for the claim to commit and re-reads the row); a claim that comes second skips
   * the row while it is locked and then no longer finds it due.
   *
   * @param project the caller's project; null for an admin key, which may cancel any project's
   * @return empty when there is no such email in the project
   */
  @Transactional
  Optional<Cancellation> cancel(UUID id, @Nullable String project) {
    for (int tries = 1; ; tries++) {
      // RETURNING the project: an admin key cancels in any project, and the event is that one's.
      Optional<String> cancelledIn =
          jdbc.sql(CANCEL)
              .param("id", id)
              .param("cancelled", EmailStatus.CANCELLED.name())
              .param("cancellable", WAITING)
              .param("project", project, Types.VARCHAR)
              .query(String.class)
              .optional();
      if (cancelledIn.isPresent()) {
        events.record(
            List.of(
                EmailEvent.of(
                    cancelledIn.get(),
                    id,
                    EmailEventType.CANCELLED,
                    Instant.now(),
                    Map.of("status", EmailStatus.CANCELLED.name()))));
        return Optional.of(new Cancellation(true, EmailStatus.CANCELLED));
      }
      Optional<EmailStatus> status =
          jdbc.sql("SELECT status FROM emails WHERE id = :id AND " + IN_PROJECT)
              .param("id", id)
              .param("project", project, Types.VARCHAR)
              .query((rs, n) -> EmailStatus.valueOf(rs.getString("status")))
              .optional();
      // Cancellable again means a dispatcher gave the email back between the two statements
      // (shutdown, or a deferral): try again, a few times.
      if (status.isEmpty() || !CANCELLABLE.contains(status.get()) || tries == 3) {
        return status.map(current -> new Cancellation(false, current));
      }
    }
  }

  /**
   * @param project the caller's project; null for an admin key, which reads every project's
   * @return empty when there is no such email in the project
   */
  Optional<EmailView> find(UUID id, @Nullable String project) {
    MapSqlParameterSource parameters =
        new MapSqlParameterSource()
            .addValue("id", id)
            .addValue("waiting", WAITING)
            .addValue("project", project, Types.VARCHAR);
    return Optional.ofNullable(named.execute(FIND, parameters, this::readFound));
  }

  /**
   * The email row, its recipients, its attempts and its events: four statements sent together, so
   * one round trip. The driver sends them with one sync message, which PostgreSQL runs as one
   * implicit transaction.
   */
  private static final String FIND =
      """
      SELECT id, project, status, message_id, from_address, subject, template_name, template_version,
             template_locale, tags, metadata::text AS metadata, priority, created_at,
             send_at, expires_at, sent_at,
             CASE WHEN status = ANY(CAST(:waiting AS text[])) THEN due_at END AS next_attempt_at,
             failure_reason, failure_detail
        FROM emails WHERE id = :id AND %s;
      SELECT kind, address, display_name, status, reply_code, enhanced_code, reply_text,
             bounce_kind, bounce_status, bounce_diagnostic, bounced_at
        FROM email_recipients WHERE email_id = :id ORDER BY position;
      SELECT number, started_at, relay, outcome, reply_code, enhanced_code, reply_text,
             duration_ms, dispatcher, tls_protocol, tls_cipher
        FROM delivery_attempts WHERE email_id = :id ORDER BY number, id;
      """
              .formatted(IN_PROJECT)
          + EmailEvents.TIMELINE;

  private @Nullable EmailView readFound(PreparedStatement statement) throws SQLException {
    statement.execute();
    EmailView email = null;
    try (ResultSet rs = statement.getResultSet()) {
      if (rs.next()) {
        email = view(rs);
      }
    }
    if (email == null) {
      return null;
    }
    List<Recipient> recipients = nextRows(statement, (rs, n) -> recipient(rs));
    List<Attempt> attempts = nextRows(statement, (rs, n) -> attempt(rs));
    List<TimelineEvent> timeline = nextRows(statement, (rs, n) -> events.timelineEvent(rs));
    return new EmailView(
        email.id(),
        email.project(),
        email.status(),
        email.messageId(),
        email.from(),
        email.subject(),
        email.template(),
        recipients,
        attempts,
        timeline,
        email.tags(),
        email.metadata(),
        email.priority(),
        email.createdAt(),
        email.sendAt(),
        email.expiresAt(),
        email.sentAt(),
        email.nextAttemptAt(),
        email.failureReason(),
        email.failureDetail());
  }

  /** The rows of the statement's next result set. */
  private static <T> List<T> nextRows(PreparedStatement statement, RowMapper<T> mapper)
      throws SQLException {
    if (!statement.getMoreResults()) {
      throw new SQLException("FIND returned fewer result sets than it has statements");
    }
    List<T> rows = new ArrayList<>();
    try (ResultSet rs = statement.getResultSet()) {
      while (rs.next()) {
        rows.add(mapper.mapRow(rs, rows.size()));
      }
    }
    return List.copyOf(rows);
  }

  /**
   * The email row alone: recipients, attempts and events come from the other statements of FIND.
   */
  private EmailView view(ResultSet rs) throws SQLException {
    String templateName = rs.getString("template_name");
    return new EmailView(
        rs.getObject("id", UUID.class),
        rs.getString("project"),
        EmailStatus.valueOf(rs.getString("status")),
        rs.getString("message_id"),
        rs.getString("from_address"),
        rs.getString("subject"),
        templateName == null
            ? null
            : new TemplateUsed(
                templateName, rs.getString("template_version"), rs.getString("template_locale")),
        List.of(),
        List.of(),
        List.of(),
        strings(rs.getArray("tags")),
        json.readValue(rs.getString("metadata"), STRING_MAP),
        Priority.ofRank(rs.getInt("priority")),
        instant(rs, "created_at"),
        instant(rs, "send_at"),
        instant(rs, "expires_at"),
        instant(rs, "sent_at"),
        instant(rs, "next_attempt_at"),
        rs.getString("failure_reason"),
        rs.getString("failure_detail"));
  }

  private static Recipient recipient(ResultSet rs) throws SQLException {
    return new Recipient(
        rs.getString("kind"),
        rs.getString("address"),
        rs.getString("display_name"),
        RecipientStatus.valueOf(rs.getString("status")),
        reply(rs),
        bounce(rs));
  }

  private static Attempt attempt(ResultSet rs) throws SQLException {
    return new Attempt(
        rs.getInt("number"),
        instant(rs, "started_at"),
        rs.getString("relay"),
        rs.getString("outcome"),
        reply(rs),
        rs.getLong("duration_ms"),
        rs.getString("dispatcher"),
        tls(rs));
  }

  private static @Nullable Tls tls(ResultSet rs) throws SQLException {
    String protocol = rs.getString("tls_protocol");
    return protocol == null ? null : new Tls(protocol, rs.getString("tls_cipher"));
  }

  private static EmailView.@Nullable Bounce bounce(ResultSet rs) throws SQLException {
    String kind = rs.getString("bounce_kind");
    return kind == null
        ? null
        : new EmailView.Bounce(
            kind,
            rs.getString("bounce_status"),
            rs.getString("bounce_diagnostic"),
            instant(rs, "bounced_at"));
  }

  private static @Nullable Reply reply(ResultSet rs) throws SQLException {
    int code = rs.getInt("reply_code");
    boolean noCode = rs.wasNull();
    String text = rs.getString("reply_text");
    if (noCode && text == null) {
      return null;
    }
    return new Reply(noCode ? null : code, rs.getString("enhanced_code"), text);
  }

  private static String[] names(Set<? extends Enum<?>> values) {
    return values.stream().map(Enum::name).toArray(String[]::new);
  }

  private static @Nullable List<UUID> uuids(@Nullable Array array) throws SQLException {
    return array == null ? null : Arrays.asList((UUID[]) array.getArray());
  }

  private static List<String> strings(@Nullable Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }

  private static java.sql.@Nullable Timestamp timestamp(@Nullable Instant instant) {
    return instant == null ? null : java.sql.Timestamp.from(instant);
  }

  @SuppressWarnings("NullAway")
  private static Instant instant(ResultSet rs, String column) throws SQLException {
    java.sql.Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }
}
