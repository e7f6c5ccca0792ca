package dev.mailroom.domain;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * @param algorithms the DKIM algorithms to sign with; rsa-sha256 alone by default
 */
record CreateDomainRequest(
    @Schema(
            description = "The domain to send from; international names are stored as A-labels",
            example = "acme.example")
        @Nullable String name,
    @ArraySchema(
            arraySchema =
                @Schema(
                    description =
                        "DKIM algorithms, each a key and a signature: rsa-sha256 (the default),"
                            + " ed25519-sha256 (RFC 8463), or both to sign twice"),
            schema = @Schema(allowableValues = {"rsa-sha256", "ed25519-sha256"}))
        @Nullable List<@Nullable String> algorithms) {}
