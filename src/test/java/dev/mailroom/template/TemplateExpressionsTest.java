package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The template expression language: what it reads and computes, and that anything beyond the
 * variables and the named functions cannot be written, so content using it is refused before it is
 * stored.
 */
class TemplateExpressionsTest {

  private static final Map<String, Object> VARIABLES =
      Map.of(
          "name",
          "ada lovelace",
          "n",
          7,
          "price",
          "12.50",
          "rate",
          0.25,
          "flag",
          true,
          "items",
          List.of(Map.of("name", "Mug", "qty", 2), Map.of("name", "Tea", "qty", 1)),
          "user",
          Map.of("first-name", "Ada", "address", Map.of("city", "London")),
          "when",
          "2026-03-01T09:30:00Z",
          "day",
          "2026-03-01",
          "empty",
          "");

  private final CompiledTemplates compiled = new CompiledTemplates();

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      value = {
        "name => ada lovelace",
        "user.address.city => London",
        "user['first-name'] => Ada",
        "user['address']['city'] => London",
        "items[1].name => Tea",
        "items[n - 6]['qty'] => 1",
        "'x' + ' ' + 'y' => x y",
        "n * 6 / 3 + 1 - 2 % 2 => 15",
        "n / 2 => 3.5",
        "n div 7 mod 2 => 1",
        "-n + 10 => 3",
        "price * 2 => 25.00",
        "n > 5 and n <= 7 => true",
        "n gt 5 && !(n lt 3) and (true || x) => true",
        "n == 7.0 || false => true",
        "n != 7 or not flag => false",
        "price == 12.5 => true",
        "name eq 'ada lovelace' ? 'yes' : 'no' => yes",
        "user['nope'] ?: 'fallback' => fallback",
        "null ?: name => ada lovelace",
        "#strings.toUpperCase(name) => ADA LOVELACE",
        "#strings.capitalize(name) => Ada lovelace",
        "#strings.capitalizeWords(name) => Ada Lovelace",
        "#strings.abbreviate(name, 6) => ada...",
        "#strings.substring(name, 4) => lovelace",
        "#strings.substring(name, 0, 3) => ada",
        "#strings.length(name) + #strings.indexOf(name, 'l') => 16",
        "#strings.contains(name, 'love') and #strings.startsWith(name, 'ada') => true",
        "#strings.endsWith(name, 'x') or #strings.containsIgnoreCase(name, 'LOVE') => true",
        "#strings.replace(name, 'a', 'A') => AdA lovelAce",
        "#strings.trim('  x  ') => x",
        "#strings.isEmpty(empty) and #strings.isEmpty(null) => true",
        "#strings.defaultString(null, 'none') => none",
        "#strings.listJoin(#lists.size(items) > 1 ? user['first-name'] : 'x', '-') => ERROR",
        "#numbers.formatDecimal(price, 1, 1) => 12.5",
        "#numbers.formatDecimal(1234.5, 1, 'COMMA', 2, 'POINT') => 1,234.50",
        "#numbers.formatInteger(n, 3) => 007",
        "#numbers.formatPercent(rate, 1, 0) => 25%",
        "#dates.format(day, 'dd/MM/yyyy') => 01/03/2026",
        "#temporals.format(when, 'yyyy-MM-dd HH:mm') => 2026-03-01 09:30",
        "#temporals.formatISO(day) => 2026-03-01",
        "#lists.size(items) + #maps.size(user) => 4",
        "#lists.isEmpty(items) or #lists.contains(items, 1) => false",
        "#maps.containsKey(user, 'address') => true",
        "#ctx.containsVariable('n') and !#vars.containsVariable('nope') => true",
        "#bools.isTrue(flag) and #bools.isFalse(0) => true",
        "#objects.nullSafe(null, 'safe') => safe",
        "#locale => und",
      })
  void expressionEvaluatesToItsValue(String expression, String expected) {
    EmailTemplate template =
        EmailTemplate.of("probe", 1, content("<p th:text=\"${" + html(expression) + "}\">x</p>"));

    if (expected.equals("ERROR")) {
      assertThatThrownBy(() -> compiled.render(template, null, VARIABLES))
          .isInstanceOf(TemplateRenderingException.class)
          .hasMessageContaining("must be a list");
    } else {
      assertThat(compiled.render(template, null, VARIABLES).html())
          .isEqualTo("<p>" + html(expected) + "</p>");
    }
  }

  @Test
  void iterationStatusExposesItsProperties() {
    EmailTemplate template =
        EmailTemplate.of(
            "probe",
            1,
            content(
                "<i th:each=\"item, s : ${items}\" th:text=\"|${s.index}${s.count}${s.size}"
                    + "${s.first}${s.last}${s.odd}${s.even}${s.current.name}|\">x</i>"));

    assertThat(compiled.render(template, null, VARIABLES).html())
        .isEqualTo("<i>012truefalsetruefalseMug</i><i>122falsetruefalsetrueTea</i>");
  }

  @Test
  void selectionReadsTheSelectedObject() {
    EmailTemplate template =
        EmailTemplate.of(
            "probe", 1, content("<p th:object=\"${user}\" th:text=\"*{address.city}\">x</p>"));

    assertThat(compiled.render(template, null, VARIABLES).html()).isEqualTo("<p>London</p>");
  }

  @Test
  void thymeleafsOwnExpressionsAroundVariablesStillWork() {
    EmailTemplate template =
        EmailTemplate.of(
            "probe",
            1,
            content(
                """
                <p th:if="${flag}" th:unless="${n > 10}" th:text="|Hi ${user['first-name']}!|">x</p>
                <a th:href="@{https://example.test/orders(id=${n})}" th:attr="title=${name}">o</a>
                <p th:with="total=${n * 2}" th:utext="${total} + ' &amp; ' + ${'x'}">t</p>"""));

    assertThat(compiled.render(template, null, VARIABLES).html())
        .isEqualTo(
            """
            <p>Hi Ada!</p>
            <a href="https://example.test/orders?id=7" title="ada lovelace">o</a>
            <p>14 & x</p>""");
  }

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
        "${name.getClass().forName('java.lang.Runtime')}",
        "${name.class.name}",
        "${name.getClass()}",
        "${name.length()}",
        "${items.size()}",
        "${{1, 2}}",
        "${items.{name}}",
        "${items.?[qty > 1]}",
        "${#this}",
        "*{#root}",
        "${x = 1}",
        "${'a'.toUpperCase()}",
        "${(name).length}",
        "__${name}__",
        "${__${name}__}",
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

  @Test
  void expressionInASkippedBranchIsRefusedToo() {
    List<CompiledTemplates.Problem> problems =
        compiled.check(
            content(
                "<div th:if=\"${false}\"><p>[[${T(java.lang.Runtime).getRuntime()}]]</p></div>"));

    assertThat(problems)
        .singleElement()
        .satisfies(problem -> assertThat(problem.detail()).contains("not a function"));
  }

  @Test
  void expressionInlinedInACommentIsCheckedToo() {
    assertThat(compiled.check(content("<p>x</p>\n<!-- [[${@java.lang.System@getenv()}]] -->")))
        .singleElement()
        .satisfies(problem -> assertThat(problem.detail()).startsWith("line 2, column 6: "));
  }

  @Test
  void preprocessingIsRefusedWhereverItIs() {
    List<CompiledTemplates.Problem> problems =
        compiled.check(
            TemplateContent.of(
                TemplateContent.Variant.of(
                    "Hi [(__${name}__)]", "<p th:each=\"x : __${l}__\">x</p>", null),
                Map.of(),
                List.of()));

    assertThat(problems)
        .extracting(CompiledTemplates.Problem::part)
        .containsExactly(TemplatePart.SUBJECT, TemplatePart.HTML);
    assertThat(problems).allSatisfy(p -> assertThat(p.detail()).contains("preprocessing"));
  }

  @Test
  void escapedUnderscoresAreNotPreprocessing() {
    EmailTemplate template =
        EmailTemplate.of("probe", 1, content("<p th:text=\"'\\_\\_init\\_\\_'\">x</p>"));

    assertThat(compiled.check(template.content())).isEmpty();
    assertThat(compiled.render(template, null, Map.of()).html()).isEqualTo("<p>__init__</p>");
  }

  @Test
  void thousandsOfParenthesesAreRefusedAsTooDeep() {
    String deep = "(".repeat(3_000) + "1" + ")".repeat(3_000);

    assertThat(compiled.check(content("<p th:text=\"${" + deep + "}\">x</p>")))
        .singleElement()
        .satisfies(p -> assertThat(p.detail()).contains("levels of nesting"));
    assertThat(compiled.check(content("<p th:text=\"" + deep + "\">x</p>")))
        .singleElement()
        .satisfies(p -> assertThat(p.detail()).contains("levels of nesting"));
  }

  @Test
  void valueOfTheWrongShapeFailsTheRenderNamingTheExpression() {
    EmailTemplate template =
        EmailTemplate.of("probe", 1, content("<p th:text=\"${name.first}\">x</p>"));

    assertThatThrownBy(() -> compiled.render(template, null, Map.of("name", "Ada")))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageContaining("${name.first}")
        .hasMessageContaining("cannot read 'first' of a text");
  }

  @Test
  void nestedLoopsStopAtTheStepBudget() {
    List<Integer> thousand = java.util.stream.IntStream.range(0, 1_000).boxed().toList();
    EmailTemplate template =
        EmailTemplate.of(
            "probe",
            1,
            content(
                "<th:block th:each=\"a : ${l}\"><th:block th:each=\"b : ${l}\">"
                    + "<th:block th:each=\"c : ${l}\"></th:block></th:block></th:block>"));

    assertThatThrownBy(() -> compiled.render(template, null, Map.of("l", thousand)))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageContaining("steps");
  }

  @Test
  void outputBeyondTheLimitFailsTheRender() {
    String big = "x".repeat(100_000);
    EmailTemplate template =
        EmailTemplate.of("probe", 1, content("<p th:each=\"i : ${l}\" th:text=\"${big}\">x</p>"));

    assertThatThrownBy(
            () ->
                compiled.render(
                    template,
                    null,
                    Map.of("big", big, "l", List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageContaining("longer than");
  }

  @Test
  void textDoubledByNestedVariablesIsStoppedAtTheLimit() {
    StringBuilder html = new StringBuilder();
    html.append("<div th:with=\"v0=${s}\">");
    for (int i = 1; i <= 30; i++) {
      html.append("<div th:with=\"v")
          .append(i)
          .append("=${v")
          .append(i - 1)
          .append("} + ${v")
          .append(i - 1)
          .append("}\">");
    }
    html.append("<p th:text=\"${v30}\">x</p>");
    html.append("</div>".repeat(31));
    EmailTemplate template = EmailTemplate.of("probe", 1, content(html.toString()));

    assertThatThrownBy(() -> compiled.render(template, null, Map.of("s", "abcdefgh")))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageContaining("longer than");
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

  private static String html(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static TemplateContent content(String html) {
    return TemplateContent.of(
        TemplateContent.Variant.of("Subject", html, null), Map.of(), List.of());
  }
}
