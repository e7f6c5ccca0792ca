package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The check of a file's expressions runs on its renders as well as before it is stored, for
 * versions stored before a rule existed: a file that fails it keeps failing on every render, and
 * one that passed renders the same on later renders, when it is no longer looked at.
 */
class ExpressionCheckTest {

  private final CompiledTemplates compiled = new CompiledTemplates();

  @Test
  void fileRefusedByTheCheckIsRefusedOnEveryRender() {
    // In a branch the render skips: only the check can find it.
    EmailTemplate refused =
        template("refused", "<div th:if=\"${false}\"><p th:text=\"__${v}__\">x</p></div><p>ok</p>");

    for (int render = 1; render <= 3; render++) {
      assertThatThrownBy(() -> compiled.render(refused, null, Map.of("v", "1")))
          .as("render %d", render)
          .isInstanceOf(TemplateRenderingException.class)
          .hasMessageContaining("preprocessing (__...__) is not available in email templates");
    }
  }

  @Test
  void fileThatPassedRendersTheSameOnLaterRenders() {
    EmailTemplate welcome =
        template("fine", "<p th:text=\"${name}\">x</p><p>[[${name}]] &amp; co</p>");

    List<RenderedTemplate> renders =
        List.of(
            compiled.render(welcome, null, Map.of("name", "Ada")),
            compiled.render(welcome, null, Map.of("name", "Ada")),
            compiled.render(welcome, null, Map.of("name", "Zoé")));

    assertThat(renders)
        .extracting(RenderedTemplate::html)
        .containsExactly(
            "<p>Ada</p><p>Ada &amp; co</p>",
            "<p>Ada</p><p>Ada &amp; co</p>",
            "<p>Zoé</p><p>Zoé &amp; co</p>");
    assertThat(compiled.parses()).isEqualTo(2); // subject and html, each parsed once
  }

  @Test
  void otherContentUnderTheSameNameIsCheckedAgain() {
    EmailTemplate passed = template("same", "<p th:text=\"${v}\">x</p>");
    EmailTemplate refused = template("same", "<p th:text=\"${v}\" th:title=\"__${v}__\">x</p>");

    compiled.render(passed, null, Map.of("v", "1"));

    assertThatThrownBy(() -> compiled.render(refused, null, Map.of("v", "1")))
        .isInstanceOf(TemplateRenderingException.class)
        .hasMessageContaining("preprocessing (__...__) is not available in email templates");
  }

  private static EmailTemplate template(String name, String html) {
    return EmailTemplate.of(
        name,
        1,
        TemplateContent.of(TemplateContent.Variant.of("Hi", html, null), Map.of(), List.of()));
  }
}
