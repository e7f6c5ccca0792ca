package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Templates in files become versions at startup, once, and again only when the files change; the
 * service here started with a directory of its own, whose {@code welcome} replaces the built-in
 * one. Each later import stands for a restart (or another replica starting) with the files as they
 * are.
 */
class StartupImportTest extends IntegrationTest {

  private static final Path STARTUP_DIRECTORY = startupDirectory();

  @TempDir Path directory;

  @Autowired TemplateImporter importer;

  @DynamicPropertySource
  static void templates(DynamicPropertyRegistry registry) {
    registry.add("mailroom.templates.directory", STARTUP_DIRECTORY::toString);
    relayAt(registry, () -> 1); // nothing here is sent
    registry.add("mailroom.delivery.enabled", () -> "false");
  }

  /** The startup directory's templates are in every directory imported here, as in a restart. */
  @BeforeEach
  void sameWelcomeAsAtStartup() throws IOException {
    for (String file : List.of("subject.txt", "body.html")) {
      write(
          directory.resolve("welcome").resolve(file),
          Files.readString(STARTUP_DIRECTORY.resolve("welcome").resolve(file)));
    }
  }

  @Test
  void templatesInFilesAreImportedAtStartup() {
    JsonNode welcome = api.get("/templates/welcome").body();
    JsonNode order = api.get("/templates/order-confirmation").body();

    assertThat(welcome.path("latestVersion").asInt()).isEqualTo(1);
    assertThat(welcome.path("latest").path("source").asString()).isEqualTo("FILE");
    assertThat(welcome.path("latest").path("subject").asString())
        .isEqualTo("Hello from the directory, [(${name})]");
    assertThat(order.path("latest").path("locales").path("fr").path("subject").asString())
        .isNotBlank();
  }

  @Test
  void unchangedFilesAreNotImportedAgain() {
    assertThat(importer.importTemplates(STARTUP_DIRECTORY)).isEmpty();

    assertThat(api.get("/templates/welcome").body().path("versions").size()).isEqualTo(1);
  }

  @Test
  void filesBecomeANewVersionOnlyWhenTheyChange() {
    String name = uniqueName();
    template(name, "First");

    assertThat(importer.importTemplates(directory)).containsExactly(name);
    assertThat(importer.importTemplates(directory)).isEmpty();
    assertThat(versions(name)).containsExactly(1);

    template(name, "Second");

    assertThat(importer.importTemplates(directory)).containsExactly(name);
    assertThat(importer.importTemplates(directory)).isEmpty();
    assertThat(versions(name)).containsExactly(1, 2);
    assertThat(latestSubject(name)).isEqualTo("Second");
  }

  @Test
  void templatesFromFilesAreSharedAndChangeOnlyWithTheirFiles() {
    String name = uniqueName();
    template(name, "From files");
    importer.importTemplates(directory);

    Api.Response put = put(name, "{\"subject\": \"From the API\", \"html\": \"<p>API</p>\"}");
    Api.Response archive =
        api.send(
            java.net.http.HttpRequest.newBuilder(api.uri("/templates/" + name)).DELETE().build());

    assertThat(put.status()).isEqualTo(409);
    assertThat(archive.status()).isEqualTo(409);
    assertThat(api.get("/templates/" + name).body().path("shared").asBoolean()).isTrue();
    assertThat(latestSubject(name)).isEqualTo("From files");

    template(name, "From files, edited");
    importer.importTemplates(directory);
    assertThat(latestSubject(name)).isEqualTo("From files, edited");
    assertThat(versions(name)).containsExactly(1, 2);
  }

  @Test
  void replicasStartingAtOnceImportOneVersion() throws Exception {
    String name = uniqueName();
    template(name, "Once");
    int replicas = 4;
    CyclicBarrier start = new CyclicBarrier(replicas);
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    try {
      List<Future<List<String>>> imports = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        Callable<List<String>> startup =
            () -> {
              start.await(10, TimeUnit.SECONDS);
              return importer.importTemplates(directory);
            };
        imports.add(pool.submit(startup));
      }
      int imported = 0;
      for (Future<List<String>> result : imports) {
        imported += result.get(30, TimeUnit.SECONDS).size();
      }
      assertThat(imported).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(versions(name)).containsExactly(1);
  }

  private String uniqueName() {
    return "imported-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private void template(String name, String subject) {
    write(directory.resolve(name).resolve("subject.txt"), subject + "\n");
    write(directory.resolve(name).resolve("body.html"), "<p>" + subject + "</p>\n");
  }

  private List<Integer> versions(String name) {
    return api.get("/templates/" + name)
        .body()
        .path("versions")
        .valueStream()
        .map(v -> v.path("version").asInt())
        .toList();
  }

  private String latestSubject(String name) {
    return api.get("/templates/" + name).body().path("latest").path("subject").asString();
  }

  private Api.Response put(String name, String json) {
    return api.send(
        java.net.http.HttpRequest.newBuilder(api.uri("/templates/" + name))
            .header("Content-Type", "application/json")
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static Path startupDirectory() {
    try {
      Path root = Files.createTempDirectory("mailroom-templates");
      write(root.resolve("welcome/subject.txt"), "Hello from the directory, [(${name})]\n");
      write(root.resolve("welcome/body.html"), "<p>Hello <span th:text=\"${name}\">n</span></p>");
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
