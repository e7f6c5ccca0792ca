package dev.mailroom.system;

/**
 * Names Jakarta Mail's stream provider, so that Jakarta Mail does not look for it with a {@link
 * java.util.ServiceLoader} scan every time it creates a body part, a multipart or a header block,
 * or writes one out: it does so on each of those calls and never keeps the result (see
 * jakartaee/mail-api issues 699 and 861). Through the nested-jar class loader of the packaged
 * application that scan took more CPU than building the rest of the message. With the provider
 * named by its system property, the lookup is a class already loaded and a constructor call.
 *
 * <p>The provider named is the one the scan finds, Angus Mail's, the only implementation on the
 * class path; a value set on the command line is kept.
 */
public final class MailStreams {

  static final String PROPERTY = "jakarta.mail.util.StreamProvider";
  static final String ANGUS = "org.eclipse.angus.mail.util.MailStreamProvider";

  private MailStreams() {}

  /** Idempotent; call it before the first message is built or parsed. */
  public static void nameProvider() {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, ANGUS);
    }
  }
}
