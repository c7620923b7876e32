#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

#define MINIMAL \
	"product = P\n" \
	"version = 1.2.3\n" \
	"component.engine.dir = engine\n"

/* Parse text that must fail; returns the error for the caller to check. */
static struct es_err
parse_fails(const char *text)
{
	struct manifest m;
	struct es_err e;

	memset(&e, 0, sizeof e);
	assert_false(manifest_parse(&m, text, strlen(text), "test.manifest",
	    &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_null(m.product);
	assert_int_equal(m.ncomp, 0);
	manifest_free(&m);
	return e;
}

static void
assert_contains(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, want);
}

static void
test_manifest_sample_payload(void **state)
{
	struct manifest m;
	struct es_err e;
	char *text;
	size_t len;

	(void)state;
	memset(&e, 0, sizeof e);
	text = fixture_read(ES_SOURCE_DIR "/payload/manifest", &len);
	assert_non_null(text);
	assert_true(manifest_parse(&m, text, len, "payload/manifest", &e));
	assert_string_equal(m.product, "Nexpose");
	assert_string_equal(m.version, "7.3.1");
	assert_string_equal(m.license, "LICENSE.txt");
	assert_true(m.mem_min == 2048ull << 20);
	assert_true(m.mem_rec == 16384ull << 20);
	assert_true(m.disk_min == 256ull << 20);
	assert_true(m.disk_rec == 10240ull << 20);
	assert_int_equal(m.cpu_min, 1);
	assert_int_equal(m.cpu_rec, 4);
	assert_int_equal(m.os.n, 2);
	assert_string_equal(m.os.v[0], "linux");
	assert_string_equal(m.os.v[1], "windows");
	assert_int_equal(m.arch.n, 4);
	assert_true(strlist_contains(&m.arch, "aarch64"));
	assert_int_equal(m.config.n, 2);

	assert_int_equal(m.ncomp, 2);
	assert_string_equal(m.comp[0].name, "engine");
	assert_string_equal(m.comp[0].title, "Scan Engine");
	assert_string_equal(m.comp[0].dir, "engine");
	assert_null(m.comp[0].includes);
	assert_string_equal(m.comp[0].service, "nexposeengine");
	assert_string_equal(m.comp[0].exec, "nse/nseserv");
	assert_string_equal(m.comp[0].workdir, "nse");
	assert_string_equal(m.comp[0].ready_log, "nse/logs/nse.log");
	assert_string_equal(m.comp[0].ready_line,
	    "Scan Engine initialization completed");
	assert_string_equal(m.comp[0].ready_start, "Scan Engine starting");
	assert_string_equal(m.comp[0].ready_port, "engine_port");
	assert_string_equal(m.comp[1].ready_port, "3780");
	assert_string_equal(m.comp[1].name, "console");
	assert_string_equal(m.comp[1].includes, "engine");
	assert_string_equal(m.comp[1].description, "The Security Console, "
	    "its web interface and a local Scan Engine.");
	assert_ptr_equal(manifest_component(&m, "console"), &m.comp[1]);
	assert_null(manifest_component(&m, "agent"));

	assert_true(manifest_is_config(&m, "nse/conf"));
	assert_true(manifest_is_config(&m, "nse/conf/logging.xml"));
	assert_true(manifest_is_config(&m, "nsc/conf/a/b.xml"));
	assert_false(manifest_is_config(&m, "nse/confx"));
	assert_false(manifest_is_config(&m, "nse/conf.xml"));
	assert_false(manifest_is_config(&m, "nse"));
	assert_false(manifest_is_config(&m, "nse/bin/nse-version"));
	manifest_free(&m);
	manifest_free(&m);      /* idempotent */
	free(text);
}

static void
test_manifest_minimal_defaults(void **state)
{
	static const char text[] =
	    "\xef\xbb\xbf# a comment\r\n"
	    "\r\n"
	    "  product   =   Two words  \r\n"
	    "version=10.0.22\n"
	    "\t# indented comment\n"
	    "requirement.memory.min_mib = 100\n"
	    "config = a/b/ c\n"
	    "component.engine.dir = engine";   /* no final newline */
	struct manifest m;
	struct es_err e;

	(void)state;
	memset(&e, 0, sizeof e);
	assert_true(manifest_parse(&m, text, sizeof text - 1, "t", &e));
	assert_string_equal(m.product, "Two words");
	assert_string_equal(m.version, "10.0.22");
	assert_null(m.license);
	assert_true(m.mem_rec == m.mem_min);
	assert_true(m.mem_min == 100ull << 20);
	assert_int_equal(m.os.n, 0);
	assert_string_equal(m.config.v[0], "a/b");
	assert_true(manifest_is_config(&m, "a/b/x"));
	assert_true(manifest_is_config(&m, "c"));
	assert_string_equal(m.comp[0].title, "engine");
	assert_string_equal(m.comp[0].description, "");
	manifest_free(&m);
}

static void
test_manifest_unknown_key(void **state)
{
	struct es_err e;

	(void)state;
	e = parse_fails("product = P\nversion = 1.2.3\n\nproduckt = X\n"
	    "component.engine.dir = engine\n");
	assert_contains(e.msg, "test.manifest:4:");
	assert_contains(e.msg, "\"produckt\"");
	assert_contains(e.msg, "did you mean \"product\"");

	e = parse_fails(MINIMAL "component.engine.colour = red\n");
	assert_contains(e.msg, "test.manifest:4:");
	assert_contains(e.msg, "component.engine.colour");

	e = parse_fails(MINIMAL "component.engine = x\n");
	assert_contains(e.msg, "test.manifest:4:");

	e = parse_fails(MINIMAL "component.Bad!.dir = x\n");
	assert_contains(e.msg, "test.manifest:4:");
}

/* The readiness keys (docs/payload.md, "Readiness"): a log needs its
 * line and the reverse, the start line needs both, the port is
 * engine_port or a port number, and all of it needs a service. */
static void
test_manifest_ready_keys(void **state)
{
#define SERVICE MINIMAL "component.engine.service = svc\n" \
	"component.engine.exec = nse/run\n"
	struct manifest m;
	struct es_err e;
	static const char ok[] = SERVICE
	    "component.engine.ready.log = nse/logs/x.log\n"
	    "component.engine.ready.line = up and running\n"
	    "component.engine.ready.port = 8443\n";

	(void)state;
	memset(&e, 0, sizeof e);
	assert_true(manifest_parse(&m, ok, strlen(ok), "test.manifest", &e));
	assert_string_equal(m.comp[0].ready_line, "up and running");
	assert_null(m.comp[0].ready_start);
	assert_string_equal(m.comp[0].ready_port, "8443");
	manifest_free(&m);

	e = parse_fails(SERVICE "component.engine.ready.log = a.log\n");
	assert_contains(e.msg, "go together");
	e = parse_fails(SERVICE "component.engine.ready.line = up\n");
	assert_contains(e.msg, "go together");
	e = parse_fails(SERVICE "component.engine.ready.start = go\n");
	assert_contains(e.msg, "go together");
	e = parse_fails(SERVICE "component.engine.ready.log = ../a.log\n"
	    "component.engine.ready.line = up\n");
	assert_contains(e.msg, "test.manifest:6:");
	e = parse_fails(SERVICE "component.engine.ready.port = 0\n");
	assert_contains(e.msg, "neither engine_port nor a port");
	e = parse_fails(SERVICE "component.engine.ready.port = 65536\n");
	assert_contains(e.msg, "neither engine_port nor a port");
	e = parse_fails(SERVICE "component.engine.ready.port = console_port\n");
	assert_contains(e.msg, "neither engine_port nor a port");
	e = parse_fails(MINIMAL "component.engine.ready.port = 1\n");
	assert_contains(e.msg, "has no component.engine.service");
	e = parse_fails(MINIMAL "component.engine.ready.colour = red\n");
	assert_contains(e.msg, "ready.log, ready.line, ready.start and "
	    "ready.port");
#undef SERVICE
}

static void
test_manifest_duplicate_key(void **state)
{
	struct es_err e;

	(void)state;
	e = parse_fails(MINIMAL "# again\nversion = 1.2.4\n");
	assert_contains(e.msg, "test.manifest:5:");
	assert_contains(e.msg, "duplicate key \"version\"");
	assert_contains(e.msg, "line 2");

	e = parse_fails(MINIMAL "component.engine.dir = other\n");
	assert_contains(e.msg, "test.manifest:4:");
	assert_contains(e.msg, "component.engine.dir");
}

static void
test_manifest_required(void **state)
{
	struct es_err e;

	(void)state;
	e = parse_fails("version = 1.2.3\ncomponent.engine.dir = engine\n");
	assert_contains(e.msg, "product");
	e = parse_fails("product = P\ncomponent.engine.dir = engine\n");
	assert_contains(e.msg, "version");
	e = parse_fails("product = P\nversion = 1.2.3\n");
	assert_contains(e.msg, "no component");
	e = parse_fails("product = P\nversion = 1.2.3\n"
	    "component.engine.title = T\n");
	assert_contains(e.msg, "component.engine.dir");
	e = parse_fails("");
	assert_contains(e.msg, "product");
}

static void
test_manifest_bad_values(void **state)
{
	static const char *bad[] = {
		"version = 7.3\n",
		"version = 7.3.x\n",
		"version = 7.3.1.2\n",
		"version = v7.3.1\n",
		"license =\n",
		"requirement.memory.min_mib = lots\n",
		"requirement.memory.min_mib = -1\n",
		"requirement.memory.min_mib = 99999999999999999999\n",
		"requirement.cpu.min = 70000\n",
		"config = /etc\n",
		"config = a/../../etc\n",
		"license = ../LICENSE\n",
		"component.engine.exec = /bin/sh\n",
		"component.engine.includes = engine\n",
		"component.engine.includes = nothing\n",
		"component.engine.service = a b\n",
		"component.x.dir = engine\n",
		"just some text\n",
		"= value\n",
		"requirement.cpu.min = 4\nrequirement.cpu.recommended = 2\n",
	};
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		/* The version lines replace MINIMAL's. */
		text = xasprintf("%s%s", bad[i][0] == 'v' ?
		    "product = P\ncomponent.engine.dir = engine\n" :
		    MINIMAL, bad[i]);
		parse_fails(text);
		free(text);
	}
	/* A service needs a program; dirs must be one folder name. */
	parse_fails(MINIMAL "component.engine.service = s\n");
	parse_fails("product = P\nversion = 1.2.3\n"
	    "component.engine.dir = a/b\n");
	parse_fails("product = P\nversion = 1.2.3\n"
	    "component.engine.dir = ..\n");
}

static void
test_manifest_nul_and_limits(void **state)
{
	static const char nul[] = "product = P\0x\nversion = 1.2.3\n";
	struct manifest m;
	struct es_err e;
	struct sbuf b;
	int i;

	(void)state;
	memset(&e, 0, sizeof e);
	assert_false(manifest_parse(&m, nul, sizeof nul - 1, "t", &e));
	assert_int_equal(e.code, ES_EINSTALL);

	sbuf_init(&b);
	sbuf_add(&b, "product = P\nversion = 1.2.3\n");
	for (i = 0; i <= MANIFEST_MAX_COMPONENTS; i++)
		sbuf_addf(&b, "component.c%d.dir = d%d\n", i, i);
	memset(&e, 0, sizeof e);
	assert_false(manifest_parse(&m, b.s, b.len, "t", &e));
	assert_non_null(strstr(e.msg, "more than"));
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_sample_payload),
		cmocka_unit_test(test_manifest_minimal_defaults),
		cmocka_unit_test(test_manifest_unknown_key),
		cmocka_unit_test(test_manifest_duplicate_key),
		cmocka_unit_test(test_manifest_required),
		cmocka_unit_test(test_manifest_bad_values),
		cmocka_unit_test(test_manifest_nul_and_limits),
		cmocka_unit_test(test_manifest_ready_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
