package dev.mailroom.template;

import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;

/**
 * Every way a render can fail, as the problem the caller gets: the one translation of template
 * failures into responses, for sends and previews. They differ only where the template is named: a
 * send names it in its body, so an unknown or archived template is a 422 at {@code /template}; a
 * preview names it in its path, so an unknown one stays a {@link TemplateNotFoundException} (404).
 */
public final class RenderProblems {

  private RenderProblems() {}

  /** Renders for an email that names its template in the request body. */
  public static RenderedTemplate forSend(Supplier<RenderedTemplate> render) {
    try {
      return translated(render, "/template");
    } catch (TemplateNotFoundException e) {
      throw unprocessable(
          "Unknown template", FieldProblem.at("/template", "no template named '" + e.name() + "'"));
    } catch (TemplateArchivedException e) {
      throw unprocessable(
          "Archived template",
          FieldProblem.at(
              "/template", "template '" + e.name() + "' is archived; it sends no new email"));
    }
  }

  /**
   * Renders for a preview of the template named in the path.
   *
   * @throws TemplateNotFoundException when there is no such template or version
   */
  static RenderedTemplate forPreview(Supplier<RenderedTemplate> render) {
    return translated(render, "/variables");
  }

  /**
   * @param failedAt where a failed rendering is reported: what the caller can change to fix it
   */
  private static RenderedTemplate translated(Supplier<RenderedTemplate> render, String failedAt) {
    try {
      return render.get();
    } catch (MissingVariablesException e) {
      throw InvalidRequestException.invalid(e.problems());
    } catch (TemplateRenderingException e) {
      throw unprocessable(
          "The template could not be rendered", FieldProblem.at(failedAt, e.getMessage()));
    } catch (IllegalArgumentException e) {
      throw unprocessable("Invalid locale", FieldProblem.at("/locale", e.getMessage()));
    }
  }

  private static InvalidRequestException unprocessable(String title, FieldProblem problem) {
    return new InvalidRequestException(HttpStatus.UNPROCESSABLE_CONTENT, title, List.of(problem));
  }
}
