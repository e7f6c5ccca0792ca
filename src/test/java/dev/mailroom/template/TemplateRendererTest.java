package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateRendererTest {

  private static TemplateRenderer builtIn;

  @TempDir Path directory;

  @BeforeAll
  static void loadBuiltInTemplates() {
    builtIn = FileTemplates.renderer(null);
  }

  // --- the shipped templates -------------------------------------------------------------

  @Test
  void welcomeRendersInEnglishByDefault() {
    RenderedTemplate welcome = builtIn.render("acme", "welcome", null, welcomeVariables());

    assertThat(welcome.name()).isEqualTo("welcome");
    assertThat(welcome.locale()).isEqualTo("default");
    assertThat(welcome.subject()).isEqualTo("Welcome to Acme, Ada!");
    assertThat(welcome.html())
        .contains("Welcome, <span>Ada</span>!")
        .contains("href=\"https://acme.test/start?token=abc&amp;src=email\"")
        .doesNotContain("th:text", "th:href", "xmlns:th");
  }

  @Test
  void welcomeTextIsDerivedFromItsHtml() {
    RenderedTemplate welcome = builtIn.render("acme", "welcome", null, welcomeVariables());

    assertThat(welcome.text())
        .startsWith("Welcome, Ada!\n\nThank you for signing up for Acme. Your account is ready.")
        .contains("Get started (https://acme.test/start?token=abc&src=email)")
        .contains("copy this link into your browser:\nhttps://acme.test/start?token=abc&src=email")
        .doesNotContain("Welcome to Acme\n"); // the <title> stays out of the text
  }

  @Test
  void welcomeRendersInFrench() {
    RenderedTemplate welcome = builtIn.render("acme", "welcome", "fr", welcomeVariables());

    assertThat(welcome.locale()).isEqualTo("fr");
    assertThat(welcome.subject()).isEqualTo("Bienvenue sur Acme, Ada !");
    assertThat(welcome.html()).contains("lang=\"fr\"").contains("Merci de vous être inscrit");
    assertThat(welcome.text())
        .startsWith("Bienvenue, Ada !")
        .contains("C’est parti (https://acme.test/start?token=abc&src=email)");
  }

  @Test
  void orderConfirmationRendersItemsAndTotalInEnglish() {
    RenderedTemplate order =
        builtIn.render("acme", "order-confirmation", "en-GB", orderVariables());

    assertThat(order.locale()).isEqualTo("default");
    assertThat(order.subject()).isEqualTo("Order A-1001 confirmed");
    assertThat(order.text())
        .isEqualTo(
            """
            Hello Zoé,

            Thank you for your order. We have received order A-1001 and are getting it ready.

            - 2 x Blue mug: 12.50 EUR
            - 1 x Green tea: 4.00 EUR

            Total: 29.00 EUR

            We will send you another email as soon as your order ships.
            Questions about your order? Just reply to this email.""");
    Document html = Jsoup.parse(order.html());
    assertThat(html.select("tr").eachText())
        .contains("Blue mug 2 12.50 EUR", "Green tea 1 4.00 EUR", "Total 29.00 EUR");
  }

  @Test
  void orderConfirmationRendersInFrench() {
    RenderedTemplate order = builtIn.render("acme", "order-confirmation", "fr", orderVariables());

    assertThat(order.locale()).isEqualTo("fr");
    assertThat(order.subject()).isEqualTo("Commande A-1001 confirmée");
    assertThat(order.text())
        .startsWith("Bonjour Zoé,")
        .contains("- 2 x Blue mug : 12.50 EUR\n- 1 x Green tea : 4.00 EUR\n\nTotal : 29.00 EUR")
        .endsWith("Répondez simplement à cet e-mail.");
    assertThat(Jsoup.parse(order.html()).select("th").eachText())
        .containsExactly("Article", "Qté", "Prix");
  }

  @Test
  void orderConfirmationCurrencyIsOptional() {
    Map<String, Object> variables = new HashMap<>(orderVariables());
    variables.remove("currency");

    RenderedTemplate order = builtIn.render("acme", "order-confirmation", null, variables);

    assertThat(order.text()).contains("- 2 x Blue mug: 12.50\n").contains("Total: 29.00\n");
    assertThat(Jsoup.parse(order.html()).select("tr").eachText()).contains("Total 29.00");
  }

  @Test
  void shippedHtmlKeepsNoTemplateComments() {
    assertThat(builtIn.render("acme", "order-confirmation", null, orderVariables()).html())
        .doesNotContain("<!--");
  }

  // --- locales ---------------------------------------------------------------------------

  @Test
  void regionalLocaleFallsBackToItsLanguage() {
    assertThat(builtIn.render("acme", "welcome", "fr-CA", welcomeVariables()).locale())
        .isEqualTo("fr");
  }

  @Test
  void localeIsAcceptedWithUnderscoreInAnyCase() {
    assertThat(builtIn.render("acme", "welcome", "FR_ca", welcomeVariables()).locale())
        .isEqualTo("fr");
  }

  @Test
  void localeWithoutVariantFallsBackToDefault() {
    assertThat(builtIn.render("acme", "welcome", "de", welcomeVariables()).locale())
        .isEqualTo("default");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "default"})
  void absentLocaleMeansDefault(String locale) {
    assertThat(builtIn.render("acme", "welcome", locale, welcomeVariables()).locale())
        .isEqualTo("default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc", "not a locale!", "fr/../../x", "x-private", "123"})
  void invalidLocaleIsRejected(String locale) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builtIn.render("acme", "welcome", locale, welcomeVariables()))
        .withMessageStartingWith("Invalid locale '")
        .withMessageContaining("expected a language tag such as 'fr' or 'fr-CA'");
  }

  @Test
  void mostSpecificLocaleVariantWins() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("greeting", "Hello", "<p>Hello</p>")
            .file("greeting/fr/subject.txt", "Bonjour")
            .file("greeting/fr/body.html", "<p>Bonjour</p>")
            .file("greeting/fr-CA/subject.txt", "Allô")
            .file("greeting/fr-CA/body.html", "<p>Allô</p>")
            .renderer();

    assertThat(renderer.render("acme", "greeting", "fr-CA", Map.of()).subject()).isEqualTo("Allô");
    assertThat(renderer.render("acme", "greeting", "fr-FR", Map.of()).subject())
        .isEqualTo("Bonjour");
    assertThat(renderer.render("acme", "greeting", "en-CA", Map.of()).subject()).isEqualTo("Hello");
  }

  // --- names -----------------------------------------------------------------------------

  @Test
  void unknownTemplateIsNotFound() {
    assertThatThrownBy(() -> builtIn.render("acme", "password-reset", null, Map.of()))
        .isInstanceOfSatisfying(
            TemplateNotFoundException.class, e -> assertThat(e.name()).isEqualTo("password-reset"))
        .hasMessage("Unknown template 'password-reset'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../welcome", "welcome/../welcome", "welcome/fr", "Welcome", "", "."})
  void namesThatCannotBeTemplatesAreNotFound(String name) {
    assertThat(builtIn.exists("acme", name)).isFalse();
    assertThatThrownBy(() -> builtIn.render("acme", name, null, welcomeVariables()))
        .isInstanceOf(TemplateNotFoundException.class);
  }

  @Test
  void existsReportsShippedTemplates() {
    assertThat(builtIn.exists("acme", "welcome")).isTrue();
    assertThat(builtIn.exists("acme", "order-confirmation")).isTrue();
  }

  // --- missing variables -----------------------------------------------------------------

  @Test
  void everyMissingVariableIsListed() {
    assertThatThrownBy(() -> builtIn.render("acme", "welcome", "fr", Map.of("name", "Ada")))
        .isInstanceOfSatisfying(
            MissingVariablesException.class,
            e -> assertThat(e.names()).containsExactly("actionUrl", "productName"))
        .hasMessageContaining("'welcome'");
  }

  @Test
  void missingVariablesAreFoundInPropertyPathsConditionsAndLaterFiles() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template(
                "probe",
                "Hi [(${greeting})]",
                """
                <p th:text="${user.name}">name</p>
                <p th:if="${coupon}" th:text="${coupon.code}">coupon</p>
                <p th:each="line : ${lines}" th:text="${line.text}">line</p>
                <p th:text="${known}">known</p>
                <p>[[${footer}]]</p>""")
            .renderer();

    assertThatThrownBy(() -> renderer.render("acme", "probe", null, Map.of("known", "k")))
        .isInstanceOfSatisfying(
            MissingVariablesException.class,
            e ->
                assertThat(e.names())
                    .containsExactly("coupon", "footer", "greeting", "lines", "user"));
  }

  @Test
  void variableGivenAsNullCountsAsProvided() {
    Map<String, Object> variables = new HashMap<>(welcomeVariables());
    variables.put("name", null);

    assertThat(builtIn.render("acme", "welcome", null, variables).subject())
        .isEqualTo("Welcome to Acme, !");
  }

  @Test
  void optionalVariableCanBeTestedWithoutBeingReported() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template(
                "optional",
                "Hi",
                "<p th:if=\"${#ctx.containsVariable('coupon')}\" th:text=\"${coupon}\">c</p>")
            .renderer();

    assertThat(renderer.render("acme", "optional", null, Map.of()).html()).isEmpty();
    assertThat(renderer.render("acme", "optional", null, Map.of("coupon", "SAVE10")).html())
        .isEqualTo("<p>SAVE10</p>");
  }

  @Test
  void variablesTheTemplateDeclaresAreNotReported() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template(
                "declared",
                "[# th:each=\"tag, stat : ${tags}\"][(${stat.count})]:[(${tag})] [/]",
                """
                <ul th:with="first=${tags[0]}" th:object="${order}">
                  <li th:each="tag, stat : ${tags}" th:text="${stat.index} + ${tag} + ${first}">t</li>
                  <li th:text="*{number}">n</li>
                  <li th:insert="~{::fragment}">f</li>
                </ul>
                <p th:fragment="fragment" th:text="${#strings.toUpperCase(order.number)}">x</p>""")
            .renderer();

    RenderedTemplate rendered =
        renderer.render(
            "acme",
            "declared",
            null,
            Map.of("tags", List.of("a", "b"), "order", Map.of("number", "n1")));

    assertThat(rendered.subject()).isEqualTo("1:a 2:b");
    assertThat(rendered.text()).contains("- 0aa", "- 1ba", "- n1", "- N1");
  }

  // --- variables are data ----------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${T(java.lang.Runtime).getRuntime()}",
        "__${7*7}__",
        "[[${7*7}]]",
        "[(${7*7})]",
        "${7*7}",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)"
      })
  void variableValuesAreNeverEvaluatedAndAreEscapedInHtml(String hostile) {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template(
                "echo",
                "Subject [(${value})]",
                """
                <p id="text" th:text="${value}">v</p>
                <p id="inline">[[${value}]]</p>
                <a id="link" th:href="${value}" th:title="${value}">link</a>""")
            .file("echo/body.txt", "Text [(${value})]")
            .renderer();

    RenderedTemplate rendered = renderer.render("acme", "echo", null, Map.of("value", hostile));

    Document html = Jsoup.parse(rendered.html());
    assertThat(html.getElementById("text").text()).isEqualTo(hostile);
    assertThat(html.getElementById("inline").text()).isEqualTo(hostile);
    assertThat(html.getElementById("link").attr("href")).isEqualTo(hostile);
    assertThat(html.getElementById("link").attr("title")).isEqualTo(hostile);
    assertThat(html.select("script, img")).isEmpty();
    assertThat(html.getElementById("link").attributes().size()).isEqualTo(3);
    assertThat(rendered.subject()).isEqualTo("Subject " + hostile);
    assertThat(rendered.text()).isEqualTo("Text " + hostile);
    assertThat(rendered.html() + rendered.subject() + rendered.text()).doesNotContain("49");
  }

  @Test
  void lineBreaksAVariablePutsInTheSubjectAreKeptForIntakeToRefuse() {
    Map<String, Object> variables = new HashMap<>(welcomeVariables());
    variables.put("name", "Ada\r\nBcc: victim@example.com\n");

    assertThat(builtIn.render("acme", "welcome", null, variables).subject())
        .startsWith("Welcome to Acme, Ada")
        .contains("\r\nBcc: victim@example.com");
  }

  // --- failures and caching --------------------------------------------------------------

  @Test
  void renderingFailureNamesTheTemplateAndPosition() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("broken", "Order", "<p>\n<span th:text=\"${order.total.amount}\">x</span>")
            .renderer();

    assertThatThrownBy(
            () -> renderer.render("acme", "broken", null, Map.of("order", "just a string")))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageStartingWith("Template 'broken' could not be rendered: ")
        .hasMessageContaining("order.total.amount")
        .hasMessageContaining("line 2");
  }

  @Test
  void eachFileIsParsedOnItsFirstRenderAndNotAgain() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("cached", "Hi [(${name})]", "<p th:text=\"${name}\">x</p>")
            .file("cached/body.txt", "Hi [(${name})]")
            .renderer();
    assertThat(renderer.parses()).isZero();

    renderer.render("acme", "cached", null, Map.of("name", "Ada"));
    int parsedByFirstRender = renderer.parses();
    renderer.render("acme", "cached", null, Map.of("name", "Grace"));
    renderer.render("acme", "cached", "fr", Map.of("name", "Hedy"));

    assertThat(parsedByFirstRender).isEqualTo(3);
    assertThat(renderer.parses()).isEqualTo(parsedByFirstRender);
  }

  @Test
  void bodyTxtIsUsedWhenPresent() {
    TemplateRenderer renderer =
        TemplateDirectory.in(directory)
            .template("both", "Hi", "<p>From <b>HTML</b></p>")
            .file("both/body.txt", "\nFrom body.txt, [(${name})]\n\n")
            .renderer();

    assertThat(renderer.render("acme", "both", null, Map.of("name", "Ada")).text())
        .isEqualTo("From body.txt, Ada");
  }

  @Test
  void renderedTemplateNamesItsVersionNumber() {
    RenderedTemplate welcome = builtIn.render("acme", "welcome", null, welcomeVariables());

    assertThat(welcome.name()).isEqualTo("welcome");
    assertThat(welcome.version()).isEqualTo("1");
  }

  private static Map<String, Object> welcomeVariables() {
    return Map.of(
        "name", "Ada",
        "productName", "Acme",
        "actionUrl", "https://acme.test/start?token=abc&src=email");
  }

  private static Map<String, Object> orderVariables() {
    return Map.of(
        "customerName", "Zoé",
        "orderNumber", "A-1001",
        "items",
            List.of(
                Map.of("name", "Blue mug", "quantity", 2, "price", "12.50"),
                Map.of("name", "Green tea", "quantity", 1, "price", "4.00")),
        "total", "29.00",
        "currency", "EUR");
  }
}
