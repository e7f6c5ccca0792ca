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
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Templates and their immutable versions in PostgreSQL, keyed by project and name.
 *
 * <p>Templates from files are imported into the {@linkplain TemplateSource#SHARED shared} project,
 * which every project reads and none can change through the API. A project reads its own template
 * of a name before the shared one; it cannot create a template of its own under a shared template's
 * name (a template it had before the files got that name stays its own).
 *
 * <p>Every change to a template (a new version, an archive, an import at startup) takes a
 * transaction-scoped advisory lock on its project and name first, so that concurrent requests and
 * replicas starting at once decide one after the other whether a new version is needed, and version
 * numbers have no gaps. The same step tells every replica's {@link TemplateHeads} to forget what it
 * knew of the template, once the change commits.
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
  private final TemplateHeads heads;

  TemplateStore(
      JdbcClient jdbc, TransactionTemplate transaction, JsonMapper json, TemplateHeads heads) {
    this.jdbc = jdbc;
    this.transaction = transaction;
    this.json = json;
    this.heads = heads;
  }

  enum Source {
    API,
    FILE
  }

  /** A stored version with its content. */
  record StoredVersion(EmailTemplate template, Source source, Instant createdAt) {}

  /** One line of the version history. */
  record VersionInfo(int version, String contentHash, Source source, Instant createdAt) {}

  /**
   * A template without its content.
   *
   * @param project the template's own project: the caller's, or {@link TemplateSource#SHARED}
   */
  record Summary(
      String project,
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

  /** A change through the API to a template from files, which no project may change. */
  static final class SharedTemplateException extends RuntimeException {
    SharedTemplateException(String name) {
      super(
          "Template '"
              + name
              + "' comes from files that every project shares; it cannot be changed through the"
              + " API. Change its files, or use another name");
    }
  }

  /** One lookup of both candidates, the project's own first (false sorts before true). */
  @Override
  public Optional<Head> head(String project, String name) {
    return jdbc.sql(
            """
            SELECT t.project, v.version, v.content_hash, t.archived_at IS NOT NULL AS archived
              FROM templates t
              JOIN template_versions v ON v.project = t.project AND v.name = t.name
             WHERE t.project IN (:project, '*') AND t.name = :name
             ORDER BY t.project = '*', v.version DESC LIMIT 1
            """)
        .param("project", project)
        .param("name", name)
        .query(
            (rs, n) ->
                new Head(
                    rs.getString("project"),
                    rs.getInt("version"),
                    rs.getString("content_hash"),
                    rs.getBoolean("archived")))
        .optional();
  }

  @Override
  public Optional<EmailTemplate> load(String project, String name, int version) {
    return version(project, name, version).map(StoredVersion::template);
  }

  /**
   * @param project the template's own project, as its {@link Summary} names it
   */
  Optional<StoredVersion> version(String project, String name, int version) {
    return jdbc.sql(
            """
            SELECT project, name, version, subject, html, text, locales::text AS locales,
                   required_variables, content_hash, source, created_at
              FROM template_versions
             WHERE project = :project AND name = :name AND version = :version
            """)
        .param("project", project)
        .param("name", name)
        .param("version", version)
        .query((rs, n) -> storedVersion(rs))
        .optional();
  }

  /** The project's templates and the shared ones, by name; its own first where both have one. */
  List<Summary> list(String project) {
    return jdbc.sql(
            """
            SELECT DISTINCT ON (t.name) t.project, t.name, t.created_at, t.archived_at, v.version,
                   v.created_at AS updated_at
              FROM templates t
              JOIN LATERAL (SELECT version, created_at FROM template_versions
                             WHERE project = t.project AND name = t.name
                             ORDER BY version DESC LIMIT 1) v ON true
             WHERE t.project IN (:project, '*')
             ORDER BY t.name, t.project = '*'
            """)
        .param("project", project)
        .query((rs, n) -> summary(rs))
        .list();
  }

  /** The project's own template of this name, else the shared one. */
  Optional<Summary> summary(String project, String name) {
    return jdbc.sql(
            """
            SELECT t.project, t.name, t.created_at, t.archived_at, v.version,
                   v.created_at AS updated_at
              FROM templates t
              JOIN LATERAL (SELECT version, created_at FROM template_versions
                             WHERE project = t.project AND name = t.name
                             ORDER BY version DESC LIMIT 1) v ON true
             WHERE t.project IN (:project, '*') AND t.name = :name
             ORDER BY t.project = '*' LIMIT 1
            """)
        .param("project", project)
        .param("name", name)
        .query((rs, n) -> summary(rs))
        .optional();
  }

  /**
   * @param project the template's own project, as its {@link Summary} names it
   */
  List<VersionInfo> versions(String project, String name) {
    return jdbc.sql(
            """
            SELECT version, content_hash, source, created_at
              FROM template_versions WHERE project = :project AND name = :name ORDER BY version
            """)
        .param("project", project)
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
   * Stores content sent through the API as the next version of the project's template, unless it
   * equals the latest version of a template that is not archived. An archived template is
   * un-archived by a new version, even one equal to the latest: the history then shows when it came
   * back.
   *
   * @throws SharedTemplateException when the project has no template of this name and the files
   *     have one
   */
  Saved save(String project, String name, TemplateContent content) {
    String hash = content.hash();
    return inTransaction(
        () -> {
          lock(project, name);
          Optional<Boolean> archived = archived(project, name);
          if (archived.isEmpty()) {
            if (archived(SHARED, name).isPresent()) {
              throw new SharedTemplateException(name);
            }
            jdbc.sql("INSERT INTO templates (project, name) VALUES (:project, :name)")
                .param("project", project)
                .param("name", name)
                .update();
            insertVersion(project, name, 1, content, hash, Source.API);
            return new Saved(1, true);
          }
          Head latest = head(project, name).orElseThrow();
          if (!archived.get() && latest.contentHash().equals(hash)) {
            return new Saved(latest.version(), false);
          }
          int version = latest.version() + 1;
          insertVersion(project, name, version, content, hash, Source.API);
          jdbc.sql(
                  "UPDATE templates SET archived_at = NULL WHERE project = :project AND name = :name")
              .param("project", project)
              .param("name", name)
              .update();
          return new Saved(version, true);
        });
  }

  /**
   * Imports a template found in files at startup into the shared project. It becomes a new version
   * only when the files changed since they were last imported, and not when they equal the latest
   * version. (Shared templates made before projects may have versions from the API: one of those
   * stays the latest until the files change.)
   *
   * @return the new version, or empty when nothing was imported
   */
  Optional<Integer> importFiles(String name, TemplateContent content) {
    String hash = content.hash();
    return inTransaction(
        () -> {
          lock(SHARED, name);
          Optional<String> imported =
              jdbc.sql(
                      """
                      SELECT coalesce(imported_hash, '') FROM templates
                       WHERE project = '*' AND name = :name
                      """)
                  .param("name", name)
                  .query(String.class)
                  .optional();
          if (imported.isEmpty()) {
            jdbc.sql(
                    "INSERT INTO templates (project, name, imported_hash) VALUES ('*', :name, :hash)")
                .param("name", name)
                .param("hash", hash)
                .update();
            insertVersion(SHARED, name, 1, content, hash, Source.FILE);
            return Optional.of(1);
          }
          if (imported.get().equals(hash)) {
            return Optional.empty();
          }
          Head latest = head(SHARED, name).orElseThrow();
          Optional<Integer> created = Optional.empty();
          if (!latest.contentHash().equals(hash)) {
            insertVersion(SHARED, name, latest.version() + 1, content, hash, Source.FILE);
            jdbc.sql("UPDATE templates SET archived_at = NULL WHERE project = '*' AND name = :name")
                .param("name", name)
                .update();
            created = Optional.of(latest.version() + 1);
          }
          jdbc.sql(
                  "UPDATE templates SET imported_hash = :hash WHERE project = '*' AND name = :name")
              .param("name", name)
              .param("hash", hash)
              .update();
          return created;
        });
  }

  /** The projects whose own template of this name comes before the shared one, for a warning. */
  List<String> projectsWithOwn(String name) {
    return jdbc.sql(
            "SELECT project FROM templates WHERE name = :name AND project <> '*' ORDER BY project")
        .param("name", name)
        .query(String.class)
        .list();
  }

  /**
   * Archives the project's template; archiving an archived template changes nothing.
   *
   * @return false when neither the project nor the files have a template of this name
   * @throws SharedTemplateException when only the files have one
   */
  boolean archive(String project, String name) {
    return inTransaction(
        () -> {
          lock(project, name);
          boolean archived =
              jdbc.sql(
                          """
                          UPDATE templates SET archived_at = coalesce(archived_at, now())
                           WHERE project = :project AND name = :name
                          """)
                      .param("project", project)
                      .param("name", name)
                      .update()
                  > 0;
          if (!archived && archived(SHARED, name).isPresent()) {
            throw new SharedTemplateException(name);
          }
          return archived;
        });
  }

  /**
   * Takes the template's lock and announces the change: PostgreSQL notifies the other replicas at
   * commit, and this one forgets its copy right after the commit, before the caller answers.
   */
  private void lock(String project, String name) {
    jdbc.sql(
            """
            SELECT pg_advisory_xact_lock(:lockClass, hashtext(:project || ' ' || :name)),
                   pg_notify(:channel, :name)
            """)
        .param("lockClass", LOCK_CLASS)
        .param("project", project)
        .param("name", name)
        .param("channel", TemplateHeads.CHANNEL)
        .query((rs, n) -> 1)
        .single();
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCompletion(int status) {
            heads.changed(name);
          }
        });
  }

  /** Whether the template is archived; empty when the project has no such template. */
  private Optional<Boolean> archived(String project, String name) {
    return jdbc.sql(
            "SELECT archived_at IS NOT NULL FROM templates WHERE project = :project AND name = :name")
        .param("project", project)
        .param("name", name)
        .query(Boolean.class)
        .optional();
  }

  private void insertVersion(
      String project,
      String name,
      int version,
      TemplateContent content,
      String hash,
      Source source) {
    jdbc.sql(
            """
            INSERT INTO template_versions (project, name, version, subject, html, text, locales,
                                           required_variables, content_hash, source)
            VALUES (:project, :name, :version, :subject, :html, :text, CAST(:locales AS jsonb),
                    :requiredVariables, :hash, :source)
            """)
        .param("project", project)
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
            rs.getString("project"),
            rs.getString("name"),
            rs.getInt("version"),
            rs.getString("content_hash"),
            content),
        Source.valueOf(rs.getString("source")),
        instant(rs, "created_at"));
  }

  private static Summary summary(ResultSet rs) throws SQLException {
    return new Summary(
        rs.getString("project"),
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
