package dev.mailroom.email;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * Email ids: version 7 UUIDs (RFC 9562), a millisecond timestamp followed by random bits, in
 * ascending order within one process. An email's id is the first column of the outbox's primary
 * key, of the recipients', the events' and the attempts' keys, and (as its Message-ID) of the
 * Message-ID index: with random ids every new email touched a page anywhere in each of them, and
 * after every checkpoint that page's first change writes a whole copy of it to the write-ahead log.
 * Ids in time order are inserted at the right edge of each index, into pages already touched. The
 * 74 random bits keep ids unguessable.
 */
final class EmailIds {

  private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

  private EmailIds() {}

  static UUID next() {
    return GENERATOR.generate();
  }
}
