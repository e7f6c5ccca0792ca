/**
 * API keys: who may call the API, with which scopes, as which senders and how often. Keys are
 * configured as SHA-256 hashes; the plaintext is shown once, when generated, and never stored.
 */
@NullMarked
package dev.mailroom.apikey;

import org.jspecify.annotations.NullMarked;
