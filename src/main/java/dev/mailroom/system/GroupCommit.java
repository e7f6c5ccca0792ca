package dev.mailroom.system;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Stores the items of concurrent callers together: one caller writes the items that are waiting,
 * its own among them, in one call to {@code storeAll} (one transaction), while the others wait for
 * the call that took theirs. A caller returns what was stored for its item once it is stored, or
 * throws what storing it threw; nothing is answered before it is stored.
 *
 * <p>A transaction costs a pool checkout, a BEGIN and a COMMIT (a WAL flush) whatever it holds, so
 * under load many items share one, and the more callers wait the larger the groups grow. A caller
 * alone is not held back: with a writer free it stores its item at once, so a quiet service answers
 * as fast as without grouping. An item above a size of its own is stored by its caller at once,
 * alone and beside the writers, so that a large one never holds up the small ones queued behind it.
 *
 * <p>When a statement of a group is refused (a constraint one item breaks), the transaction is
 * rolled back and each item is stored again on its own, so the bad item fails its caller only. A
 * database that is unavailable, or any other failure, fails the whole group at once, with the one
 * exception, and nothing is stored again: such a failure may come after the commit. Every wait is
 * bounded by the writers' own: a writer holds a caller only while {@code storeAll} runs, which the
 * pool's and the database's timeouts bound.
 *
 * @param <T> what callers hand in
 * @param <R> what is stored for each
 */
public final class GroupCommit<T, R> {

  /** How long a waiting caller sleeps before it looks again, in case a hand-over was missed. */
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Function<List<T>, List<R>> storeAll;
  private final int writers;
  private final int maxGroup;
  private final ToLongFunction<T> size;
  private final long maxGroupBytes;
  private final long aloneBytes;
  private final ReentrantLock lock = new ReentrantLock();

  /** Items not yet taken by a writer, oldest first. Guarded by {@link #lock}. */
  private final ArrayDeque<Pending<T, R>> waiting = new ArrayDeque<>();

  /** Writers storing a group now. Guarded by {@link #lock}. */
  private int writing;

  /**
   * @param storeAll stores every item of a group in one transaction, or none, and returns what it
   *     stored for each, in order
   * @param writers how many groups may be stored at once
   * @param maxGroup the most items one group holds
   * @param size an item's size in bytes, as {@code storeAll} will send it
   * @param maxGroupBytes the most bytes one group holds; its first item always goes, however large,
   *     so that large items are stored one per group rather than never
   * @param aloneBytes an item larger than this is stored by its own caller at once, in a group of
   *     its own, without waiting for a writer or taking one: a large message, which takes long to
   *     store, never holds up the small ones queued behind it
   */
  public GroupCommit(
      Function<List<T>, List<R>> storeAll,
      int writers,
      int maxGroup,
      ToLongFunction<T> size,
      long maxGroupBytes,
      long aloneBytes) {
    if (writers < 1 || maxGroup < 1 || maxGroupBytes < 1 || aloneBytes < 1) {
      throw new IllegalArgumentException(
          "writers, maxGroup, maxGroupBytes and aloneBytes must be at least 1");
    }
    this.size = size;
    this.maxGroupBytes = maxGroupBytes;
    this.aloneBytes = aloneBytes;
    this.storeAll = storeAll;
    this.writers = writers;
    this.maxGroup = maxGroup;
  }

  /** Stores the item, with whatever else is waiting; returns once it is stored. */
  public R store(T item) {
    Pending<T, R> mine = new Pending<>(item, lock.newCondition());
    if (size.applyAsLong(item) > aloneBytes) {
      store(List.of(mine));
      return outcome(mine);
    }
    lock.lock();
    try {
      waiting.addLast(mine);
      while (!mine.done) {
        if (writing < writers && !waiting.isEmpty()) {
          writeOneGroup();
        } else {
          mine.wakeUp.awaitNanos(RECHECK_NANOS);
        }
      }
    } catch (InterruptedException e) {
      // Only an item no writer has taken yet can be withdrawn: a taken one is being stored, and
      // its caller must learn the outcome.
      if (waiting.remove(mine)) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted before the item was stored", e);
      }
      awaitUninterruptibly(mine);
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    return outcome(mine);
  }

  /** What was stored for a stored item, or what storing it threw. */
  private R outcome(Pending<T, R> mine) {
    if (mine.failure instanceof RuntimeException e) {
      throw e;
    }
    if (mine.failure instanceof Error e) {
      throw e;
    }
    return mine.result;
  }

  /** How many items wait for a writer: for tests that need a queue to form. */
  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  private void awaitUninterruptibly(Pending<T, R> mine) {
    while (!mine.done) {
      mine.wakeUp.awaitUninterruptibly();
    }
  }

  /** Takes the oldest waiting items, stores them without the lock, and hands over to the next. */
  private void writeOneGroup() {
    List<Pending<T, R>> group = new ArrayList<>(Math.min(waiting.size(), maxGroup));
    long bytes = 0;
    while (group.size() < maxGroup && !waiting.isEmpty()) {
      long next = size.applyAsLong(waiting.peekFirst().item);
      if (!group.isEmpty() && bytes + next > maxGroupBytes) {
        break;
      }
      bytes += next;
      group.add(waiting.pollFirst());
    }
    writing++;
    lock.unlock();
    try {
      store(group);
    } finally {
      lock.lock();
      writing--;
      for (Pending<T, R> p : group) {
        p.done = true;
        p.wakeUp.signal();
      }
      // A caller still waiting becomes the next writer, rather than waiting for its recheck.
      Pending<T, R> next = waiting.peekFirst();
      if (next != null) {
        next.wakeUp.signal();
      }
    }
  }

  private void store(List<Pending<T, R>> group) {
    List<R> results;
    try {
      results = storeAll.apply(group.stream().map(p -> p.item).toList());
    } catch (RuntimeException | Error e) {
      if (group.size() == 1 || !retryOneByOne(e)) {
        group.forEach(p -> p.failure = e);
        return;
      }
      for (Pending<T, R> p : group) {
        try {
          p.result = storeAll.apply(List.of(p.item)).get(0);
        } catch (RuntimeException | Error single) {
          p.failure = single;
        }
      }
      return;
    }
    if (results.size() != group.size()) {
      // Stored, but unanswerable: failed, never stored again.
      IllegalStateException e =
          new IllegalStateException(results.size() + " results for " + group.size() + " items");
      group.forEach(p -> p.failure = e);
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).result = results.get(i);
    }
  }

  /**
   * Whether a group's failure may be one item's fault, and storing the items again one by one is
   * safe: a statement refused with the transaction rolled back. Not when the database is
   * unavailable, and not for anything else, which may come after the commit (from a listener of
   * it), when storing again would store twice.
   */
  private static boolean retryOneByOne(Throwable e) {
    return e instanceof DataAccessException && !databaseUnavailable(e);
  }

  /**
   * The failures that say nothing about the items: storing them one by one would only make each
   * caller wait for its own connection timeout. The same kinds the API answers with 503.
   */
  private static boolean databaseUnavailable(Throwable e) {
    return e instanceof CannotCreateTransactionException
        || e instanceof TransactionSystemException
        || e instanceof DataAccessResourceFailureException
        || e instanceof TransientDataAccessException;
  }

  /** One caller's item; the fields it is answered with are guarded by the lock. */
  private static final class Pending<T, R> {
    final T item;
    final Condition wakeUp;
    boolean done;
    @Nullable R result;
    @Nullable Throwable failure;

    Pending(T item, Condition wakeUp) {
      this.item = item;
      this.wakeUp = wakeUp;
    }
  }
}
