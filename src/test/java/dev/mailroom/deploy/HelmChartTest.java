package dev.mailroom.deploy;

import static dev.mailroom.deploy.Yaml.at;
import static dev.mailroom.deploy.Yaml.listAt;
import static dev.mailroom.deploy.Yaml.mapAt;
import static dev.mailroom.deploy.Yaml.maps;
import static dev.mailroom.deploy.Yaml.stringAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.mailroom.inbound.BounceSettings;
import dev.mailroom.inbound.InboundSettings;
import dev.mailroom.relay.SmtpSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.convert.DurationStyle;

/**
 * Renders the Helm chart the way {@code helm template} does and checks that the objects fit
 * together and fit the service: probes and ports match its actuator settings, every referenced
 * Secret and ConfigMap exists, selectors select the pods, and pods get enough time to drain.
 */
class HelmChartTest {

  private static final Path CHART = Path.of("helm/mailroom");
  private static final Path MINIMAL_VALUES = Path.of("src/test/resources/helm/values-minimal.yaml");
  private static final Path ALL_ON_VALUES = Path.of("src/test/resources/helm/values-all-on.yaml");
  private static final String EXISTING_SECRET = "mailroom-credentials";
  private static final String API_KEYS_FILE = "/etc/mailroom/api-keys/api-keys.yaml";

  /** The service's own configuration, which the chart must agree with. */
  private static final Map<String, Object> APPLICATION =
      Yaml.load(Path.of("src/main/resources/application.yml"));

  /** One way of installing the chart. */
  record Rendering(String name, Path values, Manifests manifests, @Nullable String existingSecret) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Rendering MINIMAL = rendering("minimal values", MINIMAL_VALUES, null);
  private static final Rendering ALL_ON = rendering("every option on", ALL_ON_VALUES, null);
  private static final Rendering WITH_EXISTING_SECRET =
      rendering("existing secret", MINIMAL_VALUES, EXISTING_SECRET);

  static Stream<Rendering> renderings() {
    return Stream.of(MINIMAL, ALL_ON, WITH_EXISTING_SECRET);
  }

  static Stream<Rendering> renderingsWithTheChartsSecret() {
    return Stream.of(MINIMAL, ALL_ON);
  }

  private static Rendering rendering(String name, Path values, @Nullable String existingSecret) {
    Manifests manifests =
        render(
            values,
            t ->
                existingSecret == null
                    ? t
                    : t.set("existingSecret", existingSecret).set("apiKeys.keys", "null"));
    return new Rendering(name, values, manifests, existingSecret);
  }

  private static Manifests render(Path values, UnaryOperator<TemplateCommand> options) {
    return Manifests.parse(template(values, options));
  }

  private static String template(Path values, UnaryOperator<TemplateCommand> options) {
    TemplateCommand command =
        new Helm(CHART).template().withName("mr").withNamespace("mail").withValuesFile(values);
    return options.apply(command).call();
  }

  @Test
  void chartPassesStrictLint() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARN"));
  }

  @Test
  void installWithoutRequiredValuesFailsNamingTheMissingSetting() {
    assertThatThrownBy(() -> new Helm(CHART).template().withName("mr").call())
        .hasMessageContaining("database.url is required");
  }

  @Test
  void relayWithUsernameButNoPasswordIsRejected() {
    assertThatThrownBy(() -> template(MINIMAL_VALUES, t -> t.set("smtp.relays[0].password", "")))
        .hasMessageContaining("smtp.relays[0] (primary) has a username but no password");
  }

  @Test
  void unknownTlsModeIsRejectedByTheSchema() {
    assertThatThrownBy(() -> template(MINIMAL_VALUES, t -> t.set("smtp.relays[0].tlsMode", "SSL")))
        .hasMessageContaining("tlsMode");
  }

  @Test
  void applicationExposesTheHealthGroupsTheChartProbes() {
    assertThat(at(APPLICATION, "management.endpoint.health.probes.enabled")).isEqualTo(true);
    assertThat(listOrCsv(at(APPLICATION, "management.endpoint.health.group.readiness.include")))
        .as("readiness must include the database so pods without one leave the Service")
        .contains("db");
    assertThat(listOrCsv(at(APPLICATION, "management.endpoints.web.exposure.include")))
        .contains("health", "prometheus");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void portsMatchTheServiceConfiguration(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    Map<String, Object> rendered = manifests.applicationConfig();

    assertThat(manifests.containerPorts())
        .containsEntry("http", intAt(APPLICATION, "server.port"))
        .containsEntry("management", intAt(APPLICATION, "management.server.port"))
        .containsEntry("http", intAt(rendered, "server.port"))
        .containsEntry("management", intAt(rendered, "management.server.port"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void probesCallTheActuatorHealthGroupsOnTheManagementPort(Rendering rendering) {
    Map<String, Object> container = rendering.manifests().container();
    String health = actuatorBasePath() + "/health";

    assertThat(probe(container, "startupProbe")).containsEntry("path", health + "/liveness");
    assertThat(probe(container, "livenessProbe")).containsEntry("path", health + "/liveness");
    assertThat(probe(container, "readinessProbe")).containsEntry("path", health + "/readiness");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(probe(container, probe)).as(probe).containsEntry("port", "management");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyReferencedSecretAndConfigMapExists(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    List<String> external = new ArrayList<>();
    if (rendering.existingSecret() != null) {
      external.add("Secret/" + rendering.existingSecret());
    }
    for (Map<String, Object> relay : maps(listAt(Yaml.load(rendering.values()), "smtp.relays"))) {
      Optional.ofNullable(stringAt(relay, "caBundle.secretName"))
          .ifPresent(name -> external.add("Secret/" + name));
      Optional.ofNullable(stringAt(relay, "caBundle.configMapName"))
          .ifPresent(name -> external.add("ConfigMap/" + name));
    }
    Optional.ofNullable(stringAt(Yaml.load(rendering.values()), "inbound.tls.secretName"))
        .ifPresent(name -> external.add("Secret/" + name));

    assertThat(manifests.references()).isNotEmpty();
    for (Manifests.Reference reference : manifests.references()) {
      if (external.contains(reference.kind() + "/" + reference.name())) {
        continue;
      }
      Map<String, Object> target =
          manifests
              .find(reference.kind(), reference.name())
              .orElseThrow(() -> new AssertionError("missing " + reference));
      assertThat(mapAt(target, "data").keySet())
          .as("keys of %s", reference)
          .containsAll(reference.keys());
    }
  }

  @Test
  void existingSecretReplacesTheChartsSecret() {
    Manifests manifests = WITH_EXISTING_SECRET.manifests();

    assertThat(manifests.ofKind("Secret")).isEmpty();
    assertThat(manifests.references())
        .filteredOn(reference -> reference.kind().equals("Secret"))
        .isNotEmpty()
        .allSatisfy(reference -> assertThat(reference.name()).isEqualTo(EXISTING_SECRET));
    assertThat(manifests.podAnnotations()).doesNotContainKey("checksum/secret");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void podsRunAsNonRootOnAReadOnlyRootFilesystem(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    Map<String, Object> pod = mapAt(manifests.podSpec(), "securityContext");
    Map<String, Object> container = mapAt(manifests.container(), "securityContext");

    assertThat(pod)
        .containsEntry("runAsNonRoot", true)
        .containsEntry("runAsUser", 10001)
        .containsKey("fsGroup");
    assertThat(stringAt(pod, "seccompProfile.type")).isEqualTo("RuntimeDefault");
    assertThat(container)
        .containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat(listAt(container, "capabilities.drop")).containsExactly("ALL");
    assertThat(manifests.volumeMounts()).containsEntry("tmp", "/tmp");
    assertThat(manifests.volume("tmp")).containsKey("emptyDir");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void serviceSelectsThePodsAndTargetsNamedContainerPorts(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    Map<String, Object> service = manifests.only("Service");

    assertThat(manifests.podLabels()).containsAllEntriesOf(mapAt(service, "spec.selector"));
    List<Object> expected = new ArrayList<>(List.of("http", "management"));
    if (manifests.containerPorts().containsKey("inbound")) {
      expected.add("inbound");
    }
    assertThat(maps(listAt(service, "spec.ports")))
        .extracting(port -> port.get("targetPort"))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(manifests.containerPorts()).containsKeys("http", "management");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void podDisruptionBudgetSelectsThePods(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    Map<String, Object> selector = mapAt(manifests.only("PodDisruptionBudget"), "spec.selector");

    assertThat(manifests.podLabels()).containsAllEntriesOf(mapAt(selector, "matchLabels"));
    assertThat(selector).isEqualTo(mapAt(manifests.deployment(), "spec.selector"));
  }

  @Test
  void autoscalerTargetsTheDeploymentWhichLeavesReplicasToIt() {
    Manifests manifests = ALL_ON.manifests();
    Map<String, Object> target =
        mapAt(manifests.only("HorizontalPodAutoscaler"), "spec.scaleTargetRef");

    assertThat(manifests.only("HorizontalPodAutoscaler"))
        .containsEntry("apiVersion", "autoscaling/v2");
    assertThat(target)
        .containsEntry("apiVersion", "apps/v1")
        .containsEntry("kind", "Deployment")
        .containsEntry("name", stringAt(manifests.deployment(), "metadata.name"));
    assertThat(mapAt(manifests.deployment(), "spec")).doesNotContainKey("replicas");
  }

  /**
   * A new pod's JIT compiles for minutes under its first traffic, and a CPU-driven autoscaler would
   * take that for load: by default, scaling up waits out a window longer than the warm-up.
   */
  @Test
  void autoscalerWaitsOutANewPodsWarmUpBeforeScalingUpAndCanBeLeftToKubernetesDefaults() {
    Map<String, Object> behavior =
        mapAt(ALL_ON.manifests().only("HorizontalPodAutoscaler"), "spec.behavior");

    assertThat(mapAt(behavior, "scaleUp")).containsEntry("stabilizationWindowSeconds", 180);
    assertThat(maps(listAt(behavior, "scaleUp.policies")))
        .containsExactly(Map.of("type", "Pods", "value", 2, "periodSeconds", 60));
    assertThat(mapAt(behavior, "scaleDown")).containsEntry("stabilizationWindowSeconds", 300);

    Manifests defaults = render(ALL_ON_VALUES, t -> t.set("autoscaling.behavior", "null"));
    assertThat(mapAt(defaults.only("HorizontalPodAutoscaler"), "spec"))
        .doesNotContainKey("behavior");
  }

  @Test
  void serviceMonitorScrapesThePrometheusEndpointThroughTheService() {
    Manifests manifests = ALL_ON.manifests();
    Map<String, Object> monitor = manifests.only("ServiceMonitor");
    Map<String, Object> service = manifests.only("Service");
    Map<String, Object> endpoint = maps(listAt(monitor, "spec.endpoints")).get(0);

    assertThat(monitor).containsEntry("apiVersion", "monitoring.coreos.com/v1");
    assertThat(maps(listAt(service, "spec.ports")))
        .extracting(port -> port.get("name"))
        .contains(endpoint.get("port"));
    assertThat(endpoint).containsEntry("path", actuatorBasePath() + "/prometheus");
    assertThat(mapAt(service, "metadata.labels"))
        .containsAllEntriesOf(mapAt(monitor, "spec.selector.matchLabels"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void podsCarryChecksumsOfTheirConfigurationAndCredentials(Rendering rendering) {
    Map<String, Object> annotations = rendering.manifests().podAnnotations();

    assertThat(annotations).containsKey("checksum/config");
    if (rendering.existingSecret() == null) {
      assertThat(annotations).containsKey("checksum/secret");
    }
  }

  @Test
  void changedConfigurationOrCredentialsRollThePods() {
    Map<String, Object> before = MINIMAL.manifests().podAnnotations();
    Map<String, Object> newSender =
        render(MINIMAL_VALUES, t -> t.set("email.defaultFrom", "other@example.com"))
            .podAnnotations();
    Map<String, Object> newPassword =
        render(MINIMAL_VALUES, t -> t.set("database.password", "rotated")).podAnnotations();

    assertThat(newSender.get("checksum/config")).isNotEqualTo(before.get("checksum/config"));
    assertThat(newPassword.get("checksum/secret")).isNotEqualTo(before.get("checksum/secret"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void gracePeriodOutlastsTheDrainAndTheShutdownPhase(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    Map<String, Object> config = manifests.applicationConfig();
    Duration drain = duration(config, "mailroom.delivery.drain-timeout");
    Duration phase = duration(config, "spring.lifecycle.timeout-per-shutdown-phase");
    Duration preStop = preStopSleep(manifests.container());
    int grace = intAt(manifests.podSpec(), "terminationGracePeriodSeconds");

    assertThat(Duration.ofSeconds(grace)).isGreaterThan(preStop.plus(drain).plus(phase));
  }

  @Test
  void gracePeriodTooShortForTheDrainIsRejected() {
    assertThatThrownBy(
            () ->
                template(
                    MINIMAL_VALUES, t -> t.set("shutdown.terminationGracePeriodSeconds", "45")))
        .hasMessageContaining("must exceed");
  }

  @Test
  void defaultShutdownPhaseMatchesTheService() {
    assertThat(
            duration(
                MINIMAL.manifests().applicationConfig(),
                "spring.lifecycle.timeout-per-shutdown-phase"))
        .isEqualTo(duration(APPLICATION, "spring.lifecycle.timeout-per-shutdown-phase"));
  }

  @Test
  void bounceListenerIsAServicePortAndItsSecretComesFromTheSecret() {
    String secret = "dGhpcnR5LXR3by1ieXRlcy1vZi1rZXktZm9yLWJvdW5jZXMtb25seQ==";
    Manifests manifests =
        render(
            MINIMAL_VALUES,
            t ->
                t.set("bounces.domain", "bounces.acme.example")
                    .set("bounces.secret", secret)
                    .set("inbound.port", "2525"));
    Binder binder = manifests.binder();

    assertThat(binder.bind("mailroom.bounces.domain", String.class).get())
        .isEqualTo("bounces.acme.example");
    assertThat(binder.bind("mailroom.bounces.secret", String.class).get()).isEqualTo(secret);
    assertThat(binder.bind("mailroom.inbound.port", Integer.class).get()).isEqualTo(2525);
    assertThat(manifests.applicationConfig().toString()).doesNotContain(secret);
    assertThat(manifests.containerPorts()).containsEntry("inbound", 2525);
    assertThat(maps(listAt(manifests.only("Service"), "spec.ports")))
        .anySatisfy(
            port -> {
              assertThat(port.get("name")).isEqualTo("inbound");
              assertThat(port.get("port")).isEqualTo(2525);
              assertThat(port.get("targetPort")).isEqualTo("inbound");
            });
  }

  @Test
  void bounceDomainWithoutASecretIsRejected() {
    assertThatThrownBy(
            () -> template(MINIMAL_VALUES, t -> t.set("bounces.domain", "bounces.acme.example")))
        .hasMessageContaining("bounces.secret is required");
  }

  @Test
  void bounceListenerIsOffByDefault() {
    Manifests manifests = MINIMAL.manifests();

    assertThat(manifests.containerPorts()).doesNotContainKey("inbound");
    assertThat(manifests.binder().bind("mailroom.inbound.port", Integer.class).isBound()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderingsWithTheChartsSecret")
  void serviceSeesEveryRelayWithItsPasswordFromTheSecret(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    Binder binder = manifests.binder();

    List<Relay> relays =
        binder.bind("mailroom.smtp.relays", Bindable.listOf(Relay.class)).orElse(List.of());
    Map<String, Object> values = Yaml.load(rendering.values());
    List<Map<String, Object>> configured = maps(listAt(values, "smtp.relays"));

    assertThat(relays).hasSameSizeAs(configured);
    for (int i = 0; i < relays.size(); i++) {
      Map<String, Object> expected = configured.get(i);
      assertThat(relays.get(i))
          .isEqualTo(
              new Relay(
                  (String) expected.get("name"),
                  (String) expected.get("host"),
                  (Integer) expected.get("port"),
                  (String) expected.get("tlsMode"),
                  (String) expected.get("username"),
                  (String) expected.get("password")));
    }
    assertThat(binder.bind("spring.datasource.password", String.class).get())
        .isEqualTo(stringAt(values, "database.password"));
  }

  @Test
  void templatesAreMountedAtTheirPathsInTheConfiguredDirectory() {
    Manifests manifests = ALL_ON.manifests();
    Map<String, Object> files = mapAt(Yaml.load(ALL_ON_VALUES), "templates.files");
    Map<String, Object> volume = mapAt(manifests.volume("templates"), "configMap");
    Map<String, Object> data =
        mapAt(manifests.find("ConfigMap", (String) volume.get("name")).orElseThrow(), "data");

    for (Map<String, Object> item : maps(listAt(volume, "items"))) {
      assertThat(files).containsEntry((String) item.get("path"), data.get(item.get("key")));
    }
    assertThat(maps(listAt(volume, "items"))).hasSize(files.size());
    assertThat(manifests.volumeMounts().get("templates"))
        .isEqualTo(stringAt(manifests.applicationConfig(), "mailroom.templates.directory"));
  }

  @Test
  void templatesFromAnExistingConfigMapAreMountedAsFolders() {
    Manifests manifests =
        render(
            MINIMAL_VALUES,
            t ->
                t.set("templates.enabled", "true")
                    .set("templates.existingConfigMap", "email-templates")
                    .set("templates.existingConfigMapKeys[0]", "welcome__fr__body.html"));

    assertThat(mapAt(manifests.volume("templates"), "configMap"))
        .containsEntry("name", "email-templates")
        .containsEntry(
            "items",
            List.of(Map.of("key", "welcome__fr__body.html", "path", "welcome/fr/body.html")));
    assertThat(manifests.find("ConfigMap", "email-templates")).isEmpty();
  }

  @Test
  void networkPolicyAdmitsCallersAndReachesDatabaseRelaysAndDns() {
    Manifests manifests = ALL_ON.manifests();
    Map<String, Object> policy = manifests.only("NetworkPolicy");

    assertThat(manifests.podLabels())
        .containsAllEntriesOf(mapAt(policy, "spec.podSelector.matchLabels"));
    assertThat(ports(listAt(policy, "spec.ingress"))).contains("http", "management", "inbound");
    assertThat(ports(listAt(policy, "spec.egress"))).contains(53, 5432, 587, 465, 25, 443);
  }

  @Test
  void previousBounceSecretsAndTheListenersCertificateComeFromSecrets() {
    Manifests manifests = ALL_ON.manifests();
    Map<String, Object> values = Yaml.load(ALL_ON_VALUES);
    BounceSettings bounces =
        manifests.binder().bind("mailroom.bounces", Bindable.of(BounceSettings.class)).get();
    InboundSettings inbound =
        manifests.binder().bind("mailroom.inbound", Bindable.of(InboundSettings.class)).get();

    assertThat(bounces.secret()).isEqualTo(stringAt(values, "bounces.secret"));
    assertThat(bounces.previousSecrets()).isEqualTo(listAt(values, "bounces.previousSecrets"));
    assertThat(manifests.applicationConfig().toString())
        .doesNotContain(bounces.secret())
        .doesNotContain(bounces.previousSecrets().get(0));
    assertThat(inbound.tls().certificate()).hasToString("/etc/mailroom/inbound-tls/tls.crt");
    assertThat(inbound.tls().privateKey()).hasToString("/etc/mailroom/inbound-tls/tls.key");
    assertThat(manifests.volumeMounts()).containsEntry("inbound-tls", "/etc/mailroom/inbound-tls");
    assertThat(stringAt(manifests.volume("inbound-tls"), "secret.secretName"))
        .isEqualTo("mailroom-inbound-tls");
  }

  @Test
  void anExistingSecretMayLackThePreviousBounceSecrets() {
    Manifests manifests =
        render(
            MINIMAL_VALUES,
            t ->
                t.set("existingSecret", EXISTING_SECRET)
                    .set("apiKeys.keys", "null")
                    .set("bounces.domain", "bounces.acme.example"));
    BounceSettings bounces =
        manifests.binder().bind("mailroom.bounces", Bindable.of(BounceSettings.class)).get();

    assertThat(bounces.previousSecrets()).isEmpty();

    assertThat(manifests.env())
        .anySatisfy(
            variable -> {
              assertThat(variable.get("name")).isEqualTo("BOUNCES_PREVIOUS_SECRETS");
              assertThat(stringAt(variable, "valueFrom.secretKeyRef.name"))
                  .isEqualTo(EXISTING_SECRET);
              assertThat(mapAt(variable, "valueFrom.secretKeyRef")).containsEntry("optional", true);
            });
  }

  @Test
  void optionalObjectsAreOffByDefault() {
    assertThat(MINIMAL.manifests().kinds())
        .containsExactlyInAnyOrder(
            "Deployment",
            "Service",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "PodDisruptionBudget");
    assertThat(ALL_ON.manifests().kinds())
        .contains("HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyConfigurationFileTheServiceLoadsIsMountedReadOnly(Rendering rendering) {
    Manifests manifests = rendering.manifests();

    assertThat(manifests.configLocations()).first().isEqualTo("file:/config/");
    assertThat(manifests.unmountedConfigLocations()).isEmpty();
    assertThat(manifests.configFiles())
        .isNotEmpty()
        .allSatisfy(file -> assertThat(file.file().readOnly()).as(file.path()).isTrue());
    if (rendering.existingSecret() == null) {
      assertThat(manifests.configFiles())
          .allSatisfy(file -> assertThat(file.content()).as(file.path()).isPresent());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void apiKeysFileIsMountedFromTheCredentialsSecretAndLoadedLast(Rendering rendering) {
    Manifests manifests = rendering.manifests();
    String secretKey =
        Optional.ofNullable(stringAt(Yaml.load(rendering.values()), "apiKeys.secretKey"))
            .orElse("api-keys.yaml");
    String secret =
        rendering.existingSecret() != null
            ? rendering.existingSecret()
            : stringAt(manifests.only("Secret"), "metadata.name");

    assertThat(manifests.configLocations())
        .as("a later location wins, and the file must be there: no optional: prefix")
        .last()
        .isEqualTo("file:" + API_KEYS_FILE);
    Manifests.MountedFile file = manifests.mountedFile(API_KEYS_FILE).orElseThrow();
    assertThat(file.kind()).isEqualTo("Secret");
    assertThat(file.source()).isEqualTo(secret);
    assertThat(file.key()).isEqualTo(secretKey);
    assertThat(file.readOnly()).isTrue();
    assertThat(file.optional()).isFalse();
    if (rendering.existingSecret() == null) {
      assertThat(manifests.secretValue(secret, secretKey).orElseThrow())
          .contains("mailroom:", "api-keys:");
    }
  }

  @Test
  void installWithoutApiKeysFailsUnlessAllowed() {
    assertThatThrownBy(() -> template(MINIMAL_VALUES, t -> t.set("apiKeys.keys", "null")))
        .hasMessageContaining("apiKeys.keys is empty")
        .hasMessageContaining("apiKeys.allowNone=true");

    Manifests manifests =
        render(MINIMAL_VALUES, t -> t.set("apiKeys.keys", "null").set("apiKeys.allowNone", "true"));
    assertThat(manifests.configLocations()).containsExactly("file:/config/");
    assertThat(manifests.mountedFile(API_KEYS_FILE)).isEmpty();
    assertThat(manifests.secretValue("mr-mailroom", "api-keys.yaml")).isEmpty();
    assertThat(notes(MINIMAL_VALUES, Map.of("apiKeys.keys", "null", "apiKeys.allowNone", "true")))
        .contains("WARNING: no API key is configured", "every\nAPI request with 401");
    assertThat(notes(MINIMAL_VALUES, Map.of())).contains("API keys: app (send read)");
    assertThat(notes(ALL_ON_VALUES, Map.of())).contains("billing (send read; project shop)");
  }

  /** The notes {@code helm install} prints, from a client-only dry run. */
  private static String notes(Path values, Map<String, String> set) {
    InstallCommand install =
        new Helm(CHART)
            .install()
            .withName("mr")
            .withNamespace("mail")
            .clientOnly()
            .withDryRunOption(DryRun.CLIENT)
            .withValuesFile(values);
    set.forEach(install::set);
    String output = install.call().getOutput();
    return output.substring(output.indexOf("NOTES:"));
  }

  @Test
  void existingSecretMayLackTheApiKeysFileOnlyWhenNoneAreAllowed() {
    Manifests manifests =
        render(
            MINIMAL_VALUES,
            t ->
                t.set("existingSecret", EXISTING_SECRET)
                    .set("apiKeys.keys", "null")
                    .set("apiKeys.allowNone", "true"));

    assertThat(manifests.configLocations()).last().isEqualTo("optional:file:" + API_KEYS_FILE);
    assertThat(manifests.mountedFile(API_KEYS_FILE).orElseThrow().optional()).isTrue();
    assertThat(WITH_EXISTING_SECRET.manifests().mountedFile(API_KEYS_FILE).orElseThrow().optional())
        .isFalse();
  }

  @Test
  void apiKeysInValuesWithAnExistingSecretAreRefusedRatherThanIgnored() {
    assertThatThrownBy(
            () -> template(MINIMAL_VALUES, t -> t.set("existingSecret", EXISTING_SECRET)))
        .hasMessageContaining("apiKeys.keys is not used with existingSecret");
  }

  @Test
  void apiKeysThatTheServiceWouldRefuseAreRejected() {
    assertThatThrownBy(
            () ->
                template(MINIMAL_VALUES, t -> t.set("apiKeys.keys[0].hash", "mr_example_minimal")))
        .as("the plaintext key instead of its hash")
        .hasMessageContaining("hash");
    assertThatThrownBy(
            () -> template(MINIMAL_VALUES, t -> t.set("apiKeys.keys[0].scopes[0]", "write")))
        .hasMessageContaining("scopes");
    assertThatThrownBy(
            () -> template(MINIMAL_VALUES, t -> t.set("apiKeys.keys[0].project", "two words")))
        .hasMessageContaining("project");
    assertThatThrownBy(() -> template(ALL_ON_VALUES, t -> t.set("apiKeys.keys[1].name", "billing")))
        .hasMessageContaining("apiKeys.keys: the name \"billing\" is used twice");
    assertThatThrownBy(
            () ->
                template(
                    ALL_ON_VALUES,
                    t ->
                        t.set(
                            "apiKeys.keys[1].hash",
                            "D2545E1AB655C6495623B131A92E3DF84FE9BA7A3CE4156F0CAC0564C309D8C6")))
        .hasMessageContaining("apiKeys.keys[1] (status-page) has the same hash as another key");
  }

  @Test
  void changedApiKeysRollThePods() {
    Map<String, Object> before = MINIMAL.manifests().podAnnotations();
    Map<String, Object> narrower =
        render(MINIMAL_VALUES, t -> t.set("apiKeys.keys[0].allowedSenderDomains[0]", "example.com"))
            .podAnnotations();

    assertThat(narrower.get("checksum/secret")).isNotEqualTo(before.get("checksum/secret"));
    assertThat(narrower.get("checksum/config")).isEqualTo(before.get("checksum/config"));
  }

  @Test
  void eachRelaysCaBundleIsMountedReadOnlyWhereItsSettingPoints() {
    Manifests manifests = ALL_ON.manifests();
    List<SmtpSettings.Relay> relays =
        manifests.binder().bind("mailroom.smtp", SmtpSettings.class).get().relays();
    List<Map<String, Object>> configured = maps(listAt(Yaml.load(ALL_ON_VALUES), "smtp.relays"));

    assertThat(relays).hasSameSizeAs(configured);
    assertThat(configured).filteredOn(relay -> relay.containsKey("caBundle")).hasSize(2);
    for (int i = 0; i < relays.size(); i++) {
      SmtpSettings.Relay relay = relays.get(i);
      Map<String, Object> caBundle = mapAt(configured.get(i), "caBundle");
      if (caBundle.isEmpty()) {
        assertThat(relay.caBundle()).as(relay.name()).isNull();
        continue;
      }
      String path = String.valueOf(relay.caBundle());
      Manifests.MountedFile file =
          manifests
              .mountedFile(path)
              .orElseThrow(() -> new AssertionError(relay.name() + ": nothing mounted at " + path));
      assertThat(path).isEqualTo("/etc/mailroom/ca/" + relay.name() + ".pem");
      assertThat(file.readOnly()).isTrue();
      assertThat(file.optional()).isFalse();
      assertThat(file.key()).isEqualTo(caBundle.get("key"));
      if (caBundle.containsKey("secretName")) {
        assertThat(file.kind()).isEqualTo("Secret");
        assertThat(file.source()).isEqualTo(caBundle.get("secretName"));
      } else {
        assertThat(file.kind()).isEqualTo("ConfigMap");
        assertThat(file.source()).isEqualTo(caBundle.get("configMapName"));
      }
    }
  }

  @Test
  void caBundleFromBothASecretAndAConfigMapIsRejected() {
    assertThatThrownBy(
            () ->
                template(
                    MINIMAL_VALUES,
                    t ->
                        t.set("smtp.relays[0].caBundle.secretName", "ca")
                            .set("smtp.relays[0].caBundle.configMapName", "ca")
                            .set("smtp.relays[0].caBundle.key", "ca.crt")))
        .hasMessageContaining("caBundle");
    assertThat(MINIMAL.manifests().volumes())
        .extracting(volume -> volume.get("name"))
        .doesNotContain("ca-bundles");
  }

  /** The relay settings the service binds; the chart must deliver every field. */
  record Relay(
      String name,
      String host,
      int port,
      String tlsMode,
      @Nullable String username,
      @Nullable String password) {}

  private static String actuatorBasePath() {
    return Optional.ofNullable(stringAt(APPLICATION, "management.endpoints.web.base-path"))
        .orElse("/actuator");
  }

  private static Map<String, Object> probe(Map<String, Object> container, String probe) {
    return mapAt(container, probe + ".httpGet");
  }

  private static Duration duration(Map<String, Object> config, String path) {
    return DurationStyle.detectAndParse(Objects.requireNonNull(stringAt(config, path), path));
  }

  private static Duration preStopSleep(Map<String, Object> container) {
    List<Object> command = listAt(container, "lifecycle.preStop.exec.command");
    return command.isEmpty()
        ? Duration.ZERO
        : Duration.ofSeconds(Long.parseLong((String) command.get(command.size() - 1)));
  }

  private static int intAt(Map<String, Object> root, String path) {
    return (Integer) Objects.requireNonNull(at(root, path), path);
  }

  private static List<Object> listOrCsv(@Nullable Object value) {
    return value instanceof String csv
        ? List.of((Object[]) csv.split("\\s*,\\s*"))
        : Yaml.list(value);
  }

  private static List<Object> ports(List<Object> rules) {
    return maps(rules).stream()
        .flatMap(rule -> maps(listAt(rule, "ports")).stream())
        .map(port -> port.get("port"))
        .toList();
  }
}
