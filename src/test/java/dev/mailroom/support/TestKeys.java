package dev.mailroom.support;

/**
 * API keys for tests. Their SHA-256 hashes are configured in {@link IntegrationTest}; {@link Api}
 * sends {@link #ALL_SCOPES} unless told otherwise.
 */
public final class TestKeys {

  /** Scopes send, read, templates and domains; no sender domain restriction, no rate limit. */
  public static final String ALL_SCOPES = "mr_test_all_scopes";

  public static final String ALL_SCOPES_HASH =
      "6a3bfd9c63d91feafce83f624c8ee898ee8f7f1475daa87d8b4c6834296e054a";

  /** The AES key that encrypts DKIM private keys in tests: base64 of 32 bytes. */
  public static final String DOMAIN_ENCRYPTION_KEY = "dGVzdC1vbmx5LWRraW0tZW5jcnlwdGlvbi1rZXktMzI=";

  private TestKeys() {}
}
