/* Unit tests of the Windows platform's facts, console, threads, Ctrl-C,
 * network and UTF-8 argv (platform/windows/platform_windows_misc.c and
 * platform_windows_net.c), run under Wine in CI.
 *
 * What needs a console of its own (Ctrl-C sent with GenerateConsoleCtrlEvent,
 * the console's width, reading a secret with echo off) or a command line of
 * its own (UTF-16 arguments) runs in a child: this program started again
 * with "--child-..." as its first argument, which reports through its exit
 * code (0 when every check held, else the number of the first that did
 * not). A pseudo console (CreatePseudoConsole, Windows 10 1809 and Wine)
 * gives the child a console of a known size whose input and output this
 * test holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "platform.h"
#include "platform_windows.h"
#include "strlist.h"

/* ---- Children ---- */

/* Pseudo console calls, found at run time (Windows 10 1809 and later). */
typedef HRESULT (WINAPI *create_pc_fn)(COORD, HANDLE, HANDLE, DWORD,
    void **);
typedef void (WINAPI *close_pc_fn)(void *);
#define PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE_ 0x00020016

/* What a pseudo console wrote, read on a thread so that it never blocks
 * on a full pipe. */
struct pc_output {
	HANDLE pipe;
	CRITICAL_SECTION cs;
	char buf[65536];
	size_t len;
};

static DWORD WINAPI
pc_drain(LPVOID arg)
{
	struct pc_output *o = arg;
	char chunk[4096];
	DWORD got;

	while (ReadFile(o->pipe, chunk, sizeof chunk, &got, NULL) &&
	    got > 0) {
		EnterCriticalSection(&o->cs);
		if (got > sizeof o->buf - 1 - o->len)
			got = (DWORD)(sizeof o->buf - 1 - o->len);
		memcpy(o->buf + o->len, chunk, got);
		o->len += got;
		o->buf[o->len] = '\0';
		LeaveCriticalSection(&o->cs);
	}
	return 0;
}

static bool
pc_output_has(struct pc_output *o, const char *s)
{
	bool has;

	EnterCriticalSection(&o->cs);
	has = strstr(o->buf, s) != NULL;
	LeaveCriticalSection(&o->cs);
	return has;
}

/* A child started on its own console. */
struct child {
	PROCESS_INFORMATION pi;
	void *pc;                  /* the pseudo console, or NULL */
	HANDLE in_w;               /* what the child's console reads */
	HANDLE drain;
	struct pc_output *out;
};

static wchar_t *
self_command(const wchar_t *args)
{
	static wchar_t exe[MAX_PATH];
	wchar_t *cmd;
	size_t n;

	assert_true(GetModuleFileNameW(NULL, exe, MAX_PATH) > 0);
	n = wcslen(exe) + wcslen(args) + 4;
	cmd = malloc(n * sizeof *cmd);
	assert_non_null(cmd);
	swprintf(cmd, n, L"\"%ls\" %ls", exe, args);
	return cmd;
}

/* Start this program with args on a pseudo console of cols x 30 when
 * Windows has them (*pty true), else on a new hidden console (*pty
 * false), or with no console of its own at all when console is false;
 * flags are more CreateProcessW flags. */
static void
child_start(struct child *c, const wchar_t *args, bool console, short cols,
    DWORD flags, bool *pty)
{
	create_pc_fn create_pc = (create_pc_fn)(void (*)(void))GetProcAddress(
	    GetModuleHandleW(L"kernel32.dll"), "CreatePseudoConsole");
	STARTUPINFOEXW si;
	SIZE_T asz = 0;
	HANDLE in_r, out_w;
	COORD size = { cols, 30 };
	wchar_t *cmd = self_command(args);

	memset(c, 0, sizeof *c);
	memset(&si, 0, sizeof si);
	si.StartupInfo.cb = sizeof si;
	if (pty != NULL)
		*pty = false;
	if (console && create_pc != NULL) {
		c->out = calloc(1, sizeof *c->out);
		assert_non_null(c->out);
		InitializeCriticalSection(&c->out->cs);
		assert_true(CreatePipe(&in_r, &c->in_w, NULL, 0));
		assert_true(CreatePipe(&c->out->pipe, &out_w, NULL, 0));
		assert_int_equal(create_pc(size, in_r, out_w, 0, &c->pc), 0);
		/* The pseudo console holds its own copies. */
		CloseHandle(in_r);
		CloseHandle(out_w);
		c->drain = CreateThread(NULL, 0, pc_drain, c->out, 0, NULL);
		InitializeProcThreadAttributeList(NULL, 1, 0, &asz);
		si.lpAttributeList = malloc(asz);
		assert_non_null(si.lpAttributeList);
		assert_true(InitializeProcThreadAttributeList(
		    si.lpAttributeList, 1, 0, &asz));
		assert_true(UpdateProcThreadAttribute(si.lpAttributeList, 0,
		    PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE_, c->pc, sizeof c->pc,
		    NULL, NULL));
		flags |= EXTENDED_STARTUPINFO_PRESENT;
		if (pty != NULL)
			*pty = true;
	} else if (console) {
		si.StartupInfo.dwFlags = STARTF_USESHOWWINDOW;
		si.StartupInfo.wShowWindow = SW_HIDE;
		flags |= CREATE_NEW_CONSOLE;
	}
	assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, flags, NULL,
	    NULL, &si.StartupInfo, &c->pi));
	if (si.lpAttributeList != NULL) {
		DeleteProcThreadAttributeList(si.lpAttributeList);
		free(si.lpAttributeList);
	}
	free(cmd);
}

/* Wait for the child (at most 30 s) and give its exit code. */
static DWORD
child_wait(struct child *c)
{
	close_pc_fn close_pc = (close_pc_fn)(void (*)(void))GetProcAddress(
	    GetModuleHandleW(L"kernel32.dll"), "ClosePseudoConsole");
	DWORD code = 999;

	if (WaitForSingleObject(c->pi.hProcess, 30000) != WAIT_OBJECT_0)
		TerminateProcess(c->pi.hProcess, 998);
	WaitForSingleObject(c->pi.hProcess, INFINITE);
	GetExitCodeProcess(c->pi.hProcess, &code);
	CloseHandle(c->pi.hProcess);
	CloseHandle(c->pi.hThread);
	if (c->pc != NULL) {
		CloseHandle(c->in_w);
		close_pc(c->pc);
		WaitForSingleObject(c->drain, 5000);
		CloseHandle(c->drain);
		CloseHandle(c->out->pipe);
	}
	return code;
}

static void
child_free(struct child *c)
{
	if (c->out != NULL) {
		DeleteCriticalSection(&c->out->cs);
		free(c->out);
	}
}

/* Whether the C runtime's environment has no COLUMNS. */
static void
unset_columns(void)
{
	_putenv("COLUMNS=");
}

/* The child's checks: each failed check ends it with its number. */
#define CHECK(n, cond) do { if (!(cond)) { fprintf(stderr, \
	"check %d failed: %s (error %lu)\n", (n), #cond, GetLastError()); \
	return (n); } } while (0)

/* Arguments given as UTF-16 reach main() as UTF-8 after
 * plat_process_start. */
static int
child_argv(int argc, char **argv)
{
	plat_process_start(&argc, &argv);
	CHECK(1, argc == 5);
	CHECK(2, strcmp(argv[1], "--child-argv") == 0);
	CHECK(3, strcmp(argv[2], "J\xc3\xbcrgen") == 0);
	CHECK(4, strcmp(argv[3], "a b") == 0);
	/* U+20AC, then U+1F511 (a surrogate pair in UTF-16). */
	CHECK(5, strcmp(argv[4], "\xe2\x82\xac\xf0\x9f\x94\x91") == 0);
	CHECK(6, argv[5] == NULL);
	CHECK(7, GetConsoleOutputCP() == CP_UTF8 ||
	    GetConsoleWindow() == NULL);
	return 0;
}

/* Wait up to 5 s for plat_signals_pending() to reach n. */
static bool
signals_reach(int n)
{
	int i;

	for (i = 0; i < 500 && plat_signals_pending() < n; i++)
		Sleep(10);
	return plat_signals_pending() == n;
}

/* Ctrl-C and Ctrl-Break sent to this console are counted, not fatal. */
static int
child_ctrl(void)
{
	plat_signals_install();
	plat_signals_reset();
	CHECK(1, plat_signals_pending() == 0);
	CHECK(2, GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
	CHECK(3, signals_reach(1));
	/* Ctrl-Break, where it can be sent: Wine 8 sends only Ctrl-C
	 * (GenerateConsoleCtrlEvent fails with ERROR_INVALID_HANDLE). */
	if (GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0))
		CHECK(4, signals_reach(2));
	else
		CHECK(5, GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) &&
		    signals_reach(2));
	plat_signals_reset();
	CHECK(6, plat_signals_pending() == 0);
	/* Installing again adds no second handler: one event, one count. */
	plat_signals_install();
	CHECK(7, GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
	CHECK(8, signals_reach(1));
	Sleep(200);
	CHECK(9, plat_signals_pending() == 1);
	return 0;
}

/* Closing the console: the process lives on while it rolls back (here
 * a second's wait, then a file written) and ends with exit code 5. */
static int
child_close(const char *marker)
{
	DWORD t0;
	FILE *fp;

	HANDLE out = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
	    FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	DWORD wrote;

	plat_signals_install();
	CHECK(3, WriteFile(out, "ready\r\n", 7, &wrote, NULL));
	for (t0 = GetTickCount(); plat_signals_pending() == 0 &&
	    GetTickCount() - t0 < 20000;)
		Sleep(10);
	CHECK(1, plat_signals_pending() > 0);
	Sleep(1000);
	fp = fopen(marker, "w");
	CHECK(2, fp != NULL);
	fputs("rolled back\n", fp);
	fclose(fp);
	return 5;
}

static DWORD WINAPI
close_event(LPVOID arg)
{
	(void)arg;
	return (DWORD)win_console_ctrl(CTRL_CLOSE_EVENT);
}

/* The control handler keeps the process alive after CTRL_CLOSE_EVENT
 * (Windows ends it when the handler returns), and the main thread's exit
 * ends it, with the main thread's exit code. */
static int
child_close_handler(void)
{
	HANDLE t;

	plat_signals_install();
	t = CreateThread(NULL, 0, close_event, NULL, 0, NULL);
	CHECK(1, t != NULL);
	CHECK(2, signals_reach(1));
	CHECK(3, WaitForSingleObject(t, 1000) == WAIT_TIMEOUT);
	return 5;
}

/* On a console 100 columns wide: the tty checks, the width, and a secret
 * read with echo off (the parent types "hunter2" once the prompt shows). */
static int
child_console(void)
{
	HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
	    FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	HANDLE out = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
	    FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	DWORD before, after;
	FILE *fin, *fout;
	char buf[64];

	CHECK(1, in != INVALID_HANDLE_VALUE && out != INVALID_HANDLE_VALUE);
	SetStdHandle(STD_INPUT_HANDLE, in);
	SetStdHandle(STD_OUTPUT_HANDLE, out);
	CHECK(2, plat_stdin_is_tty());
	CHECK(3, plat_stdout_is_tty());
	unset_columns();
	CHECK(4, plat_terminal_columns() == 100);
	_putenv("COLUMNS=60");
	CHECK(5, plat_terminal_columns() == 60);
	_putenv("COLUMNS=5000");
	CHECK(6, plat_terminal_columns() == 100);
	unset_columns();

	CHECK(7, GetConsoleMode(in, &before));
	fin = _fdopen(_open_osfhandle((intptr_t)in, _O_RDONLY), "r");
	fout = _fdopen(_open_osfhandle((intptr_t)out, _O_WRONLY), "w");
	CHECK(8, fin != NULL && fout != NULL);
	CHECK(9, plat_read_secret(fin, fout, "Secret: ", buf, sizeof buf));
	CHECK(10, strcmp(buf, "hunter2") == 0);
	CHECK(11, GetConsoleMode(in, &after) && after == before);
	fputs("done\n", fout);
	fflush(fout);
	return 0;
}

/* ---- Facts ---- */

static void
test_facts(void **state)
{
	static const char *names[] = { "", "unknown", "kvm", "hyperv",
	    "vmware", "xen", "virtualbox", "qemu", "bhyve", "acrn",
	    "parallels" };
	struct plat_facts pf;
	size_t i;
	bool known = false;

	(void)state;
	_putenv("ES_FAKE_HYPERVISOR=");
	plat_facts(&pf);
	assert_true(pf.mem_total > 64ull * 1024 * 1024);
	assert_true(pf.cpu_count >= 1);
	assert_string_equal(pf.os_id, "windows");
	assert_string_equal(pf.os_family, "windows");
	assert_non_null(strstr(pf.os_name, "Windows"));
	assert_non_null(strchr(pf.os_name, '('));
	assert_string_equal(pf.arch, "x86_64");
	assert_string_equal(pf.selinux, "");
	assert_true(pf.hostname[0] != '\0');
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		known = known || strcmp(pf.hypervisor, names[i]) == 0;
	assert_true(known);

	_putenv("ES_FAKE_HYPERVISOR=vmware");
	plat_facts(&pf);
	assert_string_equal(pf.hypervisor, "vmware");
	_putenv("ES_FAKE_HYPERVISOR=");
}

/* A temporary folder as a core path ("C:/users/.../Temp/es-misc-N"). */
static char *
temp_dir(void)
{
	wchar_t w[MAX_PATH];
	char *s, *c;
	int n;

	assert_true(GetTempPathW(MAX_PATH, w) > 0);
	n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	s = malloc((size_t)n + 32);
	assert_non_null(s);
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	for (c = s; *c != '\0'; c++)
		if (*c == '\\')
			*c = '/';
	snprintf(s + strlen(s), 32, "es-misc-%lu",
	    (unsigned long)GetCurrentProcessId());
	assert_true(CreateDirectoryA(s, NULL) ||
	    GetLastError() == ERROR_ALREADY_EXISTS);
	return s;
}

static void
test_disk_and_folders(void **state)
{
	char *dir = temp_dir(), path[600], drive[4] = "A:/";
	DWORD drives = GetLogicalDrives();
	uint64_t n = 0;
	bool noexec = true;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof path, "%s/not/yet/made", dir);
	assert_true(plat_disk_free(path, &n));
	assert_true(n > 0);
	n = 0;
	assert_true(plat_disk_free("C:/", &n));
	assert_true(n > 0);
	/* A file on the way counts as missing: its folder is measured. */
	snprintf(path, sizeof path, "%s/file", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/file/below", dir);
	assert_true(plat_disk_free(path, &n));
	/* A drive that is not there. */
	while (drive[0] < 'Z' && (drives & (1u << (drive[0] - 'A'))))
		drive[0]++;
	if (!(drives & (1u << (drive[0] - 'A')))) {
		snprintf(path, sizeof path, "%sx/y", drive);
		assert_false(plat_disk_free(path, &n));
		assert_int_equal(plat_dir_writable(drive), ENOENT);
	}

	assert_true(plat_fs_noexec(dir, &noexec));
	assert_false(noexec);
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_false(plat_fs_noexec(path, &noexec));

	assert_int_equal(plat_dir_writable(dir), 0);
	assert_int_equal(plat_dir_writable(path), ENOENT);
	snprintf(path, sizeof path, "%s/file", dir);
	assert_int_equal(plat_dir_writable(path), ENOTDIR);
	DeleteFileA(path);
	RemoveDirectoryA(dir);
	free(dir);
}

static void
test_port_in_use(void **state)
{
	struct sockaddr_in sin;
	int slen = sizeof sin;
	SOCKET s;
	unsigned port;
	WSADATA wsa;

	(void)state;
	assert_int_equal(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s != INVALID_SOCKET);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &slen), 0);
	port = ntohs(sin.sin_port);
	assert_true(plat_port_in_use(port));
	closesocket(s);
	/* A listener on loopback only holds the port too. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_true(plat_port_in_use(port));
	closesocket(s);
	assert_false(plat_port_in_use(port));
	assert_false(plat_port_in_use(0));
	assert_false(plat_port_in_use(70000));
	WSACleanup();
}

/* ---- Console and process ---- */

static void
test_terminal_columns(void **state)
{
	HANDLE saved = GetStdHandle(STD_OUTPUT_HANDLE), nul;

	(void)state;
	_putenv("COLUMNS=60");
	assert_int_equal(plat_terminal_columns(), 60);
	_putenv("COLUMNS=20");
	assert_int_equal(plat_terminal_columns(), 20);
	_putenv("COLUMNS=1000");
	assert_int_equal(plat_terminal_columns(), 1000);
	/* Not a console: NUL is a character device, but no console. */
	nul = CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_READ |
	    FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	assert_true(nul != INVALID_HANDLE_VALUE);
	SetStdHandle(STD_OUTPUT_HANDLE, nul);
	_putenv("COLUMNS=19");
	assert_int_equal(plat_terminal_columns(), 80);
	_putenv("COLUMNS=1001");
	assert_int_equal(plat_terminal_columns(), 80);
	_putenv("COLUMNS=60x");
	assert_int_equal(plat_terminal_columns(), 80);
	_putenv("COLUMNS=-60");
	assert_int_equal(plat_terminal_columns(), 80);
	unset_columns();
	assert_int_equal(plat_terminal_columns(), 80);
	assert_false(plat_stdout_is_tty());
	SetStdHandle(STD_OUTPUT_HANDLE, saved);
	CloseHandle(nul);
}

static void
test_console_child(void **state)
{
	struct child c;
	bool pty;
	DWORD wrote = 0;
	int i;

	(void)state;
	child_start(&c, L"--child-console", true, 100, 0, &pty);
	if (!pty) {
		/* No pseudo console (before Windows 10 1809): nothing to
		 * type into. */
		TerminateProcess(c.pi.hProcess, 0);
		child_wait(&c);
		child_free(&c);
		skip();
	}
	/* The pseudo console renders the screen with VT sequences, where a
	 * trailing blank may become a cursor move: look for "Secret:". */
	for (i = 0; i < 1000 && !pc_output_has(c.out, "Secret:"); i++)
		Sleep(10);
	assert_true(pc_output_has(c.out, "Secret:"));
	assert_true(WriteFile(c.in_w, "hunter2\r", 8, &wrote, NULL) &&
	    wrote == 8);
	assert_int_equal(child_wait(&c), 0);
	assert_true(pc_output_has(c.out, "done"));
	/* Typed with echo off: the secret never showed. */
	assert_false(pc_output_has(c.out, "hunter2"));
	child_free(&c);
}

static void
test_read_secret_redirected(void **state)
{
	char *dir = temp_dir(), path[600], outpath[600], buf[16], text[64];
	FILE *in, *out;
	size_t n;

	(void)state;
	snprintf(path, sizeof path, "%s/in.txt", dir);
	snprintf(outpath, sizeof outpath, "%s/out.txt", dir);
	in = fopen(path, "wb");
	assert_non_null(in);
	fputs("s3cret\r\nsecond line that is long\n", in);
	fclose(in);
	in = fopen(path, "r");
	out = fopen(outpath, "w");
	assert_non_null(in);
	assert_non_null(out);
	assert_true(plat_read_secret(in, out, "Key: ", buf, sizeof buf));
	assert_string_equal(buf, "s3cret");
	/* Cut at the buffer's size, as fgets(3) cuts. */
	assert_true(plat_read_secret(in, NULL, NULL, buf, sizeof buf));
	assert_string_equal(buf, "second line tha");
	assert_true(plat_read_secret(in, NULL, NULL, buf, sizeof buf));
	assert_string_equal(buf, "t is long");
	assert_false(plat_read_secret(in, NULL, NULL, buf, sizeof buf));
	assert_string_equal(buf, "");
	fclose(in);
	fclose(out);
	out = fopen(outpath, "r");
	n = fread(text, 1, sizeof text - 1, out);
	text[n] = '\0';
	fclose(out);
	assert_string_equal(text, "Key: ");
	DeleteFileA(path);
	DeleteFileA(outpath);
	RemoveDirectoryA(dir);
	free(dir);
}

static void
test_time_and_process(void **state)
{
	char now[32];
	double a, b;
	SYSTEMTIME st;
	char want[8];

	(void)state;
	plat_utc_now(now, sizeof now);
	assert_int_equal(strlen(now), 20);
	assert_int_equal(now[4], '-');
	assert_int_equal(now[10], 'T');
	assert_int_equal(now[19], 'Z');
	GetSystemTime(&st);
	snprintf(want, sizeof want, "%04u-", (unsigned)st.wYear);
	assert_memory_equal(now, want, 5);

	a = plat_monotonic();
	Sleep(50);
	b = plat_monotonic();
	assert_true(b - a >= 0.04);
	assert_true(b - a < 5);
	assert_int_equal(plat_process_id(), (long)GetCurrentProcessId());
}

static void
test_no_core_dumps(void **state)
{
	typedef UINT (WINAPI *get_error_mode_fn)(void);
	get_error_mode_fn get = (get_error_mode_fn)(void (*)(void))
	    GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "GetErrorMode");

	(void)state;
	plat_no_core_dumps();
	if (get != NULL) {
		assert_true(get() & SEM_FAILCRITICALERRORS);
		assert_true(get() & SEM_NOGPFAULTERRORBOX);
	}
}

static void
test_argv_utf8(void **state)
{
	struct child c;

	(void)state;
	child_start(&c, L"--child-argv J\x00fcrgen \"a b\" \x20ac\xd83d\xdd11",
	    false, 80, 0, NULL);
	assert_int_equal(child_wait(&c), 0);
	child_free(&c);
}

/* ---- Threads and locks ---- */

struct queue {
	struct plat_lock *lock;
	int items, taken, produced;
	bool done;
};

static void
producer(void *arg)
{
	struct queue *q = arg;
	int i;

	for (i = 0; i < 20000; i++) {
		plat_lock_acquire(q->lock);
		q->items++;
		q->produced++;
		plat_lock_wake(q->lock);
		plat_lock_release(q->lock);
	}
}

static void
consumer(void *arg)
{
	struct queue *q = arg;

	plat_lock_acquire(q->lock);
	for (;;) {
		while (q->items == 0 && !q->done)
			plat_lock_wait(q->lock);
		if (q->items == 0 && q->done)
			break;
		q->items--;
		q->taken++;
	}
	plat_lock_release(q->lock);
}

static void
test_threads_and_locks(void **state)
{
	struct queue q;
	struct plat_thread *p[3], *c[2];
	int i;

	(void)state;
	memset(&q, 0, sizeof q);
	q.lock = plat_lock_new();
	assert_non_null(q.lock);
	for (i = 0; i < 2; i++)
		assert_non_null(c[i] = plat_thread_start(consumer, &q));
	for (i = 0; i < 3; i++)
		assert_non_null(p[i] = plat_thread_start(producer, &q));
	for (i = 0; i < 3; i++)
		plat_thread_join(p[i]);
	plat_lock_acquire(q.lock);
	q.done = true;
	plat_lock_wake(q.lock);
	plat_lock_release(q.lock);
	for (i = 0; i < 2; i++)
		plat_thread_join(c[i]);
	assert_int_equal(q.produced, 60000);
	assert_int_equal(q.taken, 60000);
	assert_int_equal(q.items, 0);
	plat_thread_join(NULL);
	plat_lock_free(q.lock);
	plat_lock_free(NULL);
}

/* ---- Signals ---- */

static void
test_ctrl_c(void **state)
{
	struct child c;

	(void)state;
	/* In a process group of its own, which starts with Ctrl-C ignored
	 * (CreateProcessW, CREATE_NEW_PROCESS_GROUP): plat_signals_install
	 * must hear it all the same. */
	child_start(&c, L"--child-ctrl", true, 80, CREATE_NEW_PROCESS_GROUP,
	    NULL);
	assert_int_equal(child_wait(&c), 0);
	child_free(&c);
}

static void
test_close_handler_waits(void **state)
{
	struct child c;
	DWORD t0 = GetTickCount();

	(void)state;
	child_start(&c, L"--child-close-handler", false, 80, 0, NULL);
	assert_int_equal(child_wait(&c), 5);
	/* Well before the handler's own wait ends. */
	assert_true(GetTickCount() - t0 < 15000);
	child_free(&c);
}

/* Whether this runs under Wine, which ends a pseudo console's processes
 * when it closes without sending them CTRL_CLOSE_EVENT. */
static bool
under_wine(void)
{
	return GetProcAddress(GetModuleHandleW(L"ntdll.dll"),
	    "wine_get_version") != NULL;
}

static void
test_console_close(void **state)
{
	close_pc_fn close_pc = (close_pc_fn)(void (*)(void))GetProcAddress(
	    GetModuleHandleW(L"kernel32.dll"), "ClosePseudoConsole");
	char *dir = temp_dir(), marker[600];
	wchar_t args[700];
	struct child c;
	bool pty;
	int i;

	(void)state;
	if (under_wine()) {
		free(dir);
		skip();
	}
	snprintf(marker, sizeof marker, "%s/closed", dir);
	swprintf(args, sizeof args / sizeof args[0], L"--child-close \"%hs\"",
	    marker);
	child_start(&c, args, true, 80, 0, &pty);
	if (!pty) {
		TerminateProcess(c.pi.hProcess, 0);
		child_wait(&c);
		child_free(&c);
		free(dir);
		skip();
	}
	for (i = 0; i < 1000 && !pc_output_has(c.out, "ready"); i++)
		Sleep(10);
	assert_true(pc_output_has(c.out, "ready"));
	CloseHandle(c.in_w);
	close_pc(c.pc);
	c.pc = NULL;
	assert_int_equal(WaitForSingleObject(c.pi.hProcess, 15000),
	    WAIT_OBJECT_0);
	assert_int_equal(child_wait(&c), 5);
	WaitForSingleObject(c.drain, 5000);
	CloseHandle(c.drain);
	CloseHandle(c.out->pipe);
	child_free(&c);
	assert_true(GetFileAttributesA(marker) != INVALID_FILE_ATTRIBUTES);
	DeleteFileA(marker);
	RemoveDirectoryA(dir);
	free(dir);
}

/* ---- Network ---- */

static void
expect_canonical(const char *s, const char *want)
{
	char out[64] = "unchanged";

	if (want == NULL) {
		if (plat_addr_canonical(s, out, sizeof out))
			fail_msg("plat_addr_canonical(\"%s\") took it, as "
			    "\"%s\"", s, out);
		assert_string_equal(out, "unchanged");
		return;
	}
	if (!plat_addr_canonical(s, out, sizeof out))
		fail_msg("plat_addr_canonical(\"%s\") refused it", s);
	if (strcmp(out, want) != 0)
		fail_msg("plat_addr_canonical(\"%s\") is \"%s\", expected "
		    "\"%s\"", s, out, want);
}

/* The expected texts are glibc's inet_pton(3) and inet_ntop(3) on
 * Linux, so that both platforms agree (tests/unit/test_addr.c holds the
 * first ones). */
static void
test_addr_canonical(void **state)
{
	char small[4];

	(void)state;
	expect_canonical("0::1", "::1");
	expect_canonical("0:0:0:0:0:0:0:1", "::1");
	expect_canonical("192.0.2.1", "192.0.2.1");
	expect_canonical("FD00:0:0:0:0:0:0:5", "fd00::5");
	expect_canonical("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	expect_canonical("::ffff:127.0.0.1", "::ffff:127.0.0.1");
	expect_canonical("::ffff:0:1.2.3.4", "::ffff:0:102:304");
	expect_canonical("::1.2.3.4", "::1.2.3.4");
	expect_canonical("::0.0.0.1", "::1");
	expect_canonical("64:ff9b::1.2.3.4", "64:ff9b::102:304");
	expect_canonical("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
	expect_canonical("::ffff:0.0.0.0", "::ffff:0.0.0.0");
	expect_canonical("1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1");
	expect_canonical("1:0:0:1:0:0:1:1", "1::1:0:0:1:1");
	expect_canonical("0:0:1::", "0:0:1::");
	expect_canonical("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
	expect_canonical("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
	expect_canonical("0001:0002::", "1:2::");
	expect_canonical("::", "::");
	expect_canonical("::2", "::2");
	expect_canonical("1::2", "1::2");
	expect_canonical("0.0.0.0", "0.0.0.0");
	expect_canonical("255.255.255.255", "255.255.255.255");

	expect_canonical("localhost", NULL);
	expect_canonical("[::1]", NULL);
	expect_canonical("[::1]:80", NULL);
	expect_canonical("fe80::1%eth0", NULL);
	expect_canonical("fe80::1%1", NULL);
	expect_canonical("127.1", NULL);
	expect_canonical("1.2.3", NULL);
	expect_canonical("", NULL);
	expect_canonical("01.2.3.4", NULL);
	expect_canonical("00.0.0.0", NULL);
	expect_canonical("0x7f.0.0.1", NULL);
	expect_canonical("1.2.3.4 ", NULL);
	expect_canonical(" 1.2.3.4", NULL);
	expect_canonical("255.255.255.256", NULL);
	expect_canonical("1.2.3.4.5", NULL);
	expect_canonical("::01.2.3.4", NULL);
	expect_canonical("::ffff:1.2.3", NULL);
	expect_canonical("::1.2.3.4:5", NULL);
	expect_canonical("1:2:3:4:5:6:7:8:9", NULL);
	expect_canonical("1::2::3", NULL);
	expect_canonical("12345::", NULL);
	expect_canonical(":1::", NULL);
	expect_canonical("1:::2", NULL);
	expect_canonical("::1 ", NULL);
	expect_canonical("::g", NULL);
	/* Too small an out: refused, out unchanged. */
	memcpy(small, "abc", 4);
	assert_false(plat_addr_canonical("192.0.2.1", small, sizeof small));
	assert_string_equal(small, "abc");
}

static void
test_host_addresses(void **state)
{
	struct strlist l;
	char canon[64];
	size_t i;
	bool seen_v6 = false;

	(void)state;
	strlist_init(&l);
	plat_host_addresses(&l);
	for (i = 0; i < l.n; i++) {
		bool v6 = strchr(l.v[i], ':') != NULL;

		assert_true(plat_addr_canonical(l.v[i], canon, sizeof canon));
		assert_string_equal(canon, l.v[i]);
		assert_true(strncmp(l.v[i], "127.", 4) != 0);
		assert_string_not_equal(l.v[i], "::1");
		/* IPv4 first, then IPv6, each once. */
		assert_false(seen_v6 && !v6);
		seen_v6 = seen_v6 || v6;
		if (i > 0)
			assert_string_not_equal(l.v[i - 1], l.v[i]);
	}
	strlist_free(&l);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_disk_and_folders),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_terminal_columns),
		cmocka_unit_test(test_console_child),
		cmocka_unit_test(test_read_secret_redirected),
		cmocka_unit_test(test_time_and_process),
		cmocka_unit_test(test_no_core_dumps),
		cmocka_unit_test(test_argv_utf8),
		cmocka_unit_test(test_threads_and_locks),
		cmocka_unit_test(test_ctrl_c),
		cmocka_unit_test(test_close_handler_waits),
		cmocka_unit_test(test_console_close),
		cmocka_unit_test(test_addr_canonical),
		cmocka_unit_test(test_host_addresses),
	};

	if (argc > 1 && strcmp(argv[1], "--child-argv") == 0)
		return child_argv(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--child-ctrl") == 0)
		return child_ctrl();
	if (argc > 1 && strcmp(argv[1], "--child-close-handler") == 0)
		return child_close_handler();
	if (argc > 2 && strcmp(argv[1], "--child-close") == 0)
		return child_close(argv[2]);
	if (argc > 1 && strcmp(argv[1], "--child-console") == 0)
		return child_console();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
