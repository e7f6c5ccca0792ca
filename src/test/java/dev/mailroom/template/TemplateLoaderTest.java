package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

class TemplateLoaderTest {

  @TempDir Path directory;

  @Test
  void shippedTemplatesAreFoundOnTheClasspath() {
    assertThat(TemplateLoader.fromClasspath(new PathMatchingResourcePatternResolver()))
        .extracting(TemplateFiles::name)
        .contains("welcome", "order-confirmation");
  }

  @Test
  void classpathFolderHoldsEveryVariantFile() {
    TemplateFiles order =
        TemplateLoader.fromClasspath(new PathMatchingResourcePatternResolver()).stream()
            .filter(folder -> folder.name().equals("order-confirmation"))
            .findFirst()
            .orElseThrow();

    assertThat(order.files())
        .containsOnlyKeys(
            "subject.txt",
            "body.html",
            "body.txt",
            "fr/subject.txt",
            "fr/body.html",
            "fr/body.txt");
    assertThat(order.origin()).endsWith("email-templates/order-confirmation");
  }

  @Test
  void templatesInsideJarsAreFoundAndTheFirstClasspathRootWins() throws Exception {
    Path first =
        jar(
            "first.jar",
            Map.of(
                "email-templates/receipt/subject.txt", "Receipt",
                "email-templates/receipt/body.html", "<p>Receipt</p>",
                "email-templates/receipt/fr/subject.txt", "Reçu",
                "email-templates/receipt/fr/body.html", "<p>Reçu</p>",
                "email-templates/receipt/fr/body.txt", ""));
    Path second =
        jar(
            "second.jar",
            Map.of(
                "email-templates/receipt/subject.txt", "Shadowed",
                "email-templates/receipt/body.html", "<p>Shadowed</p>"));

    try (URLClassLoader classLoader =
        new URLClassLoader(
            new URL[] {first.toUri().toURL(), second.toUri().toURL()},
            getClass().getClassLoader())) {
      TemplateFiles receipt =
          TemplateLoader.fromClasspath(
                  new PathMatchingResourcePatternResolver(new DefaultResourceLoader(classLoader)))
              .stream()
              .filter(folder -> folder.name().equals("receipt"))
              .findFirst()
              .orElseThrow();

      assertThat(receipt.origin()).startsWith("jar:").contains("first.jar");
      assertThat(receipt.files())
          .containsOnlyKeys(
              "subject.txt", "body.html", "fr/subject.txt", "fr/body.html", "fr/body.txt");
      assertThat(new String(receipt.files().get("fr/subject.txt"), StandardCharsets.UTF_8))
          .isEqualTo("Reçu");
    }
  }

  @Test
  void directoryTemplateReplacesTheShippedOneOfTheSameName() {
    String shippedHash = FileTemplates.read(null).contentHash("welcome");
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("welcome", "Custom welcome, [(${name})]", "<p>Custom</p>")
            .renderer();

    RenderedTemplate welcome = renderer.render("acme", "welcome", "fr", Map.of("name", "Ada"));

    assertThat(welcome.subject()).isEqualTo("Custom welcome, Ada");
    // Replaced as a whole: the shipped French variant is not mixed in.
    assertThat(welcome.locale()).isEqualTo("default");
    assertThat(FileTemplates.read(directory).contentHash("welcome")).isNotEqualTo(shippedHash);
    assertThat(renderer.exists("acme", "order-confirmation")).isTrue();
  }

  @Test
  void missingDirectoryStopsStartup() {
    Path missing = directory.resolve("nowhere");

    assertThatIllegalStateException()
        .isThrownBy(() -> FileTemplates.read(missing))
        .withMessageContaining("mailroom.templates.directory")
        .withMessageContaining(missing.toString())
        .withMessageContaining("does not exist");
  }

  @Test
  void directoryThatIsAFileStopsStartup() throws Exception {
    Path file = Files.writeString(directory.resolve("templates.txt"), "");

    assertThatIllegalStateException()
        .isThrownBy(() -> FileTemplates.read(file))
        .withMessageContaining("is not a directory");
  }

  @Test
  void folderWithAnInvalidNameStopsStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory).template("Welcome Back", "S", "B");

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("'Welcome Back'")
        .withMessageContaining("not a valid template name");
  }

  @Test
  void folderWithoutABodyStopsStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory).file("reset/subject.txt", "Reset your password");

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("'reset'")
        .withMessageContaining(directory.resolve("reset").toString())
        .withMessageContaining("body.html is missing");
  }

  @Test
  void localeFolderWithoutABodyStopsStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .file("reset/fr/subject.txt", "Réinitialisation");

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("fr/body.html is missing");
  }

  @Test
  void subfolderThatIsNotALocaleStopsStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .file("reset/french/subject.txt", "Réinitialisation")
            .file("reset/french/body.html", "<p>Réinitialisation</p>");

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("subfolder 'french' is not a locale");
  }

  @Test
  void twoFoldersForTheSameLocaleStopStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .file("reset/fr_CA/subject.txt", "A")
            .file("reset/fr_CA/body.html", "A")
            .file("reset/fr-ca/subject.txt", "B")
            .file("reset/fr-ca/body.html", "B");

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("are the same locale");
  }

  @Test
  void localeFolderNamesAreNormalised() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .file("reset/FR_ca/subject.txt", "Réinitialiser")
            .file("reset/FR_ca/body.html", "<p>Réinitialiser</p>")
            .renderer();

    RenderedTemplate reset = renderer.render("acme", "reset", "fr-CA", Map.of());

    assertThat(reset.locale()).isEqualTo("fr-CA");
    assertThat(reset.subject()).isEqualTo("Réinitialiser");
  }

  @Test
  void fileThatIsNotUtf8StopsStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .bytes("reset/body.txt", new byte[] {'c', 'a', 'f', (byte) 0xE9});

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("body.txt is not valid UTF-8");
  }

  @Test
  void templateThatCannotBeParsedStopsStartup() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .file("reset/body.txt", "[# th:each=\"line : ${lines}\"]never closed [/] [/]");

    assertThatIllegalStateException()
        .isThrownBy(templates::renderer)
        .withMessageContaining("'reset'")
        .withMessageContaining(
            "body.txt: line 1, column 47: Malformed template: unnamed closing element is never"
                + " opened");
  }

  @Test
  void hiddenEntriesAndLooseFilesAreIgnored() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("reset", "Reset", "<p>Reset</p>")
            .file("README.md", "Templates for production")
            .file(".git/config", "")
            .template("..data/reset", "Kubernetes keeps the real files here", "<p>x</p>")
            .file("reset/.drafts/subject.txt", "draft")
            .file("reset/notes.md", "notes")
            .renderer();

    assertThat(renderer.render("acme", "reset", null, Map.of()).subject()).isEqualTo("Reset");
  }

  @Test
  void byteOrderMarkAndWindowsLineEndingsAreIgnored() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .file("reset/subject.txt", "\uFEFFReset\r\n")
            .file("reset/body.html", "<p>One</p>\r\n<p>Two</p>\r\n")
            .renderer();

    RenderedTemplate reset = renderer.render("acme", "reset", null, Map.of());

    assertThat(reset.subject()).isEqualTo("Reset");
    assertThat(reset.html()).isEqualTo("<p>One</p>\n<p>Two</p>\n");
  }

  @Test
  void contentHashDependsOnlyOnContent() {
    TemplateDirectory.in(directory.resolve("a")).template("reset", "Reset", "<p>Reset</p>");
    TemplateDirectory.in(directory.resolve("b")).template("reset", "Reset", "<p>Reset</p>");

    assertThat(hashOf("reset", directory.resolve("a")))
        .matches("[0-9a-f]{64}")
        .isEqualTo(hashOf("reset", directory.resolve("b")));
  }

  @Test
  void contentHashChangesWhenAnyFileChanges() {
    TemplateDirectory templates =
        TemplateDirectory.in(directory).template("reset", "Reset", "<p>Reset</p>");
    String original = hashOf("reset", directory);

    templates.file("reset/fr/subject.txt", "Réinitialiser").file("reset/fr/body.html", "<p>R</p>");
    String withFrench = hashOf("reset", directory);
    templates.file("reset/fr/body.html", "<p>R.</p>");
    String withFrenchEdited = hashOf("reset", directory);

    assertThat(original).isNotEqualTo(withFrench);
    assertThat(withFrench).isNotEqualTo(withFrenchEdited);
  }

  private Path jar(String fileName, Map<String, String> entries) throws Exception {
    Path jar = directory.resolve(fileName);
    // Directory entries too, as Maven and Spring Boot write them: classpath*: scanning finds a
    // jar's folders through them.
    SortedMap<String, String> withFolders = new TreeMap<>(entries);
    for (String path : entries.keySet()) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        withFolders.putIfAbsent(path.substring(0, slash + 1), "");
      }
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (Map.Entry<String, String> entry : withFolders.entrySet()) {
        out.putNextEntry(new JarEntry(entry.getKey()));
        out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  private static String hashOf(String name, Path directory) {
    return FileTemplates.read(directory).contentHash(name);
  }
}
