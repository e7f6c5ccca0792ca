package dev.mailroom.template;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.attoparser.ParseException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.TemplateSpec;
import org.thymeleaf.cache.StandardCacheManager;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateparser.text.TextParseException;

/**
 * Renders email templates at intake. Templates are loaded and parsed once at startup; a render only
 * evaluates the cached models against the caller's variables.
 *
 * <p>The engine is a plain Thymeleaf {@link TemplateEngine} of its own, not the web view engine, so
 * no web or Spring expression features leak into email templates. Variables are data: they are
 * escaped by {@code th:text} and never evaluated as expressions.
 */
@Component
public class TemplateRenderer {

  private static final Logger log = LoggerFactory.getLogger(TemplateRenderer.class);

  private final TemplateRegistry registry;
  private final RegistryTemplateResolver resolver;
  private final TemplateEngine engine;

  /**
   * @throws IllegalStateException when the configured directory is missing or a template is
   *     invalid, so that the service does not start with broken templates
   */
  public TemplateRenderer(TemplateSettings settings) {
    this.registry = TemplateLoader.load(settings.directory());
    this.resolver = new RegistryTemplateResolver(registry);
    this.engine = engine(resolver, registry.sourceKeys().size());
    parseAll();
  }

  /**
   * Renders the best variant of a template for a locale.
   *
   * @param locale a language tag such as {@code fr-CA} or {@code fr_CA}; null or blank for the
   *     default variant
   * @throws TemplateNotFoundException when no template has that name
   * @throws IllegalArgumentException when {@code locale} is not a language tag
   * @throws MissingVariablesException when the template uses variables that were not given
   * @throws TemplateRenderingException when rendering fails for any other reason
   */
  public RenderedTemplate render(
      String name, @Nullable String locale, Map<String, ? extends @Nullable Object> variables) {
    EmailTemplate template = registry.find(name);
    if (template == null) {
      throw new TemplateNotFoundException(name);
    }
    EmailTemplate.Variant variant = template.variantFor(TemplateLocales.lookupOrder(locale));
    Render render = new Render(template, variant, variables);
    String subject = render.file(variant.subjectKey());
    String html = render.file(variant.htmlKey());
    String text = variant.hasText() ? render.file(variant.textKey()) : null;
    render.failIfIncomplete();
    return new RenderedTemplate(
        name,
        template.version(),
        variant.locale(),
        // Only the file's own surrounding whitespace goes; a line break a variable put inside the
        // subject is kept, so intake can refuse it rather than quietly change the header.
        subject.strip(),
        html,
        // Trimmed like derived text, so body.txt may put block tags on lines of their own.
        text != null ? text.strip() : HtmlToText.convert(html));
  }

  public boolean exists(String name) {
    return registry.find(name) != null;
  }

  /** How many times Thymeleaf had to resolve (and so parse) a template file. */
  int parses() {
    return resolver.resolutions();
  }

  private static TemplateEngine engine(RegistryTemplateResolver resolver, int files) {
    TemplateEngine engine = new TemplateEngine();
    engine.setTemplateResolver(resolver);
    engine.setEngineContextFactory(new TrackedVariables.Factory());
    // Room for every file and the fragments they may insert, so nothing is ever evicted and
    // parsed again.
    StandardCacheManager cache = new StandardCacheManager();
    cache.setTemplateCacheMaxSize(Math.max(200, 2 * files));
    engine.setCacheManager(cache);
    return engine;
  }

  /**
   * Parses every file now, which fills the cache and turns a syntax error into a startup failure.
   * Rendering with no variables also evaluates expressions; their failures are expected and
   * ignored, only a parse error counts.
   */
  private void parseAll() {
    for (String key : registry.sourceKeys()) {
      try {
        process(key, new TrackedVariables(Map.of(), Locale.ROOT));
      } catch (TemplateProcessingException e) {
        if (isParseError(e)) {
          throw new IllegalStateException(
              "Email template file " + key + " cannot be parsed: " + e.getMessage(), e);
        }
      }
    }
  }

  private static boolean isParseError(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ParseException || cause instanceof TextParseException) {
        return true;
      }
    }
    return false;
  }

  private String process(String key, TrackedVariables variables) {
    StringWriter out = new StringWriter();
    // The template manager rather than TemplateEngine.process, which logs every failure as an
    // error with its stack trace; here most failures are the caller's and are reported to them.
    engine.getConfiguration().getTemplateManager().parseAndProcess(spec(key), variables, out);
    return out.toString();
  }

  private static TemplateSpec spec(String key) {
    // No selectors, template mode or attributes: the resolver decides the mode by file name.
    return new TemplateSpec(key, null, (TemplateMode) null, null);
  }

  /**
   * One render of a variant. Every file is rendered even after a failure, so that the caller learns
   * about all missing variables at once.
   */
  private final class Render {

    private final EmailTemplate template;
    private final TrackedVariables variables;
    private final Map<String, RuntimeException> failures = new LinkedHashMap<>();

    Render(
        EmailTemplate template,
        EmailTemplate.Variant variant,
        Map<String, ? extends @Nullable Object> variables) {
      this.template = template;
      this.variables = new TrackedVariables(variables, TemplateLocales.toLocale(variant.locale()));
    }

    String file(String key) {
      try {
        return process(key, variables);
      } catch (RuntimeException e) {
        log.debug("Rendering {} failed", key, e);
        failures.put(key, e);
        return "";
      }
    }

    void failIfIncomplete() {
      // A missing variable is the usual cause of a failure (${user.name} without a user), so
      // it is the better report; what the failed files use after that point is found by
      // rendering them again with stand-ins for the missing variables.
      if (!variables.missing().isEmpty()) {
        failures.keySet().forEach(this::discoverMissing);
        throw new MissingVariablesException(template.name(), variables.missing());
      }
      if (!failures.isEmpty()) {
        Map.Entry<String, RuntimeException> first = failures.entrySet().iterator().next();
        throw new TemplateRenderingException(
            "Template '" + template.name() + "' could not be rendered: " + reason(first),
            first.getValue());
      }
    }

    private void discoverMissing(String key) {
      try {
        process(key, variables.discovering());
      } catch (RuntimeException e) {
        log.debug("Looking for more missing variables in {} stopped early", key, e);
      }
    }

    private static String reason(Map.Entry<String, RuntimeException> failure) {
      if (failure.getValue() instanceof TemplateProcessingException processing) {
        // Names the template file, line and column, and the expression that failed.
        return processing.getMessage();
      }
      return "unexpected error in " + failure.getKey();
    }
  }
}
