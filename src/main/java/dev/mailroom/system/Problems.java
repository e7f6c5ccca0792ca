package dev.mailroom.system;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The one builder of the problem details this service answers with: a status, a title, and either a
 * detail or the list of {@link FieldProblem}s (with a detail summing them up).
 */
final class Problems {

  private Problems() {}

  static ProblemDetail of(HttpStatus status, String title, @Nullable String detail) {
    ProblemDetail problem = ProblemDetail.forStatus(status);
    problem.setTitle(title);
    problem.setDetail(detail);
    return problem;
  }

  static ProblemDetail of(HttpStatus status, String title, List<FieldProblem> errors) {
    ProblemDetail problem = of(status, title, describe(errors));
    problem.setProperty("errors", errors);
    return problem;
  }

  /** The single problem in words, or how many there are. */
  static String describe(List<FieldProblem> errors) {
    if (errors.size() == 1) {
      FieldProblem only = errors.get(0);
      String where = only.location();
      return (where == null || where.isEmpty() ? "" : where + " ") + only.detail();
    }
    return errors.size() + " problems; see errors";
  }
}
