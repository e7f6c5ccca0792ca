-- The TLS session an attempt's connection negotiated (e.g. TLSv1.3, TLS_AES_256_GCM_SHA384);
-- NULL for plain SMTP or when no connection was made.
ALTER TABLE delivery_attempts
    ADD COLUMN tls_protocol text,
    ADD COLUMN tls_cipher   text;
