/* Tests for crypto.c: certificates, SPKI fingerprints, password hashes,
 * UUIDs and SHA-256. */
#include "fixture.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "error.h"
#include "plan.h"
#include "util.h"

/* Made with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256`;
 * SPKI_VECTOR is what `openssl x509 -pubkey -noout | openssl pkey -pubin
 * -outform DER | sha256sum` printed for it. */
static const char CERT_VECTOR[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgTCCASegAwIBAgIUPBdZIQC7LvC7fkwTQwAuFS12gUMwCgYIKoZIzj0EAwIw\n"
    "FjEUMBIGA1UEAwwLc3BraSB2ZWN0b3IwHhcNMjYxMTI4MDM1NTEwWhcNMzYxMTI1\n"
    "MDM1NTEwWjAWMRQwEgYDVQQDDAtzcGtpIHZlY3RvcjBZMBMGByqGSM49AgEGCCqG\n"
    "SM49AwEHA0IABD03/pgQQkamvjBoq0enONBYZ5COrcyl3IS2IysQRdcHURlrJ4YT\n"
    "a8tRHH13ZixFMARiDT/hOZQMd+Qj+sgy35SjUzBRMB0GA1UdDgQWBBRs0GnhuSQL\n"
    "gbD/Za4MXMgnQDgE7zAfBgNVHSMEGDAWgBRs0GnhuSQLgbD/Za4MXMgnQDgE7zAP\n"
    "BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQD9VE4+sagRuq+enmEX\n"
    "qOWklSj03OZZa0hoOBcfkvI1+gIgGS0rdv+DXNOTlCspejVdV+Xqvz8TCCFO2dVj\n"
    "2OhRGU8=\n"
    "-----END CERTIFICATE-----\n";
static const char SPKI_VECTOR[] =
    "sha256:d11e7c711fcdc521afb72dd9c51fff969f239558b960e29e45fdbf9292c742a2";

static X509 *
load_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x;

	assert_non_null(bio);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *
load_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k;

	assert_non_null(bio);
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(k);
	return k;
}

/* The UTF-8 value of the only entry `nid` in a name, or NULL; caller frees
 * with OPENSSL_free. */
static char *
name_field(const X509_NAME *name, int nid, int *type)
{
	const X509_NAME_ENTRY *ent;
	const ASN1_STRING *v;
	unsigned char *utf8 = NULL;
	int i;

	i = X509_NAME_get_index_by_NID(name, nid, -1);
	if (i < 0)
		return NULL;
	assert_int_equal(X509_NAME_get_index_by_NID(name, nid, i), -1);
	ent = X509_NAME_get_entry(name, i);
	v = X509_NAME_ENTRY_get_data(ent);
	if (type != NULL)
		*type = ASN1_STRING_type(v);
	assert_true(ASN1_STRING_to_UTF8(&utf8, v) >= 0);
	return (char *)utf8;
}

static void
make_cert(const char *cn, const char *org, const char *ou, int days,
    char **key, char **cert)
{
	struct es_err e = { 0 };

	if (!crypto_make_cert(cn, org, ou, days, key, cert, &e))
		fail_msg("crypto_make_cert: %s", e.msg);
	assert_int_equal(e.code, 0);
	assert_non_null(*key);
	assert_non_null(*cert);
}

static void
test_crypto_make_cert_parses(void **state)
{
	char *key, *cert;
	X509 *x;
	EVP_PKEY *k;
	char group[64];
	int day, sec;

	(void)state;
	make_cert("engine01", "Example Corp", "Security", 3650, &key, &cert);
	assert_true(str_has_prefix(cert, "-----BEGIN CERTIFICATE-----\n"));
	/* PKCS#8, not the "EC PRIVATE KEY" form, and not encrypted. */
	assert_true(str_has_prefix(key, "-----BEGIN PRIVATE KEY-----\n"));

	x = load_cert(cert);
	k = load_key(key);
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	assert_true(EVP_PKEY_is_a(k, "EC"));
	assert_int_equal(EVP_PKEY_get_bits(k), 256);
	assert_true(EVP_PKEY_get_group_name(k, group, sizeof group, NULL));
	assert_string_equal(group, "prime256v1");

	/* The key belongs to the certificate and signed it. */
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(X509_verify(x, k), 1);
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)), 0);

	/* Valid from an hour ago, for 3650 days from now. */
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	assert_true(ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notBefore(x)));
	assert_int_equal(day, 0);
	assert_in_range(-sec, 3590, 3610);
	assert_true(ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(x)));
	assert_true(day == 3650 || (day == 3649 && sec > 86390));

	/* End entity for TLS servers and clients. */
	assert_int_equal(X509_check_ca(x), 0);
	assert_true(X509_get_extension_flags(x) & EXFLAG_BCONS);
	assert_int_equal(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_int_equal(X509_get_extended_key_usage(x),
	    XKU_SSL_SERVER | XKU_SSL_CLIENT);
	assert_non_null(X509_get0_subject_key_id(x));
	assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
	assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);

	EVP_PKEY_free(k);
	X509_free(x);
	util_free_secret(key);
	free(cert);
}

static void
test_crypto_make_cert_serial(void **state)
{
	char *key[2], *cert[2];
	BIGNUM *bn[2];
	X509 *x[2];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		make_cert("engine01", "Example Corp", NULL, 30, &key[i],
		    &cert[i]);
		x[i] = load_cert(cert[i]);
		bn[i] = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x[i]),
		    NULL);
		assert_non_null(bn[i]);
		/* RFC 5280, 4.1.2.2: positive, at most 20 octets. */
		assert_false(BN_is_negative(bn[i]));
		assert_false(BN_is_zero(bn[i]));
		assert_true(BN_num_bytes(bn[i]) <= 20);
		/* 128 random bits: 96 or fewer happens with p = 2^-32. */
		assert_true(BN_num_bits(bn[i]) > 96);
	}
	assert_int_not_equal(BN_cmp(bn[0], bn[1]), 0);
	for (i = 0; i < 2; i++) {
		BN_free(bn[i]);
		X509_free(x[i]);
		util_free_secret(key[i]);
		free(cert[i]);
	}
}

static void
test_crypto_make_cert_subject(void **state)
{
	char *key, *cert, *v, line[256];
	const X509_NAME *name;
	BIO *bio;
	X509 *x;
	int n;

	(void)state;
	make_cert("engine01", "Example Corp", "Security", 30, &key, &cert);
	x = load_cert(cert);
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_entry_count(name), 3);
	v = name_field(name, NID_commonName, NULL);
	assert_string_equal(v, "engine01");
	OPENSSL_free(v);
	v = name_field(name, NID_organizationName, NULL);
	assert_string_equal(v, "Example Corp");
	OPENSSL_free(v);
	v = name_field(name, NID_organizationalUnitName, NULL);
	assert_string_equal(v, "Security");
	OPENSSL_free(v);

	/* RFC 4514 order, most specific first. */
	bio = BIO_new(BIO_s_mem());
	assert_true(X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) > 0);
	n = BIO_read(bio, line, sizeof line - 1);
	assert_true(n > 0);
	line[n] = '\0';
	assert_string_equal(line, "CN=engine01,OU=Security,O=Example Corp");
	BIO_free(bio);

	X509_free(x);
	util_free_secret(key);
	free(cert);
}

static void
test_crypto_make_cert_skips_empty_fields(void **state)
{
	char *key, *cert, *v;
	const X509_NAME *name;
	X509 *x;

	(void)state;
	make_cert("engine01", "", NULL, 1, &key, &cert);
	x = load_cert(cert);
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_entry_count(name), 1);
	v = name_field(name, NID_commonName, NULL);
	assert_string_equal(v, "engine01");
	OPENSSL_free(v);
	X509_free(x);
	util_free_secret(key);
	free(cert);
}

static void
test_crypto_make_cert_utf8(void **state)
{
	static const char cn[] = "Zo\xc3\xab M\xc3\xbcller \xe6\x97\xa5\xe6\x9c\xac";
	static const char org[] = "Caf\xc3\xa9, \"Quotes\" + <Tags> & ;";
	static const char ou[] = "\xf0\x9f\x94\x92 Security";
	char *key, *cert, *v;
	const X509_NAME *name;
	X509 *x;
	int type;

	(void)state;
	make_cert(cn, org, ou, 30, &key, &cert);
	x = load_cert(cert);
	name = X509_get_subject_name(x);
	v = name_field(name, NID_commonName, &type);
	assert_string_equal(v, cn);
	assert_int_equal(type, V_ASN1_UTF8STRING);
	OPENSSL_free(v);
	v = name_field(name, NID_organizationName, &type);
	assert_string_equal(v, org);
	assert_int_equal(type, V_ASN1_UTF8STRING);
	OPENSSL_free(v);
	v = name_field(name, NID_organizationalUnitName, &type);
	assert_string_equal(v, ou);
	assert_int_equal(type, V_ASN1_UTF8STRING);
	OPENSSL_free(v);
	X509_free(x);
	util_free_secret(key);
	free(cert);
}

static void
test_crypto_make_cert_errors(void **state)
{
	struct es_err e = { 0 };
	char *key = (char *)"x", *cert = (char *)"x";

	(void)state;
	assert_false(crypto_make_cert("engine01", "Example", NULL, 0, &key,
	    &cert, &e));
	assert_null(key);
	assert_null(cert);
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "0 days"));

	/* A name part longer than RFC 5280 allows (64 characters). */
	err_clear(&e);
	assert_false(crypto_make_cert("engine01", "Example",
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4", 30, &key, &cert, &e));
	assert_null(key);
	assert_null(cert);
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "string too long"));
	assert_non_null(strstr(e.msg, "organizational unit (OU)"));
	assert_non_null(strstr(e.msg, "64 characters"));
	assert_int_equal(ERR_peek_error(), 0);
}

/* The OU an engine certificate gets, PLAN_ENGINE_UNIT and the engine name,
 * at the longest name plan_validate accepts and one past it: 63 and 64
 * characters make a certificate (also of two-byte characters), 65 does
 * not. So every engine_name --check accepts makes its certificate. */
static void
test_crypto_make_cert_engine_unit_limit(void **state)
{
	static const char *const chars[] = { "e", "\xc3\xa9" };
	size_t c, n, i;

	(void)state;
	for (c = 0; c < 2; c++) {
		for (n = PLAN_ENGINE_NAME_MAX - 1; n <= PLAN_ENGINE_NAME_MAX + 1;
		    n++) {
			struct sbuf b;
			struct es_err e = { 0 };
			char *key = NULL, *cert = NULL, *ou;
			bool ok;

			sbuf_init(&b);
			sbuf_add(&b, PLAN_ENGINE_UNIT);
			for (i = 0; i < n; i++)
				sbuf_add(&b, chars[c]);
			ou = sbuf_detach(&b);
			ok = crypto_make_cert("Ada Lovelace", "Example", ou, 30,
			    &key, &cert, &e);
			if (ok != (n <= PLAN_ENGINE_NAME_MAX))
				fail_msg("OU of %zu characters: %s",
				    n + strlen(PLAN_ENGINE_UNIT),
				    ok ? "made" : e.msg);
			util_free_secret(key);
			free(cert);
			free(ou);
		}
	}
}

/* Run the pipeline that pairing-protocol.md names and compare. */
static void
test_crypto_spki_matches_openssl_cli(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *key, *cert, *path, *cmd, line[256];
	char spki[80], want[80];
	FILE *fp;

	if (system("command -v openssl >/dev/null 2>&1 && "
	    "command -v sha256sum >/dev/null 2>&1") != 0)
		skip();
	make_cert("engine01", "Example Corp", "Security", 30, &key, &cert);
	fixture_write(f, "engine.crt", cert);
	path = fixture_path(f, "engine.crt");
	cmd = xasprintf("openssl x509 -in '%s' -pubkey -noout | "
	    "openssl pkey -pubin -outform DER | sha256sum", path);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof line, fp));
	assert_int_equal(pclose(fp), 0);
	assert_true(strlen(line) > 64);
	snprintf(want, sizeof want, "sha256:%.64s", line);

	assert_true(crypto_cert_spki(cert, spki, sizeof spki, &e));
	assert_string_equal(spki, want);

	free(cmd);
	free(path);
	util_free_secret(key);
	free(cert);
}

/* The same hash computed from the private key's public half and from the
 * certificate's own encoded SubjectPublicKeyInfo. */
static void
test_crypto_spki_independent(void **state)
{
	struct es_err e = { 0 };
	char *key, *cert, spki[72], hex[65], want[80];
	unsigned char *der = NULL;
	EVP_PKEY *k;
	X509 *x;
	int len;

	(void)state;
	make_cert("engine01", "Example Corp", "Security", 30, &key, &cert);
	assert_true(crypto_cert_spki(cert, spki, sizeof spki, &e));
	assert_int_equal(strlen(spki), 71);

	k = load_key(key);
	len = i2d_PUBKEY(k, &der);
	assert_true(len > 0);
	crypto_sha256_hex(der, (size_t)len, hex);
	snprintf(want, sizeof want, "sha256:%s", hex);
	assert_string_equal(spki, want);
	OPENSSL_free(der);
	der = NULL;

	x = load_cert(cert);
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	assert_true(len > 0);
	crypto_sha256_hex(der, (size_t)len, hex);
	snprintf(want, sizeof want, "sha256:%s", hex);
	assert_string_equal(spki, want);
	OPENSSL_free(der);

	X509_free(x);
	EVP_PKEY_free(k);
	util_free_secret(key);
	free(cert);
}

static void
test_crypto_spki_vector(void **state)
{
	struct es_err e = { 0 };
	char spki[72];

	(void)state;
	assert_true(crypto_cert_spki(CERT_VECTOR, spki, sizeof spki, &e));
	assert_string_equal(spki, SPKI_VECTOR);
}

static void
test_crypto_spki_errors(void **state)
{
	struct es_err e = { 0 };
	char spki[72], small[71];
	char *bad;

	(void)state;
	assert_false(crypto_cert_spki("not a certificate", spki, sizeof spki,
	    &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "certificate"));
	assert_int_equal(ERR_peek_error(), 0);

	err_clear(&e);
	assert_false(crypto_cert_spki("", spki, sizeof spki, &e));
	assert_int_equal(e.code, ES_EINSTALL);

	/* A damaged body. */
	err_clear(&e);
	bad = xstrdup(CERT_VECTOR);
	bad[100] = bad[100] == 'A' ? 'B' : 'A';
	bad[101] = '!';
	assert_false(crypto_cert_spki(bad, spki, sizeof spki, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	free(bad);

	err_clear(&e);
	assert_false(crypto_cert_spki(CERT_VECTOR, small, sizeof small, &e));
	assert_int_not_equal(e.code, 0);
	assert_int_equal(ERR_peek_error(), 0);
}

/* Split a stored hash into its parts; false unless it has the format. */
static bool
split_hash(const char *stored, unsigned long *iter, unsigned char *salt,
    int *saltlen, unsigned char *hash, int *hashlen)
{
	char buf[256], *p, *s, *h;

	if (strlen(stored) >= sizeof buf ||
	    !str_has_prefix(stored, "pbkdf2-sha256$"))
		return false;
	strcpy(buf, stored + strlen("pbkdf2-sha256$"));
	p = strchr(buf, '$');
	if (p == NULL)
		return false;
	*p = '\0';
	s = p + 1;
	p = strchr(s, '$');
	if (p == NULL)
		return false;
	*p = '\0';
	h = p + 1;
	*iter = strtoul(buf, NULL, 10);
	*saltlen = EVP_DecodeBlock(salt, (unsigned char *)s, (int)strlen(s));
	*hashlen = EVP_DecodeBlock(hash, (unsigned char *)h, (int)strlen(h));
	*saltlen -= (int)(strlen(s) - strcspn(s, "="));
	*hashlen -= (int)(strlen(h) - strcspn(h, "="));
	return *saltlen > 0 && *hashlen > 0;
}

/* A stored hash made here, independently of crypto.c. */
static char *
hash_with(const char *password, unsigned long iter, const unsigned char *salt,
    int saltlen, int hashlen)
{
	unsigned char key[128];
	unsigned char s64[200], k64[200];

	assert_true(PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
	    saltlen, (int)iter, EVP_sha256(), hashlen, key) == 1);
	EVP_EncodeBlock(s64, salt, saltlen);
	EVP_EncodeBlock(k64, key, hashlen);
	return xasprintf("pbkdf2-sha256$%lu$%s$%s", iter, (char *)s64,
	    (char *)k64);
}

static void
test_crypto_password_round_trip(void **state)
{
	struct es_err e = { 0 };
	char *h;

	(void)state;
	h = crypto_password_hash("correct horse battery staple", &e);
	assert_non_null(h);
	assert_int_equal(e.code, 0);
	assert_true(crypto_password_verify("correct horse battery staple", h));
	assert_false(crypto_password_verify("correct horse battery stapl", h));
	assert_false(crypto_password_verify("correct horse battery staple ",
	    h));
	assert_false(crypto_password_verify("Correct horse battery staple", h));
	assert_false(crypto_password_verify("", h));
	assert_false(crypto_password_verify(NULL, h));
	free(h);
}

static void
test_crypto_password_salted(void **state)
{
	struct es_err e = { 0 };
	char *a, *b;

	(void)state;
	a = crypto_password_hash("s3cret-passw0rd", &e);
	b = crypto_password_hash("s3cret-passw0rd", &e);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	assert_true(crypto_password_verify("s3cret-passw0rd", a));
	assert_true(crypto_password_verify("s3cret-passw0rd", b));
	free(a);
	free(b);
}

static void
test_crypto_password_format(void **state)
{
	static const char pw[] = "Pa$$word \xc3\xa9t\xc3\xa9";
	struct es_err e = { 0 };
	unsigned char salt[64], hash[64], want[32];
	int saltlen = 0, hashlen = 0;
	unsigned long iter;
	const char *p;
	char *h;

	(void)state;
	h = crypto_password_hash(pw, &e);
	assert_non_null(h);
	assert_true(str_has_prefix(h, "pbkdf2-sha256$600000$"));
	/* 16-byte salt and 32-byte hash in padded base64, one line. */
	assert_int_equal(strlen(h), strlen("pbkdf2-sha256$600000$") + 24 + 1 +
	    44);
	for (p = h; *p != '\0'; p++)
		assert_true(*p > ' ' && *p < 127);
	assert_null(strstr(h, pw));
	assert_null(strstr(h, "word"));

	assert_true(split_hash(h, &iter, salt, &saltlen, hash, &hashlen));
	assert_int_equal(iter, 600000);
	assert_int_equal(saltlen, 16);
	assert_int_equal(hashlen, 32);
	assert_true(PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, saltlen,
	    600000, EVP_sha256(), 32, want) == 1);
	assert_memory_equal(hash, want, 32);
	assert_true(crypto_password_verify(pw, h));
	free(h);
}

/* Hashes written by other tools or older settings still verify. */
static void
test_crypto_password_other_parameters(void **state)
{
	const unsigned char *salt =
	    (const unsigned char *)"0123456789abcdefghij";
	char *h;

	(void)state;
	h = hash_with("hunter22", 1000, salt, 16, 32);
	assert_true(crypto_password_verify("hunter22", h));
	assert_false(crypto_password_verify("hunter23", h));
	free(h);
	h = hash_with("hunter22", 1234, salt, 20, 64);
	assert_true(crypto_password_verify("hunter22", h));
	free(h);
	h = hash_with("hunter22", 2000, salt, 8, 16);
	assert_true(crypto_password_verify("hunter22", h));
	free(h);
}

/* Attack: a stored hash edited to a weak or malformed form must not verify,
 * even when its hash part is right for the password. */
static void
test_crypto_password_verify_rejects_malformed(void **state)
{
	const unsigned char *salt = (const unsigned char *)"0123456789abcdef";
	static const char *bad[] = {
		"",
		"pbkdf2-sha256$",
		"pbkdf2-sha256$1000$",
		"pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==",
		"pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==$",
		"pbkdf2-sha256$$MDEyMzQ1Njc4OWFiY2RlZg==$AAAA",
		"pbkdf2-sha1$1000$MDEyMzQ1Njc4OWFiY2RlZg==$AAAA",
		"plain:hunter22",
		"hunter22",
	};
	char *h, *m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(crypto_password_verify("hunter22", bad[i]));
	assert_false(crypto_password_verify("hunter22", NULL));

	/* Too few iterations (a downgrade), too many (denial of service). */
	h = hash_with("hunter22", 999, salt, 16, 32);
	assert_false(crypto_password_verify("hunter22", h));
	free(h);
	h = hash_with("hunter22", 1000, salt, 16, 32);
	assert_true(crypto_password_verify("hunter22", h));
	m = xasprintf("pbkdf2-sha256$10000001%s", strchr(h + 14, '$'));
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	m = xasprintf("pbkdf2-sha256$99999999999999999999999%s",
	    strchr(h + 14, '$'));
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	m = xasprintf("pbkdf2-sha256$01000%s", strchr(h + 14, '$'));
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	m = xasprintf("pbkdf2-sha256$+1000%s", strchr(h + 14, '$'));
	assert_false(crypto_password_verify("hunter22", m));
	free(m);

	/* Trailing data, a bad base64 character, a short hash. */
	m = xasprintf("%s$", h);
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	m = xasprintf("%s\n", h);
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	m = xstrdup(h);
	m[strlen(m) - 5] = '*';
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	m = xstrdup(h);
	*strrchr(m, '$') = '\0';
	m = xrealloc(m, strlen(m) + 8);
	strcat(m, "$AAAA");
	assert_false(crypto_password_verify("hunter22", m));
	free(m);
	free(h);
	/* Truncating the hash to 12 bytes is a weaker check: refused. */
	h = hash_with("hunter22", 1000, salt, 16, 12);
	assert_false(crypto_password_verify("hunter22", h));
	free(h);
}

static void
test_crypto_uuid_format(void **state)
{
	char u[37];
	int i, j;

	(void)state;
	for (i = 0; i < 100; i++) {
		memset(u, 'X', sizeof u);
		crypto_uuid(u);
		assert_int_equal(strlen(u), 36);
		for (j = 0; j < 36; j++) {
			if (j == 8 || j == 13 || j == 18 || j == 23)
				assert_int_equal(u[j], '-');
			else
				assert_non_null(strchr("0123456789abcdef",
				    u[j]));
		}
		assert_int_equal(u[14], '4');
		assert_non_null(strchr("89ab", u[19]));
	}
}

static int
cmp_uuid(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_crypto_uuid_unique(void **state)
{
	enum { N = 20000 };
	static const char digits[] = "0123456789abcdef";
	char (*u)[37] = xcalloc(N, sizeof *u);
	int seen[16] = { 0 };
	int i;

	(void)state;
	for (i = 0; i < N; i++)
		crypto_uuid(u[i]);
	/* Every nibble value appears in the random positions. */
	for (i = 0; i < N; i++)
		seen[strchr(digits, u[i][0]) - digits] = 1;
	for (i = 0; i < 16; i++)
		assert_true(seen[i]);
	qsort(u, N, sizeof *u, cmp_uuid);
	for (i = 1; i < N; i++)
		assert_string_not_equal(u[i - 1], u[i]);
	free(u);
}

/* FIPS 180-2, appendix B, and the empty message. */
static void
test_crypto_sha256_vectors(void **state)
{
	static const char two[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];

	(void)state;
	crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	crypto_sha256_hex("", 0, hex);
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* pairing-protocol.md, "Test vector": console_spki stand-in. */
	crypto_sha256_hex("console", 7, hex);
	assert_string_equal(hex,
	    "93d8874c8c86f0fc893dbe15c765ffa0fcd342f798dbf669e08f8cbe095d230c");
}

/* The same sums of a stream, across the read size (64 KiB) too: FIPS
 * 180-2 appendix C, one million 'a's. */
static void
test_crypto_sha256_file(void **state)
{
	char hex[65];
	FILE *f;
	int i;

	(void)state;
	f = tmpfile();
	assert_non_null(f);
	assert_true(crypto_sha256_file(f, hex));
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	for (i = 0; i < 1000000; i++)
		fputc('a', f);
	rewind(f);
	assert_true(crypto_sha256_file(f, hex));
	assert_string_equal(hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	fclose(f);
}

/* The expiry as RFC 3339 UTC, `days` after now (to the minute, or the
 * next one when the clock turned meanwhile). */
static void
test_crypto_cert_not_after(void **state)
{
	char *key, *cert, out[32], want[2][32];
	struct es_err e = { 0 };
	bool expired = true;
	time_t t;
	int i;

	(void)state;
	make_cert("engine01", "Example", NULL, 30, &key, &cert);
	t = time(NULL) + 30 * 86400;
	for (i = 0; i < 2; i++, t += 60)
		strftime(want[i], sizeof want[i], "%Y-%m-%dT%H:%M", gmtime(&t));
	assert_true(crypto_cert_not_after(cert, out, sizeof out, &expired,
	    &e));
	assert_int_equal(strlen(out), 20);
	assert_int_equal(out[19], 'Z');
	assert_true(strncmp(out, want[0], 16) == 0 ||
	    strncmp(out, want[1], 16) == 0);
	assert_false(expired);
	assert_false(crypto_cert_not_after("not a certificate", out,
	    sizeof out, &expired, &e));
	assert_int_not_equal(e.code, 0);
	util_free_secret(key);
	free(cert);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto_make_cert_parses),
		cmocka_unit_test(test_crypto_make_cert_serial),
		cmocka_unit_test(test_crypto_make_cert_subject),
		cmocka_unit_test(test_crypto_make_cert_engine_unit_limit),
		cmocka_unit_test(test_crypto_make_cert_skips_empty_fields),
		cmocka_unit_test(test_crypto_make_cert_utf8),
		cmocka_unit_test(test_crypto_make_cert_errors),
		cmocka_unit_test_setup_teardown(
		    test_crypto_spki_matches_openssl_cli, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test(test_crypto_spki_independent),
		cmocka_unit_test(test_crypto_spki_vector),
		cmocka_unit_test(test_crypto_spki_errors),
		cmocka_unit_test(test_crypto_password_round_trip),
		cmocka_unit_test(test_crypto_password_salted),
		cmocka_unit_test(test_crypto_password_format),
		cmocka_unit_test(test_crypto_password_other_parameters),
		cmocka_unit_test(test_crypto_password_verify_rejects_malformed),
		cmocka_unit_test(test_crypto_uuid_format),
		cmocka_unit_test(test_crypto_uuid_unique),
		cmocka_unit_test(test_crypto_sha256_vectors),
		cmocka_unit_test(test_crypto_sha256_file),
		cmocka_unit_test(test_crypto_cert_not_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
