package dev.mailroom.template;

/** The template exists but is archived: no new email may use it. */
public class TemplateArchivedException extends RuntimeException {

  private final String name;

  public TemplateArchivedException(String name) {
    super("Template '" + name + "' is archived");
    this.name = name;
  }

  public String name() {
    return name;
  }
}
