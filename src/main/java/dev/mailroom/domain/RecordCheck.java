package dev.mailroom.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a check found for one record to publish.
 *
 * @param found with {@link RecordState#MISMATCH}, the values that were published instead
 */
@Embeddable
public record RecordCheck(
    @Column(nullable = false) String type,
    @Column(nullable = false) String name,
    @Enumerated(EnumType.STRING) @Column(nullable = false) RecordState state,
    @Nullable String found,
    @Column(name = "checked_at", nullable = false) Instant checkedAt) {}
