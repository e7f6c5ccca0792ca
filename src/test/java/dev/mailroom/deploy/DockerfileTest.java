package dev.mailroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks the image definition for the properties the chart and compose file rely on. */
class DockerfileTest {

  private static final List<String> LAYERS =
      List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

  /** One instruction, with continuation lines joined: {@code COPY --from=build a b}. */
  record Instruction(String keyword, String arguments) {}

  @Test
  void runtimeStageRunsAsANumericNonRootUser() throws IOException {
    List<Instruction> users = ofKeyword(runtimeStage(), "USER");

    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1).arguments().split(":")[0];
    assertThat(user).as("numeric, so Kubernetes can verify runAsNonRoot").matches("[0-9]+");
    assertThat(Integer.parseInt(user)).isEqualTo(10001);
  }

  @Test
  void layersAreCopiedDependenciesFirstAndApplicationLast() throws IOException {
    List<String> copied = new ArrayList<>();
    for (Instruction copy : ofKeyword(runtimeStage(), "COPY")) {
      for (String layer : LAYERS) {
        if (copy.arguments().contains("/extracted/" + layer + "/")) {
          copied.add(layer);
        }
      }
    }

    assertThat(copied).isEqualTo(LAYERS);
  }

  @Test
  void layersComeFromBootsToolsJarModeAndStartWithTheLauncher() throws IOException {
    List<Instruction> instructions = instructions();

    assertThat(ofKeyword(instructions, "RUN"))
        .anySatisfy(
            run ->
                assertThat(run.arguments())
                    .contains("-Djarmode=tools", "extract", "--layers", "--launcher"));
    assertThat(ofKeyword(runtimeStage(), "ENTRYPOINT"))
        .singleElement()
        .satisfies(
            entrypoint ->
                assertThat(entrypoint.arguments())
                    .contains("org.springframework.boot.loader.launch.JarLauncher"));
  }

  @Test
  void buildCachesTheMavenRepository() throws IOException {
    assertThat(ofKeyword(instructions(), "RUN"))
        .anySatisfy(
            run ->
                assertThat(run.arguments())
                    .contains("--mount=type=cache,target=/root/.m2", "./mvnw", "package"));
  }

  @Test
  void jvmSizesItsHeapFromTheContainerAndWritesOnlyToTmp() throws IOException {
    assertThat(ofKeyword(runtimeStage(), "ENV"))
        .anySatisfy(
            env ->
                assertThat(env.arguments())
                    .startsWith("JAVA_TOOL_OPTIONS=")
                    .contains(
                        "-XX:MaxRAMPercentage=60",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Djava.io.tmpdir=/tmp"));
  }

  @Test
  void jvmNamesItsCollectorAndCapsWhatIsNotHeap() throws IOException {
    assertThat(ofKeyword(runtimeStage(), "ENV"))
        .anySatisfy(
            env ->
                assertThat(env.arguments())
                    .startsWith("JAVA_TOOL_OPTIONS=")
                    .contains(
                        "-XX:-TieredCompilation",
                        "-XX:CICompilerCount=1",
                        "-XX:+UseSerialGC",
                        "-Xmn16m",
                        "-XX:SurvivorRatio=3",
                        "-XX:TargetSurvivorRatio=90",
                        "-XX:MaxMetaspaceSize=192m",
                        "-XX:ReservedCodeCacheSize=128m"));
    assertThat(ofKeyword(runtimeStage(), "ENV"))
        .anySatisfy(env -> assertThat(env.arguments()).isEqualTo("MALLOC_ARENA_MAX=2"));
  }

  @Test
  void exposesTheServicePorts() throws IOException {
    Map<String, Object> application = Yaml.load(Path.of("src/main/resources/application.yml"));
    List<String> exposed =
        ofKeyword(runtimeStage(), "EXPOSE").stream()
            .flatMap(expose -> List.of(expose.arguments().split("\\s+")).stream())
            .toList();

    assertThat(exposed)
        .contains(
            String.valueOf(Yaml.at(application, "server.port")),
            String.valueOf(Yaml.at(application, "management.server.port")));
  }

  private static List<Instruction> runtimeStage() throws IOException {
    List<Instruction> all = instructions();
    int lastFrom = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        lastFrom = i;
      }
    }
    return all.subList(lastFrom, all.size());
  }

  private static List<Instruction> ofKeyword(List<Instruction> instructions, String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  private static List<Instruction> instructions() throws IOException {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String[] parts = current.toString().split("\\s+", 2);
      instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
      current.setLength(0);
    }
    return instructions;
  }
}
