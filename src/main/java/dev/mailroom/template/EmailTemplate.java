package dev.mailroom.template;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A validated template: its locale variants and the version that pins rendered emails to its
 * content.
 */
record EmailTemplate(String name, String version, Map<String, Variant> variants) {

  /** The variant for the first candidate that has one, else the default variant. */
  Variant variantFor(List<String> candidates) {
    for (String candidate : candidates) {
      Variant variant = variants.get(candidate);
      if (variant != null) {
        return variant;
      }
    }
    Variant fallback = variants.get(TemplateLocales.DEFAULT);
    if (fallback == null) {
      throw new IllegalStateException("Template '" + name + "' has no default variant");
    }
    return fallback;
  }

  /** One locale's files. Thymeleaf knows each file by its key {@code name/locale/file}. */
  record Variant(
      String template, String locale, String subject, String html, @Nullable String text) {

    String subjectKey() {
      return key(TemplateFiles.SUBJECT);
    }

    String htmlKey() {
      return key(TemplateFiles.HTML);
    }

    String textKey() {
      return key(TemplateFiles.TEXT);
    }

    boolean hasText() {
      return text != null;
    }

    private String key(String file) {
      return template + "/" + locale + "/" + file;
    }
  }
}
