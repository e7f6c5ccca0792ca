package dev.mailroom.system;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One typical problem per status, as the examples of the OpenAPI document. */
final class ProblemExamples {

  static Map<String, Object> of(int status) {
    return switch (status) {
      case 400 ->
          problem(
              400,
              "Malformed request body",
              "/sendNow is not a known field",
              List.of(Map.of("pointer", "/sendNow", "detail", "is not a known field")));
      case 401 ->
          problem(
              401,
              "API key required",
              "Send an API key in the header 'Authorization: Bearer <API key>'",
              null);
      case 403 ->
          problem(
              403,
              "Insufficient scope",
              "API key 'reporting' does not have the 'send' scope that POST /emails needs",
              null);
      case 404 ->
          problem(
              404,
              "Email not found",
              "No email with id 0b6f5a3c-6c1e-4a5e-9a57-3f8e7f0f1d2a",
              null);
      case 405 -> problem(405, "Method Not Allowed", "Method 'DELETE' is not supported.", null);
      case 406 ->
          problem(406, "Not Acceptable", "Acceptable representations: [application/json].", null);
      case 409 ->
          problem(
              409,
              "A request with this Idempotency-Key is in progress",
              "Idempotency-Key another request with this key has not finished; retry shortly",
              List.of(
                  Map.of(
                      "header",
                      "Idempotency-Key",
                      "detail",
                      "another request with this key has not finished; retry shortly")));
      case 413 ->
          problem(
              413,
              "Request too large",
              "The request body is larger than the limit of 15728640 bytes",
              null);
      case 415 ->
          problem(
              415, "Unsupported Media Type", "Content-Type 'text/plain' is not supported.", null);
      case 422 ->
          problem(
              422,
              "The request has invalid fields",
              "2 problems; see errors",
              List.of(
                  Map.of(
                      "pointer",
                      "/to/0/email",
                      "detail",
                      "'not-an-address' is not an email address (expected local@domain)"),
                  Map.of(
                      "pointer",
                      "/variables/productName",
                      "detail",
                      "is required by template 'welcome'")));
      case 429 ->
          problem(
              429,
              "Too many requests",
              "API key 'billing' is over its rate limit of 10 requests per second (burst 20); retry in 1 s",
              null);
      case 503 ->
          problem(
              503,
              "Service unavailable",
              "The email store is temporarily unavailable; nothing was stored. Retry later.",
              null);
      default -> problem(status, "Error", "See the status", null);
    };
  }

  private static Map<String, Object> problem(
      int status, String title, String detail, @Nullable List<Map<String, String>> errors) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    problem.put(
        "instance", status == 404 ? "/emails/0b6f5a3c-6c1e-4a5e-9a57-3f8e7f0f1d2a" : "/emails");
    if (errors != null) {
      problem.put("errors", errors);
    }
    return problem;
  }

  private ProblemExamples() {}
}
