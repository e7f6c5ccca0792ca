package dev.mailroom.template;

import dev.mailroom.template.TemplateFolders.FileTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Imports the templates kept in files ({@code classpath:email-templates/} and {@code
 * mailroom.templates.directory}), which every project shares, as new versions when their content
 * changed, once every bean is ready and before the server takes requests. A broken template in
 * files stops startup, as a broken configuration would.
 *
 * <p>Several replicas may start at once: each template is imported under its lock in {@link
 * TemplateStore#importFiles}, so the first one imports and the others find nothing changed.
 */
@Component
class TemplateImporter implements SmartInitializingSingleton {

  private static final Logger log = LoggerFactory.getLogger(TemplateImporter.class);

  private final TemplateSettings settings;
  private final TemplateStore store;
  private final CompiledTemplates compiled;

  TemplateImporter(TemplateSettings settings, TemplateStore store, CompiledTemplates compiled) {
    this.settings = settings;
    this.store = store;
    this.compiled = compiled;
  }

  @Override
  public void afterSingletonsInstantiated() {
    importTemplates(settings.directory());
  }

  /**
   * @return the names of the templates that got a new version
   */
  List<String> importTemplates(@Nullable Path directory) {
    List<FileTemplate> templates = read(directory, compiled);
    List<String> imported = new ArrayList<>();
    for (FileTemplate template : templates) {
      Optional<Integer> version = store.importFiles(template.name(), template.content());
      if (version.isPresent()) {
        log.info(
            "Imported email template '{}' from {} as version {}",
            template.name(),
            template.origin(),
            version.get());
        imported.add(template.name());
      }
      List<String> own = store.projectsWithOwn(template.name());
      if (!own.isEmpty()) {
        log.warn(
            "Email template '{}' from {} is shared by every project, but project(s) {} have a"
                + " template of their own by that name, which they keep sending with",
            template.name(),
            template.origin(),
            own);
      }
    }
    log.info(
        "Email templates in files: {} found, {} imported as new versions{}",
        templates.size(),
        imported.size(),
        imported.isEmpty() ? "" : " (" + String.join(", ", imported) + ")");
    return imported;
  }

  /**
   * Reads and checks every template in files.
   *
   * @throws IllegalStateException naming the template, its folder, file, line and problem when a
   *     template is invalid, or when the directory is missing
   */
  static List<FileTemplate> read(@Nullable Path directory, CompiledTemplates compiled) {
    List<FileTemplate> templates = TemplateLoader.load(directory);
    for (FileTemplate template : templates) {
      List<CompiledTemplates.Problem> problems = compiled.check(template.content());
      if (!problems.isEmpty()) {
        throw TemplateFolders.invalid(
            template.name(),
            template.origin(),
            problems.stream()
                .map(
                    problem ->
                        problem
                                .part()
                                .path(
                                    problem.locale().equals(TemplateLocales.DEFAULT)
                                        ? ""
                                        : problem.locale())
                            + ": "
                            + problem.detail())
                .collect(Collectors.joining("; ")));
      }
    }
    return templates;
  }
}
