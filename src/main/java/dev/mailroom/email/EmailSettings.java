package dev.mailroom.email;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What intake accepts.
 *
 * @param defaultFrom the sender when a request names none, e.g. {@code Acme <no-reply@acme.test>}
 * @param messageIdDomain the right-hand side of every Message-ID; defaults to the default sender's
 *     domain
 * @param maxRecipients to + cc + bcc of one email
 * @param maxRequestSize the largest request body accepted (413 beyond)
 * @param maxScheduleAhead how far in the future {@code sendAt} may be
 */
@ConfigurationProperties("mailroom.email")
@Validated
public record EmailSettings(
    @Nullable String defaultFrom,
    @Nullable String messageIdDomain,
    @DefaultValue("50") @Min(1) @Max(1000) int maxRecipients,
    @DefaultValue("1MB") DataSize maxRequestSize,
    @DefaultValue("30d") Duration maxScheduleAhead) {}
