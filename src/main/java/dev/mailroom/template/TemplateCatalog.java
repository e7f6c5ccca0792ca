package dev.mailroom.template;

import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Templates as the API manages them: validate and check content, store it as a new version, list,
 * archive, preview. Each project manages its own; the shared templates from files are read-only.
 */
@Service
class TemplateCatalog {

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final int MAX_LOCALES = 100;
  private static final int MAX_REQUIRED_VARIABLES = 100;

  private final TemplateStore store;
  private final CompiledTemplates compiled;
  private final TemplateRenderer renderer;

  TemplateCatalog(TemplateStore store, CompiledTemplates compiled, TemplateRenderer renderer) {
    this.store = store;
    this.compiled = compiled;
    this.renderer = renderer;
  }

  /**
   * Validates, checks and stores content as the next version of a project's template.
   *
   * @throws InvalidRequestException 422 naming each invalid field, and each file with a syntax
   *     error by its line; 409 when the name is a shared template's
   */
  TemplateStore.Saved save(String project, String name, TemplateRequest request) {
    if (!TemplateNames.isValid(name)) {
      throw new InvalidRequestException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "Invalid template name",
          List.of(
              FieldProblem.parameter(
                  "name",
                  "'" + abbreviate(name) + "' is not a template name: " + TemplateNames.RULE)));
    }
    List<FieldProblem> problems = new ArrayList<>();
    TemplateContent content = content(request, problems);
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    List<CompiledTemplates.Problem> errors = compiled.check(content);
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "The template has errors",
          errors.stream()
              .map(error -> FieldProblem.at(error.part().pointer(error.locale()), error.detail()))
              .toList());
    }
    try {
      return store.save(project, name, content);
    } catch (TemplateStore.SharedTemplateException e) {
      throw readOnly(e);
    }
  }

  /**
   * Archives the project's template.
   *
   * @throws TemplateNotFoundException when there is no such template
   * @throws InvalidRequestException 409 when the name is a shared template's
   */
  void archive(String project, String name) {
    boolean archived;
    try {
      archived = TemplateNames.isValid(name) && store.archive(project, name);
    } catch (TemplateStore.SharedTemplateException e) {
      throw readOnly(e);
    }
    if (!archived) {
      throw new TemplateNotFoundException(name);
    }
  }

  private static InvalidRequestException readOnly(TemplateStore.SharedTemplateException e) {
    return new InvalidRequestException(
        HttpStatus.CONFLICT,
        "Shared template",
        List.of(FieldProblem.parameter("name", e.getMessage())));
  }

  /**
   * @throws TemplateNotFoundException when there is no such template or version
   */
  RenderedTemplate preview(String project, String name, PreviewRequest request) {
    Integer version = request.version();
    if (version != null && version < 1) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/version", "must be a version number, 1 or more")));
    }
    Map<String, @Nullable Object> variables =
        request.variables() == null ? Map.of() : request.variables();
    return RenderProblems.forPreview(
        () -> renderer.preview(project, name, version, request.locale(), variables));
  }

  private static TemplateContent content(TemplateRequest request, List<FieldProblem> problems) {
    TemplateContent.Variant base =
        variant("", request.subject(), request.html(), request.text(), problems);
    Map<String, TemplateContent.Variant> locales = new HashMap<>();
    Map<String, String> rawByLocale = new HashMap<>();
    Map<String, TemplateRequest.@Nullable LocaleVariant> requested =
        request.locales() == null ? Map.of() : request.locales();
    if (requested.size() > MAX_LOCALES) {
      problems.add(FieldProblem.at("/locales", "at most " + MAX_LOCALES + " locales"));
    }
    requested.forEach(
        (raw, variant) -> {
          String pointer = "/locales/" + FieldProblem.segment(raw);
          String locale;
          try {
            locale = TemplateLocales.normalise(raw);
          } catch (IllegalArgumentException e) {
            problems.add(FieldProblem.at(pointer, e.getMessage()));
            return;
          }
          String previous = rawByLocale.putIfAbsent(locale, raw);
          if (previous != null) {
            problems.add(
                FieldProblem.at(
                    pointer, "is the same locale as '" + previous + "' (" + locale + ")"));
            return;
          }
          if (variant == null) {
            problems.add(FieldProblem.at(pointer, "must be an object with subject and html"));
            return;
          }
          TemplateContent.Variant files =
              variant(pointer, variant.subject(), variant.html(), variant.text(), problems);
          if (files != null) {
            locales.put(locale, files);
          }
        });
    List<String> required = requiredVariables(request.requiredVariables(), problems);
    if (base == null || !problems.isEmpty()) {
      return TemplateContent.of(new TemplateContent.Variant("", "", null), Map.of(), List.of());
    }
    return TemplateContent.of(base, locales, required);
  }

  private static TemplateContent.@Nullable Variant variant(
      String prefix,
      @Nullable String subject,
      @Nullable String html,
      @Nullable String text,
      List<FieldProblem> problems) {
    int before = problems.size();
    if (subject == null || subject.isBlank()) {
      problems.add(FieldProblem.at(prefix + "/subject", "is required"));
    }
    if (html == null || html.isBlank()) {
      problems.add(FieldProblem.at(prefix + "/html", "is required"));
    }
    if (problems.size() > before || subject == null || html == null) {
      return null;
    }
    TemplateContent.Variant variant =
        TemplateContent.Variant.of(subject, html, text == null || text.isBlank() ? null : text);
    if (variant.subject().contains("\n") || variant.subject().contains("\r")) {
      problems.add(FieldProblem.at(prefix + "/subject", "must be one line"));
      return null;
    }
    return variant;
  }

  private static List<String> requiredVariables(
      @Nullable List<@Nullable String> names, List<FieldProblem> problems) {
    if (names == null) {
      return List.of();
    }
    if (names.size() > MAX_REQUIRED_VARIABLES) {
      problems.add(
          FieldProblem.at("/requiredVariables", "at most " + MAX_REQUIRED_VARIABLES + " names"));
      return List.of();
    }
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || !VARIABLE.matcher(name).matches()) {
        problems.add(
            FieldProblem.at(
                "/requiredVariables/" + i,
                "must be a variable name: letters, digits and '_', not starting with a digit, at"
                    + " most 64 characters"));
      } else {
        valid.add(name);
      }
    }
    return valid;
  }

  private static String abbreviate(String name) {
    return name.length() <= 80 ? name : name.substring(0, 80) + "…";
  }
}
