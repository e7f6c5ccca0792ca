package dev.mailroom.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A DNS record for the user to publish, and what the last check found.
 *
 * @param purpose {@code dkim}, {@code spf}, {@code return-path} or {@code dmarc}
 * @param found with {@code mismatch}: what is published instead
 * @param note how to read the suggestion, when the value is not to be copied as it is
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PublishedRecord(
    @Schema(example = "dkim") String purpose,
    @Schema(example = "TXT") String type,
    @Schema(example = "mr2026a._domainkey.acme.example") String name,
    @Schema(example = "v=DKIM1; k=rsa; p=MIIBIjANBgkqh...") String value,
    @Schema(
            description = "pending (not checked yet), verified, missing or mismatch",
            example = "verified")
        RecordState state,
    @Nullable String found,
    @Nullable Instant checkedAt,
    @Nullable String note) {}
