package dev.mailroom.template;

/**
 * A template could not be rendered for a reason other than a missing variable, for instance a
 * variable of the wrong shape. The message names the template file and position and never carries
 * stack traces or server paths, so it can be shown to the caller.
 */
public class TemplateRenderingException extends RuntimeException {

  public TemplateRenderingException(String message, Throwable cause) {
    super(message, cause);
  }
}
