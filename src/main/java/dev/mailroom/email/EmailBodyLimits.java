package dev.mailroom.email;

import dev.mailroom.system.BodyLimit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The request body limits intake sets: {@code max-request-size} for every request, and a limit of
 * its own for {@code POST /emails/batch}, which carries up to {@code max-batch-size} emails (never
 * below the general one).
 */
@Configuration(proxyBeanMethods = false)
class EmailBodyLimits {

  private static final String BATCH_PATH = "/emails/batch";

  @Bean
  BodyLimit requestBodyLimit(EmailSettings settings) {
    return BodyLimit.everyRequest(settings.maxRequestSize());
  }

  @Bean
  BodyLimit batchBodyLimit(EmailSettings settings) {
    DataSize general = settings.maxRequestSize();
    DataSize batch = settings.maxBatchRequestSize();
    return BodyLimit.forPath(BATCH_PATH, batch.compareTo(general) > 0 ? batch : general);
  }
}
