package dev.mailroom.template;

import java.util.regex.Pattern;

/** The rule every template name follows, wherever the template comes from. */
final class TemplateNames {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  static final String RULE =
      "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64"
          + " characters, no '..'";

  private TemplateNames() {}

  static boolean isValid(String name) {
    return NAME.matcher(name).matches() && !name.contains("..");
  }
}
