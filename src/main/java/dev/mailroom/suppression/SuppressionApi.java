package dev.mailroom.suppression;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.suppression.SuppressionController.SuppressRequest;
import dev.mailroom.suppression.SuppressionController.SuppressionPage;
import dev.mailroom.suppression.SuppressionController.SuppressionView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;

/**
 * The OpenAPI description of {@link SuppressionController}, so that the controller reads as code.
 */
@Tag(
    name = "Suppressions",
    description =
        "Addresses the project never sends to: added after a hard bounce, a complaint or a"
            + " relay's 'no such mailbox', or by hand. Addresses are compared in lower case.")
interface SuppressionApi {

  @Operation(
      operationId = "putSuppression",
      summary = "Suppress an address",
      description =
          "Adds the address to the project's suppression list, or changes the reason of one"
              + " already there. Needs the `suppressions` scope.")
  @ApiResponse(responseCode = "201", description = "Suppressed")
  @ApiResponse(responseCode = "200", description = "Was suppressed; the reason is updated")
  @ApiResponse(responseCode = "422", description = "Not an address, or no valid reason")
  ResponseEntity<SuppressionView> put(
      @Parameter(hidden = true) ApiKey key,
      @Parameter(description = "The address", example = "jane@example.com") String address,
      SuppressRequest request);

  @Operation(
      operationId = "getSuppression",
      summary = "Get a suppression",
      description = "Needs the `suppressions` or `read` scope.")
  @ApiResponse(responseCode = "200", description = "The address is suppressed")
  @ApiResponse(responseCode = "404", description = "The address is not suppressed")
  SuppressionView get(
      @Parameter(hidden = true) ApiKey key,
      @Parameter(description = "The address", example = "jane@example.com") String address);

  @Operation(
      operationId = "deleteSuppression",
      summary = "Remove a suppression",
      description = "The project sends to the address again. Needs the `suppressions` scope.")
  @ApiResponse(responseCode = "204", description = "Removed")
  @ApiResponse(responseCode = "404", description = "The address is not suppressed")
  ResponseEntity<Void> delete(
      @Parameter(hidden = true) ApiKey key,
      @Parameter(description = "The address", example = "jane@example.com") String address);

  @Operation(
      operationId = "listSuppressions",
      summary = "List suppressions",
      description =
          "The project's suppressed addresses in address order, a page at a time: pass the"
              + " answer's `next` as `after` for the next page. Needs the `suppressions` or"
              + " `read` scope.")
  @ApiResponse(responseCode = "200", description = "A page of suppressions")
  @ApiResponse(responseCode = "422", description = "An unknown reason or a limit out of range")
  SuppressionPage list(
      @Parameter(hidden = true) ApiKey key,
      @Parameter(description = "Only this reason", example = "HARD_BOUNCE") @Nullable String reason,
      @Parameter(description = "The `next` of the previous page") @Nullable String after,
      @Parameter(description = "Page size, 1 to 500 (default 50)") @Nullable Integer limit);
}
