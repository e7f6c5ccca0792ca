package dev.mailroom.system;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error leaves as RFC 9457 problem details. Bad input is a 4xx naming the field (a JSON
 * pointer per problem in {@code errors}); an unreachable database is a 503 with Retry-After;
 * nothing a caller sends produces a 500.
 *
 * <p>A refusal of our own carries its problem: {@link InvalidRequestException} and the features'
 * other refusals are {@link org.springframework.web.ErrorResponseException}s, answered by the base
 * class with their body as it is; a body refused while it streams in is a {@link
 * RefusedBodyException}, which reaches here wrapped by the JSON reader.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
  private static final String MALFORMED = "Malformed request body";

  /** A body cut off at the size limit by something other than the JSON reader. */
  @ExceptionHandler(RequestTooLargeException.class)
  ResponseEntity<ProblemDetail> tooLarge(RequestTooLargeException e) {
    return ResponseEntity.status(e.getStatusCode()).body(e.getBody());
  }

  /**
   * A connection lost in the middle of a transaction is discarded by the pool, so the rollback
   * fails too, and its TransactionSystemException (not a DataAccessException) is what arrives here.
   */
  @ExceptionHandler({
    CannotCreateTransactionException.class,
    DataAccessResourceFailureException.class,
    TransientDataAccessException.class,
    QueryTimeoutException.class,
    TransactionSystemException.class
  })
  ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
    log.warn("Database unavailable: {}", e.getMessage());
    ProblemDetail problem =
        Problems.of(
            HttpStatus.SERVICE_UNAVAILABLE,
            "Service unavailable",
            "The email store is temporarily unavailable; nothing was stored. Retry later.");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "5")
        .body(problem);
  }

  /**
   * One log line per unexpected error, not a trace per request that a caller could repeat at will:
   * the error id in the line is also in the problem, so a report from a caller finds it. The full
   * trace is logged at debug.
   */
  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    if (connectionLost(e)) {
      return databaseUnavailable(e);
    }
    String errorId = UUID.randomUUID().toString();
    StackTraceElement[] trace = e.getStackTrace();
    log.error(
        "Unexpected error {}: {} at {}",
        errorId,
        e.toString().replace('\n', ' '),
        trace.length > 0 ? trace[0] : "?");
    log.debug("Unexpected error {}", errorId, e);
    ProblemDetail problem =
        Problems.of(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "Internal error",
            "An unexpected error occurred; quote error id " + errorId + " when reporting it");
    problem.setProperty("errorId", errorId);
    return ResponseEntity.internalServerError().body(problem);
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    RefusedBodyException refused = cause(e, RefusedBodyException.class);
    if (refused != null) {
      return ResponseEntity.status(refused.getStatusCode()).body(refused.getBody());
    }
    List<FieldProblem> errors = new ArrayList<>();
    JacksonException json = cause(e, JacksonException.class);
    if (json instanceof UnrecognizedPropertyException unknown) {
      errors.add(FieldProblem.at(pointer(unknown), "is not a known field"));
    } else if (json instanceof StreamConstraintsException) {
      errors.add(
          FieldProblem.at(
              pointer(json),
              "is nested too deeply or holds a name, number or string that is too long"));
    } else if (json instanceof DatabindException && !json.getPath().isEmpty()) {
      errors.add(FieldProblem.at(pointer(json), "has the wrong type or format"));
    }
    if (!errors.isEmpty()) {
      return ResponseEntity.badRequest()
          .body(Problems.of(HttpStatus.BAD_REQUEST, MALFORMED, errors));
    }
    String detail;
    if (json == null) {
      detail = "The request body is missing or is not valid JSON";
    } else if (json instanceof DatabindException) {
      // Valid JSON of the wrong shape, such as an array: the message would name Java types.
      detail = "The request body must be a single JSON object with the documented fields";
    } else {
      detail = syntaxError(json);
    }
    return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, MALFORMED, detail));
  }

  /**
   * What the parser found wrong and where, without the parser's internals: Jackson appends source
   * locations and hints about its own configuration, which mean nothing to a caller.
   */
  private static String syntaxError(JacksonException e) {
    String message = String.valueOf(e.getOriginalMessage());
    for (String internals : List.of(" (start marker at", ": enable `", "\n")) {
      int at = message.indexOf(internals);
      if (at >= 0) {
        message = message.substring(0, at);
      }
    }
    TokenStreamLocation location = e.getLocation();
    String where =
        location == null || location.getLineNr() < 1
            ? ""
            : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    return "The request body is not valid JSON" + where + ": " + message;
  }

  private static String pointer(JacksonException e) {
    StringBuilder pointer = new StringBuilder();
    for (var reference : e.getPath()) {
      pointer.append('/');
      if (reference.getPropertyName() != null) {
        pointer.append(FieldProblem.segment(reference.getPropertyName()));
      } else {
        pointer.append(reference.getIndex());
      }
    }
    return pointer.toString();
  }

  private static <T extends Throwable> @Nullable T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /**
   * Whether a failure comes from a lost database connection (SQLState class 08, or 57P: the server
   * shutting the session down), however it was wrapped. The JPA transaction manager reports a
   * failed commit or rollback on a discarded connection as an uncategorised JpaSystemException
   * around Hibernate's TransactionException, where the JDBC one raised TransactionSystemException.
   */
  private static boolean connectionLost(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.sql.SQLRecoverableException
          || cause instanceof java.sql.SQLTransientConnectionException
          || cause instanceof org.hibernate.TransactionException) {
        return true;
      }
      if (cause instanceof java.sql.SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
