package dev.mailroom.suppression;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.mailroom.apikey.ApiKey;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Limit;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The project's suppression list; described for OpenAPI in {@link SuppressionApi}. Every key works
 * in its own project, an admin key's included: another project's suppression is a 404.
 */
@RestController
@RequestMapping("/suppressions")
class SuppressionController implements SuppressionApi {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private final SuppressionRepository suppressions;

  SuppressionController(SuppressionRepository suppressions) {
    this.suppressions = suppressions;
  }

  /** The body of {@code PUT}: why, and an optional note kept with it. */
  record SuppressRequest(@Nullable String reason, @Nullable String detail) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SuppressionView(
      String address,
      SuppressionReason reason,
      @Nullable String detail,
      @Nullable UUID emailId,
      Instant createdAt) {

    static SuppressionView of(Suppression s) {
      return new SuppressionView(s.address(), s.reason(), s.detail(), s.emailId(), s.createdAt());
    }
  }

  /**
   * @param next the cursor for the following page ({@code after}), or null on the last page
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SuppressionPage(List<SuppressionView> suppressions, @Nullable String next) {}

  @PutMapping(
      path = "/{address}",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Transactional
  @Override
  public ResponseEntity<SuppressionView> put(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable String address,
      @RequestBody SuppressRequest request) {
    String normalised = address(address);
    SuppressionReason reason = reason(request);
    String detail = request.detail();
    if (detail != null && detail.length() > 1000) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/detail", "must be at most 1000 characters")));
    }
    var existing = suppressions.findById(new Suppression.Key(key.project(), normalised));
    if (existing.isPresent()) {
      existing.get().change(reason, detail);
      return ResponseEntity.ok(SuppressionView.of(existing.get()));
    }
    Suppression created =
        suppressions.save(
            new Suppression(key.project(), normalised, reason, detail, Instant.now()));
    return ResponseEntity.status(HttpStatus.CREATED).body(SuppressionView.of(created));
  }

  @GetMapping(path = "/{address}", produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public SuppressionView get(@AuthenticationPrincipal ApiKey key, @PathVariable String address) {
    String normalised = address(address);
    return suppressions
        .findById(new Suppression.Key(key.project(), normalised))
        .map(SuppressionView::of)
        .orElseThrow(() -> notFound(normalised));
  }

  @DeleteMapping(path = "/{address}")
  @Transactional
  @Override
  public ResponseEntity<Void> delete(
      @AuthenticationPrincipal ApiKey key, @PathVariable String address) {
    String normalised = address(address);
    Suppression.Key id = new Suppression.Key(key.project(), normalised);
    Suppression existing = suppressions.findById(id).orElseThrow(() -> notFound(normalised));
    suppressions.delete(existing);
    return ResponseEntity.noContent().build();
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public SuppressionPage list(
      @AuthenticationPrincipal ApiKey key,
      @RequestParam(required = false) @Nullable String reason,
      @RequestParam(required = false) @Nullable String after,
      @RequestParam(required = false) @Nullable Integer limit) {
    List<FieldProblem> problems = new ArrayList<>();
    SuppressionReason filter = null;
    if (reason != null) {
      filter = parseReason(reason);
      if (filter == null) {
        problems.add(FieldProblem.parameter("reason", "must be one of " + reasons()));
      }
    }
    int size = limit == null ? DEFAULT_LIMIT : limit;
    if (size < 1 || size > MAX_LIMIT) {
      problems.add(FieldProblem.parameter("limit", "must be between 1 and " + MAX_LIMIT));
    }
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    String from = after == null ? "" : SuppressedAddress.normalise(after);
    // One more than asked: whether it exists says whether there is a next page.
    Limit fetch = Limit.of(size + 1);
    List<Suppression> rows =
        filter == null
            ? suppressions.findByProjectAndAddressGreaterThanOrderByAddress(
                key.project(), from, fetch)
            : suppressions.findByProjectAndReasonAndAddressGreaterThanOrderByAddress(
                key.project(), filter, from, fetch);
    boolean more = rows.size() > size;
    List<SuppressionView> page = rows.stream().limit(size).map(SuppressionView::of).toList();
    return new SuppressionPage(page, more ? page.get(page.size() - 1).address() : null);
  }

  private static String address(String address) {
    if (!SuppressedAddress.plausible(address)) {
      throw InvalidRequestException.invalid(
          List.of(
              FieldProblem.parameter(
                  "address", "must be an email address (local@domain), at most 254 characters")));
    }
    return SuppressedAddress.normalise(address);
  }

  private static SuppressionReason reason(SuppressRequest request) {
    if (request.reason() == null) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/reason", "is required: one of " + reasons())));
    }
    SuppressionReason reason = parseReason(request.reason());
    if (reason == null) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/reason", "must be one of " + reasons())));
    }
    return reason;
  }

  private static @Nullable SuppressionReason parseReason(String value) {
    return Arrays.stream(SuppressionReason.values())
        .filter(r -> r.name().equalsIgnoreCase(value.strip()))
        .findFirst()
        .orElse(null);
  }

  private static String reasons() {
    return Arrays.toString(SuppressionReason.values());
  }

  /** Also the answer for another project's suppression: a project sees only its own list. */
  private static ErrorResponseException notFound(String address) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.NOT_FOUND, "The address " + address + " is not suppressed");
    problem.setTitle("Suppression not found");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }
}
