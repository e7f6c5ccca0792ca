package dev.mailroom.template;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What one template version holds: the default variant, variants by locale tag and the variables
 * every email must give. Created through {@link #of}, which normalises text the same way for files
 * and for the API, so equal content has an equal {@link #hash()} wherever it came from.
 *
 * @param locales variants by normalised language tag ({@code fr}, {@code fr-CA}), sorted
 * @param requiredVariables sorted and distinct
 */
record TemplateContent(
    Variant base, SortedMap<String, Variant> locales, List<String> requiredVariables) {

  /**
   * One language's files.
   *
   * @param subject one line, without trailing whitespace
   * @param text when null, the text part is derived from the rendered HTML
   */
  record Variant(String subject, String html, @Nullable String text) {

    static Variant of(String subject, String html, @Nullable String text) {
      // The subject is one line; a final newline is an editor habit, not content.
      return new Variant(
          normalise(subject).stripTrailing(),
          normalise(html),
          text == null ? null : normalise(text));
    }
  }

  TemplateContent {
    locales = Collections.unmodifiableSortedMap(new TreeMap<>(locales));
    requiredVariables = List.copyOf(new TreeSet<>(requiredVariables));
  }

  static TemplateContent of(
      Variant base, Map<String, Variant> locales, Collection<String> requiredVariables) {
    return new TemplateContent(base, new TreeMap<>(locales), List.copyOf(requiredVariables));
  }

  /** Every variant by locale, the default one first under {@link TemplateLocales#DEFAULT}. */
  Map<String, Variant> variants() {
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put(TemplateLocales.DEFAULT, base);
    variants.putAll(locales);
    return variants;
  }

  /** SHA-256 of every field, each preceded by its length, in hex. */
  String hash() {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    update(sha256, base);
    update(sha256, Integer.toString(locales.size()));
    locales.forEach(
        (locale, variant) -> {
          update(sha256, locale);
          update(sha256, variant);
        });
    update(sha256, Integer.toString(requiredVariables.size()));
    requiredVariables.forEach(name -> update(sha256, name));
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static void update(MessageDigest digest, Variant variant) {
    update(digest, variant.subject());
    update(digest, variant.html());
    update(digest, variant.text());
  }

  private static void update(MessageDigest digest, @Nullable String value) {
    if (value == null) {
      digest.update(ByteBuffer.allocate(4).putInt(-1).array());
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  /** Without a byte order mark and with Unix line endings, as editors on any system save it. */
  private static String normalise(String text) {
    String withoutBom = text.startsWith("\uFEFF") ? text.substring(1) : text;
    return withoutBom.replace("\r\n", "\n");
  }
}
