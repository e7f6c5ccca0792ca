package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** A 500 is one log line with an error id, and the caller gets the same id to quote. */
class UnexpectedErrorTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger(ProblemHandler.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logged);
  }

  @Test
  void unexpectedErrorIsLoggedOnceWithTheIdTheProblemCarries() {
    ResponseEntity<ProblemDetail> response =
        new ProblemHandler().unexpected(new IllegalStateException("boom\nsecond line"));

    ProblemDetail problem = response.getBody();
    assertThat(response.getStatusCode().value()).isEqualTo(500);
    assertThat(problem).isNotNull();
    String errorId = String.valueOf(problem.getProperties().get("errorId"));
    assertThat(errorId).matches("[0-9a-f-]{36}");
    assertThat(problem.getDetail()).contains(errorId);
    assertThat(logged.list.stream().filter(e -> e.getLevel() == Level.ERROR))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getFormattedMessage())
                  .contains(errorId, "IllegalStateException: boom second line")
                  .doesNotContain("\n");
              assertThat(event.getThrowableProxy()).isNull();
            });
  }
}
