package dev.mailroom.email;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of {@code GET /emails}, newest first.
 *
 * @param next the cursor for the following page, or null on the last page
 */
public record EmailPage(List<EmailSummary> emails, @Nullable String next) {}
