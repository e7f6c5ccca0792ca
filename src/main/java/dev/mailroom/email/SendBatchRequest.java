package dev.mailroom.email;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** The body of {@code POST /emails/batch}: emails accepted or refused together. */
public record SendBatchRequest(@Nullable List<@Nullable SendEmailRequest> emails) {}
