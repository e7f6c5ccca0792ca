package dev.mailroom.system;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The shape of every error response, for the OpenAPI document only. */
@Schema(name = "Problem", description = "RFC 9457 problem details (application/problem+json)")
record ProblemSchema(
    @Schema(description = "Names the kind of problem; absent (about:blank) when the status says it")
        @Nullable String type,
    @Schema(description = "A short summary", example = "The request has invalid fields")
        String title,
    @Schema(description = "The HTTP status", example = "422") int status,
    @Schema(description = "What is wrong, for a person", example = "/to/0/email is required")
        String detail,
    @Schema(description = "The request path", example = "/emails") @Nullable String instance,
    @Schema(description = "Each problem, located by a JSON pointer into the body or a header name")
        @Nullable List<FieldProblem> errors) {}
