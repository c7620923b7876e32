/* Unit tests of the upgrade's conffile rule (installer/upgrade.c): what
 * upgrade_decide keeps for each case of dpkg's rule. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "upgrade.h"

#define IDIR "/opt/x"

/* Add "f" entries for rel with the sum of text to r. */
static void
add(struct record *r, const char *rel, const char *text)
{
	char sha[65], *path;

	crypto_sha256_hex(text, strlen(text), sha);
	path = xasprintf(IDIR "/%s", rel);
	record_add(r, 'f', 0640, sha, path);
	free(path);
}

static const struct upgrade_item *
item(const struct upgrade_plan *up, const char *rel)
{
	size_t i;

	for (i = 0; i < up->n; i++)
		if (strcmp(up->items[i].rel, rel) == 0)
			return &up->items[i];
	return NULL;
}

static void
test_conffile_rule(void **state)
{
	struct fixture *f = *state;
	struct record old, fresh;
	struct manifest m;
	struct upgrade_plan up;
	const struct upgrade_item *it;
	char sha[65];

	record_init(&old);
	record_init(&fresh);
	memset(&m, 0, sizeof m);
	strlist_init(&m.config);
	strlist_add(&m.config, "conf");
	old.install_dir = strdup(IDIR);

	/* O, then C on disk, then N. */
	add(&old, "conf/same.conf", "O");         /* C == O: N */
	fixture_write(f, "conf/same.conf", "O");
	add(&fresh, "conf/same.conf", "N");
	add(&old, "conf/keep.conf", "O");         /* N == O: C kept */
	fixture_write(f, "conf/keep.conf", "C");
	add(&fresh, "conf/keep.conf", "O");
	add(&old, "conf/both.conf", "O");         /* both changed */
	fixture_write(f, "conf/both.conf", "C");
	add(&fresh, "conf/both.conf", "N");
	add(&old, "conf/gone.conf", "O");         /* deleted */
	add(&fresh, "conf/gone.conf", "N");
	add(&old, "conf/agree.conf", "O");        /* C == N */
	fixture_write(f, "conf/agree.conf", "N");
	add(&fresh, "conf/agree.conf", "N");
	add(&fresh, "conf/new.conf", "N");        /* new in this version */
	add(&old, "lib/prog", "O");               /* a program file */
	fixture_write(f, "lib/prog", "C");
	add(&fresh, "lib/prog", "N");
	add(&old, "lib/dropped.txt", "O");        /* dropped, changed */
	fixture_write(f, "lib/dropped.txt", "C");
	add(&old, "lib/dropped-same.txt", "O");   /* dropped, unchanged */
	fixture_write(f, "lib/dropped-same.txt", "O");

	upgrade_decide(&old, f->dir, &fresh, &m, &up);
	assert_int_equal(up.n, 4);
	assert_null(item(&up, "conf/same.conf"));
	assert_null(item(&up, "conf/agree.conf"));
	assert_null(item(&up, "conf/new.conf"));
	assert_null(item(&up, "lib/prog"));
	assert_null(item(&up, "lib/dropped-same.txt"));
	assert_non_null(it = item(&up, "conf/keep.conf"));
	assert_int_equal(it->verdict, UPGRADE_KEEP);
	assert_non_null(it = item(&up, "conf/both.conf"));
	assert_int_equal(it->verdict, UPGRADE_KEEP_AND_NEW);
	/* The record keeps N's sum (dpkg keeps the new conffile's). */
	crypto_sha256_hex("N", 1, sha);
	assert_string_equal(it->sha256, sha);
	assert_non_null(it = item(&up, "conf/gone.conf"));
	assert_int_equal(it->verdict, UPGRADE_STAYS_DELETED);
	assert_non_null(it = item(&up, "lib/dropped.txt"));
	assert_int_equal(it->verdict, UPGRADE_KEEP_DROPPED);
	/* ... with its installed sum: uninstall keeps it as changed. */
	crypto_sha256_hex("O", 1, sha);
	assert_string_equal(it->sha256, sha);

	{
		struct sbuf b;

		sbuf_init(&b);
		upgrade_text(&up, false, &b);
		assert_non_null(strstr(b.s, "  kept your conf/both.conf; the "
		    "new default is conf/both.conf.new\n"));
		assert_non_null(strstr(b.s, "  conf/gone.conf stays deleted"));
		sbuf_free(&b);
		sbuf_init(&b);
		upgrade_text(&up, true, &b);
		assert_non_null(strstr(b.s, "would keep your conf/both.conf; "
		    "the new default would be conf/both.conf.new\n"));
		sbuf_free(&b);
	}
	upgrade_plan_free(&up);
	strlist_free(&m.config);
	record_free(&old);
	record_free(&fresh);
}

/* A link where the administrator's file was is not read through. */
static void
test_link_not_followed(void **state)
{
	struct fixture *f = *state;
	struct record old, fresh;
	struct manifest m;
	struct upgrade_plan up;
	char *target = fixture_path(f, "outside"), *link;

	record_init(&old);
	record_init(&fresh);
	memset(&m, 0, sizeof m);
	strlist_init(&m.config);
	strlist_add(&m.config, "conf");
	old.install_dir = strdup(IDIR);
	fixture_write(f, "outside", "C");
	fixture_mkdirs(link = fixture_path(f, "conf"));
	free(link);
	link = fixture_path(f, "conf/x.conf");
	assert_int_equal(symlink(target, link), 0);
	add(&old, "conf/x.conf", "O");
	add(&fresh, "conf/x.conf", "N");
	upgrade_decide(&old, f->dir, &fresh, &m, &up);
	assert_int_equal(up.n, 0);
	upgrade_plan_free(&up);
	free(target);
	free(link);
	strlist_free(&m.config);
	record_free(&old);
	record_free(&fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conffile_rule,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_link_not_followed,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
