package dev.mailroom.email;

import dev.mailroom.email.EmailFilter.Cursor;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Lists emails newest first with keyset pagination: a page continues strictly after the
 * (created_at, id) of the previous page's last row, so emails accepted meanwhile never shift or
 * repeat a page. Each filter has an index that serves it in this order (V5__email_search.sql, and
 * within a project V8__project_indexes.sql); the recipients of a whole page are read with one more
 * query.
 */
@Repository
class EmailSearch {

  private final JdbcClient jdbc;

  EmailSearch(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A statement and its parameters, visible to tests that check its plan. */
  record Query(String sql, Map<String, Object> parameters) {}

  @Transactional(readOnly = true)
  EmailPage search(EmailFilter filter) {
    Query query = query(filter);
    JdbcClient.StatementSpec statement = jdbc.sql(query.sql());
    query.parameters().forEach(statement::param);
    List<Row> rows = statement.query((rs, n) -> row(rs)).list();
    boolean more = rows.size() > filter.limit();
    List<Row> page = more ? rows.subList(0, filter.limit()) : rows;
    Map<UUID, List<String>> to = toAddresses(page.stream().map(Row::id).toList());
    List<EmailSummary> emails =
        page.stream()
            .map(
                r ->
                    new EmailSummary(
                        r.id(),
                        r.project(),
                        r.status(),
                        r.from(),
                        r.subject(),
                        to.getOrDefault(r.id(), List.of()),
                        r.template(),
                        r.tags(),
                        r.createdAt(),
                        r.sentAt()))
            .toList();
    Row last = page.isEmpty() ? null : page.get(page.size() - 1);
    return new EmailPage(
        emails, more && last != null ? new Cursor(last.createdAt(), last.id()).encode() : null);
  }

  /** One more row than the page holds, to know whether another page follows. */
  Query query(EmailFilter filter) {
    List<String> where = new ArrayList<>();
    Map<String, Object> parameters = new LinkedHashMap<>();
    // First, as the leading column of the indexes that serve a search within one project.
    if (filter.project() != null) {
      where.add("project = :project");
      parameters.put("project", filter.project());
    }
    if (filter.status() != null) {
      where.add("status = :status");
      parameters.put("status", filter.status().name());
    }
    if (filter.template() != null) {
      where.add("template_name = :template");
      parameters.put("template", filter.template());
    }
    if (filter.tag() != null) {
      where.add("tags @> CAST(ARRAY[:tag] AS text[])");
      parameters.put("tag", filter.tag());
    }
    if (filter.recipient() != null) {
      where.add(
          "EXISTS (SELECT 1 FROM email_recipients r"
              + " WHERE r.email_id = e.id AND lower(r.address) = :recipient)");
      parameters.put("recipient", filter.recipient());
    }
    if (filter.createdAfter() != null) {
      where.add("created_at >= :createdAfter");
      parameters.put("createdAfter", timestamp(filter.createdAfter()));
    }
    if (filter.createdBefore() != null) {
      where.add("created_at < :createdBefore");
      parameters.put("createdBefore", timestamp(filter.createdBefore()));
    }
    if (filter.cursor() != null) {
      where.add("(created_at, id) < (:cursorCreatedAt, :cursorId)");
      parameters.put("cursorCreatedAt", timestamp(filter.cursor().createdAt()));
      parameters.put("cursorId", filter.cursor().id());
    }
    parameters.put("limit", filter.limit() + 1);
    return new Query(
        """
        SELECT id, project, status, from_address, subject, template_name, tags, created_at, sent_at
          FROM emails e
        """
            + (where.isEmpty() ? "" : " WHERE " + String.join("\n   AND ", where) + "\n")
            + " ORDER BY created_at DESC, id DESC\n LIMIT :limit",
        parameters);
  }

  private record Row(
      UUID id,
      String project,
      EmailStatus status,
      String from,
      String subject,
      @Nullable String template,
      List<String> tags,
      Instant createdAt,
      @Nullable Instant sentAt) {}

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(
        rs.getObject("id", UUID.class),
        rs.getString("project"),
        EmailStatus.valueOf(rs.getString("status")),
        rs.getString("from_address"),
        rs.getString("subject"),
        rs.getString("template_name"),
        strings(rs.getArray("tags")),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        instant(rs.getObject("sent_at", OffsetDateTime.class)));
  }

  /** The To addresses of every email of the page, in one query. */
  private Map<UUID, List<String>> toAddresses(List<UUID> ids) {
    Map<UUID, List<String>> to = new HashMap<>();
    if (ids.isEmpty()) {
      return to;
    }
    jdbc.sql(
            """
            SELECT email_id, address FROM email_recipients
             WHERE email_id = ANY(CAST(:ids AS uuid[])) AND kind = :kind
             ORDER BY email_id, position
            """)
        .param("ids", ids.stream().map(UUID::toString).toArray(String[]::new))
        .param("kind", RecipientKind.TO.name())
        .query(
            rs -> {
              to.computeIfAbsent(rs.getObject("email_id", UUID.class), id -> new ArrayList<>())
                  .add(rs.getString("address"));
            });
    return to;
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static @Nullable Instant instant(@Nullable OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  private static List<String> strings(@Nullable Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }
}
