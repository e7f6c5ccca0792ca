package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;

class GenerateApiKeyTest {

  record Run(int exitCode, String out, String err) {}

  @Test
  void printsAKeyOnceAndConfigurationHoldingOnlyItsHash() throws Exception {
    Run run =
        run(
            "generate-api-key",
            "--name=billing",
            "--project=shop",
            "--scopes=send,read",
            "--allowed-sender-domains=billing.acme.example,*.shop.example");

    assertThat(run.exitCode()).isZero();
    List<String> keys = run.out().lines().filter(line -> line.startsWith("mr_")).toList();
    assertThat(keys).hasSize(1);
    String key = keys.get(0);
    assertThat(key).matches("mr_[A-Za-z0-9_-]{43}");
    String yaml = run.out().substring(run.out().indexOf("mailroom:"));
    assertThat(yaml).doesNotContain(key);

    ApiKeySettings settings = bind(yaml);
    assertThat(settings.apiKeys()).hasSize(1);
    ApiKeySettings.Key configured = settings.apiKeys().get(0);
    assertThat(configured.name()).isEqualTo("billing");
    assertThat(configured.project()).isEqualTo("shop");
    assertThat(configured.hash()).isEqualTo(ApiKeys.hash(key));
    assertThat(configured.scopes()).containsExactlyInAnyOrder(Scope.SEND, Scope.READ);
    assertThat(configured.allowedSenderDomains())
        .containsExactly("billing.acme.example", "*.shop.example");
    assertThat(new ApiKeys(settings).authenticate(key)).isPresent();
  }

  @Test
  void theProjectDefaultsToTheKeysName() throws Exception {
    Run run = run("generate-api-key", "--name=billing", "--scopes=send,admin");

    ApiKey key =
        new ApiKeys(bind(run.out().substring(run.out().indexOf("mailroom:")))).all().get(0);
    assertThat(key.project()).isEqualTo("billing");
    assertThat(key.scopes()).containsExactlyInAnyOrder(Scope.SEND, Scope.ADMIN);
  }

  @Test
  void everyKeyIsNew() throws Exception {
    assertThat(GenerateApiKey.newKey()).isNotEqualTo(GenerateApiKey.newKey());
  }

  @Test
  void badArgumentsExitWithUsage() throws Exception {
    assertThat(run("generate-api-key", "--scopes=send").exitCode()).isEqualTo(2);
    assertThat(run("generate-api-key", "--name=x", "--scopes=write").err())
        .contains("unknown scope");
    assertThat(run("generate-api-key", "--name=x", "--project=a b", "--scopes=send").err())
        .contains("--project must be");
    assertThat(run("generate-api-key", "--name=x").err()).contains("usage:");
    assertThat(
            run("generate-api-key", "--name=x", "--scopes=send", "--allowed-sender-domains=nodot")
                .exitCode())
        .isEqualTo(2);
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        GenerateApiKey.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static ApiKeySettings bind(String yaml) throws Exception {
    List<PropertySource<?>> sources =
        new YamlPropertySourceLoader()
            .load("generated", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
    StandardEnvironment environment = new StandardEnvironment();
    sources.forEach(environment.getPropertySources()::addFirst);
    return Binder.get(environment).bind("mailroom", ApiKeySettings.class).get();
  }
}
