/* Tests for confgen.c: every generated file is well-formed XML (parsed with
 * expat) and carries its values through unchanged. */
#include "fixture.h"

#include <expat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confgen.h"
#include "crypto.h"
#include "error.h"
#include "util.h"

#define MAX_ATTRS 64

struct attr {
	int elem;             /* ordinal of the element, from 0 */
	char *elem_name;
	char *name;
	char *value;
};

/* What expat reported about one document. */
struct doc {
	struct attr attrs[MAX_ATTRS];
	int nattrs;
	int nelems;
	char *elem_names[MAX_ATTRS];
	int depth;
	int max_depth;
	char *root;
	char *decl_version;
	char *decl_encoding;
	const char *text_of;  /* collect the text inside this element */
	int in_text;
	struct sbuf text;
};

static void XMLCALL
doc_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct doc *d = ud;
	int i;

	assert_true(d->nelems < MAX_ATTRS);
	d->elem_names[d->nelems] = xstrdup(name);
	if (d->depth == 0)
		d->root = xstrdup(name);
	for (i = 0; atts[i] != NULL; i += 2) {
		struct attr *a = &d->attrs[d->nattrs++];

		assert_true(d->nattrs <= MAX_ATTRS);
		a->elem = d->nelems;
		a->elem_name = xstrdup(name);
		a->name = xstrdup(atts[i]);
		a->value = xstrdup(atts[i + 1]);
	}
	d->nelems++;
	d->depth++;
	if (d->depth > d->max_depth)
		d->max_depth = d->depth;
	if (d->text_of != NULL && strcmp(name, d->text_of) == 0)
		d->in_text++;
}

static void XMLCALL
doc_end(void *ud, const XML_Char *name)
{
	struct doc *d = ud;

	d->depth--;
	if (d->text_of != NULL && strcmp(name, d->text_of) == 0)
		d->in_text--;
}

static void XMLCALL
doc_chars(void *ud, const XML_Char *s, int len)
{
	struct doc *d = ud;

	if (d->in_text > 0)
		sbuf_addn(&d->text, s, (size_t)len);
}

static void XMLCALL
doc_decl(void *ud, const XML_Char *version, const XML_Char *encoding,
    int standalone)
{
	struct doc *d = ud;

	(void)standalone;
	d->decl_version = version != NULL ? xstrdup(version) : NULL;
	d->decl_encoding = encoding != NULL ? xstrdup(encoding) : NULL;
}

/* Parse xml; fails the test unless it is well-formed. */
static void
doc_parse(struct doc *d, const char *xml, const char *text_of)
{
	XML_Parser p;

	memset(d, 0, sizeof *d);
	sbuf_init(&d->text);
	d->text_of = text_of;
	p = XML_ParserCreate(NULL);
	assert_non_null(p);
	XML_SetUserData(p, d);
	XML_SetElementHandler(p, doc_start, doc_end);
	XML_SetCharacterDataHandler(p, doc_chars);
	XML_SetXmlDeclHandler(p, doc_decl);
	if (XML_Parse(p, xml, (int)strlen(xml), 1) != XML_STATUS_OK)
		fail_msg("not well-formed: %s at line %lu column %lu in:\n%s",
		    XML_ErrorString(XML_GetErrorCode(p)),
		    (unsigned long)XML_GetCurrentLineNumber(p),
		    (unsigned long)XML_GetCurrentColumnNumber(p), xml);
	XML_ParserFree(p);
	assert_int_equal(d->depth, 0);
}

static void
doc_free(struct doc *d)
{
	int i;

	for (i = 0; i < d->nattrs; i++) {
		free(d->attrs[i].elem_name);
		free(d->attrs[i].name);
		free(d->attrs[i].value);
	}
	for (i = 0; i < d->nelems; i++)
		free(d->elem_names[i]);
	free(d->root);
	free(d->decl_version);
	free(d->decl_encoding);
	sbuf_free(&d->text);
}

/* The value of attribute `name` on the nth element called `elem`. */
static const char *
doc_attr_n(const struct doc *d, const char *elem, int nth, const char *name)
{
	int i, seen = -1, last = -1;

	for (i = 0; i < d->nattrs; i++) {
		const struct attr *a = &d->attrs[i];

		if (strcmp(a->elem_name, elem) != 0)
			continue;
		if (a->elem != last) {
			last = a->elem;
			seen++;
		}
		if (seen == nth && strcmp(a->name, name) == 0)
			return a->value;
	}
	return NULL;
}

static const char *
doc_attr(const struct doc *d, const char *elem, const char *name)
{
	return doc_attr_n(d, elem, 0, name);
}

static int
doc_count(const struct doc *d, const char *elem)
{
	int i, n = 0;

	for (i = 0; i < d->nelems; i++)
		if (strcmp(d->elem_names[i], elem) == 0)
			n++;
	return n;
}

/* Names of the attributes of the first `elem`, in document order, joined
 * by spaces. Caller frees. */
static char *
doc_attr_names(const struct doc *d, const char *elem)
{
	struct sbuf b;
	int i, first = -1;

	sbuf_init(&b);
	for (i = 0; i < d->nattrs; i++) {
		if (strcmp(d->attrs[i].elem_name, elem) != 0)
			continue;
		if (first == -1)
			first = d->attrs[i].elem;
		if (d->attrs[i].elem != first)
			break;
		if (b.len > 0)
			sbuf_add(&b, " ");
		sbuf_add(&b, d->attrs[i].name);
	}
	return sbuf_detach(&b);
}

static void
check_decl(const struct doc *d)
{
	assert_non_null(d->decl_version);
	assert_string_equal(d->decl_version, "1.0");
	assert_non_null(d->decl_encoding);
	assert_string_equal(d->decl_encoding, "UTF-8");
}

/* Insert an entry before </Consoles>, as the pairing code does. */
static char *
consoles_with(const char *doc, const char *entry)
{
	const char *end = strstr(doc, "</Consoles>");

	assert_non_null(end);
	return xasprintf("%.*s%s%s", (int)(end - doc), doc, entry, end);
}

static void
test_confgen_nse_xml_engine_to_console(void **state)
{
	static const char want[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!-- Written by engine-setup. -->\n"
	    "<NSEConfig version=\"7.3.1\">\n"
	    "  <Engine id=\"3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b\" "
	    "name=\"engine01\" communication=\"engine-to-console\"/>\n"
	    "  <Listener enabled=\"0\" port=\"40814\"/>\n"
	    "  <Certificate key=\"nse/conf/nse.key\" "
	    "cert=\"nse/conf/nse.crt\"/>\n"
	    "</NSEConfig>\n";
	struct confgen_engine c = {
		.name = "engine01",
		.id = "3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b",
		.communication = "engine-to-console",
		.port = 40814,
		.version = "7.3.1",
	};
	struct doc d;
	char *xml;

	(void)state;
	xml = confgen_nse_xml(&c);
	assert_string_equal(xml, want);
	doc_parse(&d, xml, NULL);
	check_decl(&d);
	assert_string_equal(d.root, "NSEConfig");
	assert_int_equal(d.max_depth, 2);
	assert_string_equal(doc_attr(&d, "NSEConfig", "version"), "7.3.1");
	assert_string_equal(doc_attr(&d, "Engine", "id"), c.id);
	assert_string_equal(doc_attr(&d, "Engine", "name"), "engine01");
	assert_string_equal(doc_attr(&d, "Engine", "communication"),
	    "engine-to-console");
	assert_string_equal(doc_attr(&d, "Listener", "enabled"), "0");
	assert_string_equal(doc_attr(&d, "Listener", "port"), "40814");
	assert_string_equal(doc_attr(&d, "Certificate", "key"),
	    "nse/conf/nse.key");
	assert_string_equal(doc_attr(&d, "Certificate", "cert"),
	    "nse/conf/nse.crt");
	doc_free(&d);
	free(xml);
}

static void
test_confgen_nse_xml_console_to_engine(void **state)
{
	struct confgen_engine c = {
		.name = "engine02",
		.id = "00000000-0000-4000-8000-000000000000",
		.communication = "console-to-engine",
		.port = 41000,
		.version = "7.3.1",
	};
	struct doc d;
	char *xml;

	(void)state;
	xml = confgen_nse_xml(&c);
	doc_parse(&d, xml, NULL);
	assert_string_equal(doc_attr(&d, "Engine", "communication"),
	    "console-to-engine");
	assert_string_equal(doc_attr(&d, "Listener", "enabled"), "1");
	assert_string_equal(doc_attr(&d, "Listener", "port"), "41000");
	doc_free(&d);
	free(xml);
}

static void
test_confgen_nse_xml_special_characters(void **state)
{
	static const char *names[] = {
		"R&D <lab> \"east\" 'west'",
		"a&amp;b",
		"]]> --> <!-- <![CDATA[",
		"Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x94\x92",
		"tab\tnew\nline\rcr",
		"   leading and trailing   ",
		"",
	};
	struct confgen_engine c = {
		.id = "00000000-0000-4000-8000-000000000000",
		.communication = "engine-to-console",
		.port = 40814,
		.version = "7.3.1",
	};
	struct doc d;
	char *xml;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		c.name = names[i];
		xml = confgen_nse_xml(&c);
		doc_parse(&d, xml, NULL);
		assert_string_equal(doc_attr(&d, "Engine", "name"), names[i]);
		assert_int_equal(d.nelems, 4);
		doc_free(&d);
		free(xml);
	}
}

/* Attack: an engine name that closes the attribute to add its own. */
static void
test_confgen_nse_xml_attribute_injection(void **state)
{
	static const char evil[] = "x\" communication=\"console-to-engine\"/>"
	    "<Listener enabled=\"1\" port=\"22\"/><Engine name=\"";
	struct confgen_engine c = {
		.name = evil,
		.id = "00000000-0000-4000-8000-000000000000",
		.communication = "engine-to-console",
		.port = 40814,
		.version = "7.3.1",
	};
	struct doc d;
	char *xml;

	(void)state;
	xml = confgen_nse_xml(&c);
	doc_parse(&d, xml, NULL);
	assert_string_equal(doc_attr(&d, "Engine", "name"), evil);
	assert_string_equal(doc_attr(&d, "Engine", "communication"),
	    "engine-to-console");
	assert_int_equal(doc_count(&d, "Engine"), 1);
	assert_int_equal(doc_count(&d, "Listener"), 1);
	assert_string_equal(doc_attr(&d, "Listener", "enabled"), "0");
	doc_free(&d);
	free(xml);
}

/* Bytes XML cannot carry become U+FFFD; the file stays well-formed. */
static void
test_confgen_invalid_characters(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a\x01" "b", "a\xef\xbf\xbd" "b" },
		{ "\x1b[31mred", "\xef\xbf\xbd[31mred" },
		{ "bad \xff byte", "bad \xef\xbf\xbd byte" },
		{ "cut \xc3", "cut \xef\xbf\xbd" },
		{ "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
		{ "overlong \xe0\x80\xaf",
		  "overlong \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "surrogate \xed\xa0\x80",
		  "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "nonchar \xef\xbf\xbe",
		  "nonchar \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "big \xf4\x90\x80\x80", "big \xef\xbf\xbd\xef\xbf\xbd"
		  "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "ok \xf4\x8f\xbf\xbd \xc2\xa0 \x7f",
		  "ok \xf4\x8f\xbf\xbd \xc2\xa0 \x7f" },
	};
	struct confgen_engine c = {
		.id = "00000000-0000-4000-8000-000000000000",
		.communication = "engine-to-console",
		.port = 40814,
		.version = "7.3.1",
	};
	struct doc d;
	char *xml;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c.name = cases[i].in;
		xml = confgen_nse_xml(&c);
		doc_parse(&d, xml, NULL);
		assert_string_equal(doc_attr(&d, "Engine", "name"),
		    cases[i].out);
		doc_free(&d);
		free(xml);
	}
}

static void
test_confgen_nse_xml_null_fields(void **state)
{
	struct confgen_engine c = { 0 };
	struct doc d;
	char *xml;

	(void)state;
	xml = confgen_nse_xml(&c);
	doc_parse(&d, xml, NULL);
	assert_string_equal(doc_attr(&d, "NSEConfig", "version"), "");
	assert_string_equal(doc_attr(&d, "Engine", "name"), "");
	assert_string_equal(doc_attr(&d, "Listener", "enabled"), "0");
	doc_free(&d);
	free(xml);
}

static void
test_confgen_consoles_xml_empty(void **state)
{
	struct doc d;
	char *xml;

	(void)state;
	xml = confgen_consoles_xml_empty();
	assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Consoles>\n</Consoles>\n");
	doc_parse(&d, xml, NULL);
	check_decl(&d);
	assert_string_equal(d.root, "Consoles");
	assert_int_equal(d.nelems, 1);
	assert_int_equal(d.nattrs, 0);
	doc_free(&d);
	free(xml);
}

/* The element pairing-protocol.md ("After pairing") shows, with a real
 * certificate that survives the trip through the file. */
static void
test_confgen_consoles_entry(void **state)
{
	struct es_err e = { 0 };
	struct confgen_console_entry c = {
		.id = 1,
		.enabled = true,
		.connect_to = true,
		.name = "Console & Co <main>",
		.last_address = "2001:db8::1",
		.port = 40815,
		.console_id = "c0ffee-42",
	};
	char *key, *cert, *entry, *empty, *xml, spki[72], spki2[72], *names;
	struct doc d;

	(void)state;
	assert_true(crypto_make_cert("console", "Example", NULL, 30, &key,
	    &cert, &e));
	assert_true(crypto_cert_spki(cert, spki, sizeof spki, &e));
	c.spki = spki;
	c.cert_pem = cert;

	entry = confgen_consoles_entry(&c);
	assert_true(str_has_prefix(entry, "  <console id=\"1\" enabled=\"1\" "
	    "connectTo=\"1\" name=\"Console &amp; Co &lt;main&gt;\" "));
	assert_true(str_has_suffix(entry, "</cert>\n  </console>\n"));
	/* The PEM stays as lines, not one line of &#10;. */
	assert_non_null(strstr(entry, "<cert>-----BEGIN CERTIFICATE-----\n"));
	empty = confgen_consoles_xml_empty();
	xml = consoles_with(empty, entry);
	doc_parse(&d, xml, "cert");
	check_decl(&d);
	assert_string_equal(d.root, "Consoles");
	assert_int_equal(doc_count(&d, "console"), 1);
	assert_int_equal(doc_count(&d, "cert"), 1);
	assert_int_equal(d.max_depth, 3);

	names = doc_attr_names(&d, "console");
	assert_string_equal(names, "id enabled connectTo name lastAddress port "
	    "consoleId spki");
	free(names);
	assert_string_equal(doc_attr(&d, "console", "id"), "1");
	assert_string_equal(doc_attr(&d, "console", "enabled"), "1");
	assert_string_equal(doc_attr(&d, "console", "connectTo"), "1");
	assert_string_equal(doc_attr(&d, "console", "name"), c.name);
	assert_string_equal(doc_attr(&d, "console", "lastAddress"),
	    "2001:db8::1");
	assert_string_equal(doc_attr(&d, "console", "port"), "40815");
	assert_string_equal(doc_attr(&d, "console", "consoleId"), "c0ffee-42");
	assert_string_equal(doc_attr(&d, "console", "spki"), spki);

	assert_string_equal(d.text.s, cert);
	assert_true(crypto_cert_spki(d.text.s, spki2, sizeof spki2, &e));
	assert_string_equal(spki2, spki);

	doc_free(&d);
	free(xml);
	free(empty);
	free(entry);
	util_free_secret(key);
	free(cert);
}

static void
test_confgen_consoles_two_entries(void **state)
{
	struct confgen_console_entry a = {
		.id = 1, .enabled = true, .connect_to = true, .name = "east",
		.last_address = "10.0.0.5", .port = 40815,
		.console_id = "A", .spki = "sha256:aa",
		.cert_pem = "-----BEGIN CERTIFICATE-----\r\nAAAA\r\n"
		    "-----END CERTIFICATE-----\r\n",
	};
	struct confgen_console_entry b = {
		.id = 2, .enabled = false, .connect_to = false,
		.name = "west", .port = 40816,
	};
	char *ea, *eb, *empty, *one, *two;
	struct doc d;

	(void)state;
	ea = confgen_consoles_entry(&a);
	eb = confgen_consoles_entry(&b);
	empty = confgen_consoles_xml_empty();
	one = consoles_with(empty, ea);
	two = consoles_with(one, eb);
	doc_parse(&d, two, "cert");
	assert_int_equal(doc_count(&d, "console"), 2);
	assert_string_equal(doc_attr_n(&d, "console", 0, "name"), "east");
	assert_string_equal(doc_attr_n(&d, "console", 1, "id"), "2");
	assert_string_equal(doc_attr_n(&d, "console", 1, "enabled"), "0");
	assert_string_equal(doc_attr_n(&d, "console", 1, "connectTo"), "0");
	assert_string_equal(doc_attr_n(&d, "console", 1, "port"), "40816");
	assert_string_equal(doc_attr_n(&d, "console", 1, "lastAddress"), "");
	assert_string_equal(doc_attr_n(&d, "console", 1, "spki"), "");
	/* Carriage returns survive too (escaped, or the parser drops them). */
	assert_string_equal(d.text.s, a.cert_pem);
	doc_free(&d);
	free(two);
	free(one);
	free(empty);
	free(eb);
	free(ea);
}

/* Attack: a console answers pairing with a name, id and certificate made
 * to add a second, enabled console entry to consoles.xml. */
static void
test_confgen_consoles_entry_hostile_console(void **state)
{
	static const char evil_name[] = "x\" enabled=\"1\"><cert/></console>"
	    "<console id=\"99\" lastAddress=\"evil.example\" name=\"";
	static const char evil_id[] = "id\"/><!--";
	static const char evil_cert[] = "</cert></console><console id=\"98\">"
	    "<cert>]]><![CDATA[\x01\xff";
	struct confgen_console_entry c = {
		.id = 3, .enabled = false, .connect_to = true,
		.name = evil_name, .last_address = "10.0.0.5", .port = 40815,
		.console_id = evil_id, .spki = "sha256:00",
		.cert_pem = evil_cert,
	};
	char *entry, *empty, *xml;
	struct doc d;

	(void)state;
	entry = confgen_consoles_entry(&c);
	empty = confgen_consoles_xml_empty();
	xml = consoles_with(empty, entry);
	doc_parse(&d, xml, "cert");
	assert_int_equal(doc_count(&d, "console"), 1);
	assert_int_equal(doc_count(&d, "cert"), 1);
	assert_string_equal(doc_attr(&d, "console", "id"), "3");
	assert_string_equal(doc_attr(&d, "console", "enabled"), "0");
	assert_string_equal(doc_attr(&d, "console", "name"), evil_name);
	assert_string_equal(doc_attr(&d, "console", "consoleId"), evil_id);
	assert_string_equal(d.text.s, "</cert></console><console id=\"98\">"
	    "<cert>]]><![CDATA[\xef\xbf\xbd\xef\xbf\xbd");
	doc_free(&d);
	free(xml);
	free(empty);
	free(entry);
}

static void
test_confgen_nsc_xml(void **state)
{
	struct confgen_console c = {
		.web_port = 3780,
		.version = "7.3.1",
		.admin_user = "admin",
		.admin_hash = "pbkdf2-sha256$1000$AAAA$BBBB",
	};
	struct doc d;
	char *xml;

	(void)state;
	xml = confgen_nsc_xml(&c);
	doc_parse(&d, xml, NULL);
	check_decl(&d);
	assert_string_equal(d.root, "NSCConfig");
	assert_string_equal(doc_attr(&d, "NSCConfig", "version"), "7.3.1");
	assert_string_equal(doc_attr(&d, "WebServer", "port"), "3780");
	/* The console configuration holds no password material. */
	assert_null(strstr(xml, "pbkdf2"));
	assert_null(strstr(xml, "admin"));
	doc_free(&d);
	free(xml);
}

static void
test_confgen_userdb_xml(void **state)
{
	static const char user[] = "J\xc3\xb6rg \"admin\" <&>";
	struct es_err e = { 0 };
	struct confgen_console c = {
		.web_port = 3780,
		.version = "7.3.1",
		.admin_user = user,
	};
	struct doc d;
	char *xml, *hash;

	(void)state;
	hash = crypto_password_hash("correct horse battery staple", &e);
	assert_non_null(hash);
	c.admin_hash = hash;
	xml = confgen_userdb_xml(&c);
	doc_parse(&d, xml, NULL);
	check_decl(&d);
	assert_string_equal(d.root, "Users");
	assert_int_equal(doc_count(&d, "User"), 1);
	assert_string_equal(doc_attr(&d, "User", "name"), user);
	assert_string_equal(doc_attr(&d, "User", "role"), "global-admin");
	assert_string_equal(doc_attr(&d, "User", "passwordHash"), hash);
	assert_true(crypto_password_verify("correct horse battery staple",
	    doc_attr(&d, "User", "passwordHash")));
	assert_null(strstr(xml, "horse"));
	doc_free(&d);
	free(xml);
	free(hash);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confgen_nse_xml_engine_to_console),
		cmocka_unit_test(test_confgen_nse_xml_console_to_engine),
		cmocka_unit_test(test_confgen_nse_xml_special_characters),
		cmocka_unit_test(test_confgen_nse_xml_attribute_injection),
		cmocka_unit_test(test_confgen_invalid_characters),
		cmocka_unit_test(test_confgen_nse_xml_null_fields),
		cmocka_unit_test(test_confgen_consoles_xml_empty),
		cmocka_unit_test(test_confgen_consoles_entry),
		cmocka_unit_test(test_confgen_consoles_two_entries),
		cmocka_unit_test(test_confgen_consoles_entry_hostile_console),
		cmocka_unit_test(test_confgen_nsc_xml),
		cmocka_unit_test(test_confgen_userdb_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
