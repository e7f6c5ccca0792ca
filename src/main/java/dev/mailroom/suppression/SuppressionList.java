package dev.mailroom.suppression;

import dev.mailroom.email.SuppressionLookup;
import java.sql.Types;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The suppression list on the hot paths, in SQL: intake asks about every recipient of an email (or
 * of a whole batch) in one query, and automatic suppressions are written in one batched statement
 * inside the transaction that learned of them.
 */
@Component
public class SuppressionList implements SuppressionLookup {

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;

  SuppressionList(JdbcClient jdbc, JdbcTemplate batch) {
    this.jdbc = jdbc;
    this.batch = batch;
  }

  /**
   * Which of these addresses the project has suppressed, in one query. The list holds {@linkplain
   * SuppressedAddress#normalise normalised} addresses; the answer gives them back as the caller
   * spelled them.
   */
  @Override
  public Set<String> suppressed(String project, Collection<String> addresses) {
    if (addresses.isEmpty()) {
      return Set.of();
    }
    String[] normalised =
        addresses.stream().map(SuppressedAddress::normalise).distinct().toArray(String[]::new);
    Set<String> listed =
        Set.copyOf(
            jdbc.sql(
                    "SELECT address FROM suppressions WHERE project = :project AND address = ANY(:a)")
                .param("project", project)
                .param("a", normalised)
                .query(String.class)
                .list());
    if (listed.isEmpty()) {
      return Set.of();
    }
    return addresses.stream()
        .filter(a -> listed.contains(SuppressedAddress.normalise(a)))
        .collect(Collectors.toSet());
  }

  /** An address to suppress because of what happened to an email sent to it. */
  record Automatic(
      String project,
      String address,
      SuppressionReason reason,
      @Nullable String detail,
      @Nullable UUID emailId) {}

  /**
   * Suppresses the addresses in one batched statement. An address already suppressed keeps the
   * reason it has: the first cause is the one worth showing, and a suppression made by hand is
   * never overwritten by an automatic one.
   */
  void suppressAll(List<Automatic> rows) {
    if (rows.isEmpty()) {
      return;
    }
    batch.batchUpdate(
        """
        INSERT INTO suppressions (project, address, reason, detail, email_id)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (project, address) DO NOTHING
        """,
        rows.stream()
            .map(
                r ->
                    new Object[] {
                      r.project(),
                      SuppressedAddress.normalise(r.address()),
                      r.reason().name(),
                      r.detail(),
                      r.emailId()
                    })
            .toList(),
        new int[] {Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.OTHER});
  }
}
