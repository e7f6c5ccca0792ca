package dev.mailroom.deploy;

import static dev.mailroom.deploy.Yaml.at;
import static dev.mailroom.deploy.Yaml.list;
import static dev.mailroom.deploy.Yaml.listAt;
import static dev.mailroom.deploy.Yaml.map;
import static dev.mailroom.deploy.Yaml.mapAt;
import static dev.mailroom.deploy.Yaml.maps;
import static dev.mailroom.deploy.Yaml.stringAt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/** The Kubernetes objects of one {@code helm template} run, with the lookups the tests need. */
record Manifests(List<Map<String, Object>> objects) {

  static Manifests parse(String rendered) {
    return new Manifests(Yaml.loadAll(rendered));
  }

  List<Map<String, Object>> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  Optional<Map<String, Object>> find(String kind, String name) {
    return ofKind(kind).stream().filter(o -> name.equals(stringAt(o, "metadata.name"))).findFirst();
  }

  Map<String, Object> only(String kind) {
    List<Map<String, Object>> found = ofKind(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + " but found " + found.size());
    }
    return found.get(0);
  }

  Set<String> kinds() {
    return objects.stream().map(o -> (String) o.get("kind")).collect(Collectors.toSet());
  }

  Map<String, Object> deployment() {
    return only("Deployment");
  }

  Map<String, Object> podSpec() {
    return mapAt(deployment(), "spec.template.spec");
  }

  Map<String, Object> podLabels() {
    return mapAt(deployment(), "spec.template.metadata.labels");
  }

  Map<String, Object> podAnnotations() {
    return mapAt(deployment(), "spec.template.metadata.annotations");
  }

  Map<String, Object> container() {
    return maps(listAt(podSpec(), "containers")).get(0);
  }

  /** Container port number by port name. */
  Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Map<String, Object> port : maps(listAt(container(), "ports"))) {
      ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
    }
    return ports;
  }

  List<Map<String, Object>> env() {
    return maps(listAt(container(), "env"));
  }

  /** The container environment with secret references resolved against the rendered Secrets. */
  Map<String, String> resolvedEnv() {
    Map<String, String> resolved = new LinkedHashMap<>();
    for (Map<String, Object> variable : env()) {
      String name = (String) variable.get("name");
      if (variable.containsKey("value")) {
        resolved.put(name, String.valueOf(variable.get("value")));
      } else {
        String secret = stringAt(variable, "valueFrom.secretKeyRef.name");
        String key = stringAt(variable, "valueFrom.secretKeyRef.key");
        if (secret != null && key != null) {
          secretValue(secret, key).ifPresent(value -> resolved.put(name, value));
        }
      }
    }
    return resolved;
  }

  Optional<String> secretValue(String secretName, String key) {
    return find("Secret", secretName)
        .map(secret -> mapAt(secret, "data").get(key))
        .map(encoded -> new String(Base64.getDecoder().decode(encoded.toString())));
  }

  /** A key of a ConfigMap or Secret rendered here, decoded; empty when either is not rendered. */
  Optional<String> value(String kind, String name, String key) {
    return kind.equals("Secret")
        ? secretValue(name, key)
        : find(kind, name).map(o -> mapAt(o, "data").get(key)).map(Object::toString);
  }

  /** The application.yaml that the chart's ConfigMap hands to the service. */
  String applicationYaml() {
    for (Map<String, Object> configMap : ofKind("ConfigMap")) {
      Object yaml = mapAt(configMap, "data").get("application.yaml");
      if (yaml != null) {
        return (String) yaml;
      }
    }
    throw new AssertionError("no ConfigMap holds application.yaml");
  }

  Map<String, Object> applicationConfig() {
    return Yaml.load(applicationYaml());
  }

  /** The entries of {@code SPRING_CONFIG_ADDITIONAL_LOCATION}, in order. */
  List<String> configLocations() {
    String locations = resolvedEnv().get("SPRING_CONFIG_ADDITIONAL_LOCATION");
    return locations == null ? List.of() : List.of(locations.split(","));
  }

  /**
   * A configuration file the service loads from one of {@link #configLocations()}.
   *
   * @param content the file as mounted; empty when it comes from an object the chart does not
   *     render (an existing Secret)
   */
  record ConfigFile(String location, String path, MountedFile file, Optional<String> content) {}

  /**
   * The files the service loads through {@code spring.config.additional-location}, in location
   * order (a later one wins): a directory location {@code file:/dir/} stands for the
   * application.yaml or application.yml mounted in it. A location that resolves to no mounted file
   * is left out; see {@link #unmountedConfigLocations()}.
   */
  List<ConfigFile> configFiles() {
    List<ConfigFile> files = new ArrayList<>();
    for (String location : configLocations()) {
      String path = location.replaceFirst("^optional:", "").replaceFirst("^file:", "");
      List<String> candidates =
          path.endsWith("/")
              ? List.of(path + "application.yaml", path + "application.yml")
              : List.of(path);
      for (String candidate : candidates) {
        mountedFile(candidate)
            .ifPresent(
                file ->
                    files.add(
                        new ConfigFile(
                            location,
                            candidate,
                            file,
                            value(file.kind(), file.source(), file.key()))));
      }
    }
    return files;
  }

  /** Locations that Spring Boot requires (no {@code optional:}) but no volume provides. */
  List<String> unmountedConfigLocations() {
    Set<String> mounted =
        configFiles().stream().map(ConfigFile::location).collect(Collectors.toSet());
    return configLocations().stream()
        .filter(location -> !location.startsWith("optional:") && !mounted.contains(location))
        .toList();
  }

  /**
   * A binder over what a pod sees: the container environment (secrets resolved) above the mounted
   * configuration files (application.yaml, the API keys file), ordered and named as Spring Boot
   * orders them.
   */
  Binder binder() {
    return binder(name -> true);
  }

  /** {@link #binder()} seeing only the properties {@code only} accepts (placeholders see all). */
  Binder binder(Predicate<ConfigurationPropertyName> only) {
    MutablePropertySources sources = new MutablePropertySources();
    sources.addLast(
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.copyOf(resolvedEnv())));
    List<ConfigFile> files = new ArrayList<>(configFiles());
    Collections.reverse(files);
    for (ConfigFile file : files) {
      if (file.content().isEmpty()) {
        continue;
      }
      ByteArrayResource yaml =
          new ByteArrayResource(file.content().get().getBytes(StandardCharsets.UTF_8));
      try {
        for (PropertySource<?> source :
            new YamlPropertySourceLoader().load("file:" + file.path(), yaml)) {
          sources.addLast(source);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<ConfigurationPropertySource> filtered = new ArrayList<>();
    ConfigurationPropertySources.from(sources).forEach(source -> filtered.add(source.filter(only)));
    return new Binder(filtered, new PropertySourcesPlaceholdersResolver(sources));
  }

  /**
   * A file in the container and the ConfigMap or Secret key it comes from.
   *
   * @param kind {@code ConfigMap} or {@code Secret}
   * @param source the name of the ConfigMap or Secret
   * @param optional the volume lets the pod start without it
   */
  record MountedFile(
      String path,
      String volume,
      String kind,
      String source,
      String key,
      boolean readOnly,
      boolean optional) {}

  /**
   * Which ConfigMap or Secret key a path in the container is, through the container's volume mounts
   * and the pod's configMap, secret and projected volumes.
   */
  Optional<MountedFile> mountedFile(String path) {
    for (Map<String, Object> mount : maps(listAt(container(), "volumeMounts"))) {
      String mountPath = ((String) mount.get("mountPath")).replaceAll("/+$", "");
      String subPath = (String) mount.get("subPath");
      String relative;
      if (subPath != null) {
        if (!path.equals(mountPath)) {
          continue;
        }
        relative = subPath;
      } else if (path.startsWith(mountPath + "/")) {
        relative = path.substring(mountPath.length() + 1);
      } else {
        continue;
      }
      String volumeName = (String) mount.get("name");
      boolean readOnly = Boolean.TRUE.equals(mount.get("readOnly"));
      Map<String, Object> volume = volume(volumeName);
      List<Map<String, Object>> sources = new ArrayList<>();
      sources.add(
          Map.of("kind", "ConfigMap", "source", mapAt(volume, "configMap"), "name", "name"));
      sources.add(
          Map.of("kind", "Secret", "source", mapAt(volume, "secret"), "name", "secretName"));
      for (Map<String, Object> projected : maps(listAt(volume, "projected.sources"))) {
        sources.add(
            Map.of("kind", "ConfigMap", "source", mapAt(projected, "configMap"), "name", "name"));
        sources.add(Map.of("kind", "Secret", "source", mapAt(projected, "secret"), "name", "name"));
      }
      for (Map<String, Object> candidate : sources) {
        Map<String, Object> source = map(candidate.get("source"));
        if (source.isEmpty()) {
          continue;
        }
        String kind = (String) candidate.get("kind");
        String name = (String) source.get(candidate.get("name"));
        boolean optional = Boolean.TRUE.equals(source.get("optional"));
        Object items = source.get("items");
        if (items == null) {
          // Every key becomes a file of its name.
          boolean rendered = find(kind, name).isPresent();
          if (!rendered || value(kind, name, relative).isPresent()) {
            return Optional.of(
                new MountedFile(path, volumeName, kind, name, relative, readOnly, optional));
          }
          continue;
        }
        for (Map<String, Object> item : maps(list(items))) {
          if (relative.equals(item.get("path"))) {
            return Optional.of(
                new MountedFile(
                    path, volumeName, kind, name, (String) item.get("key"), readOnly, optional));
          }
        }
      }
    }
    return Optional.empty();
  }

  List<Map<String, Object>> volumes() {
    return maps(listAt(podSpec(), "volumes"));
  }

  Map<String, Object> volume(String name) {
    return volumes().stream()
        .filter(v -> name.equals(v.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume named " + name));
  }

  /** Mount path by volume name. */
  Map<String, String> volumeMounts() {
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Map<String, Object> mount : maps(listAt(container(), "volumeMounts"))) {
      mounts.put((String) mount.get("name"), (String) mount.get("mountPath"));
    }
    return mounts;
  }

  /** A Secret or ConfigMap that the pod refers to, and the keys it needs from it. */
  record Reference(String kind, String name, List<String> keys) {}

  List<Reference> references() {
    List<Reference> references = new ArrayList<>();
    for (Map<String, Object> variable : env()) {
      addKeyRef(references, "Secret", at(variable, "valueFrom.secretKeyRef"));
      addKeyRef(references, "ConfigMap", at(variable, "valueFrom.configMapKeyRef"));
    }
    for (Map<String, Object> source : maps(listAt(container(), "envFrom"))) {
      addSource(references, "Secret", stringAt(source, "secretRef.name"));
      addSource(references, "ConfigMap", stringAt(source, "configMapRef.name"));
    }
    for (Map<String, Object> volume : volumes()) {
      addVolume(references, "Secret", mapAt(volume, "secret"), "secretName");
      addVolume(references, "ConfigMap", mapAt(volume, "configMap"), "name");
      for (Map<String, Object> projected : maps(listAt(volume, "projected.sources"))) {
        addVolume(references, "Secret", mapAt(projected, "secret"), "name");
        addVolume(references, "ConfigMap", mapAt(projected, "configMap"), "name");
      }
    }
    return references;
  }

  private static void addKeyRef(List<Reference> references, String kind, @Nullable Object ref) {
    if (ref != null) {
      Map<String, Object> keyRef = map(ref);
      references.add(
          new Reference(kind, (String) keyRef.get("name"), List.of((String) keyRef.get("key"))));
    }
  }

  private static void addSource(List<Reference> references, String kind, @Nullable String name) {
    if (name != null) {
      references.add(new Reference(kind, name, List.of()));
    }
  }

  private static void addVolume(
      List<Reference> references, String kind, Map<String, Object> source, String nameField) {
    if (!source.isEmpty()) {
      Object items = source.get("items");
      List<String> keys =
          items == null
              ? List.of()
              : maps(list(items)).stream().map(item -> (String) item.get("key")).toList();
      references.add(new Reference(kind, (String) source.get(nameField), keys));
    }
  }
}
