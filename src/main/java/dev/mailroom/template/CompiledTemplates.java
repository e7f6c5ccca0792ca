package dev.mailroom.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.attoparser.ParseException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.TemplateSpec;
import org.thymeleaf.cache.StandardCacheManager;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.standard.StandardDialect;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateparser.text.TextParseException;

/**
 * Thymeleaf for email templates: renders a template version with the caller's variables, and checks
 * content for errors before it is stored.
 *
 * <p>The engine is a plain Thymeleaf {@link TemplateEngine} of its own, not the web view engine, so
 * no web or Spring expression features (beans, environment) exist in email templates, and its
 * expressions are {@linkplain TemplateExpressions a language of their own} that can only read the
 * variables and call named functions. Variables are data: they are escaped by {@code th:text} and
 * never evaluated as expressions ({@link ExpressionCheck} refuses preprocessing). Every part is
 * bounded by the {@link TemplateLimits}.
 *
 * <p>Each file of a version is parsed on its first render and kept in the engine's cache under its
 * name, version, locale and part; later renders only evaluate the cached model.
 */
@Component
public class CompiledTemplates {

  private static final Logger log = LoggerFactory.getLogger(CompiledTemplates.class);

  /**
   * Parsed files kept. Far more than the files of every template's latest version, so that nothing
   * in use is evicted and parsed again; older versions only come back for previews.
   */
  private static final int CACHED_FILES = 2_000;

  private static final Pattern POSITION_SUFFIX = Pattern.compile(" \\(template: .*\\)$");
  private static final Pattern PARSER_POSITION =
      Pattern.compile("^\\(Line = \\d+, Column = \\d+\\) ");

  private final VersionTemplateResolver resolver = new VersionTemplateResolver();
  private final TemplateEngine engine;

  public CompiledTemplates() {
    StandardDialect dialect = new StandardDialect();
    dialect.setVariableExpressionEvaluator(new TemplateExpressions());
    engine = new TemplateEngine();
    engine.setDialect(dialect);
    engine.addDialect(new ExpressionCheck.Dialect());
    engine.setTemplateResolver(resolver);
    engine.setEngineContextFactory(new TrackedVariables.Factory());
    StandardCacheManager cache = new StandardCacheManager();
    cache.setTemplateCacheMaxSize(CACHED_FILES);
    engine.setCacheManager(cache);
  }

  /**
   * Renders the best variant of a version for a locale.
   *
   * @param locale a language tag such as {@code fr-CA} or {@code fr_CA}; null or blank for the
   *     default variant
   * @throws IllegalArgumentException when {@code locale} is not a language tag
   * @throws MissingVariablesException when the template uses or requires variables that were not
   *     given
   * @throws TemplateRenderingException when rendering fails for any other reason
   */
  RenderedTemplate render(
      EmailTemplate template,
      @Nullable String locale,
      Map<String, ? extends @Nullable Object> variables) {
    EmailTemplate.Variant variant = template.variantFor(TemplateLocales.lookupOrder(locale));
    Render render = new Render(template, variant, variables);
    String subject = render.part(TemplatePart.SUBJECT);
    String html = render.part(TemplatePart.HTML);
    String text = variant.text() != null ? render.part(TemplatePart.TEXT) : null;
    render.failIfIncomplete();
    return new RenderedTemplate(
        template.name(),
        Integer.toString(template.version()),
        variant.locale(),
        // Only the file's own surrounding whitespace goes; a line break a variable put inside the
        // subject is kept, so intake can refuse it rather than quietly change the header.
        subject.strip(),
        html,
        // Trimmed like derived text, so body.txt may put block tags on lines of their own.
        HtmlToText.textBody(text != null ? text.strip() : null, html));
  }

  /** An error in content to be stored, in one file of one locale. */
  record Problem(String locale, TemplatePart part, String detail) {}

  /**
   * Finds what would make content fail whatever the variables: markup and expression syntax, and
   * expressions reaching beyond the variables. Each file is processed with a stand-in for every
   * variable, without caching; failures that depend on the variables' values are not reported.
   */
  List<Problem> check(TemplateContent content) {
    List<Problem> problems = new ArrayList<>();
    content
        .variants()
        .forEach(
            (locale, variant) -> {
              check(locale, TemplatePart.SUBJECT, variant.subject(), problems);
              check(locale, TemplatePart.HTML, variant.html(), problems);
              if (variant.text() != null) {
                check(locale, TemplatePart.TEXT, variant.text(), problems);
              }
            });
    return problems;
  }

  /** How many times a file was parsed to be cached, which happens once per file of a version. */
  int parses() {
    return resolver.parses();
  }

  private void check(String locale, TemplatePart part, String source, List<Problem> problems) {
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(VersionTemplateResolver.SOURCE, source);
    attributes.put(VersionTemplateResolver.MODE, part.mode());
    attributes.put(VersionTemplateResolver.UNCACHED, Boolean.TRUE);
    try {
      process(
          "new/" + locale + "/" + part.fileName(),
          attributes,
          new TrackedVariables(Map.of(), TemplateLocales.toLocale(locale)).discovering());
    } catch (RuntimeException e) {
      String detail = problem(e);
      if (detail != null) {
        problems.add(new Problem(locale, part, detail));
      } else {
        log.debug("Checking {} of {} stopped at a value-dependent failure", part, locale, e);
      }
    }
  }

  /**
   * What is wrong, with its line and column, when the failure is the template's own; null when it
   * depends on the variables. Without caching, Thymeleaf processes while it parses, so a failed
   * expression may arrive wrapped in parse exceptions: the innermost cause decides.
   */
  private static @Nullable String problem(RuntimeException e) {
    String reason = null;
    Integer line = null;
    Integer col = null;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof TemplateProcessingException processing && processing.getLine() != null) {
        line = processing.getLine();
        col = processing.getCol();
      }
      if (cause instanceof ParseException parse && parse.getCause() == null) {
        reason = PARSER_POSITION.matcher(String.valueOf(parse.getMessage())).replaceFirst("");
        line = parse.getLine() != null ? parse.getLine() : line;
        col = parse.getCol() != null ? parse.getCol() : col;
      } else if (cause instanceof TextParseException parse && parse.getCause() == null) {
        reason = PARSER_POSITION.matcher(String.valueOf(parse.getMessage())).replaceFirst("");
        line = parse.getLine() != null ? parse.getLine() : line;
        col = parse.getCol() != null ? parse.getCol() : col;
      } else if (cause instanceof ExpressionException expression) {
        if (!expression.templateFault()) {
          return null;
        }
        reason = withoutPosition(expression);
      } else if (cause instanceof TemplateProcessingException thymeleaf) {
        String message = withoutPosition(thymeleaf);
        // Thymeleaf's own expression parser, and its allow-list of classes and members.
        if (message.startsWith("Could not parse as") || message.contains("is forbidden")) {
          reason = message;
        }
      }
    }
    if (reason == null) {
      return null;
    }
    return line == null ? reason : "line " + line + ", column " + col + ": " + reason;
  }

  private static String withoutPosition(TemplateProcessingException e) {
    return POSITION_SUFFIX.matcher(String.valueOf(e.getMessage())).replaceFirst("");
  }

  private String process(String key, Map<String, Object> attributes, TrackedVariables variables) {
    LimitedWriter out = new LimitedWriter(variables.startPart());
    try {
      // The template manager rather than TemplateEngine.process, which logs every failure as an
      // error with its stack trace; here most failures are the caller's and are reported to them.
      engine
          .getConfiguration()
          .getTemplateManager()
          .parseAndProcess(
              new TemplateSpec(key, null, (TemplateMode) null, attributes), variables, out);
    } catch (StackOverflowError e) {
      // The expression limits keep recursion shallow; this is the net under Thymeleaf's own.
      throw ExpressionException.limit("the template is nested too deeply to be rendered");
    } catch (LinkageError e) {
      throw ExpressionException.limit("the template uses something that cannot be loaded");
    }
    return out.toString();
  }

  /**
   * One render of a variant. Every file is rendered even after a failure, so that the caller learns
   * about all missing variables at once.
   */
  private final class Render {

    private final EmailTemplate template;
    private final EmailTemplate.Variant variant;
    private final Map<String, ? extends @Nullable Object> given;
    private final TrackedVariables variables;
    private final Map<TemplatePart, RuntimeException> failures = new LinkedHashMap<>();

    Render(
        EmailTemplate template,
        EmailTemplate.Variant variant,
        Map<String, ? extends @Nullable Object> variables) {
      this.template = template;
      this.variant = variant;
      this.given = variables;
      this.variables = new TrackedVariables(variables, TemplateLocales.toLocale(variant.locale()));
    }

    String part(TemplatePart part) {
      try {
        return process(part, variables);
      } catch (RuntimeException e) {
        log.debug("Rendering {} failed", variant.key(part), e);
        failures.put(part, e);
        return "";
      }
    }

    private String process(TemplatePart part, TrackedVariables with) {
      String source =
          switch (part) {
            case SUBJECT -> variant.subject();
            case HTML -> variant.html();
            case TEXT -> String.valueOf(variant.text());
          };
      return CompiledTemplates.this.process(
          variant.key(part),
          Map.of(VersionTemplateResolver.SOURCE, source, VersionTemplateResolver.MODE, part.mode()),
          with);
    }

    void failIfIncomplete() {
      SortedSet<String> missing = new TreeSet<>(variables.missing());
      // A missing variable is the usual cause of a failure (${user.name} without a user), so
      // it is the better report; what the failed files use after that point is found by
      // rendering them again with stand-ins for the missing variables.
      if (!missing.isEmpty()) {
        TrackedVariables discovering = variables.discovering();
        failures.keySet().forEach(key -> discoverMissing(key, discovering));
        missing.addAll(variables.missing());
      }
      for (String required : template.content().requiredVariables()) {
        if (!given.containsKey(required)) {
          missing.add(required);
        }
      }
      if (!missing.isEmpty()) {
        throw new MissingVariablesException(template.name(), missing);
      }
      if (!failures.isEmpty()) {
        Map.Entry<TemplatePart, RuntimeException> first = failures.entrySet().iterator().next();
        throw new TemplateRenderingException(
            "Template '" + template.name() + "' could not be rendered: " + reason(first),
            first.getValue());
      }
    }

    private void discoverMissing(TemplatePart part, TrackedVariables discovering) {
      try {
        process(part, discovering);
      } catch (RuntimeException e) {
        log.debug("Looking for more missing variables in {} stopped early", variant.key(part), e);
      }
    }

    private String reason(Map.Entry<TemplatePart, RuntimeException> failure) {
      String key = variant.key(failure.getKey());
      String reason = describe(failure.getValue());
      // Thymeleaf names the file for failures inside a processor, not for those while writing.
      return reason.contains(key) ? reason : reason + " (in " + key + ")";
    }

    private String describe(RuntimeException failure) {
      if (failure instanceof TemplateProcessingException processing) {
        // Names the template file, line and column, and the expression that failed.
        String message = processing.getMessage();
        if (processing instanceof ExpressionException) {
          return message;
        }
        for (Throwable cause = processing.getCause(); cause != null; cause = cause.getCause()) {
          if (cause instanceof ExpressionException expression) {
            return message + ": " + withoutPosition(expression);
          }
        }
        return message;
      }
      return "unexpected error";
    }
  }
}
