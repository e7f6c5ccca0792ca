package dev.mailroom.template;

import java.util.Optional;

/** Where templates are kept: the database, or files in tests of rendering alone. */
interface TemplateSource {

  /**
   * The latest version of a template, without its content: enough to tell whether a cached copy is
   * still current.
   */
  record Head(int version, String contentHash, boolean archived) {}

  Optional<Head> head(String name);

  Optional<EmailTemplate> load(String name, int version);
}
