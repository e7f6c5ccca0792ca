package dev.mailroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.mailroom.apikey.ApiKeySettings;
import dev.mailroom.apikey.Scope;
import dev.mailroom.delivery.DeliverySettings;
import dev.mailroom.domain.DomainSettings;
import dev.mailroom.email.EmailSettings;
import dev.mailroom.inbound.BounceSettings;
import dev.mailroom.inbound.InboundSettings;
import dev.mailroom.relay.SmtpSettings;
import dev.mailroom.retention.RetentionSettings;
import dev.mailroom.template.TemplateSettings;
import dev.mailroom.webhook.WebhookSettings;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chart and the service must agree on every setting. The configuration files the chart mounts
 * and names in spring.config.additional-location (application.yaml from the ConfigMap, the API keys
 * file from the Secret), with the pod's environment for the passwords they refer to, are bound to
 * the service's own configuration records the way the service binds them at startup, but strictly:
 * a key the records do not have, or a value that does not convert or validate, fails here instead
 * of being ignored or crash-looping pods. Conversely, every setting of the records must be
 * reachable from values.
 */
class ChartConfigurationTest {

  private static final Path CHART = Path.of("helm/mailroom");
  private static final Path MINIMAL_VALUES = Path.of("src/test/resources/helm/values-minimal.yaml");
  private static final Path ALL_ON_VALUES = Path.of("src/test/resources/helm/values-all-on.yaml");

  /**
   * A configuration record of the service, where it binds, and the properties it owns: everything
   * under its prefix, or only some roots when it binds at {@code mailroom} itself beside others.
   */
  record Section(String prefix, Class<? extends Record> type, List<String> roots) {
    Section(String prefix, Class<? extends Record> type) {
      this(prefix, type, List.of(prefix));
    }

    boolean owns(String key) {
      return roots.stream()
          .anyMatch(
              root -> key.equals(root) || key.startsWith(root + ".") || key.startsWith(root + "["));
    }
  }

  private static final List<Section> SECTIONS =
      List.of(
          new Section("mailroom.email", EmailSettings.class),
          new Section("mailroom.delivery", DeliverySettings.class),
          new Section("mailroom.smtp", SmtpSettings.class),
          new Section("mailroom.templates", TemplateSettings.class),
          new Section("mailroom.retention", RetentionSettings.class),
          new Section("mailroom.domains", DomainSettings.class),
          new Section("mailroom.bounces", BounceSettings.class),
          new Section("mailroom.inbound", InboundSettings.class),
          new Section("mailroom.webhooks", WebhookSettings.class),
          new Section(
              "mailroom",
              ApiKeySettings.class,
              List.of("mailroom.api-keys", "mailroom.rate-limit")));

  /** Settings of the records that the chart leaves out on purpose, and why. */
  private static final Map<String, String> NOT_IN_THE_CHART =
      Map.of(
          "mailroom.delivery.dispatcher-id",
          "each pod takes its pod name (HOSTNAME); one value would give every pod the same name",
          "mailroom.webhooks.dispatcher-id",
          "each pod takes its pod name (HOSTNAME); one value would give every pod the same name");

  private static final ValidatorFactory validation = Validation.buildDefaultValidatorFactory();

  @AfterAll
  static void closeValidation() {
    validation.close();
  }

  static Stream<Path> valuesFiles() {
    return Stream.of(MINIMAL_VALUES, ALL_ON_VALUES);
  }

  @ParameterizedTest
  @MethodSource("valuesFiles")
  void everyServiceSettingTheChartWritesBindsAndValidates(Path values) {
    Manifests manifests = render(values, t -> t);

    assertThat(bindingProblems(manifests)).isEmpty();
  }

  @Test
  void everyServiceSettingCanBeSetFromTheChart() {
    Set<String> rendered = configKeys(render(ALL_ON_VALUES, t -> t));
    Set<String> settings = new TreeSet<>();
    SECTIONS.forEach(section -> settings.addAll(settingsOf(section.prefix(), section.type())));
    settings.removeAll(NOT_IN_THE_CHART.keySet());

    assertThat(rendered)
        .as(
            "settings the chart cannot set with %s; add them to values.yaml, values.schema.json"
                + " and the chart README, or to NOT_IN_THE_CHART with the reason",
            ALL_ON_VALUES)
        .containsAll(settings);
  }

  @ParameterizedTest
  @MethodSource("valuesFiles")
  void everySpringBootPropertyTheChartWritesExists(Path values) {
    Set<String> known = springBootProperties();
    Set<String> unknown = new TreeSet<>();
    for (String key : keys(render(values, t -> t).applicationConfig())) {
      if (!key.startsWith("mailroom.") && !known.contains(key) && !isMapEntry(key, known)) {
        unknown.add(key);
      }
    }

    assertThat(unknown).as("not Spring Boot properties").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("valuesFiles")
  void apiKeysReachTheServiceFromTheSecretsFileOnly(Path values) {
    Manifests manifests = render(values, t -> t);
    Map<String, Object> configured = Yaml.load(values);
    List<Map<String, Object>> keys = Yaml.maps(Yaml.listAt(configured, "apiKeys.keys"));

    ApiKeySettings settings =
        manifests.binder().bindOrCreate("mailroom", Bindable.of(ApiKeySettings.class));

    assertThat(settings.apiKeys()).hasSameSizeAs(keys);
    for (int i = 0; i < keys.size(); i++) {
      Map<String, Object> expected = keys.get(i);
      ApiKeySettings.Key key = settings.apiKeys().get(i);
      assertThat(key.name()).isEqualTo(expected.get("name"));
      assertThat(key.hash()).isEqualTo(expected.get("hash"));
      assertThat(key.project()).isEqualTo(expected.get("project"));
      assertThat(key.scopes())
          .extracting(Scope::value)
          .containsExactlyInAnyOrderElementsOf(
              Yaml.listAt(expected, "scopes").stream().map(String::valueOf).toList());
      assertThat(key.allowedSenderDomains())
          .isEqualTo(Yaml.listAt(expected, "allowedSenderDomains"));
      assertThat(key.rateLimit()).isEqualTo(rateLimit(Yaml.mapAt(expected, "rateLimit")));
    }
    assertThat(settings.rateLimit())
        .isEqualTo(
            Objects.requireNonNullElse(
                rateLimit(Yaml.mapAt(configured, "apiKeys.rateLimit")),
                new ApiKeySettings.RateLimit(null, null)));
    assertThat(keys(manifests.applicationConfig()))
        .as("the list binds from one property source: the API keys file, not application.yaml")
        .noneMatch(key -> key.startsWith("mailroom.api-keys"));
  }

  @Test
  void misspeltSettingIsCaught() {
    Manifests manifests =
        render(MINIMAL_VALUES, t -> t.set("config.mailroom.delivery.batch-sise", "5"));

    assertThat(bindingProblems(manifests)).singleElement().asString().contains("batch-sise");
  }

  @Test
  void settingOfUnknownSectionIsCaught() {
    Manifests manifests = render(MINIMAL_VALUES, t -> t.set("config.mailroom.retentoin.x", "1"));

    assertThat(bindingProblems(manifests))
        .singleElement()
        .asString()
        .contains("mailroom.retentoin.x");
  }

  @Test
  void valueThatDoesNotConvertIsCaught() {
    Manifests manifests =
        render(MINIMAL_VALUES, t -> t.set("config.mailroom.retention.interval", "hourly"));

    assertThat(bindingProblems(manifests))
        .singleElement()
        .asString()
        .contains("mailroom.retention.interval");
  }

  @Test
  void valueThatFailsTheServicesValidationIsCaught() {
    Manifests manifests =
        render(MINIMAL_VALUES, t -> t.set("config.mailroom.delivery.batch-size", "0"));

    assertThat(bindingProblems(manifests))
        .singleElement()
        .asString()
        .contains("mailroom.delivery", "batchSize");
  }

  @Test
  void misspeltApiKeySettingIsCaught() {
    Manifests manifests =
        render(MINIMAL_VALUES, t -> t.set("config.mailroom.rate-limit.per-secnd", "5"));

    assertThat(bindingProblems(manifests)).singleElement().asString().contains("per-secnd");
  }

  @Test
  void deleteAgeBelowTheBodyAgeStopsTheInstall() {
    assertThatThrownBy(() -> render(MINIMAL_VALUES, t -> t.set("retention.deleteAge", "7d")))
        .hasMessageContaining("retention.deleteAge (7d) must be at least retention.bodyAge (30d)");
  }

  @Test
  void requestSizeTooSmallForTheAttachmentsStopsTheInstall() {
    assertThatThrownBy(() -> render(MINIMAL_VALUES, t -> t.set("email.maxRequestSize", "10MB")))
        .hasMessageContaining(
            "email.maxRequestSize (10MB) must be at least 4/3 of email.maxAttachmentSize (10MB)");
    assertThat(
            bindingProblems(
                render(
                    MINIMAL_VALUES,
                    t ->
                        t.set("email.maxRequestSize", "4MB")
                            .set("email.maxAttachmentSize", "3MB"))))
        .isEmpty();
  }

  private static Manifests render(Path values, UnaryOperator<TemplateCommand> options) {
    TemplateCommand command =
        new Helm(CHART).template().withName("mr").withNamespace("mail").withValuesFile(values);
    return Manifests.parse(options.apply(command).call());
  }

  /**
   * Binds each section strictly and validates it as the service would; returns what went wrong, one
   * entry per problem.
   */
  private static List<String> bindingProblems(Manifests manifests) {
    List<String> problems = new ArrayList<>();
    for (String key : configKeys(manifests)) {
      if (key.startsWith("mailroom.") && SECTIONS.stream().noneMatch(s -> s.owns(key))) {
        problems.add(key + " belongs to no configuration record of the service");
      }
    }
    Validator validator = validation.getValidator();
    for (Section section : SECTIONS) {
      // Only the section's own properties, so that one binding at "mailroom" strictly does not
      // trip over the other sections.
      Binder binder = manifests.binder(name -> section.owns(name.toString()));
      BindHandler strict =
          new NoUnboundElementsBindHandler(new IgnoreTopLevelConverterNotFoundBindHandler());
      try {
        Object bound = binder.bindOrCreate(section.prefix(), Bindable.of(section.type()), strict);
        for (ConstraintViolation<Object> violation : validator.validate(bound)) {
          problems.add(
              section.prefix()
                  + ": "
                  + violation.getPropertyPath()
                  + " "
                  + violation.getMessage()
                  + " (was "
                  + violation.getInvalidValue()
                  + ")");
        }
      } catch (RuntimeException e) {
        problems.add(section.prefix() + ": " + messages(e));
      }
    }
    return problems;
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append("; ");
    }
    return all.toString();
  }

  /** The property names of every configuration file the pod loads (application.yaml, API keys). */
  private static Set<String> configKeys(Manifests manifests) {
    Set<String> keys = new TreeSet<>();
    for (Manifests.ConfigFile file : manifests.configFiles()) {
      keys.addAll(keys(Yaml.load(file.content().orElseThrow())));
    }
    return keys;
  }

  private static ApiKeySettings.@Nullable RateLimit rateLimit(Map<String, Object> values) {
    if (values.isEmpty()) {
      return null;
    }
    Number perSecond = (Number) values.get("perSecond");
    Number burst = (Number) values.get("burst");
    return new ApiKeySettings.RateLimit(
        perSecond == null ? null : perSecond.doubleValue(),
        burst == null ? null : burst.intValue());
  }

  /**
   * Every leaf of a YAML tree as a property name, list indexes written {@code [*]}; a list of plain
   * values is one leaf, as it is one setting.
   */
  private static Set<String> keys(Map<String, Object> tree) {
    Set<String> keys = new TreeSet<>();
    collect("", tree, keys);
    return keys;
  }

  private static void collect(String name, Object node, Set<String> keys) {
    if (node instanceof Map<?, ?> map) {
      map.forEach(
          (key, value) -> collect(name.isEmpty() ? key.toString() : name + "." + key, value, keys));
    } else if (node instanceof List<?> list
        && list.stream().anyMatch(e -> e instanceof Map || e instanceof List)) {
      list.forEach(element -> collect(name + "[*]", element, keys));
    } else {
      keys.add(name);
    }
  }

  /** The property names of a configuration record, nested records and lists of them included. */
  private static Set<String> settingsOf(String prefix, Class<?> type) {
    Set<String> settings = new TreeSet<>();
    for (RecordComponent component : type.getRecordComponents()) {
      String name = prefix + "." + DataObjectPropertyName.toDashedForm(component.getName());
      Class<?> element = listElement(component.getGenericType());
      if (component.getType().isRecord()) {
        settings.addAll(settingsOf(name, component.getType()));
      } else if (element != null && element.isRecord()) {
        settings.addAll(settingsOf(name + "[*]", element));
      } else {
        settings.add(name);
      }
    }
    return settings;
  }

  private static @Nullable Class<?> listElement(Type type) {
    if (type instanceof ParameterizedType generic
        && generic.getRawType() == List.class
        && generic.getActualTypeArguments()[0] instanceof Class<?> element) {
      return element;
    }
    return null;
  }

  /** Every property Spring Boot documents in its configuration metadata, on the test classpath. */
  private static Set<String> springBootProperties() {
    JsonMapper json = JsonMapper.builder().build();
    Set<String> names = new TreeSet<>();
    try {
      for (URL file :
          Collections.list(
              ChartConfigurationTest.class
                  .getClassLoader()
                  .getResources("META-INF/spring-configuration-metadata.json"))) {
        try (InputStream in = file.openStream()) {
          JsonNode metadata = json.readTree(in);
          metadata
              .path("properties")
              .valueStream()
              .forEach(
                  p ->
                      names.add(
                          p.path("type").asString("").startsWith("java.util.Map<")
                              ? p.path("name").asString() + ".*"
                              : p.path("name").asString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static boolean isMapEntry(String key, Set<String> known) {
    for (int dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
      if (known.contains(key.substring(0, dot) + ".*")) {
        return true;
      }
    }
    return false;
  }
}
