package dev.mailroom.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.assertj.core.api.SoftAssertions;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The two plans PostgreSQL may run a prepared statement with: the generic one it keeps once the
 * statement has run a few times (its parameters left open), and a custom one made for the values at
 * hand. A statement of the service is given as it is written, with {@code ?} or {@code :name}
 * parameters; each is turned into a positional one of the given type.
 */
public final class StatementPlans {

  private static final Pattern PARAMETER = Pattern.compile("\\?|(?<!:):([a-zA-Z]+)");

  private StatementPlans() {}

  /**
   * The generic and the custom plan, each as EXPLAIN's text, made in a transaction that is rolled
   * back.
   *
   * @param types the parameters' types, in the order they first appear
   * @param values the values for the custom plan, as SQL literals, in the same order
   */
  public static List<String> of(
      DataSource dataSource, String sql, List<String> types, List<String> values)
      throws SQLException {
    String positional = positional(sql, types.size());
    List<String> plans = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "PREPARE planned(%s) AS %s".formatted(String.join(", ", types), positional));
        for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
          statement.execute("SET LOCAL plan_cache_mode = " + mode);
          List<String> lines = new ArrayList<>();
          try (ResultSet rs =
              statement.executeQuery(
                  "EXPLAIN EXECUTE planned(%s)".formatted(String.join(", ", values)))) {
            while (rs.next()) {
              lines.add(rs.getString(1));
            }
          }
          plans.add(String.join("\n", lines));
        }
      } finally {
        connection.rollback();
        // A prepared statement outlives the transaction: the pooled connection must not keep it.
        try (Statement statement = connection.createStatement()) {
          statement.execute("DEALLOCATE planned");
        } catch (SQLException notPrepared) {
          // PREPARE itself failed
        }
        connection.rollback();
      }
    }
    return plans;
  }

  /**
   * Vacuums and analyzes the table, then requires that PostgreSQL now counts the index as empty:
   * the state a vacuum leaves a partial index in when it finds no row that meets its condition.
   */
  public static void vacuumFindingEmpty(JdbcClient jdbc, String table, String index) {
    jdbc.sql("VACUUM ANALYZE " + table).update();
    assertThat(
            jdbc.sql("SELECT reltuples FROM pg_class WHERE relname = :index")
                .param("index", index)
                .query(Double.class)
                .single())
        .as("what the planner knows of " + index)
        .isZero();
  }

  /**
   * Requires the generic and the custom plan of each statement checked to find rows through {@code
   * expected} and never to touch {@code avoided}, softly: every statement is checked.
   */
  public record Requirement(
      SoftAssertions soft, DataSource dataSource, String expected, String avoided) {

    public void check(String what, String sql, List<String> types, List<String> values)
        throws SQLException {
      List<String> plans = of(dataSource, sql, types, values);
      for (int i = 0; i < plans.size(); i++) {
        soft.assertThat(plans.get(i))
            .as(what + (i == 0 ? ", generic plan" : ", custom plan"))
            .contains(expected)
            .doesNotContain(avoided);
      }
    }
  }

  /**
   * The statement's parameters in the order they first appear: each {@code :name} once, each {@code
   * ?} as {@code ?0}, {@code ?1}, …
   */
  public static List<String> parameters(String sql) {
    List<String> names = new ArrayList<>();
    Matcher parameter = PARAMETER.matcher(sql);
    int unnamed = 0;
    while (parameter.find()) {
      String name = parameter.group(1) == null ? "?" + unnamed++ : parameter.group(1);
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * {@code ?} and {@code :name} parameters as {@code $1}, {@code $2}, … in the order of {@link
   * #parameters} (a name keeps its number).
   */
  public static String positional(String sql, int expected) {
    List<String> names = parameters(sql);
    Matcher parameter = PARAMETER.matcher(sql);
    StringBuilder out = new StringBuilder();
    int unnamed = 0;
    while (parameter.find()) {
      String name = parameter.group(1) == null ? "?" + unnamed++ : parameter.group(1);
      parameter.appendReplacement(out, "\\$" + (names.indexOf(name) + 1));
    }
    parameter.appendTail(out);
    if (names.size() != expected) {
      throw new IllegalArgumentException(
          "the statement has %d parameters, not %d: %s".formatted(names.size(), expected, names));
    }
    return out.toString();
  }
}
