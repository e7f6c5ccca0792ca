package dev.mailroom.deploy;

import static dev.mailroom.deploy.Yaml.at;
import static dev.mailroom.deploy.Yaml.listAt;
import static dev.mailroom.deploy.Yaml.mapAt;
import static dev.mailroom.deploy.Yaml.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;

/** Checks that the compose stack is the service, PostgreSQL and Mailpit, wired together. */
class DockerComposeTest {

  private static final Map<String, Object> COMPOSE = Yaml.load(Path.of("docker-compose.yml"));
  private static final Map<String, Object> APPLICATION =
      Yaml.load(Path.of("src/main/resources/application.yml"));

  /** The service's default mailroom.delivery.drain-timeout, which compose does not override. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

  @Test
  void stackHasExactlyTheServiceItsDatabaseAndMailpit() {
    assertThat(mapAt(COMPOSE, "services").keySet())
        .containsExactlyInAnyOrder("mailroom", "postgres", "mailpit");
  }

  @Test
  void postgresAndMailpitReportTheirHealth() {
    assertThat(healthcheck("postgres")).contains("pg_isready");
    assertThat(healthcheck("mailpit")).contains("/mailpit", "readyz");
  }

  @Test
  void serviceStartsOnceDatabaseAndMailpitAreHealthy() {
    Map<String, Object> dependsOn = mapAt(service("mailroom"), "depends_on");

    assertThat(stringAt(dependsOn, "postgres.condition")).isEqualTo("service_healthy");
    assertThat(stringAt(dependsOn, "mailpit.condition")).isEqualTo("service_healthy");
  }

  @Test
  void serviceHealthIsItsReadinessGroupOnTheManagementPort() {
    String basePath =
        Optional.ofNullable(stringAt(APPLICATION, "management.endpoints.web.base-path"))
            .orElse("/actuator");

    assertThat(healthcheck("mailroom"))
        .contains("/dev/tcp/127.0.0.1/" + at(APPLICATION, "management.server.port"))
        .contains("GET " + basePath + "/health/readiness ")
        .contains(" 200 ");
  }

  @Test
  void serviceUsesThePostgresDatabaseAndCredentials() {
    Map<String, Object> env = mapAt(service("mailroom"), "environment");
    Map<String, Object> postgres = mapAt(service("postgres"), "environment");
    URI url =
        URI.create(
            Objects.requireNonNull(stringAt(env, "SPRING_DATASOURCE_URL"))
                .substring("jdbc:".length()));

    assertThat(url.getScheme()).isEqualTo("postgresql");
    assertThat(url.getHost()).isEqualTo("postgres");
    assertThat(url.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
    assertThat(env.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(postgres.get("POSTGRES_USER"));
    assertThat(env.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
  }

  @Test
  void serviceDeliversToMailpitOverPlainSmtp() {
    Map<String, Object> env = mapAt(service("mailroom"), "environment");

    assertThat(env)
        .containsEntry("MAILROOM_SMTP_RELAYS_0_HOST", "mailpit")
        .containsEntry("MAILROOM_SMTP_RELAYS_0_PORT", "1025")
        .containsEntry("MAILROOM_SMTP_RELAYS_0_TLS_MODE", "NONE")
        .containsKeys("MAILROOM_EMAIL_DEFAULT_FROM", "MAILROOM_EMAIL_MESSAGE_ID_DOMAIN");
    assertThat(listAt(service("mailpit"), "ports")).contains("1025:1025", "8025:8025");
  }

  @Test
  void serviceRunsReadOnlyAndGetsTimeToDrainOnStop() {
    Map<String, Object> mailroom = service("mailroom");
    Duration grace =
        DurationStyle.detectAndParse(
            Objects.requireNonNull(stringAt(mailroom, "stop_grace_period")));
    Duration phase =
        DurationStyle.detectAndParse(
            Objects.requireNonNull(
                stringAt(APPLICATION, "spring.lifecycle.timeout-per-shutdown-phase")));

    assertThat(mailroom).containsEntry("read_only", true);
    assertThat(listAt(mailroom, "tmpfs")).contains("/tmp");
    assertThat(grace).isGreaterThan(phase.plus(DRAIN_TIMEOUT));
  }

  private static Map<String, Object> service(String name) {
    return mapAt(COMPOSE, "services." + name);
  }

  private static String healthcheck(String service) {
    return String.join(
        " ", listAt(service(service), "healthcheck.test").stream().map(String::valueOf).toList());
  }
}
