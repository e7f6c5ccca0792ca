package dev.mailroom.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Reads template folders from {@code classpath:email-templates/} and from the configured directory,
 * once, at startup, for import into the database. A folder in the directory replaces the classpath
 * folder of the same name as a whole; files are never mixed between the two.
 */
final class TemplateLoader {

  private static final Logger log = LoggerFactory.getLogger(TemplateLoader.class);

  static final String CLASSPATH_ROOT = "email-templates";

  private TemplateLoader() {}

  /**
   * @return every template, by name, a directory folder in place of the classpath one of the same
   *     name
   * @throws IllegalStateException when the directory is missing or a template is invalid
   */
  static List<TemplateFolders.FileTemplate> load(@Nullable Path directory) {
    Map<String, TemplateFiles> folders = new TreeMap<>();
    for (TemplateFiles folder : fromClasspath(new PathMatchingResourcePatternResolver())) {
      folders.put(folder.name(), folder);
    }
    int fromClasspath = folders.size();
    int fromDirectory = 0;
    if (directory != null) {
      for (TemplateFiles folder : fromDirectory(directory)) {
        TemplateFiles replaced = folders.put(folder.name(), folder);
        if (replaced != null) {
          log.info(
              "Email template '{}' from {} replaces the built-in one", folder.name(), directory);
        }
        fromDirectory++;
      }
    }
    List<TemplateFolders.FileTemplate> templates =
        folders.values().stream().map(TemplateFolders::read).toList();
    if (directory == null) {
      log.info("Found {} built-in email templates", fromClasspath);
    } else {
      log.info(
          "Found {} email templates: {} built in, {} in {}",
          folders.size(),
          fromClasspath,
          fromDirectory,
          directory);
    }
    return templates;
  }

  /**
   * Scans {@code email-templates/} on every classpath root, one pattern for {@code name/file} and
   * one for {@code name/locale/file}. The depth of each pattern tells which trailing URL segments
   * are the template name and the locale folder, so no URL needs to be matched against its root.
   * When several classpath roots hold a template of the same name, the first one wins, as with any
   * classpath resource.
   */
  static List<TemplateFiles> fromClasspath(ResourcePatternResolver resolver) {
    // root URL -> template name -> files
    Map<String, Map<String, SortedMap<String, byte[]>>> roots = new LinkedHashMap<>();
    scan(resolver, "classpath*:" + CLASSPATH_ROOT + "/*/*", 2, roots);
    scan(resolver, "classpath*:" + CLASSPATH_ROOT + "/*/*/*", 3, roots);

    Map<String, TemplateFiles> folders = new LinkedHashMap<>();
    roots.forEach(
        (root, templates) ->
            templates.forEach(
                (name, files) -> {
                  TemplateFiles existing = folders.get(name);
                  if (existing == null) {
                    folders.put(name, new TemplateFiles(name, root + name, files));
                  } else {
                    log.warn(
                        "Email template '{}' in {} is hidden by the one in {}",
                        name,
                        root + name,
                        existing.origin());
                  }
                }));
    return new ArrayList<>(folders.values());
  }

  private static void scan(
      ResourcePatternResolver resolver,
      String pattern,
      int depth,
      Map<String, Map<String, SortedMap<String, byte[]>>> roots) {
    try {
      for (Resource resource : resolver.getResources(pattern)) {
        String url = resource.getURL().toString();
        String[] segments = url.split("/", -1);
        if (segments.length <= depth) {
          continue;
        }
        List<String> relative =
            tail(segments, depth).stream()
                .map(segment -> URLDecoder.decode(segment, StandardCharsets.UTF_8))
                .toList();
        String fileName = relative.get(relative.size() - 1);
        // Not Resource.isReadable(): it calls an empty file in a jar unreadable.
        if (!TemplateFiles.isTemplateFile(fileName)
            || relative.stream().anyMatch(TemplateLoader::isHidden)) {
          continue;
        }
        String root =
            url.substring(0, url.length() - String.join("/", tail(segments, depth)).length());
        String name = relative.get(0);
        roots
            .computeIfAbsent(root, r -> new LinkedHashMap<>())
            .computeIfAbsent(name, n -> new TreeMap<>())
            .put(String.join("/", relative.subList(1, relative.size())), read(resource));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot scan the classpath for " + pattern, e);
    }
  }

  private static List<String> tail(String[] segments, int count) {
    return List.of(segments).subList(segments.length - count, segments.length);
  }

  private static byte[] read(Resource resource) throws IOException {
    try (var in = resource.getInputStream()) {
      return in.readAllBytes();
    }
  }

  /**
   * Reads each visible subfolder of {@code directory} as a template. Hidden entries are skipped: a
   * Kubernetes ConfigMap volume keeps its real files under {@code ..data}, reachable through
   * symbolic links that are followed here.
   */
  static List<TemplateFiles> fromDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalStateException(
          "mailroom.templates.directory is set to '"
              + directory
              + "', which "
              + (Files.exists(directory) ? "is not a directory" : "does not exist")
              + " (resolved as "
              + directory.toAbsolutePath()
              + ")");
    }
    List<TemplateFiles> folders = new ArrayList<>();
    for (Path folder : subfolders(directory)) {
      SortedMap<String, byte[]> files = new TreeMap<>();
      readTemplateFiles(folder, "", files);
      for (Path localeFolder : subfolders(folder)) {
        readTemplateFiles(localeFolder, localeFolder.getFileName() + "/", files);
      }
      folders.add(new TemplateFiles(folder.getFileName().toString(), folder.toString(), files));
    }
    return folders;
  }

  private static List<Path> subfolders(Path directory) {
    List<Path> folders = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        if (!isHidden(entry.getFileName().toString()) && Files.isDirectory(entry)) {
          folders.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list email templates in " + directory, e);
    }
    folders.sort(null);
    return folders;
  }

  private static void readTemplateFiles(Path folder, String prefix, Map<String, byte[]> files) {
    for (String fileName : List.of(TemplateFiles.SUBJECT, TemplateFiles.HTML, TemplateFiles.TEXT)) {
      Path file = folder.resolve(fileName);
      if (Files.isRegularFile(file)) {
        try {
          files.put(prefix + fileName, Files.readAllBytes(file));
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read email template file " + file, e);
        }
      }
    }
  }

  private static boolean isHidden(String name) {
    return name.startsWith(".");
  }
}
