package dev.mailroom;

import dev.mailroom.apikey.GenerateApiKey;
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
    SpringApplication.from(MailroomApplication::main)
        .with(LocalMode.class)
        .withAdditionalProfiles("local")
        .run(args);
  }
}
