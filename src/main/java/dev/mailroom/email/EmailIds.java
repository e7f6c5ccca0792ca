package dev.mailroom.email;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochRandomGenerator;
import java.util.UUID;

/**
 * Email ids: version 7 UUIDs (RFC 9562), a millisecond timestamp followed by random bits, so in
 * time order by the millisecond. An email's id is the first column of the outbox's primary key, of
 * the recipients', the events' and the attempts' keys, and (as its Message-ID) of the Message-ID
 * index: with random ids every new email touched a page anywhere in each of them, and after every
 * checkpoint that page's first change writes a whole copy of it to the write-ahead log. Ids in time
 * order are inserted at the right edge of each index, into pages already touched. The 74 random
 * bits are new for every id (from a SecureRandom; not a counter within the millisecond, as the
 * generator made for monotonic ids has), so an id tells nothing of the ids made next to it.
 */
final class EmailIds {

  private static final TimeBasedEpochRandomGenerator GENERATOR =
      Generators.timeBasedEpochRandomGenerator();

  private EmailIds() {}

  static UUID next() {
    return GENERATOR.generate();
  }
}
