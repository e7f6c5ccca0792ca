package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The latest version of a template comes from memory, and changes reach it through PostgreSQL's
 * notifications: from this replica, from another one, and never lost with the connection.
 */
class TemplateHeadsTest extends ScriptedRelayTest {

  private static final String PROJECT = "default";

  @Autowired private TemplateRenderer renderer;
  @Autowired private TemplateHeads heads;
  @Autowired private TemplateStore store;
  @Autowired private JdbcConnectionDetails database;
  @Autowired private TransactionTemplate transaction;
  @Autowired private JsonMapper json;

  private String name;

  @BeforeEach
  void listening() {
    name = "heads-" + UUID.randomUUID().toString().substring(0, 8);
    await("the template change listener").atMost(Duration.ofSeconds(20)).until(heads::listening);
  }

  @Test
  void aVersionSavedHereIsUsedByTheVeryNextRender() {
    store.save(PROJECT, name, content("one"));
    assertThat(subject()).isEqualTo("one");

    store.save(PROJECT, name, content("two"));

    assertThat(subject()).isEqualTo("two");
  }

  @Test
  void aVersionSavedByAnotherReplicaReachesThisOneThroughTheNotification() {
    store.save(PROJECT, name, content("one"));
    assertThat(subject()).isEqualTo("one");
    // Another replica: its own store and cache, sharing only the database with this one.
    TemplateStore other = new TemplateStore(jdbc, transaction, json, new TemplateHeads(database));

    other.save(PROJECT, name, content("two"));

    await("the other replica's version")
        .atMost(Duration.ofSeconds(10))
        .until(this::subject, "two"::equals);
    other.archive(PROJECT, name);
    await("the other replica's archive").atMost(Duration.ofSeconds(10)).until(this::archived);
  }

  @Test
  void theLatestVersionIsReadFromMemoryWhileListening() {
    saveAndHearIt(content("one"));
    assertThat(subject()).isEqualTo("one");

    copyAsVersionTwoWithoutNotifying("sneaked in");

    // Nothing announced the new row: every render still uses the version it knew.
    for (int i = 0; i < 5; i++) {
      assertThat(subject()).isEqualTo("one");
    }
    jdbc.sql("SELECT pg_notify(:channel, :name)")
        .param("channel", TemplateHeads.CHANNEL)
        .param("name", name)
        .query((rs, n) -> 1)
        .single();
    await("the announced version")
        .atMost(Duration.ofSeconds(10))
        .until(this::subject, "sneaked in"::equals);
  }

  @Test
  void withoutTheListeningConnectionNothingKeptIsTrustedAndItComesBack() {
    saveAndHearIt(content("one"));
    assertThat(subject()).isEqualTo("one");

    int terminated =
        jdbc.sql(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE application_name = :name
                """)
            .param("name", TemplateHeads.APPLICATION_NAME)
            .query(Integer.class)
            .single();
    assertThat(terminated).isPositive();
    copyAsVersionTwoWithoutNotifying("while deaf");

    // Whether it noticed the lost connection yet or already listens again, it forgot what it knew.
    await("the version written while the listener was down")
        .atMost(Duration.ofSeconds(20))
        .until(this::subject, "while deaf"::equals);
    await("listening again").atMost(Duration.ofSeconds(20)).until(heads::listening);
    assertThat(subject()).isEqualTo("while deaf");
  }

  /** Saves, and waits until the save's own notification arrived, which forgets it once more. */
  private void saveAndHearIt(TemplateContent content) {
    long before = heads.notifications();
    store.save(PROJECT, name, content);
    await("the save's notification")
        .atMost(Duration.ofSeconds(10))
        .until(() -> heads.notifications() > before);
  }

  private String subject() {
    return renderer.render(PROJECT, name, null, Map.of()).subject();
  }

  private boolean archived() {
    try {
      subject();
      return false;
    } catch (TemplateArchivedException e) {
      return true;
    }
  }

  private static TemplateContent content(String subject) {
    return TemplateContent.of(
        new TemplateContent.Variant(subject, "<p>" + subject + "</p>", null), Map.of(), List.of());
  }

  /** A second version written behind the store's back, as no replica would: no notification. */
  private void copyAsVersionTwoWithoutNotifying(String subject) {
    jdbc.sql(
            """
            INSERT INTO template_versions
                   (project, name, version, subject, html, text, locales, required_variables,
                    content_hash, source)
            SELECT project, name, 2, :subject, html, text, locales, required_variables,
                   'sneaked-' || content_hash, source
              FROM template_versions WHERE project = :project AND name = :name AND version = 1
            """)
        .param("subject", subject)
        .param("project", PROJECT)
        .param("name", name)
        .update();
  }
}
