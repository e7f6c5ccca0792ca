package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Template expressions reach the variables and the utility objects, nothing else: no classes,
 * static members, constructors, engine internals or environment. Content using them is refused
 * before it is stored; where only a variable's value leads there, rendering fails instead.
 */
class RestrictedExpressionsTest {

  private final CompiledTemplates compiled = new CompiledTemplates();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${T(java.lang.System).getenv()}",
        "${@environment}",
        "${#ctx.getEnvironment()}",
        "${#ctx.getConfiguration()}",
        "${#vars.getConfiguration().getTemplateManager()}",
        "${#root.setVariable('name', 'x')}",
        "${getConfiguration()}",
        "${@java.lang.System@getenv()}",
        "${@java.lang.Runtime@getRuntime().exec('true')}",
        "${@dev.mailroom.template.HtmlToText@convert('<b>x</b>')}",
        "${@org.thymeleaf.util.ClassLoaderUtils@getClassLoader(null)}",
        "${new java.io.File('/etc/passwd')}",
        "${new java.util.ArrayList()}",
        "${new org.jsoup.nodes.Document('x')}",
        "${('@java.lang.System@getenv()')(#root)}",
        "${#ctx.getClass().forName('java.lang.Runtime')}",
        "${#execInfo.getClass().getProtectionDomain()}",
        "${#strings.class.protectionDomain}",
        "${#execInfo.templateMode.declaringClass.classLoader}",
        "${#strings['class']}",
        "${#ctx.name = 'x'}",
      })
  void expressionReachingBeyondTheVariablesIsRefusedBeforeStoring(String expression) {
    List<CompiledTemplates.Problem> problems =
        compiled.check(content("<p>Hello</p>\n<p th:text=\"" + expression + "\">x</p>"));

    assertThat(problems)
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.part()).isEqualTo(TemplatePart.HTML);
              assertThat(problem.locale()).isEqualTo(TemplateLocales.DEFAULT);
              assertThat(problem.detail()).startsWith("line 2, column ");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${name.getClass().forName('java.lang.Runtime')}",
        "${name.class.name}",
        "${name.getClass()}",
        "${name['cl' + 'ass'].classLoader}",
        "${name.class.classLoader.parent}",
      })
  void classReachedThroughAVariableCannotBeUsed(String expression) {
    EmailTemplate template =
        EmailTemplate.of("probe", 1, content("<p th:text=\"" + expression + "\">x</p>"));

    assertThatThrownBy(() -> compiled.render(template, null, Map.of("name", "Ada")))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageContaining("not available in email templates");
  }

  @Test
  void variablesUtilityObjectsAndTheirMethodsStayAvailable() {
    TemplateContent content =
        content(
            """
            <p th:if="${#ctx.containsVariable('name')}" th:text="${#strings.toUpperCase(name)}">n</p>
            <p th:text="${name.length()} + ' ' + ${items.size()} + ' ' + ${#lists.size(items)}">s</p>
            <p th:text="${#numbers.formatDecimal(total, 1, 2)}">t</p>
            <p th:text="${#ctx.getVariable('name')} + ${#ctx.getLocale()}">v</p>
            <p th:each="item : ${items}" th:text="${item.name}">i</p>""");

    assertThat(compiled.check(content)).isEmpty();
    String html =
        compiled
            .render(
                EmailTemplate.of("probe", 1, content),
                "fr",
                Map.of("name", "Ada", "items", List.of(Map.of("name", "Mug")), "total", 12.5))
            .html();
    assertThat(html)
        .contains("<p>ADA</p>", "<p>3 1 1</p>", "<p>12.50</p>", "<p>Ada</p>", "<p>Mug</p>");
  }

  @Test
  void templateCannotIncludeAnotherTemplatesFiles() {
    EmailTemplate other = EmailTemplate.of("secret", 1, content("<p th:fragment=\"f\">secret</p>"));
    compiled.render(other, null, Map.of());
    EmailTemplate template =
        EmailTemplate.of(
            "probe", 1, content("<div th:insert=\"~{secret/1/default/body.html :: f}\">x</div>"));

    assertThatThrownBy(() -> compiled.render(template, null, Map.of()))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageNotContaining("<p>secret</p>");
  }

  private static TemplateContent content(String html) {
    return TemplateContent.of(
        TemplateContent.Variant.of("Subject", html, null), Map.of(), List.of());
  }
}
