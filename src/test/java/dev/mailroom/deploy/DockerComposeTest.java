package dev.mailroom.deploy;

import static dev.mailroom.deploy.Yaml.at;
import static dev.mailroom.deploy.Yaml.listAt;
import static dev.mailroom.deploy.Yaml.mapAt;
import static dev.mailroom.deploy.Yaml.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.apikey.ApiKeySettings;
import dev.mailroom.apikey.ApiKeys;
import dev.mailroom.apikey.Scope;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Checks that the compose stack is the service, PostgreSQL and Mailpit, wired together, and that it
 * admits the development key the README's examples send.
 */
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

  @Test
  void serviceAdmitsTheDevelopmentKeyTheReadmeDocuments() {
    String key = readmeComposeKey();
    ApiKeySettings settings;
    try (ValidatorFactory validation = Validation.buildDefaultValidatorFactory()) {
      settings = environmentBinder().bindOrCreate("mailroom", Bindable.of(ApiKeySettings.class));
      assertThat(validation.getValidator().validate(settings)).isEmpty();
    }

    assertThat(settings.apiKeys())
        .singleElement()
        .satisfies(
            apiKey -> {
              assertThat(apiKey.hash()).isEqualTo(ApiKeys.hash(key));
              assertThat(apiKey.scopes()).containsExactlyInAnyOrder(Scope.values());
              assertThat(apiKey.allowedSenderDomains()).isEmpty();
            });
    assertThat(key)
        .as("local mode's key is admitted by no other configuration (README)")
        .isNotEqualTo("mr_dev_local_only");
    assertThat(mapAt(service("mailroom"), "environment"))
        .as("the compose file holds the hash, never the key")
        .doesNotContainValue(key);
  }

  @Test
  void readmeComposeExamplesSendTheDevelopmentKey() {
    String key = readmeComposeKey();
    List<String> calls =
        commands(readmeComposeSection()).stream()
            .filter(command -> command.contains("curl") && command.contains("localhost:8080"))
            .toList();

    assertThat(calls)
        .isNotEmpty()
        .allSatisfy(call -> assertThat(call).contains("Authorization: Bearer " + key));
  }

  /** The one key the README's compose section sends. */
  private static String readmeComposeKey() {
    Matcher bearer =
        Pattern.compile("Authorization: Bearer ([A-Za-z0-9_.-]+)").matcher(readmeComposeSection());
    List<String> keys = new ArrayList<>();
    while (bearer.find()) {
      keys.add(bearer.group(1));
    }
    assertThat(keys).as("keys the README's compose section sends").isNotEmpty();
    assertThat(Set.copyOf(keys)).hasSize(1);
    return keys.get(0);
  }

  private static String readmeComposeSection() {
    String readme;
    try {
      readme = Files.readString(Path.of("README.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = readme.indexOf("\n## Deploy with docker compose\n");
    assertThat(start).as("README section 'Deploy with docker compose'").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  /** The shell commands of the code blocks of a Markdown text, continuation lines joined. */
  private static List<String> commands(String markdown) {
    List<String> commands = new ArrayList<>();
    boolean inCode = false;
    StringBuilder command = new StringBuilder();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      if (!inCode) {
        continue;
      }
      boolean continued = line.endsWith("\\");
      command.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continued) {
        commands.add(command.toString().strip());
        command.setLength(0);
      }
    }
    return commands;
  }

  /** The mailroom container's environment as Spring Boot binds it. */
  private static Binder environmentBinder() {
    Map<String, Object> env = new LinkedHashMap<>();
    mapAt(service("mailroom"), "environment")
        .forEach((name, value) -> env.put(name, String.valueOf(value)));
    MutablePropertySources sources = new MutablePropertySources();
    sources.addLast(
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
    return new Binder(ConfigurationPropertySources.from(sources));
  }

  private static Map<String, Object> service(String name) {
    return mapAt(COMPOSE, "services." + name);
  }

  private static String healthcheck(String service) {
    return String.join(
        " ", listAt(service(service), "healthcheck.test").stream().map(String::valueOf).toList());
  }
}
