package dev.mailroom.template;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Templates read from files as the importer reads them, each as its version 1: rendering tested
 * without a database.
 */
final class FileTemplates implements TemplateSource {

  private final Map<String, EmailTemplate> templates;

  private FileTemplates(Map<String, EmailTemplate> templates) {
    this.templates = templates;
  }

  /** The shipped templates, and those in {@code directory} when given. */
  static FileTemplates read(@Nullable Path directory) {
    return new FileTemplates(
        TemplateImporter.read(directory, new CompiledTemplates()).stream()
            .map(file -> EmailTemplate.of(file.name(), 1, file.content()))
            .collect(Collectors.toMap(EmailTemplate::name, Function.identity())));
  }

  static TemplateRenderer renderer(@Nullable Path directory) {
    return new TemplateRenderer(read(directory), new CompiledTemplates());
  }

  String contentHash(String name) {
    return templates.get(name).contentHash();
  }

  /** Every project reads the templates from files. */
  @Override
  public Optional<Head> head(String project, String name) {
    return Optional.ofNullable(templates.get(name))
        .map(template -> new Head(SHARED, 1, template.contentHash(), false));
  }

  @Override
  public Optional<EmailTemplate> load(String project, String name, int version) {
    return Optional.ofNullable(templates.get(name))
        .filter(template -> SHARED.equals(project) && version == 1);
  }
}
