package dev.mailroom.template;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One immutable version of a template, as rendered: emails pin its name and version.
 *
 * @param contentHash {@link TemplateContent#hash()}, so that a cached version is known to be the
 *     same content as the stored one
 */
record EmailTemplate(String name, int version, String contentHash, TemplateContent content) {

  static EmailTemplate of(String name, int version, TemplateContent content) {
    return new EmailTemplate(name, version, content.hash(), content);
  }

  /** The variant for the first candidate locale that has one, else the default variant. */
  Variant variantFor(List<String> candidates) {
    for (String candidate : candidates) {
      TemplateContent.Variant variant = content.locales().get(candidate);
      if (variant != null) {
        return new Variant(this, candidate, variant);
      }
    }
    return new Variant(this, TemplateLocales.DEFAULT, content.base());
  }

  /**
   * One locale's files of this version. Thymeleaf knows each file by its key {@code
   * name/version/locale/file}, which is also the key of its compiled form in the cache.
   */
  record Variant(EmailTemplate template, String locale, TemplateContent.Variant files) {

    String subject() {
      return files.subject();
    }

    String html() {
      return files.html();
    }

    @Nullable String text() {
      return files.text();
    }

    String key(TemplatePart part) {
      return template.name() + "/" + template.version() + "/" + locale + "/" + part.fileName();
    }
  }
}
