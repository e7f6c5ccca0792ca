package dev.mailroom.template;

import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Locale handling for template variants: requests and folder names are normalised to BCP 47
 * language tags ({@code fr_ca} becomes {@code fr-CA}) and looked up from the most specific tag to
 * the least, as in RFC 4647 lookup, before falling back to the default variant.
 */
final class TemplateLocales {

  /** The variant kept at the top of a template folder. */
  static final String DEFAULT = "default";

  // Longer than any tag a real client sends (RFC 5646 suggests 35), short enough for messages.
  private static final int MAX_TAG_LENGTH = 35;

  private TemplateLocales() {}

  /**
   * The variants to try for a requested locale, most specific first, without the default.
   *
   * @throws IllegalArgumentException when {@code requested} is not a language tag
   */
  static List<String> lookupOrder(@Nullable String requested) {
    if (requested == null || requested.isBlank() || requested.strip().equalsIgnoreCase(DEFAULT)) {
      return List.of();
    }
    String tag = normalise(requested);
    List<String> order = new ArrayList<>();
    for (String candidate = tag; ; candidate = candidate.substring(0, candidate.lastIndexOf('-'))) {
      order.add(candidate);
      if (candidate.indexOf('-') < 0) {
        return order;
      }
    }
  }

  /**
   * The canonical language tag for {@code raw}, such as {@code fr-CA} for {@code FR_ca}.
   *
   * @throws IllegalArgumentException when {@code raw} is not a language tag
   */
  static String normalise(String raw) {
    String candidate = raw.strip().replace('_', '-');
    if (candidate.length() > MAX_TAG_LENGTH) {
      throw invalid(raw);
    }
    Locale locale;
    try {
      locale = new Locale.Builder().setLanguageTag(candidate).build();
    } catch (IllformedLocaleException e) {
      throw invalid(raw);
    }
    // Well-formed tags may still lack a language ("x-private") or use a 4-8 letter one that no
    // real language has; "default" is such a word, and it names the top-level variant.
    if (!locale.getLanguage().matches("[a-z]{2,3}")) {
      throw invalid(raw);
    }
    return locale.stripExtensions().toLanguageTag();
  }

  static Locale toLocale(String variant) {
    return variant.equals(DEFAULT) ? Locale.ROOT : Locale.forLanguageTag(variant);
  }

  private static IllegalArgumentException invalid(String raw) {
    String shown = raw.length() > MAX_TAG_LENGTH ? raw.substring(0, MAX_TAG_LENGTH) + "…" : raw;
    return new IllegalArgumentException(
        "Invalid locale '" + shown + "': expected a language tag such as 'fr' or 'fr-CA'");
  }
}
