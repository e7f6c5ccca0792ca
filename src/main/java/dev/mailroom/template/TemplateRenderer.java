package dev.mailroom.template;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Renders email templates at intake, always from the latest version of a template that is not
 * archived: the sending project's own template of the name, else the shared one from files.
 *
 * <p>Which version is the latest comes from {@link TemplateHeads}, which every replica keeps
 * current through PostgreSQL's notifications (and asks the store when it cannot be sure); the
 * content of that version is read once and kept, and its files are parsed once and kept by {@link
 * CompiledTemplates}. Both caches know a template by its project as well as its name, so two
 * projects' templates of one name never meet.
 */
@Component
public class TemplateRenderer {

  private final TemplateSource source;
  private final CompiledTemplates compiled;
  private final @Nullable TemplateHeads heads;

  /** The latest version read, by {@code project/name} of the template's own project. */
  private final Map<String, EmailTemplate> latest = new ConcurrentHashMap<>();

  @Autowired
  TemplateRenderer(TemplateSource source, CompiledTemplates compiled, TemplateHeads heads) {
    this.source = source;
    this.compiled = compiled;
    this.heads = heads;
  }

  /** A renderer that asks the source on every render, for sources that are not the database. */
  TemplateRenderer(TemplateSource source, CompiledTemplates compiled) {
    this.source = source;
    this.compiled = compiled;
    this.heads = null;
  }

  /**
   * Renders the best variant of the latest version of a template for a locale.
   *
   * @param project the sender's project, whose own template of the name comes before a shared one
   * @param locale a language tag such as {@code fr-CA} or {@code fr_CA}; null or blank for the
   *     default variant
   * @throws TemplateNotFoundException when neither the project nor the files have that template
   * @throws TemplateArchivedException when the template is archived
   * @throws IllegalArgumentException when {@code locale} is not a language tag
   * @throws MissingVariablesException when the template uses variables that were not given, or
   *     requires variables that were not given
   * @throws TemplateRenderingException when rendering fails for any other reason
   */
  public RenderedTemplate render(
      String project,
      String name,
      @Nullable String locale,
      Map<String, ? extends @Nullable Object> variables) {
    TemplateSource.Head head = head(project, name);
    if (head.archived()) {
      throw new TemplateArchivedException(name);
    }
    return compiled.render(latest(name, head), locale, variables);
  }

  /**
   * Renders a version of a template, archived or not, as {@link #render} would.
   *
   * @param version null for the latest
   * @throws TemplateNotFoundException when there is no such template or version
   */
  RenderedTemplate preview(
      String project,
      String name,
      @Nullable Integer version,
      @Nullable String locale,
      Map<String, ? extends @Nullable Object> variables) {
    TemplateSource.Head head = head(project, name);
    EmailTemplate template =
        version == null || version == head.version()
            ? latest(name, head)
            : source
                .load(head.project(), name, version)
                .orElseThrow(() -> new TemplateNotFoundException(name, version));
    return compiled.render(template, locale, variables);
  }

  /** How many template files were parsed to be cached, for tests of caching. */
  int parses() {
    return compiled.parses();
  }

  /** Whether the project can send with a template of this name, its own or a shared one. */
  boolean exists(String project, String name) {
    return TemplateNames.isValid(name) && source.head(project, name).isPresent();
  }

  private TemplateSource.Head head(String project, String name) {
    if (!TemplateNames.isValid(name)) {
      throw new TemplateNotFoundException(name);
    }
    Optional<TemplateSource.Head> head =
        heads == null
            ? source.head(project, name)
            : heads.head(project, name, () -> source.head(project, name));
    return head.orElseThrow(() -> new TemplateNotFoundException(name));
  }

  /** The latest version's content, read from the store only when it changed. */
  private EmailTemplate latest(String name, TemplateSource.Head head) {
    String key = head.project() + "/" + name;
    EmailTemplate cached = latest.get(key);
    if (cached != null
        && cached.version() == head.version()
        && cached.contentHash().equals(head.contentHash())) {
      return cached;
    }
    EmailTemplate loaded =
        source
            .load(head.project(), name, head.version())
            .orElseThrow(() -> new TemplateNotFoundException(name));
    latest.put(key, loaded);
    return loaded;
  }
}
