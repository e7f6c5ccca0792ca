package dev.mailroom;

import dev.mailroom.apikey.ApiKeys;
import dev.mailroom.support.LocalRelay;
import dev.mailroom.support.TestDatabase;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Local mode: the service with an embedded PostgreSQL 17 and an in-process relay, started by {@code
 * ./mvnw spring-boot:test-run}. Lives in the test sources so none of it ships in the jar.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(TestDatabase.class)
class LocalMode {

  /**
   * A fixed key for local mode only, so that the README's curl examples work as written. Its hash
   * is configured in application-local.yml; no other configuration admits it.
   */
  static final String DEV_API_KEY = "mr_dev_local_only";

  private static final Logger log = LoggerFactory.getLogger(LocalMode.class);

  @Bean(destroyMethod = "close")
  LocalRelay localRelay(
      @Value("${mailroom.smtp.relays[0].port}") int port,
      @Value("${mailroom.local.mail-directory:target/local-mail}") Path directory,
      @Value("${mailroom.inbound.port:#{null}}") Integer inboundPort) {
    return new LocalRelay(port, directory, inboundPort);
  }

  @Bean
  ApplicationRunner printDevelopmentKey(ApiKeys keys) {
    return args -> {
      if (keys.authenticate(DEV_API_KEY).isPresent()) {
        log.info(
            "Local mode API key (all scopes): curl -H 'Authorization: Bearer {}' ...", DEV_API_KEY);
      } else {
        log.warn(
            "The local mode API key {} is not configured in mailroom.api-keys; requests need a key"
                + " of your own",
            DEV_API_KEY);
      }
    };
  }
}
