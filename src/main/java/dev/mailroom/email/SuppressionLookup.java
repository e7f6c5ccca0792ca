package dev.mailroom.email;

import java.util.Collection;
import java.util.Set;

/**
 * What intake needs of the suppression list: which of an email's addresses its project does not
 * send to. The suppression room implements it; intake owns the question, so the suppression room
 * may use this room's statuses without a cycle between the two, and how addresses are compared on
 * the list stays the suppression room's business.
 */
public interface SuppressionLookup {

  /**
   * Which of these addresses the project has suppressed, in one lookup.
   *
   * @return the suppressed ones among {@code addresses}, spelled as they were given
   */
  Set<String> suppressed(String project, Collection<String> addresses);
}
