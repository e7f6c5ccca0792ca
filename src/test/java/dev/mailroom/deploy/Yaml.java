package dev.mailroom.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/** Loads YAML documents as plain maps and lists, and walks them by key. */
final class Yaml {

  private Yaml() {}

  static Map<String, Object> load(Path file) {
    try {
      return map(parser().load(Files.readString(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> load(String yaml) {
    return map(parser().load(yaml));
  }

  /** Every non-empty document of a multi-document stream such as helm template output. */
  static List<Map<String, Object>> loadAll(String yaml) {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : parser().loadAll(yaml)) {
      if (document != null) {
        documents.add(map(document));
      }
    }
    return documents;
  }

  /** The value at a dotted path of keys, or null when any step is missing. */
  static @Nullable Object at(Map<String, Object> root, String path) {
    @Nullable Object current = root;
    for (String key : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> node)) {
        return null;
      }
      current = node.get(key);
    }
    return current;
  }

  static Map<String, Object> mapAt(Map<String, Object> root, String path) {
    Object value = at(root, path);
    return value == null ? Map.of() : map(value);
  }

  static List<Object> listAt(Map<String, Object> root, String path) {
    Object value = at(root, path);
    return value == null ? List.of() : list(value);
  }

  static @Nullable String stringAt(Map<String, Object> root, String path) {
    Object value = at(root, path);
    return value == null ? null : value.toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("expected a mapping but found " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    if (!(value instanceof List)) {
      throw new IllegalArgumentException("expected a sequence but found " + value);
    }
    return (List<Object>) value;
  }

  static List<Map<String, Object>> maps(List<Object> values) {
    return values.stream().map(Yaml::map).toList();
  }

  private static org.yaml.snakeyaml.Yaml parser() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new org.yaml.snakeyaml.Yaml(options);
  }
}
