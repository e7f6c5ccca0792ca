package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateLocalesTest {

  @ParameterizedTest
  @CsvSource({
    "fr, fr",
    "FR, fr",
    "fr_ca, fr-CA",
    "fr-ca, fr-CA",
    "' pt_BR ', pt-BR",
    "zh-hant-tw, zh-Hant-TW",
    "de-DE-u-co-phonebk, de-DE"
  })
  void localesAreNormalisedToLanguageTags(String raw, String tag) {
    assertThat(TemplateLocales.normalise(raw)).isEqualTo(tag);
  }

  @Test
  void lookupGoesFromMostToLeastSpecific() {
    assertThat(TemplateLocales.lookupOrder("zh_Hant_TW"))
        .containsExactly("zh-Hant-TW", "zh-Hant", "zh");
  }

  @Test
  void noLocaleLooksUpNothingButTheDefault() {
    assertThat(TemplateLocales.lookupOrder(null)).isEmpty();
    assertThat(TemplateLocales.lookupOrder(" ")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc", "not a locale!", "default", "x-klingon", "12", "fr-", "é"})
  void invalidLocalesAreRejected(String raw) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TemplateLocales.normalise(raw))
        .withMessage(
            "Invalid locale '" + raw + "': expected a language tag such as 'fr' or 'fr-CA'");
  }

  @Test
  void overlongLocaleIsRejectedWithAShortMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TemplateLocales.normalise("a".repeat(10_000)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(120));
  }
}
