package dev.mailroom;

import dev.mailroom.apikey.GenerateApiKey;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.scheduling.annotation.EnableScheduling;

// No user store: callers authenticate with API keys only (dev.mailroom.apikey).
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@EnableScheduling
public class MailroomApplication {

  public static void main(String[] args) {
    if (GenerateApiKey.isCommand(args)) {
      System.exit(GenerateApiKey.run(args, System.out, System.err));
    }
    SpringApplication.run(MailroomApplication.class, args);
  }
}
