package dev.mailroom.template;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Renders email templates at intake, always from the latest version of a template that is not
 * archived.
 *
 * <p>Each render asks the store which version is the latest (one primary-key lookup, so that every
 * replica sees a new version or an archive at once); the content of that version is read once and
 * kept, and its files are parsed once and kept by {@link CompiledTemplates}.
 */
@Component
public class TemplateRenderer {

  private final TemplateSource source;
  private final CompiledTemplates compiled;
  private final Map<String, EmailTemplate> latest = new ConcurrentHashMap<>();

  TemplateRenderer(TemplateSource source, CompiledTemplates compiled) {
    this.source = source;
    this.compiled = compiled;
  }

  /**
   * Renders the best variant of the latest version of a template for a locale.
   *
   * @param locale a language tag such as {@code fr-CA} or {@code fr_CA}; null or blank for the
   *     default variant
   * @throws TemplateNotFoundException when no template has that name
   * @throws TemplateArchivedException when the template is archived
   * @throws IllegalArgumentException when {@code locale} is not a language tag
   * @throws MissingVariablesException when the template uses variables that were not given, or
   *     requires variables that were not given
   * @throws TemplateRenderingException when rendering fails for any other reason
   */
  public RenderedTemplate render(
      String name, @Nullable String locale, Map<String, ? extends @Nullable Object> variables) {
    TemplateSource.Head head = head(name);
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
      String name,
      @Nullable Integer version,
      @Nullable String locale,
      Map<String, ? extends @Nullable Object> variables) {
    TemplateSource.Head head = head(name);
    EmailTemplate template =
        version == null || version == head.version()
            ? latest(name, head)
            : source
                .load(name, version)
                .orElseThrow(() -> new TemplateNotFoundException(name, version));
    return compiled.render(template, locale, variables);
  }

  /** How many template files were parsed to be cached, for tests of caching. */
  int parses() {
    return compiled.parses();
  }

  public boolean exists(String name) {
    return TemplateNames.isValid(name) && source.head(name).isPresent();
  }

  private TemplateSource.Head head(String name) {
    if (!TemplateNames.isValid(name)) {
      throw new TemplateNotFoundException(name);
    }
    return source.head(name).orElseThrow(() -> new TemplateNotFoundException(name));
  }

  /** The latest version's content, read from the store only when it changed. */
  private EmailTemplate latest(String name, TemplateSource.Head head) {
    EmailTemplate cached = latest.get(name);
    if (cached != null
        && cached.version() == head.version()
        && cached.contentHash().equals(head.contentHash())) {
      return cached;
    }
    EmailTemplate loaded =
        source.load(name, head.version()).orElseThrow(() -> new TemplateNotFoundException(name));
    latest.put(name, loaded);
    return loaded;
  }
}
