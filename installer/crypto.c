#include "crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
crypto_init(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		fatal("OpenSSL cannot start");
}

#define CRYPTO_HASH_PREFIX	"pbkdf2-sha256$"
#define CRYPTO_HASH_ITER	600000
#define CRYPTO_HASH_ITER_MIN	1000
#define CRYPTO_HASH_ITER_MAX	10000000
#define CRYPTO_SALT_LEN		16
#define CRYPTO_KEY_LEN		32
#define CRYPTO_B64_MAX		128	/* decoded salt or hash, bytes */

/* Record an OpenSSL failure with the library's own reason, then clear the
 * OpenSSL error queue so that it does not leak into later messages. */
static void
crypto_error(struct es_err *e, const char *what)
{
	unsigned long code;
	char reason[256];

	code = ERR_get_error();
	if (code == 0)
		snprintf(reason, sizeof reason, "no reason given by OpenSSL");
	else
		ERR_error_string_n(code, reason, sizeof reason);
	ERR_clear_error();
	err_set(e, ES_EINSTALL, "%s: %s", what, reason);
}

/* Copy what a memory BIO holds into a new NUL-terminated string. */
static char *
crypto_bio_string(BIO *bio)
{
	char *data;
	long n;

	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return NULL;
	return xstrndup(data, (size_t)n);
}

/* Add one UTF-8 attribute to a name unless the value is NULL or empty. */
static bool
crypto_name_add(X509_NAME *name, const char *field, const char *title,
    const char *value, struct es_err *e)
{
	unsigned long code;
	char reason[256];

	if (value == NULL || *value == '\0')
		return true;
	if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0) == 1)
		return true;
	code = ERR_get_error();
	ERR_error_string_n(code, reason, sizeof reason);
	ERR_clear_error();
	/* RFC 5280, appendix A.1: ub-common-name, ub-organization-name and
	 * ub-organizational-unit-name are 64. */
	err_set(e, ES_EINSTALL, "cannot use \"%s\" as the %s (%s) of the "
	    "certificate: %s. It must be valid UTF-8 of at most 64 "
	    "characters; shorten the answer it was made from", value, title,
	    field, reason);
	return false;
}

/* Add one extension written in openssl x509v3_config(5) syntax. */
static bool
crypto_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int ok;

	ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	if (ext == NULL)
		return false;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1;
}

/* Fill in the fields of a new certificate and sign it with its own key. */
static bool
crypto_build_cert(X509 *x, EVP_PKEY *pkey, const char *cn, const char *org,
    const char *ou, int days, struct es_err *e)
{
	X509_NAME *name = NULL;
	BIGNUM *serial = NULL;
	X509V3_CTX ctx;
	bool ok = false;

	if (X509_set_version(x, X509_VERSION_3) != 1)
		goto fail;

	/* RFC 5280, 4.1.2.2: a positive serial of at most 20 octets. */
	serial = BN_new();
	if (serial == NULL ||
	    BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1)
		goto fail;
	if (BN_is_zero(serial) && BN_one(serial) != 1)
		goto fail;
	if (BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL)
		goto fail;

	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL)
		goto fail;
	if (X509_set_pubkey(x, pkey) != 1)
		goto fail;

	/* Most significant first, so it reads CN=..,OU=..,O=.. (RFC 4514). */
	name = X509_NAME_new();
	if (name == NULL)
		goto fail;
	if (!crypto_name_add(name, "O", "organization", org, e) ||
	    !crypto_name_add(name, "OU", "organizational unit", ou, e) ||
	    !crypto_name_add(name, "CN", "common name", cn, e))
		goto out;
	if (X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		goto fail;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!crypto_add_ext(x, &ctx, NID_basic_constraints,
	    "critical,CA:FALSE") ||
	    !crypto_add_ext(x, &ctx, NID_key_usage,
	    "critical,digitalSignature,keyEncipherment") ||
	    !crypto_add_ext(x, &ctx, NID_ext_key_usage,
	    "serverAuth,clientAuth") ||
	    !crypto_add_ext(x, &ctx, NID_subject_key_identifier, "hash"))
		goto fail;

	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto fail;
	ok = true;
	goto out;

fail:
	crypto_error(e, "cannot build the certificate");
out:
	X509_NAME_free(name);
	BN_free(serial);
	return ok;
}

bool
crypto_make_cert(const char *cn, const char *org, const char *ou, int days,
    char **key_pem, char **cert_pem, struct es_err *e)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	BIO *kbio = NULL, *cbio = NULL;
	bool ok = false;

	*key_pem = NULL;
	*cert_pem = NULL;
	if (days <= 0) {
		err_set(e, ES_EINSTALL, "cannot make a certificate valid for "
		    "%d days: the validity must be at least one day", days);
		goto out;
	}

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (pkey == NULL) {
		crypto_error(e, "cannot generate an EC P-256 key");
		goto out;
	}
	x = X509_new();
	if (x == NULL) {
		crypto_error(e, "cannot build the certificate");
		goto out;
	}
	if (!crypto_build_cert(x, pkey, cn, org, ou, days, e))
		goto out;

	/* The key goes through secure memory, which OpenSSL clears on free. */
	kbio = BIO_new(BIO_s_secmem());
	cbio = BIO_new(BIO_s_mem());
	if (kbio == NULL || cbio == NULL ||
	    PEM_write_bio_PrivateKey(kbio, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1 ||
	    PEM_write_bio_X509(cbio, x) != 1) {
		crypto_error(e, "cannot encode the key and certificate as PEM");
		goto out;
	}
	*key_pem = crypto_bio_string(kbio);
	*cert_pem = crypto_bio_string(cbio);
	if (*key_pem == NULL || *cert_pem == NULL) {
		err_set(e, ES_EINSTALL, "cannot encode the key and "
		    "certificate as PEM: OpenSSL wrote nothing");
		util_free_secret(*key_pem);
		free(*cert_pem);
		*key_pem = NULL;
		*cert_pem = NULL;
		goto out;
	}
	ok = true;

out:
	BIO_free(kbio);
	BIO_free(cbio);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ok;
}

/* One entry of name as a new UTF-8 string, or NULL. */
static char *
crypto_name_get(X509_NAME *name, int nid)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *u = NULL;
	char *s;
	int n;

	if (i < 0)
		return NULL;
	n = ASN1_STRING_to_UTF8(&u,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0)
		return NULL;
	s = xstrndup((const char *)u, (size_t)n);
	OPENSSL_free(u);
	return s;
}

bool
crypto_cert_subject(const char *cert_pem, char **cn, char **org, char **ou,
    struct es_err *e)
{
	BIO *bio;
	X509 *x = NULL;
	X509_NAME *name;

	*cn = *org = *ou = NULL;
	bio = BIO_new_mem_buf(cert_pem, -1);
	if (bio != NULL)
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL || (name = X509_get_subject_name(x)) == NULL) {
		crypto_error(e, "cannot read the certificate as PEM");
		X509_free(x);
		return false;
	}
	*cn = crypto_name_get(name, NID_commonName);
	*org = crypto_name_get(name, NID_organizationName);
	*ou = crypto_name_get(name, NID_organizationalUnitName);
	X509_free(x);
	return true;
}

bool
crypto_cert_spki(const char *cert_pem, char *out, size_t outsz,
    struct es_err *e)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	EVP_PKEY *pkey;
	unsigned char *der = NULL;
	int len;
	bool ok = false;

	if (outsz < sizeof "sha256:" - 1 + 64 + 1) {
		err_set(e, ES_EINTERNAL, "crypto_cert_spki: buffer of %zu "
		    "bytes is too small", outsz);
		goto out;
	}
	if (cert_pem == NULL || *cert_pem == '\0') {
		err_set(e, ES_EINSTALL, "cannot read the certificate: "
		    "it is empty");
		goto out;
	}
	bio = BIO_new_mem_buf(cert_pem, -1);
	if (bio == NULL) {
		crypto_error(e, "cannot read the certificate");
		goto out;
	}
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL) {
		crypto_error(e, "cannot read the certificate as PEM");
		goto out;
	}
	pkey = X509_get0_pubkey(x);
	if (pkey == NULL) {
		crypto_error(e, "cannot read the certificate's public key");
		goto out;
	}
	len = i2d_PUBKEY(pkey, &der);
	if (len <= 0) {
		crypto_error(e, "cannot encode the certificate's public key");
		goto out;
	}
	memcpy(out, "sha256:", 7);
	crypto_sha256_hex(der, (size_t)len, out + 7);
	ok = true;

out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return ok;
}

/* Standard base64 of n bytes, no newlines; caller frees. */
static char *
crypto_b64_encode(const unsigned char *in, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

/* Decode s[0..n) as padded standard base64 into out; the decoded length,
 * or -1 when s is not base64 or does not fit. */
static int
crypto_b64_decode(const char *s, size_t n, unsigned char *out, size_t outsz)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char buf[CRYPTO_B64_MAX + 3];
	size_t i, pad = 0;
	int len;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof buf)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (pad > 0 || s[i] == '\0' || strchr(alphabet, s[i]) == NULL)
			return -1;
	}
	len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len < pad || (size_t)len - pad > outsz) {
		util_wipe(buf, sizeof buf);
		return -1;
	}
	len -= (int)pad;
	memcpy(out, buf, (size_t)len);
	util_wipe(buf, sizeof buf);
	return len;
}

char *
crypto_base64_encode(const void *data, size_t n)
{
	return crypto_b64_encode(data, n);
}

void *
crypto_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), pad = 0;
	unsigned char *out;
	int got;

	if (n % 4 != 0 || n / 4 * 3 > (size_t)INT_MAX)
		return NULL;
	if (n >= 1 && s[n - 1] == '=')
		pad++;
	if (n >= 2 && s[n - 2] == '=')
		pad++;
	out = xmalloc(n / 4 * 3 + 1);
	if (n == 0) {
		*len = 0;
		return out;
	}
	/* EVP_DecodeBlock refuses characters outside the alphabet and
	 * counts the padding as zero bytes (EVP_EncodeInit(3)). */
	got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*len = (size_t)got - pad;
	return out;
}

char *
crypto_password_hash(const char *password, struct es_err *e)
{
	unsigned char salt[CRYPTO_SALT_LEN], key[CRYPTO_KEY_LEN];
	char *salt64 = NULL, *key64 = NULL, *result = NULL;

	if (password == NULL) {
		err_set(e, ES_EINTERNAL, "crypto_password_hash: no password");
		goto out;
	}
	if (RAND_bytes(salt, sizeof salt) != 1) {
		crypto_error(e, "cannot get random bytes for a password salt");
		goto out;
	}
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
	    (int)sizeof salt, CRYPTO_HASH_ITER, EVP_sha256(), (int)sizeof key,
	    key) != 1) {
		crypto_error(e, "cannot hash the password");
		goto out;
	}
	salt64 = crypto_b64_encode(salt, sizeof salt);
	key64 = crypto_b64_encode(key, sizeof key);
	result = xasprintf(CRYPTO_HASH_PREFIX "%d$%s$%s", CRYPTO_HASH_ITER,
	    salt64, key64);

out:
	util_wipe(salt, sizeof salt);
	util_wipe(key, sizeof key);
	util_free_secret(salt64);
	util_free_secret(key64);
	return result;
}

bool
crypto_password_verify(const char *password, const char *stored)
{
	unsigned char salt[CRYPTO_B64_MAX], want[CRYPTO_B64_MAX];
	unsigned char got[CRYPTO_B64_MAX];
	const char *p, *salt64, *key64;
	unsigned long iter = 0;
	int saltlen = -1, keylen = -1;
	bool ok = false;

	if (password == NULL || stored == NULL ||
	    !str_has_prefix(stored, CRYPTO_HASH_PREFIX))
		goto out;

	/* Iterations: plain decimal digits, no sign, no leading zero. */
	p = stored + strlen(CRYPTO_HASH_PREFIX);
	if (*p < '1' || *p > '9')
		goto out;
	for (; *p >= '0' && *p <= '9'; p++) {
		iter = iter * 10 + (unsigned long)(*p - '0');
		if (iter > CRYPTO_HASH_ITER_MAX)
			goto out;
	}
	if (iter < CRYPTO_HASH_ITER_MIN || *p != '$')
		goto out;

	salt64 = p + 1;
	p = strchr(salt64, '$');
	if (p == NULL)
		goto out;
	key64 = p + 1;
	if (strchr(key64, '$') != NULL)
		goto out;
	saltlen = crypto_b64_decode(salt64, (size_t)(p - salt64), salt,
	    sizeof salt);
	keylen = crypto_b64_decode(key64, strlen(key64), want, sizeof want);
	if (saltlen < 8 || keylen < 16)
		goto out;

	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, saltlen,
	    (int)iter, EVP_sha256(), keylen, got) != 1) {
		ERR_clear_error();
		goto out;
	}
	ok = CRYPTO_memcmp(got, want, (size_t)keylen) == 0;

out:
	util_wipe(salt, sizeof salt);
	util_wipe(want, sizeof want);
	util_wipe(got, sizeof got);
	return ok;
}

void
crypto_uuid(char out[37])
{
	unsigned char b[16];
	char hex[33];

	if (RAND_bytes(b, sizeof b) != 1)
		fatal("cannot get random bytes from OpenSSL for a UUID");
	/* RFC 9562, 5.4: version 4 in the high nibble of octet 6, variant
	 * 10x in the high bits of octet 8. */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	hex_encode(b, sizeof b, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	    hex + 12, hex + 16, hex + 20);
}

void
crypto_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		fatal("OpenSSL cannot compute SHA-256");
	hex_encode(md, mdlen, out);
}

bool
crypto_sha256_file(FILE *f, char out[65])
{
	unsigned char buf[64 * 1024], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n;
	bool ok = false;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatal("OpenSSL cannot compute SHA-256");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (EVP_DigestUpdate(ctx, buf, n) != 1)
			fatal("OpenSSL cannot compute SHA-256");
	if (!ferror(f)) {
		if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
			fatal("OpenSSL cannot compute SHA-256");
		hex_encode(md, 32, out);
		ok = true;
	}
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool
crypto_cert_not_after(const char *cert_pem, char *out, size_t outsz,
    bool *expired, struct es_err *e)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	const ASN1_TIME *t;
	struct tm tm;
	bool ok = false;

	if (cert_pem == NULL || *cert_pem == '\0') {
		err_set(e, ES_EINSTALL, "cannot read the certificate: "
		    "it is empty");
		goto out;
	}
	if ((bio = BIO_new_mem_buf(cert_pem, -1)) == NULL) {
		crypto_error(e, "cannot read the certificate");
		goto out;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		crypto_error(e, "cannot read the certificate as PEM");
		goto out;
	}
	t = X509_get0_notAfter(x);
	/* ASN1_TIME_to_tm(3): the time in UTC, whichever form it has. */
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		crypto_error(e, "cannot read the certificate's expiry");
		goto out;
	}
	/* X509_cmp_current_time(3): -1 when t is earlier than now. */
	*expired = X509_cmp_current_time(t) < 0;
	ok = true;
out:
	X509_free(x);
	BIO_free(bio);
	return ok;
}
