package dev.mailroom.template;

/**
 * No template has the requested name (names that could never be valid included), or it has no such
 * version.
 */
public class TemplateNotFoundException extends RuntimeException {

  private static final int MAX_NAME_IN_MESSAGE = 80;

  private final String name;

  public TemplateNotFoundException(String name) {
    super("Unknown template '" + abbreviate(name) + "'");
    this.name = name;
  }

  /** The template exists, but not this version of it. */
  public TemplateNotFoundException(String name, int version) {
    super("Template '" + abbreviate(name) + "' has no version " + version);
    this.name = name;
  }

  public String name() {
    return name;
  }

  // The name comes from the caller; keep the message short whatever they sent.
  private static String abbreviate(String name) {
    return name.length() <= MAX_NAME_IN_MESSAGE
        ? name
        : name.substring(0, MAX_NAME_IN_MESSAGE) + "…";
  }
}
