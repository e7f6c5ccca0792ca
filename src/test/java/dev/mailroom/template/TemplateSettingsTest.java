package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The renderer as Spring builds it from {@code mailroom.templates.*} properties. */
class TemplateSettingsTest {

  @TempDir Path directory;

  private final ApplicationContextRunner context =
      new ApplicationContextRunner().withUserConfiguration(TemplateConfiguration.class);

  @Test
  void directoryFromPropertiesOverridesShippedTemplates() {
    TemplateDirectory.in(directory).template("welcome", "Hello from disk", "<p>Disk</p>");

    context
        .withPropertyValues("mailroom.templates.directory=" + directory)
        .run(
            context ->
                assertThat(
                        context
                            .getBean(TemplateRenderer.class)
                            .render("welcome", null, Map.of())
                            .subject())
                    .isEqualTo("Hello from disk"));
  }

  @Test
  void withoutADirectoryOnlyShippedTemplatesAreUsed() {
    context.run(
        context -> {
          assertThat(context.getBean(TemplateSettings.class).directory()).isNull();
          assertThat(context.getBean(TemplateRenderer.class).exists("welcome")).isTrue();
        });
  }

  @Test
  void missingDirectoryFailsStartupWithItsPath() {
    context
        .withPropertyValues("mailroom.templates.directory=" + directory.resolve("missing"))
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("mailroom.templates.directory")
                    .hasMessageContaining(directory.resolve("missing").toString()));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(TemplateSettings.class)
  @Import(TemplateRenderer.class)
  static class TemplateConfiguration {}
}
