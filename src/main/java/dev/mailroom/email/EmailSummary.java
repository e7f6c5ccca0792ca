package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One email in a {@code GET /emails} page; {@code GET /emails/{id}} has the rest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmailSummary(
    UUID id,
    String project,
    EmailStatus status,
    String from,
    String subject,
    List<String> to,
    @Nullable String template,
    List<String> tags,
    Instant createdAt,
    @Nullable Instant sentAt) {}
