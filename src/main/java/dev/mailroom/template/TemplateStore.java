package dev.mailroom.template;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Templates and their immutable versions in PostgreSQL.
 *
 * <p>Every change to a template (a new version, an archive, an import at startup) takes a
 * transaction-scoped advisory lock on its name first, so that concurrent requests and replicas
 * starting at once decide one after the other whether a new version is needed, and version numbers
 * have no gaps.
 */
@Repository
class TemplateStore implements TemplateSource {

  /**
   * The first key of the two-key advisory locks on template names. The two-key and one-key lock
   * spaces do not overlap, so these never collide with the idempotency key locks.
   */
  private static final int LOCK_CLASS = 0x6d61696c; // "mail"

  private static final TypeReference<Map<String, Map<String, String>>> LOCALES =
      new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final TransactionTemplate transaction;
  private final JsonMapper json;

  TemplateStore(JdbcClient jdbc, TransactionTemplate transaction, JsonMapper json) {
    this.jdbc = jdbc;
    this.transaction = transaction;
    this.json = json;
  }

  enum Source {
    API,
    FILE
  }

  /** A stored version with its content. */
  record StoredVersion(EmailTemplate template, Source source, Instant createdAt) {}

  /** One line of the version history. */
  record VersionInfo(int version, String contentHash, Source source, Instant createdAt) {}

  /** A template without its content. */
  record Summary(
      String name,
      int latestVersion,
      @Nullable Instant archivedAt,
      Instant createdAt,
      Instant updatedAt) {}

  /**
   * The outcome of storing content.
   *
   * @param created false when the content equals the latest version, which stays the latest
   */
  record Saved(int version, boolean created) {}

  @Override
  public Optional<Head> head(String name) {
    return jdbc.sql(
            """
            SELECT v.version, v.content_hash, t.archived_at IS NOT NULL AS archived
              FROM templates t JOIN template_versions v ON v.name = t.name
             WHERE t.name = :name
             ORDER BY v.version DESC LIMIT 1
            """)
        .param("name", name)
        .query(
            (rs, n) ->
                new Head(
                    rs.getInt("version"), rs.getString("content_hash"), rs.getBoolean("archived")))
        .optional();
  }

  @Override
  public Optional<EmailTemplate> load(String name, int version) {
    return version(name, version).map(StoredVersion::template);
  }

  Optional<StoredVersion> version(String name, int version) {
    return jdbc.sql(
            """
            SELECT name, version, subject, html, text, locales::text AS locales, required_variables,
                   content_hash, source, created_at
              FROM template_versions WHERE name = :name AND version = :version
            """)
        .param("name", name)
        .param("version", version)
        .query((rs, n) -> storedVersion(rs))
        .optional();
  }

  List<Summary> list() {
    return jdbc.sql(
            """
            SELECT t.name, t.created_at, t.archived_at, v.version, v.created_at AS updated_at
              FROM templates t
              JOIN LATERAL (SELECT version, created_at FROM template_versions
                             WHERE name = t.name ORDER BY version DESC LIMIT 1) v ON true
             ORDER BY t.name
            """)
        .query((rs, n) -> summary(rs))
        .list();
  }

  Optional<Summary> summary(String name) {
    return jdbc.sql(
            """
            SELECT t.name, t.created_at, t.archived_at, v.version, v.created_at AS updated_at
              FROM templates t
              JOIN LATERAL (SELECT version, created_at FROM template_versions
                             WHERE name = t.name ORDER BY version DESC LIMIT 1) v ON true
             WHERE t.name = :name
            """)
        .param("name", name)
        .query((rs, n) -> summary(rs))
        .optional();
  }

  List<VersionInfo> versions(String name) {
    return jdbc.sql(
            """
            SELECT version, content_hash, source, created_at
              FROM template_versions WHERE name = :name ORDER BY version
            """)
        .param("name", name)
        .query(
            (rs, n) ->
                new VersionInfo(
                    rs.getInt("version"),
                    rs.getString("content_hash"),
                    Source.valueOf(rs.getString("source")),
                    instant(rs, "created_at")))
        .list();
  }

  /**
   * Stores content sent through the API as the next version, unless it equals the latest version of
   * a template that is not archived. An archived template is un-archived by a new version, even one
   * equal to the latest: the history then shows when it came back.
   */
  Saved save(String name, TemplateContent content) {
    String hash = content.hash();
    return inTransaction(
        () -> {
          lock(name);
          Optional<Boolean> archived = archived(name);
          if (archived.isEmpty()) {
            jdbc.sql("INSERT INTO templates (name) VALUES (:name)").param("name", name).update();
            insertVersion(name, 1, content, hash, Source.API);
            return new Saved(1, true);
          }
          Head latest = head(name).orElseThrow();
          if (!archived.get() && latest.contentHash().equals(hash)) {
            return new Saved(latest.version(), false);
          }
          int version = latest.version() + 1;
          insertVersion(name, version, content, hash, Source.API);
          jdbc.sql("UPDATE templates SET archived_at = NULL WHERE name = :name")
              .param("name", name)
              .update();
          return new Saved(version, true);
        });
  }

  /**
   * Imports a template found in files at startup. It becomes a new version only when the files
   * changed since they were last imported, so a version made through the API since then stays the
   * latest until the files change again; and not when they equal the latest version.
   *
   * @return the new version, or empty when nothing was imported
   */
  Optional<Integer> importFiles(String name, TemplateContent content) {
    String hash = content.hash();
    return inTransaction(
        () -> {
          lock(name);
          Optional<String> imported =
              jdbc.sql("SELECT coalesce(imported_hash, '') FROM templates WHERE name = :name")
                  .param("name", name)
                  .query(String.class)
                  .optional();
          if (imported.isEmpty()) {
            jdbc.sql("INSERT INTO templates (name, imported_hash) VALUES (:name, :hash)")
                .param("name", name)
                .param("hash", hash)
                .update();
            insertVersion(name, 1, content, hash, Source.FILE);
            return Optional.of(1);
          }
          if (imported.get().equals(hash)) {
            return Optional.empty();
          }
          Head latest = head(name).orElseThrow();
          Optional<Integer> created = Optional.empty();
          if (!latest.contentHash().equals(hash)) {
            insertVersion(name, latest.version() + 1, content, hash, Source.FILE);
            jdbc.sql("UPDATE templates SET archived_at = NULL WHERE name = :name")
                .param("name", name)
                .update();
            created = Optional.of(latest.version() + 1);
          }
          jdbc.sql("UPDATE templates SET imported_hash = :hash WHERE name = :name")
              .param("name", name)
              .param("hash", hash)
              .update();
          return created;
        });
  }

  /**
   * Archives a template; archiving an archived template changes nothing.
   *
   * @return false when there is no such template
   */
  boolean archive(String name) {
    return inTransaction(
        () -> {
          lock(name);
          return jdbc.sql(
                      "UPDATE templates SET archived_at = coalesce(archived_at, now()) WHERE name = :name")
                  .param("name", name)
                  .update()
              > 0;
        });
  }

  private void lock(String name) {
    jdbc.sql("SELECT pg_advisory_xact_lock(:lockClass, hashtext(:name))")
        .param("lockClass", LOCK_CLASS)
        .param("name", name)
        .query((rs, n) -> 1)
        .single();
  }

  /** Whether the template is archived; empty when there is no such template. */
  private Optional<Boolean> archived(String name) {
    return jdbc.sql("SELECT archived_at IS NOT NULL FROM templates WHERE name = :name")
        .param("name", name)
        .query(Boolean.class)
        .optional();
  }

  private void insertVersion(
      String name, int version, TemplateContent content, String hash, Source source) {
    jdbc.sql(
            """
            INSERT INTO template_versions (name, version, subject, html, text, locales,
                                           required_variables, content_hash, source)
            VALUES (:name, :version, :subject, :html, :text, CAST(:locales AS jsonb),
                    :requiredVariables, :hash, :source)
            """)
        .param("name", name)
        .param("version", version)
        .param("subject", content.base().subject())
        .param("html", content.base().html())
        .param("text", content.base().text())
        .param("locales", json.writeValueAsString(locales(content)))
        .param("requiredVariables", content.requiredVariables().toArray(String[]::new))
        .param("hash", hash)
        .param("source", source.name())
        .update();
  }

  private static Map<String, Map<String, String>> locales(TemplateContent content) {
    Map<String, Map<String, String>> locales = new TreeMap<>();
    content
        .locales()
        .forEach(
            (locale, variant) -> {
              Map<String, String> files = new LinkedHashMap<>();
              files.put("subject", variant.subject());
              files.put("html", variant.html());
              if (variant.text() != null) {
                files.put("text", variant.text());
              }
              locales.put(locale, files);
            });
    return locales;
  }

  private StoredVersion storedVersion(ResultSet rs) throws SQLException {
    Map<String, TemplateContent.Variant> locales = new TreeMap<>();
    json.readValue(rs.getString("locales"), LOCALES)
        .forEach(
            (locale, files) ->
                locales.put(
                    locale,
                    new TemplateContent.Variant(
                        files.get("subject"), files.get("html"), files.get("text"))));
    TemplateContent content =
        TemplateContent.of(
            new TemplateContent.Variant(
                rs.getString("subject"), rs.getString("html"), rs.getString("text")),
            locales,
            strings(rs.getArray("required_variables")));
    return new StoredVersion(
        new EmailTemplate(
            rs.getString("name"), rs.getInt("version"), rs.getString("content_hash"), content),
        Source.valueOf(rs.getString("source")),
        instant(rs, "created_at"));
  }

  private static Summary summary(ResultSet rs) throws SQLException {
    return new Summary(
        rs.getString("name"),
        rs.getInt("version"),
        nullableInstant(rs, "archived_at"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  private <T> T inTransaction(java.util.function.Supplier<T> work) {
    T result = transaction.execute(status -> work.get());
    if (result == null) {
      throw new IllegalStateException("The transaction returned nothing");
    }
    return result;
  }

  private static List<String> strings(@Nullable Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Instant instant = nullableInstant(rs, column);
    if (instant == null) {
      throw new IllegalStateException(column + " is null");
    }
    return instant;
  }

  private static @Nullable Instant nullableInstant(ResultSet rs, String column)
      throws SQLException {
    java.sql.Timestamp timestamp = rs.getTimestamp(column);
    return timestamp == null ? null : timestamp.toInstant();
  }
}
