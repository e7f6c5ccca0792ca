package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code mailroom.templates.*} as Spring binds it, and a bad directory stopping startup before the
 * database is touched (the one configured here does not exist). Importing from the directory is
 * tested against a real database in {@link StartupImportTest}.
 */
class TemplateSettingsTest {

  @TempDir Path directory;

  private static final DriverManagerDataSource UNREACHABLE =
      new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/never-used");

  private final ApplicationContextRunner context =
      new ApplicationContextRunner()
          .withUserConfiguration(TemplateConfiguration.class)
          .withBean(JdbcClient.class, () -> JdbcClient.create(UNREACHABLE))
          .withBean(
              TransactionTemplate.class,
              () -> new TransactionTemplate(new DataSourceTransactionManager(UNREACHABLE)))
          .withBean(JsonMapper.class, JsonMapper::new);

  @Test
  void directoryIsBoundFromProperties() {
    new ApplicationContextRunner()
        .withUserConfiguration(SettingsOnly.class)
        .withPropertyValues("mailroom.templates.directory=" + directory)
        .run(
            context ->
                assertThat(context.getBean(TemplateSettings.class).directory())
                    .isEqualTo(directory));
  }

  @Test
  void withoutADirectoryNoneIsSet() {
    new ApplicationContextRunner()
        .withUserConfiguration(SettingsOnly.class)
        .run(context -> assertThat(context.getBean(TemplateSettings.class).directory()).isNull());
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
                    .hasMessageContaining("mailroom.templates.directory")
                    .hasMessageContaining(directory.resolve("missing").toString()));
  }

  @Test
  void brokenTemplateInTheDirectoryFailsStartup() {
    TemplateDirectory.in(directory).template("broken", "Hi [/]", "<p>x</p>");

    context
        .withPropertyValues("mailroom.templates.directory=" + directory)
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .hasMessageContaining("'broken'")
                    .hasMessageContaining("subject.txt: line 1, column 4: "));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(TemplateSettings.class)
  static class SettingsOnly {}

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(TemplateSettings.class)
  @Import({
    CompiledTemplates.class,
    TemplateStore.class,
    TemplateImporter.class,
    TemplateHeads.class
  })
  static class TemplateConfiguration {

    /** Where TemplateHeads would listen: the same database that does not exist. */
    @Bean
    JdbcConnectionDetails unreachableDatabase() {
      return new JdbcConnectionDetails() {
        @Override
        public String getUsername() {
          return "never-used";
        }

        @Override
        public String getPassword() {
          return "never-used";
        }

        @Override
        public String getJdbcUrl() {
          return UNREACHABLE.getUrl();
        }
      };
    }
  }
}
