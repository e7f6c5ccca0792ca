package dev.mailroom.email;

import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * The steps only a batch has: its size is checked, and each step runs over every email before any
 * is refused, so that the answer names every problem of every email at once.
 */
final class Batches {

  /** A batch of bad emails could name thousands of problems; the first ones are enough to act. */
  private static final int MAX_PROBLEMS = 100;

  private Batches() {}

  interface Step<T> {
    T apply(int index, SendEmailRequest request);
  }

  /** The batch's emails, when there are 1 to {@code max} of them. */
  static List<@Nullable SendEmailRequest> emails(SendBatchRequest batch, int max) {
    List<@Nullable SendEmailRequest> requests = batch.emails();
    if (requests == null || requests.isEmpty()) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/emails", "is required: a list of 1 to " + max + " emails")));
    }
    if (requests.size() > max) {
      throw InvalidRequestException.invalid(
          List.of(
              FieldProblem.at(
                  "/emails",
                  "at most " + max + " emails are allowed in one batch; got " + requests.size())));
    }
    return requests;
  }

  /**
   * Applies a step to every email of a batch and returns the results, or refuses the batch naming
   * every problem of every email, each under the email's index ({@code /emails/17/to/0/email}).
   */
  static <T> List<T> forEachEmail(List<@Nullable SendEmailRequest> requests, Step<T> step) {
    List<T> results = new ArrayList<>(requests.size());
    List<FieldProblem> problems = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      String at = "/emails/" + i;
      SendEmailRequest request = requests.get(i);
      if (request == null) {
        problems.add(FieldProblem.at(at, "must be an email, not null"));
        continue;
      }
      try {
        results.add(step.apply(i, request));
      } catch (InvalidRequestException e) {
        e.errors().forEach(problem -> problems.add(problem.under(at)));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "The batch has invalid emails; none was accepted",
          firstProblems(problems));
    }
    return results;
  }

  private static List<FieldProblem> firstProblems(List<FieldProblem> problems) {
    if (problems.size() <= MAX_PROBLEMS) {
      return problems;
    }
    List<FieldProblem> first = new ArrayList<>(problems.subList(0, MAX_PROBLEMS));
    first.add(
        FieldProblem.at(
            "/emails",
            "and " + (problems.size() - MAX_PROBLEMS) + " more problems not listed here"));
    return first;
  }
}
