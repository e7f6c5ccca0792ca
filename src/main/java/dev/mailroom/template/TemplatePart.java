package dev.mailroom.template;

import org.thymeleaf.templatemode.TemplateMode;

/** The three files of a template variant: their field in the API and their name in a folder. */
enum TemplatePart {
  SUBJECT("subject", "subject.txt", TemplateMode.TEXT),
  HTML("html", "body.html", TemplateMode.HTML),
  TEXT("text", "body.txt", TemplateMode.TEXT);

  private final String field;
  private final String fileName;
  private final TemplateMode mode;

  TemplatePart(String field, String fileName, TemplateMode mode) {
    this.field = field;
    this.fileName = fileName;
    this.mode = mode;
  }

  String field() {
    return field;
  }

  String fileName() {
    return fileName;
  }

  TemplateMode mode() {
    return mode;
  }

  /** Where this part of a locale's variant is in a {@code PUT /templates/{name}} body. */
  String pointer(String locale) {
    return locale.equals(TemplateLocales.DEFAULT)
        ? "/" + field
        : "/locales/" + locale + "/" + field;
  }

  /** Where this part of a locale's variant is in a template folder. */
  String path(String localeFolder) {
    return localeFolder.isEmpty() ? fileName : localeFolder + "/" + fileName;
  }
}
