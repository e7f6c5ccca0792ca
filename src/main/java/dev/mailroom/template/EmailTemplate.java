package dev.mailroom.template;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One immutable version of a template, as rendered: emails pin its name and version.
 *
 * @param project the project the template belongs to, or {@link TemplateSource#SHARED} for one from
 *     files: two projects' templates of the same name and version are different templates
 * @param contentHash {@link TemplateContent#hash()}, so that a cached version is known to be the
 *     same content as the stored one
 */
record EmailTemplate(
    String project, String name, int version, String contentHash, TemplateContent content) {

  /** A shared template, as read from files. */
  static EmailTemplate of(String name, int version, TemplateContent content) {
    return new EmailTemplate(TemplateSource.SHARED, name, version, content.hash(), content);
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
   * project/name/version/locale/file}, which is also the key of its compiled form in the cache.
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
      return template.project()
          + "/"
          + template.name()
          + "/"
          + template.version()
          + "/"
          + locale
          + "/"
          + part.fileName();
    }
  }
}
