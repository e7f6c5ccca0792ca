package dev.mailroom.template;

import java.util.Optional;

/**
 * Where templates are kept: the database, or files in tests of rendering alone.
 *
 * <p>Each project has templates of its own, and every project reads the templates from files, which
 * belong to {@link #SHARED}. A project's own template of a name comes before the shared one.
 */
interface TemplateSource {

  /**
   * The project of the templates from files, read by every project. No key can have it: project
   * names are letters, digits, {@code _}, {@code .} and {@code -}.
   */
  String SHARED = "*";

  /**
   * The latest version of a template, without its content: enough to tell whether a cached copy is
   * still current.
   *
   * @param project the template's own project: the caller's, or {@link #SHARED}
   */
  record Head(String project, int version, String contentHash, boolean archived) {

    boolean shared() {
      return SHARED.equals(project);
    }
  }

  /** The project's own template of this name, else the shared one. */
  Optional<Head> head(String project, String name);

  /**
   * @param project the template's own project, as its {@link Head} names it
   */
  Optional<EmailTemplate> load(String project, String name, int version);
}
