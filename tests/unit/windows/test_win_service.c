/* Unit tests of the Windows services and administrator check
 * (platform/windows/platform_windows_service.c), run under wine by the
 * Windows build. The live tests register real services in the SCM of the
 * (throwaway) WINEPREFIX; they need the sample service program
 * (tools/sample-service): ES_TEST_SAMPLE_SERVICE names it as a core path
 * ("C:/x/nseserv.exe"), else the build's sample-service.exe is taken
 * (wine's Z: drive is the host's /); without either they are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_windows.h"
#include "platform_windows_service.h"
#include "util.h"

#define SVC "es-test-svc"

static const char *
sample_service(void)
{
	const char *env = getenv("ES_TEST_SAMPLE_SERVICE");
#ifdef ES_BINARY_DIR
	static const char built[] = "Z:" ES_BINARY_DIR "/sample-service.exe";

	if (env == NULL && GetFileAttributesA(built) !=
	    INVALID_FILE_ATTRIBUTES)
		return built;
#endif
	return env;
}

static void
state_is(const char *root, const char *name, const char *want)
{
	char st[64];

	plat_service_state(root, name, st, sizeof st);
	assert_string_equal(st, want);
}

/* A DWORD value of service name's key, or -1 when missing. */
static long
svc_dword(const char *name, const wchar_t *value)
{
	wchar_t key[256];
	DWORD v = 0, len = sizeof v;

	swprintf(key, 256, L"SYSTEM\\CurrentControlSet\\Services\\%hs", name);
	if (RegGetValueW(HKEY_LOCAL_MACHINE, key, value, RRF_RT_REG_DWORD,
	    NULL, &v, &len) != ERROR_SUCCESS)
		return -1;
	return (long)v;
}

/* A string value of service name's key as UTF-8, or NULL. Caller frees. */
static char *
svc_string(const char *name, const wchar_t *value)
{
	wchar_t key[256], buf[1024];
	DWORD len = sizeof buf;

	swprintf(key, 256, L"SYSTEM\\CurrentControlSet\\Services\\%hs", name);
	if (RegGetValueW(HKEY_LOCAL_MACHINE, key, value, RRF_RT_REG_SZ |
	    RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, NULL, buf, &len) !=
	    ERROR_SUCCESS)
		return NULL;
	return win_utf8(buf);
}

/* Wine always runs as administrator: the message a user who is not one
 * sees is tested through the function that picks it. */
static void
test_admin_advice(void **state)
{
	bool elevated = false, member = false;

	(void)state;
	assert_true(plat_is_admin());
	assert_true(win_admin_check(&elevated, &member));
	assert_true(elevated);
	assert_true(member);
	assert_non_null(strstr(win_admin_advice(false, true),
	    "not running elevated"));
	assert_non_null(strstr(win_admin_advice(false, true),
	    "Run as administrator"));
	assert_non_null(strstr(win_admin_advice(false, false),
	    "not an administrator"));
	assert_non_null(strstr(win_admin_advice(true, false),
	    "not an administrator"));
	assert_non_null(strstr(plat_admin_advice(), "Run as administrator"));
	/* A phrase that follows "rights: ": no capital, no full stop. */
	assert_true(win_admin_advice(false, true)[0] >= 'a');
	assert_int_not_equal(win_admin_advice(false, false)[
	    strlen(win_admin_advice(false, false)) - 1], '.');
}

static void
test_state_names(void **state)
{
	SERVICE_STATUS_PROCESS st;

	(void)state;
	memset(&st, 0, sizeof st);
	st.dwCurrentState = SERVICE_RUNNING;
	assert_string_equal(win_service_state_name(&st), "active");
	st.dwCurrentState = SERVICE_START_PENDING;
	assert_string_equal(win_service_state_name(&st), "activating");
	st.dwCurrentState = SERVICE_STOP_PENDING;
	assert_string_equal(win_service_state_name(&st), "deactivating");
	st.dwCurrentState = SERVICE_STOPPED;
	assert_string_equal(win_service_state_name(&st), "inactive");
	st.dwWin32ExitCode = ERROR_SERVICE_NEVER_STARTED;
	assert_string_equal(win_service_state_name(&st), "inactive");
	st.dwWin32ExitCode = ERROR_FILE_NOT_FOUND;
	assert_string_equal(win_service_state_name(&st), "failed");
	st.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
	st.dwServiceSpecificExitCode = 3;
	assert_string_equal(win_service_state_name(&st), "failed");
	st.dwCurrentState = 99;
	assert_string_equal(win_service_state_name(&st), "unknown");
}

/* Under a --root other than "/" nothing reaches the SCM (decision 2). */
static void
test_under_root_nothing(void **state)
{
	struct plat_service s = { SVC, "Test", "C:/Es/x.exe", "C:/Es", NULL };
	struct strlist paths, files;
	struct es_err e;
	char cmd[64];

	(void)state;
	err_clear(&e);
	strlist_init(&paths);
	strlist_init(&files);
	assert_int_equal(plat_init_system("C:/r"), PLAT_INIT_WINDOWS);
	assert_false(plat_service_manager_running("C:/r"));
	assert_true(plat_service_manager_running("/"));
	plat_service_paths("C:/r", SVC, &paths);
	assert_int_equal(paths.n, 0);
	assert_true(plat_service_install("C:/r", &s, &files, &e));
	assert_int_equal(files.n, 0);
	assert_int_equal(svc_dword(SVC, L"Start"), -1);
	state_is("C:/r", SVC, "not installed");
	state_is("/", SVC, "not installed");
	assert_true(plat_service_remove("C:/r", SVC, &e));
	plat_service_start_command("/", SVC, cmd, sizeof cmd);
	assert_string_equal(cmd, "sc start " SVC);
	strlist_free(&paths);
	strlist_free(&files);
}

static void
test_bad_names_and_paths(void **state)
{
	struct plat_service s = { "a b", "Test", "C:/Es/x.exe", "C:/Es", NULL };
	struct es_err e;

	(void)state;
	err_clear(&e);
	assert_false(plat_service_install("/", &s, NULL, &e));
	assert_int_equal(e.code, ES_EINTERNAL);
	s.name = SVC;
	s.exec = "C:/Es/\"x.exe";
	err_clear(&e);
	assert_false(plat_service_install("/", &s, NULL, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_false(plat_service_remove("/", "a\\b", &e));
	/* Nothing to stop or remove is success, as on Linux. */
	err_clear(&e);
	assert_true(plat_service_stop("es-test-none", &e));
	assert_true(plat_service_remove("/", "es-test-none", &e));
	assert_false(plat_service_start("es-test-none", &e));
	state_is("/", "es-test-none", "not installed");
}

/* Install, start, stop and remove the sample service for real. */
static void
test_live_cycle(void **state)
{
	struct plat_service s;
	struct es_err e;
	char *image, *want;

	(void)state;
	if (sample_service() == NULL)
		skip();
	memset(&s, 0, sizeof s);
	s.name = SVC;
	s.description = "engine-setup test service";
	s.exec = sample_service();
	s.workdir = "C:/";
	err_clear(&e);
	assert_true(plat_service_install("/", &s, NULL, &e));
	state_is("/", SVC, "inactive");
	/* Automatic, delayed, its own process, the path quoted. */
	assert_int_equal(svc_dword(SVC, L"Start"), SERVICE_AUTO_START);
	assert_int_equal(svc_dword(SVC, L"Type"), SERVICE_WIN32_OWN_PROCESS);
	assert_int_equal(svc_dword(SVC, L"DelayedAutostart"), 1);
	image = svc_string(SVC, L"ImagePath");
	want = xasprintf("\"%s\"", s.exec);
	for (char *p = want; *p != '\0'; p++)
		if (*p == '/')
			*p = '\\';
	assert_non_null(image);
	assert_string_equal(image, want);
	free(image);
	free(want);
	image = svc_string(SVC, L"Description");
	assert_non_null(image);
	assert_string_equal(image, "engine-setup test service");
	free(image);
	/* Installing again over it updates it. */
	assert_true(plat_service_install("/", &s, NULL, &e));

	assert_true(plat_service_start(SVC, &e));
	state_is("/", SVC, "active");
	assert_true(plat_service_start(SVC, &e));   /* already running */
	assert_true(plat_service_stop(SVC, &e));
	state_is("/", SVC, "inactive");
	assert_true(plat_service_stop(SVC, &e));    /* already stopped */
	assert_true(plat_service_start(SVC, &e));
	/* Remove stops it first. */
	assert_true(plat_service_remove("/", SVC, &e));
	state_is("/", SVC, "not installed");
	assert_int_equal(svc_dword(SVC, L"Start"), -1);
	assert_true(plat_service_remove("/", SVC, &e));
}

/* A program that holds the service open while it is deleted keeps it in
 * the SCM, marked for deletion: removing says so, installing over it
 * fails, and once the handle closes it is gone. */
static void
test_marked_for_deletion(void **state)
{
	struct plat_service s;
	struct es_err e;
	SC_HANDLE scm, held;

	(void)state;
	if (sample_service() == NULL)
		skip();
	memset(&s, 0, sizeof s);
	s.name = "es-test-marked";
	s.description = "engine-setup test service";
	s.exec = sample_service();
	s.workdir = "C:/";
	err_clear(&e);
	assert_true(plat_service_install("/", &s, NULL, &e));
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	assert_non_null(scm);
	held = OpenServiceW(scm, L"es-test-marked", SERVICE_QUERY_STATUS);
	assert_non_null(held);
	assert_false(plat_service_remove("/", s.name, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "marked for deletion"));
	assert_non_null(strstr(e.msg, "services.msc"));
	state_is("/", s.name, "marked for deletion");
	err_clear(&e);
	assert_false(plat_service_install("/", &s, NULL, &e));
	assert_non_null(strstr(e.msg, "marked for deletion"));
	assert_non_null(strstr(e.msg, "restart Windows"));
	CloseServiceHandle(held);
	CloseServiceHandle(scm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admin_advice),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_under_root_nothing),
		cmocka_unit_test(test_bad_names_and_paths),
		cmocka_unit_test(test_live_cycle),
		/* Last: wine keeps a deleted service until the process ends. */
		cmocka_unit_test(test_marked_for_deletion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
