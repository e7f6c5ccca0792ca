package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Templates written to escape their variables, sent through the real HTTP API. Each is refused with
 * a 422: when it is stored if the template itself reaches beyond the language or its limits, or at
 * preview and at send when only the variables' values lead there (loops over long lists, output
 * that grows). None changes anything outside the render: the JVM's default locale and time zone
 * stay, no file appears, and no response carries a system property, an environment value or the
 * process id.
 */
class HostileTemplateTest extends ScriptedRelayTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path CANARY = Path.of("target", "hostile-template-canary");
  private static final Path TMP_CANARY = Path.of(System.getProperty("java.io.tmpdir"), "pwned");

  private static Locale locale;
  private static TimeZone zone;

  enum Stage {
    /** Refused by {@code PUT /templates/{name}}, naming the part. */
    PUT,
    /** Stored, then refused by preview and by {@code POST /emails}; no email is stored. */
    RENDER
  }

  record Case(
      String name, Stage stage, TemplatePart part, String content, Map<String, Object> variables) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void rememberJvmState() {
    locale = Locale.getDefault();
    zone = TimeZone.getDefault();
  }

  @AfterAll
  static void jvmStateIsUnchanged() {
    assertThat(Locale.getDefault()).isEqualTo(locale);
    assertThat(TimeZone.getDefault()).isEqualTo(zone);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void hostileTemplateIsRefusedWithoutSideEffects(Case hostile) throws Exception {
    String name = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    List<Api.Response> responses = new ArrayList<>();

    Api.Response put = put(name, template(hostile));
    responses.add(put);
    if (hostile.stage() == Stage.PUT) {
      assertThat(put.status()).as(put.body().toString()).isEqualTo(422);
      assertThat(put.contentType()).startsWith("application/problem+json");
      assertThat(put.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
          .contains("/" + hostile.part().field());
      assertThat(api.get("/templates/" + name).status()).isEqualTo(404);
    } else {
      assertThat(put.status()).as(put.body().toString()).isEqualTo(201);
      String variables = JSON.writeValueAsString(hostile.variables());
      Api.Response preview =
          api.post("/templates/" + name + "/preview", "{\"variables\": " + variables + "}");
      Api.Response send =
          api.post(
              "/emails",
              "{\"to\": [\"a@example.com\"], \"template\": \""
                  + name
                  + "\", \"variables\": "
                  + variables
                  + "}");
      responses.add(preview);
      responses.add(send);
      assertThat(preview.status()).as(preview.body().toString()).isEqualTo(422);
      assertThat(send.status()).as(send.body().toString()).isEqualTo(422);
      // Names the template and the part.
      assertThat(send.body().path("errors").get(0).path("detail").asString())
          .contains("'" + name + "'")
          .contains(name + "/1/default/" + hostile.part().fileName());
      assertThat(count("emails")).isZero();
    }

    assertThat(Locale.getDefault()).isEqualTo(locale);
    assertThat(TimeZone.getDefault()).isEqualTo(zone);
    assertThat(CANARY).doesNotExist();
    assertThat(TMP_CANARY).doesNotExist();
    for (Api.Response response : responses) {
      assertThat(response.status()).isLessThan(500);
      assertRevealsNothing(response.raw().body());
    }
  }

  private static void assertRevealsNothing(String body) {
    for (String secret :
        Stream.of(
                System.getProperty("user.home"),
                System.getProperty("user.dir"),
                System.getProperty("java.version"),
                System.getProperty("java.home"),
                System.getenv("PATH"),
                System.getenv("HOME"))
            .filter(s -> s != null && s.length() >= 4)
            .toList()) {
      assertThat(body).doesNotContain(secret);
    }
    String pid = Long.toString(ProcessHandle.current().pid());
    assertThat(Pattern.compile("(?<![0-9a-f-])" + pid + "(?![0-9a-f-])").matcher(body).find())
        .as("process id in " + body)
        .isFalse();
  }

  private static Map<String, Object> template(Case hostile) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("subject", hostile.part() == TemplatePart.SUBJECT ? hostile.content() : "Hello");
    body.put("html", hostile.part() == TemplatePart.HTML ? hostile.content() : "<p>Hello</p>");
    if (hostile.part() == TemplatePart.TEXT) {
      body.put("text", hostile.content());
    }
    return body;
  }

  private Api.Response put(String name, Map<String, Object> body) throws Exception {
    return api.send(
        HttpRequest.newBuilder(api.uri("/templates/" + name))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build());
  }

  // --- the corpus --------------------------------------------------------------------------

  static Stream<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    staticMethodsThroughInstances(cases);
    constructorsThroughLiterals(cases);
    jvmGlobalSetters(cases);
    reflectionThroughArraysAndClass(cases);
    typeReferences(cases);
    ognlIsms(cases);
    utilitiesNotOffered(cases);
    preprocessingOfVariables(cases);
    deepNesting(cases);
    hugeLoops(cases);
    hugeOutputs(cases);
    valuesOfTheWrongShape(cases);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(100);
    return cases.stream();
  }

  private static void staticMethodsThroughInstances(List<Case> cases) {
    for (String expression :
        List.of(
            "${#strings.getClass().forName('java.lang.Runtime')}",
            "${#strings.toUpperCase(name).getClass().forName('java.lang.System')}",
            "${name.getClass()}",
            "${name.getClass().getMethod('valueOf', 1.class)}",
            "${#ctx.getClass()}",
            "${''.class}",
            "${''.getClass().forName('java.lang.ProcessHandle')}",
            "${name.class.forName('java.lang.System').getProperty('user.home')}",
            "${#numbers.getClass().getClassLoader()}",
            "${#ctx.getVariable('name').getClass()}",
            "${items[0].getClass().getMethods()}",
            "${#objects.nullSafe(name, 1).getClass()}",
            "${Integer.getInteger('user.home')}",
            "${Long.getLong('java.version')}",
            "${Boolean.getBoolean('java.version')}",
            "${n.valueOf('1')}",
            "${name.hashCode()}",
            "${name.toString()}",
            "${name.replace('a', 'b')}",
            "${#strings.length(name).getClass()}",
            "${#lists.size(items).class}",
            "${(name).getClass()}")) {
      cases.add(put("static method through an instance: " + expression, html(expression)));
    }
  }

  private static void constructorsThroughLiterals(List<Case> cases) {
    for (String expression :
        List.of(
            "${new java.io.File('target/hostile-template-canary').createNewFile()}",
            "${new java.lang.ProcessBuilder('id').start()}",
            "${new String('x')}",
            "${new int[9999]}",
            "${#@java.util.HashMap@{'a': 1}}",
            "${#@java.util.LinkedHashMap@{}}",
            "${#@java.io.File@{}}",
            "${{'a', 'b'}}",
            "${#{'k': 'v'}}",
            "${new java.net.URL('http://localhost/').openStream()}",
            "${new java.util.Scanner(new java.io.File('/etc/hostname')).next()}",
            "${'' + new Object()}",
            "${new java.io.FileOutputStream('/tmp/pwned')}")) {
      cases.add(put("constructor: " + expression, html(expression)));
    }
  }

  private static void jvmGlobalSetters(List<Case> cases) {
    for (String expression :
        List.of(
            "${#locale.setDefault(#locale.FRENCH)}",
            "${#locale.default = 'fr'}",
            "${@java.util.Locale@setDefault(@java.util.Locale@FRENCH)}",
            "${T(java.util.Locale).setDefault(T(java.util.Locale).CHINA)}",
            "${#ctx.locale.setDefault(null)}",
            "${#ctx.getLocale().setDefault(#ctx.getLocale())}",
            "${@java.util.TimeZone@setDefault(@java.util.TimeZone@getTimeZone('Pacific/Kiritimati'))}",
            "${T(java.util.TimeZone).setDefault(null)}",
            "${#dates.format(day).getClass().forName('java.util.TimeZone').getMethod('setDefault')}",
            "${@java.lang.System@setProperty('user.home', '/tmp')}",
            "${T(java.lang.System).setProperty('java.version', '0')}")) {
      cases.add(put("JVM-wide setter: " + expression, html(expression)));
    }
    cases.add(
        put(
            "setter in the subject",
            TemplatePart.SUBJECT,
            "Hi [(${T(java.util.Locale).setDefault(T(java.util.Locale).JAPAN)})]"));
    cases.add(
        put(
            "setter inlined in a comment",
            html("<!-- [[${@java.util.Locale@setDefault(@java.util.Locale@GERMAN)}]] -->")));
    cases.add(
        put(
            "setter in a skipped branch",
            html(
                "<div th:if=\"${false}\"><p th:text=\"${#locale.setDefault('fr')}\">x</p></div>")));
  }

  private static void reflectionThroughArraysAndClass(List<Case> cases) {
    for (String expression :
        List.of(
            "${#strings.arraySplit(name, ',')[0].class}",
            "${#strings.arraySplit(name, ',').getClass().getComponentType()}",
            "${items.toArray().getClass()}",
            "${#arrays.toArray(items).class}",
            "${items.class.getDeclaredMethods()[0].invoke(null)}",
            "${#strings.class.forName('java.lang.Runtime').getMethod('getRuntime').invoke(null)}",
            "${@java.lang.Class@forName('java.lang.Runtime')}",
            "${items[0].class.classLoader.loadClass('java.lang.Runtime')}",
            "${#lists.size(items).class.classLoader}",
            "${name.class.protectionDomain.codeSource.location}")) {
      cases.add(put("reflection: " + expression, html(expression)));
    }
  }

  private static void typeReferences(List<Case> cases) {
    for (String expression :
        List.of(
            "${T(java.lang.Runtime).getRuntime().exec('id')}",
            "${T(java.lang.System).getProperty('user.home')}",
            "${T(java.lang.System).getenv('PATH')}",
            "${T(java.lang.ProcessHandle).current().pid()}",
            "${T(java.nio.file.Files).createFile(T(java.nio.file.Path).of('/tmp/pwned'))}",
            "${T(java.lang.Thread).sleep(100000)}")) {
      cases.add(put("type reference: " + expression, html(expression)));
    }
  }

  private static void ognlIsms(List<Case> cases) {
    for (String expression :
        List.of(
            "${@java.lang.System@getProperty('user.home')}",
            "${@java.lang.System@getenv()}",
            "${@java.lang.ProcessHandle@current().pid()}",
            "${@java.lang.Runtime@getRuntime().availableProcessors()}",
            "${(#x=1)}",
            "${#this}",
            "${#root}",
            "${#root.name}",
            "${#context}",
            "${#vars.name = 'x'}",
            "${(#a='x')(#b='y')}",
            "${name.(#this)}",
            "${items.{#this}}",
            "${items.{? #this.qty > 1}}",
            "${items.{^ true}}",
            "${#_memberAccess}",
            "${#ctx['x']}",
            "${name instanceof java.lang.String}",
            "${1 in {1}}",
            "${1 shl 2}",
            "${~1}",
            "${1 ^ 2}",
            "${('@java.lang.System@getenv()')(#root)}")) {
      cases.add(put("OGNL: " + expression, html(expression)));
    }
  }

  private static void utilitiesNotOffered(List<Case> cases) {
    for (String expression :
        List.of(
            "${#execInfo.templateName}",
            "${#request}",
            "${#conversions.convert(name, 'java.io.File')}",
            "${#uris.escapePath(name)}",
            "${#aggregates.sum(items)}",
            "${#ids.seq('x')}",
            "${#calendars.createNow()}",
            "${#dates.createNow()}",
            "${#temporals.createNow()}",
            "${#numbers.sequence(1, 1000000000)}",
            "${#strings.repeat(name, 100000000)}",
            "${#strings}")) {
      cases.add(put("utility not offered: " + expression, html(expression)));
    }
  }

  private static void preprocessingOfVariables(List<Case> cases) {
    cases.add(put("preprocessed text", html("<p th:text=\"__${v}__\">x</p>")));
    cases.add(put("preprocessed inside an expression", html("<p th:text=\"${__${v}__}\">x</p>")));
    cases.add(put("preprocessed iteration", html("<p th:each=\"x : __${v}__\">x</p>")));
    cases.add(put("preprocessed th:with", html("<p th:with=\"a=__${v}__\">x</p>")));
    cases.add(put("preprocessed th:attr", html("<p th:attr=\"title=__${v}__\">x</p>")));
    cases.add(put("preprocessed link", html("<a th:href=\"@{__${v}__}\">x</a>")));
    cases.add(put("preprocessed message", html("<p th:text=\"#{__${v}__}\">x</p>")));
    cases.add(put("preprocessed condition", html("<p th:if=\"__${v}__\">x</p>")));
    cases.add(put("preprocessed inline", html("<p>[[__${v}__]]</p>")));
    cases.add(put("preprocessed data-th attribute", html("<p data-th-text=\"__${v}__\">x</p>")));
    cases.add(put("preprocessed subject", TemplatePart.SUBJECT, "Hi [(__${v}__)]"));
    cases.add(put("preprocessed text part", TemplatePart.TEXT, "[# th:text=\"__${v}__\"/]"));
    cases.add(
        put(
            "preprocessed in a skipped branch",
            html("<div th:if=\"${false}\"><p th:text=\"__${v}__\">x</p></div>")));
  }

  private static void deepNesting(List<Case> cases) {
    String deep = "(".repeat(3_000) + "1" + ")".repeat(3_000);
    cases.add(put("3000 parentheses inside ${}", html("${" + deep + "}")));
    cases.add(put("3000 parentheses around ${}", html(deep.replace("1", "${n}"))));
    cases.add(put("3000 unbalanced parentheses", html("${" + "(".repeat(3_000) + "}")));
    cases.add(put("1000 negations", html("${" + "!".repeat(1_000) + "true}")));
    cases.add(put("1000 minus signs", html("${" + "-".repeat(1_000) + "1}")));
    cases.add(put("nested indexes", html("${" + "a[".repeat(200) + "0" + "]".repeat(200) + "}")));
    cases.add(put("long property chain", html("${a" + ".b".repeat(500) + "}")));
    cases.add(put("long expression", html("${n" + " + n".repeat(1_000) + "}")));
    cases.add(
        put(
            "nested conditionals",
            html("${" + "n ? ".repeat(200) + "1" + " : 2".repeat(200) + "}")));
    cases.add(
        put(
            "nested function calls",
            html("${" + "#strings.trim(".repeat(100) + "name" + ")".repeat(100) + "}")));
    cases.add(
        put(
            "nesting in the subject",
            TemplatePart.SUBJECT,
            "[(${" + "(".repeat(2_000) + "1" + ")".repeat(2_000) + "})]"));
    cases.add(
        put(
            "nesting in an inline expression",
            html("<p>[[" + "(".repeat(2_000) + "${n}" + ")".repeat(2_000) + "]]</p>")));
    cases.add(put("a 20000-character attribute", html("'" + "x".repeat(20_000) + "'")));
  }

  private static void hugeLoops(List<Case> cases) {
    List<Integer> thousand = IntStream.range(0, 1_000).boxed().toList();
    List<Integer> tenThousand = IntStream.range(0, 10_000).boxed().toList();
    cases.add(
        render(
            "three nested loops over 1000 elements",
            "<th:block th:each=\"a : ${l}\"><th:block th:each=\"b : ${l}\">"
                + "<th:block th:each=\"c : ${l}\"></th:block></th:block></th:block>",
            Map.of("l", thousand)));
    cases.add(
        render(
            "two nested loops with an expression",
            "<p th:each=\"a : ${l}\"><b th:each=\"b : ${l}\" th:if=\"${a == b}\">x</b></p>",
            Map.of("l", thousand)));
    cases.add(
        render(
            "a loop over 10000 elements around another",
            "<th:block th:each=\"a : ${big}\"><i th:each=\"b : ${small}\"></i></th:block>",
            Map.of("big", tenThousand, "small", IntStream.range(0, 100).boxed().toList())));
    cases.add(
        render(
            "nested loops in the text part",
            TemplatePart.TEXT,
            "[# th:each=\"a : ${l}\"][# th:each=\"b : ${l}\"][# th:each=\"c : ${l}\"][/][/][/]",
            Map.of("l", thousand)));
    cases.add(
        render(
            "nested loops in the subject",
            TemplatePart.SUBJECT,
            "[# th:each=\"a : ${l}\"][# th:each=\"b : ${l}\"][# th:each=\"c : ${l}\"][/][/][/]",
            Map.of("l", thousand)));
    cases.add(
        render(
            "a loop over the same list nested four times",
            "<i th:each=\"a : ${l}\"><i th:each=\"b : ${l}\"><i th:each=\"c : ${l}\">"
                + "<i th:each=\"d : ${l}\"></i></i></i></i>",
            Map.of("l", IntStream.range(0, 100).boxed().toList())));
  }

  private static void hugeOutputs(List<Case> cases) {
    cases.add(
        render(
            "text doubled by nested th:with",
            doubling("${v%d} + ${v%d}"),
            Map.of("s", "abcdefgh")));
    cases.add(
        render(
            "text doubled by literal substitution",
            doubling("|${v%d}${v%d}|"),
            Map.of("s", "abcdefgh")));
    cases.add(render("text doubled inside ${}", doubling("${v%d + v%d}"), Map.of("s", "abcdefgh")));
    cases.add(
        render(
            "text grown by replace",
            doubling("${#strings.replace(v%d, 'a', v%d)}"),
            Map.of("s", "abcdefgh")));
    cases.add(
        render(
            "a long value printed in a loop",
            "<p th:each=\"i : ${l}\" th:text=\"${long}\">x</p>",
            Map.of("long", "x".repeat(1_000), "l", IntStream.range(0, 2_000).boxed().toList())));
    cases.add(
        render(
            "a long value inlined in a loop in the subject",
            TemplatePart.SUBJECT,
            "[# th:each=\"i : ${l}\"][(${long})][/]",
            Map.of("long", "y".repeat(1_000), "l", IntStream.range(0, 2_000).boxed().toList())));
    cases.add(
        render(
            "static markup repeated by a loop",
            "<th:block th:each=\"i : ${l}\">" + "<p>static text</p>".repeat(100) + "</th:block>",
            Map.of("l", IntStream.range(0, 2_000).boxed().toList())));
  }

  private static void valuesOfTheWrongShape(List<Case> cases) {
    Map<String, Object> variables =
        Map.of("name", "Ada", "n", 3, "items", List.of(Map.of("qty", 1)));
    for (String expression :
        List.of(
            "${name.bytes}",
            "${name.empty}",
            "${name['class']}",
            "${n.x}",
            "${items[5]}",
            "${items['size']}",
            "${#strings.substring(name, 0, 99)}",
            "${n / 0}",
            "${#dates.format(name, 'yyyy')}",
            "${#numbers.formatDecimal(name, 1, 2)}",
            "${#numbers.formatInteger(n, 100000)}",
            "${#lists.size(name)}",
            "${#strings.abbreviate(name, 2)}",
            "${items < 2}")) {
      cases.add(render("value of the wrong shape: " + expression, html(expression), variables));
    }
    cases.add(
        render(
            "text in an event handler attribute",
            "<button th:onclick=\"${name}\">x</button>",
            Map.of("name", "alert(1)")));
  }

  private static String doubling(String step) {
    StringBuilder html = new StringBuilder("<div th:with=\"v0=${s}\">");
    for (int i = 1; i <= 30; i++) {
      html.append("<div th:with=\"v")
          .append(i)
          .append("=")
          .append(step.formatted(i - 1, i - 1))
          .append("\">");
    }
    return html.append("<p th:text=\"${v30}\">x</p>").append("</div>".repeat(31)).toString();
  }

  /** An expression in {@code th:text}, or markup as it is. */
  private static String html(String expressionOrMarkup) {
    return expressionOrMarkup.startsWith("<")
        ? expressionOrMarkup
        : "<p>Hi</p>\n<p th:text=\""
            + expressionOrMarkup.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;")
            + "\">x</p>";
  }

  private static Case put(String name, String html) {
    return new Case(name, Stage.PUT, TemplatePart.HTML, html, Map.of());
  }

  private static Case put(String name, TemplatePart part, String content) {
    return new Case(name, Stage.PUT, part, content, Map.of());
  }

  private static Case render(String name, String html, Map<String, Object> variables) {
    return new Case(name, Stage.RENDER, TemplatePart.HTML, html, variables);
  }

  private static Case render(
      String name, TemplatePart part, String content, Map<String, Object> variables) {
    return new Case(name, Stage.RENDER, part, content, variables);
  }
}
