package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.support.ScriptedRelayTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The projects migrations (V7, V8) on a database that was in use before them: a database of its
 * own, migrated to V6, given rows as the service wrote them then, and migrated to the end.
 */
class ProjectMigrationTest extends ScriptedRelayTest {

  @Autowired DataSource serviceDatabase;

  private String name;
  private String url;
  private String username;
  private String password;

  @BeforeEach
  void databaseAtV6() {
    HikariDataSource service = (HikariDataSource) serviceDatabase;
    name = "migration_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    jdbc.sql("CREATE DATABASE " + name).update();
    String serviceUrl = service.getJdbcUrl();
    int slash = serviceUrl.lastIndexOf('/');
    int query = serviceUrl.indexOf('?', slash);
    url =
        serviceUrl.substring(0, slash + 1) + name + (query < 0 ? "" : serviceUrl.substring(query));
    username = service.getUsername();
    password = service.getPassword();
    flyway("6").migrate();
  }

  @AfterEach
  void dropDatabase() {
    jdbc.sql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").update();
  }

  @Test
  void rowsFromBeforeProjectsBelongToTheDefaultProject() throws SQLException {
    try (Connection connection = connect()) {
      JdbcClient before = JdbcClient.create(new SingleConnectionDataSource(connection, true));
      insertEmail(before, "order-1");
      // A template made through the API, and one imported from files that also got an API version.
      before.sql("INSERT INTO templates (name) VALUES ('receipt')").update();
      insertVersion(before, "receipt", 1, "API");
      before.sql("INSERT INTO templates (name, imported_hash) VALUES ('welcome', 'h1')").update();
      insertVersion(before, "welcome", 1, "FILE");
      insertVersion(before, "welcome", 2, "API");
    }

    flyway(null).migrate();

    try (Connection connection = connect()) {
      JdbcClient after = JdbcClient.create(new SingleConnectionDataSource(connection, true));
      assertThat(after.sql("SELECT project FROM emails").query(String.class).list())
          .containsExactly("default");
      assertThat(
              after
                  .sql("SELECT project || '/' || name FROM templates ORDER BY name")
                  .query(String.class)
                  .list())
          .containsExactly("default/receipt", "*/welcome");
      assertThat(
              after
                  .sql(
                      "SELECT project || '/' || name || '/' || version FROM template_versions"
                          + " ORDER BY name, version")
                  .query(String.class)
                  .list())
          .containsExactly("default/receipt/1", "*/welcome/1", "*/welcome/2");
      assertThat(invalidIndexes(after)).isEmpty();

      // Mapped to another project as the README shows.
      after.sql("UPDATE templates SET project = 'shop' WHERE name = 'receipt'").update();
      assertThat(
              after
                  .sql("SELECT project FROM template_versions WHERE name = 'receipt'")
                  .query(String.class)
                  .list())
          .containsExactly("shop");
    }
  }

  @Test
  void idempotencyKeysAreUniqueWithinAProjectAndEveryEmailNamesOne() throws SQLException {
    flyway(null).migrate();

    try (Connection connection = connect()) {
      JdbcClient after = JdbcClient.create(new SingleConnectionDataSource(connection, true));
      insertEmail(after, "default", "order-1");
      insertEmail(after, "shop", "order-1");

      assertThatThrownBy(() -> insertEmail(after, "shop", "order-1"))
          .hasMessageContaining("emails_project_idempotency_key_idx");
      assertThatThrownBy(() -> insertEmail(after, "order-2"))
          .as("no default project for new rows")
          .hasMessageContaining("project");
      assertThat(indexes(after))
          .contains(
              "emails_project_idempotency_key_idx",
              "emails_project_created_idx",
              "emails_project_status_created_idx",
              "emails_project_template_created_idx",
              "emails_created_idx")
          .doesNotContain(
              "emails_idempotency_key_idx",
              "emails_status_created_idx",
              "emails_template_created_idx");
    }
  }

  private Flyway flyway(String target) {
    var configuration =
        Flyway.configure()
            .dataSource(url, username, password)
            .locations("classpath:db/migration")
            // As the service configures it (application.yml): see V8.
            .configuration(Map.of("flyway.postgresql.transactional.lock", "false"));
    return (target == null ? configuration : configuration.target(target)).load();
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url, username, password);
  }

  private static void insertEmail(JdbcClient jdbc, String idempotencyKey) {
    jdbc.sql(
            """
            INSERT INTO emails (id, status, from_address, envelope_from, subject, message_id, mime,
                                idempotency_key)
            VALUES (gen_random_uuid(), 'SENT', 'a@example.com', 'a@example.com', 's',
                    gen_random_uuid()::text, '\\x00', :key)
            """)
        .param("key", idempotencyKey)
        .update();
  }

  private static void insertEmail(JdbcClient jdbc, String project, String idempotencyKey) {
    jdbc.sql(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime, idempotency_key)
            VALUES (gen_random_uuid(), :project, 'SENT', 'a@example.com', 'a@example.com', 's',
                    gen_random_uuid()::text, '\\x00', :key)
            """)
        .param("project", project)
        .param("key", idempotencyKey)
        .update();
  }

  private static void insertVersion(JdbcClient jdbc, String name, int version, String source) {
    jdbc.sql(
            """
            INSERT INTO template_versions (name, version, subject, html, content_hash, source)
            VALUES (:name, :version, 'Hello', '<p>Hi</p>', 'hash' || :version, :source)
            """)
        .param("name", name)
        .param("version", version)
        .param("source", source)
        .update();
  }

  private static List<String> indexes(JdbcClient jdbc) {
    return jdbc.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'emails'")
        .query(String.class)
        .list();
  }

  private static List<String> invalidIndexes(JdbcClient jdbc) {
    return new ArrayList<>(
        jdbc.sql(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid OR NOT indisready")
            .query(String.class)
            .list());
  }
}
