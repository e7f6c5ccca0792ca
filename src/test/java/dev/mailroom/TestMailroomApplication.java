package dev.mailroom;

import dev.mailroom.apikey.GenerateApiKey;
import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.boot.SpringApplication;

/**
 * Runs the service in local mode: {@code ./mvnw spring-boot:test-run}. With {@code
 * -Dspring-boot.run.arguments='generate-api-key --name=NAME --scopes=send'} it generates a key
 * instead, as the jar does.
 */
public class TestMailroomApplication {

  public static void main(String[] args) {
    if (GenerateApiKey.isCommand(args)) {
      System.exit(GenerateApiKey.run(args, System.out, System.err));
    }
    if (System.getProperty("mailroom.domains.encryption-key") == null
        && System.getenv("MAILROOM_DOMAINS_ENCRYPTION_KEY") == null) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      System.setProperty(
          "mailroom.domains.encryption-key", Base64.getEncoder().encodeToString(key));
    }
    SpringApplication.from(MailroomApplication::main)
        .with(LocalMode.class)
        .withAdditionalProfiles("local")
        .run(args);
  }
}
