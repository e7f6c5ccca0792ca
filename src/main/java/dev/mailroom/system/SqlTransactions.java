package dev.mailroom.system;

import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Transactions for work done only in SQL (JdbcClient), on the hot paths. The application's
 * transaction manager is JPA's, which opens a Hibernate session for every transaction; these bind a
 * connection and nothing else, which is all a statement through JdbcClient needs. Nothing in such a
 * transaction may use a JPA repository: it would run outside the transaction. Nor may one be
 * started inside a JPA transaction: it does not join it, it commits on the connection the JPA one
 * holds. The hot paths (intake, the dispatcher's claims and results) use only these.
 *
 * <p>Listeners of transaction events and {@link #requireActive} work alike for both kinds.
 */
@Component
public class SqlTransactions {

  private final TransactionTemplate template;

  SqlTransactions(DataSource dataSource) {
    DataSourceTransactionManager manager = new DataSourceTransactionManager(dataSource);
    this.template = new TransactionTemplate(manager);
  }

  /** A read-write transaction with the default isolation, propagation REQUIRED. */
  public TransactionTemplate template() {
    return template;
  }

  /**
   * Fails unless a transaction of either kind is in progress: for writes that must commit with the
   * caller's change or not at all.
   */
  public static void requireActive(String what) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalTransactionStateException(what + " needs a transaction in progress");
    }
  }
}
