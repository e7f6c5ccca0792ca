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
 * @param maxRequestSize the largest request body accepted (413 beyond); large enough by default for
 *     {@code maxAttachmentSize} of attachments in base64 (which is 4/3 of their size)
 * @param maxAttachments attachments of one email, inline or not
 * @param maxAttachmentSize the decoded size of all attachments of one email together
 * @param maxBatchSize the most emails in one {@code POST /emails/batch}
 * @param maxBatchRequestSize the largest {@code POST /emails/batch} body accepted (413 beyond)
 * @param maxScheduleAhead how far in the future {@code sendAt} may be
 */
@ConfigurationProperties("mailroom.email")
@Validated
public record EmailSettings(
    @Nullable String defaultFrom,
    @Nullable String messageIdDomain,
    @DefaultValue("50") @Min(1) @Max(1000) int maxRecipients,
    @DefaultValue("15MB") DataSize maxRequestSize,
    @DefaultValue("20") @Min(0) @Max(1000) int maxAttachments,
    @DefaultValue("10MB") DataSize maxAttachmentSize,
    @DefaultValue("500") @Min(1) @Max(10000) int maxBatchSize,
    @DefaultValue("20MB") DataSize maxBatchRequestSize,
    @DefaultValue("30d") Duration maxScheduleAhead) {}
