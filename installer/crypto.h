/* Key material made at install time, with OpenSSL. */
#ifndef ES_CRYPTO_H
#define ES_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* Start OpenSSL without reading any configuration file (openssl.cnf, or
 * the one OPENSSL_CONF names): the installer's algorithms are fixed, and a
 * host's crypto policy (a FIPS-only default, a provider the release file
 * does not have) must not change or break them. Call once, first:
 * OPENSSL_INIT_NO_LOAD_CONFIG marks the configuration as loaded, so later
 * implicit initialisation (libcurl's, OBJ_obj2nid's) reads nothing
 * (OPENSSL_init_crypto(3)). Exits through fatal() if OpenSSL cannot start. */
void crypto_init(void);
/* A new key pair and a self-signed certificate whose subject is
 * CN=<cn>, OU=<ou>, O=<org> (NULL or empty parts left out), valid for
 * `days`. PEM strings, caller frees (the key with util_free_secret). */
bool crypto_make_cert(const char *cn, const char *org, const char *ou,
    int days, char **key_pem, char **cert_pem, struct es_err *e);
/* The CN, O and OU of a PEM certificate's subject as UTF-8 (NULL where
 * the subject has none; caller frees each), so that a certificate can be
 * made anew with the same subject (identity.c). False with e set
 * (ES_EINSTALL) when the certificate cannot be read. */
bool crypto_cert_subject(const char *cert_pem, char **cn, char **org,
    char **ou, struct es_err *e);
/* "sha256:<64 hex>" of the certificate's SubjectPublicKeyInfo (see
 * ../shared/pairing-protocol.md, "Derived values"). out >= 72 bytes. */
bool crypto_cert_spki(const char *cert_pem, char *out, size_t outsz,
    struct es_err *e);
/* The certificate's notAfter as RFC 3339 UTC, "2036-11-28T14:14:37Z"
 * (out >= 21 bytes), and whether that time has passed. False with e set
 * when the PEM is not a certificate. */
bool crypto_cert_not_after(const char *cert_pem, char *out, size_t outsz,
    bool *expired, struct es_err *e);
/* Salted slow hash of a password for storage:
 * "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>". Caller frees. */
char *crypto_password_hash(const char *password, struct es_err *e);
bool crypto_password_verify(const char *password, const char *stored);
/* A random (version 4) UUID, lower case, 36 characters + NUL. */
void crypto_uuid(char out[37]);
/* Lower-case hex SHA-256 of a buffer. out >= 65 bytes. */
void crypto_sha256_hex(const void *data, size_t len, char out[65]);
/* The same of what is left to read from f, read to its end; false when
 * reading fails (ferror). */
bool crypto_sha256_file(FILE *f, char out[65]);

/* Standard base64 (RFC 4648 section 4, padded, no line breaks) of n bytes.
 * Caller frees. */
char *crypto_base64_encode(const void *data, size_t n);
/* Decode padded standard base64; NULL when s is not base64. Caller frees;
 * *len is the decoded length. */
void *crypto_base64_decode(const char *s, size_t *len);

#endif
