package dev.mailroom;

import org.springframework.boot.SpringApplication;

/** Runs the service in local mode: {@code ./mvnw spring-boot:test-run}. */
public class TestMailroomApplication {

  public static void main(String[] args) {
    SpringApplication.from(MailroomApplication::main)
        .with(LocalMode.class)
        .withAdditionalProfiles("local")
        .run(args);
  }
}
