package dev.mailroom;

import dev.mailroom.support.LocalRelay;
import dev.mailroom.support.TestDatabase;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
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

  @Bean(destroyMethod = "close")
  LocalRelay localRelay(
      @Value("${mailroom.smtp.relays[0].port}") int port,
      @Value("${mailroom.local.mail-directory:target/local-mail}") Path directory) {
    return new LocalRelay(port, directory);
  }
}
