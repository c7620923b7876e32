/* Windows platform: facts about the machine, the console, time, threads,
 * Ctrl-C and console close, crash dumps, and UTF-8 at the process's edges
 * (its arguments and the console's code pages). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <io.h>

#include <cpuid.h>

#include "hypervisor.h"
#include "platform.h"
#include "platform_windows.h"
#include "util.h"

#include <shellapi.h>

/* Copy src into dst of size sz, always terminated, cut if too long. */
static void
plat_copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src);
}

/* ---- Facts ---- */

/* A REG_SZ value under HKEY_LOCAL_MACHINE as UTF-8 into out; false when
 * it is missing. */
static bool
plat_reg_string(const wchar_t *key, const wchar_t *name, char *out,
    size_t outsz)
{
	wchar_t w[256];
	DWORD size = sizeof w;
	char *s;

	if (RegGetValueW(HKEY_LOCAL_MACHINE, key, name, RRF_RT_REG_SZ, NULL, w,
	    &size) != ERROR_SUCCESS || w[0] == L'\0' ||
	    (s = win_utf8(w)) == NULL)
		return false;
	plat_copy(out, outsz, s);
	free(s);
	return true;
}

typedef LONG (WINAPI *plat_rtl_get_version_fn)(OSVERSIONINFOEXW *);

/* The running Windows's version from ntdll's RtlGetVersion: GetVersionExW
 * gives 6.2 to a program whose manifest does not name later versions
 * ("Operating System Version", Windows docs). */
static bool
plat_os_version(OSVERSIONINFOEXW *v)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	plat_rtl_get_version_fn fn;

	memset(v, 0, sizeof *v);
	v->dwOSVersionInfoSize = sizeof *v;
	if (ntdll == NULL)
		return false;
	fn = (plat_rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll,
	    "RtlGetVersion");
	return fn != NULL && fn(v) == 0;
}

/* os_name: the product name from the registry, its release
 * (DisplayVersion "22H2", ReleaseId "1809" before 20H2, or the service
 * pack) and the version and build, "Windows Server 2022 Standard 21H2
 * (10.0.20348)". */
static void
plat_os_name(struct plat_facts *f)
{
	static const wchar_t cv[] =
	    L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
	OSVERSIONINFOEXW v;
	char product[96] = "", release[32] = "", build[48] = "", *sp;
	bool have = plat_os_version(&v);

	plat_reg_string(cv, L"ProductName", product, sizeof product);
	if (!plat_reg_string(cv, L"DisplayVersion", release, sizeof release) &&
	    !plat_reg_string(cv, L"ReleaseId", release, sizeof release) &&
	    have && v.szCSDVersion[0] != L'\0' &&
	    (sp = win_utf8(v.szCSDVersion)) != NULL) {
		plat_copy(release, sizeof release, sp);
		free(sp);
	}
	/* Windows 11 kept "Windows 10" in ProductName; its builds start at
	 * 22000 (Microsoft, "Windows 11 release information"). */
	if (have && v.wProductType == VER_NT_WORKSTATION &&
	    v.dwBuildNumber >= 22000 &&
	    strncmp(product, "Windows 10", 10) == 0)
		product[9] = '1';
	if (have)
		snprintf(build, sizeof build, "%lu.%lu.%lu",
		    (unsigned long)v.dwMajorVersion,
		    (unsigned long)v.dwMinorVersion,
		    (unsigned long)v.dwBuildNumber);
	if (product[0] == '\0')
		plat_copy(product, sizeof product, "Windows");
	snprintf(f->os_name, sizeof f->os_name, "%s%s%s%s%s%s", product,
	    release[0] != '\0' ? " " : "", release,
	    build[0] != '\0' ? " (" : "", build, build[0] != '\0' ? ")" : "");
}

/* The machine's architecture under the names Linux's uname(2) gives, as
 * the manifest's requirement.arch lists them. */
static const char *
plat_arch(void)
{
	SYSTEM_INFO si;

	GetNativeSystemInfo(&si);
	switch (si.wProcessorArchitecture) {
	case PROCESSOR_ARCHITECTURE_AMD64:
		return "x86_64";
	case PROCESSOR_ARCHITECTURE_INTEL:
		return "i686";
	case 12:	/* PROCESSOR_ARCHITECTURE_ARM64 */
		return "aarch64";
	case PROCESSOR_ARCHITECTURE_ARM:
		return "arm";
	default:
		return "unknown";
	}
}

/* The hypervisor this Windows runs under, from CPUID: leaf 1 ECX bit 31
 * is set by every x86 hypervisor for its guests, and leaf 0x40000000
 * holds its vendor signature (hypervisor.h).
 * Hyper-V also runs under a Windows on bare metal when Hyper-V, WSL 2 or
 * virtualization-based security is on: that Windows is its root
 * partition, which alone holds the CreatePartitions privilege (leaf
 * 0x40000003 EBX bit 0; Hyper-V TLFS, "Partition Privilege Flags"), and
 * counts as bare metal. $ES_FAKE_HYPERVISOR stands in for all this in
 * tests, as on Linux. */
static void
plat_hypervisor(char *out, size_t outsz)
{
	const char *env = getenv("ES_FAKE_HYPERVISOR");
	unsigned a, b, c, d;
	char sig[13];

	out[0] = '\0';
	if (env != NULL) {
		plat_copy(out, outsz, env);
		return;
	}
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	if (strcmp(sig, "Microsoft Hv") == 0 && a >= 0x40000003) {
		__cpuid(0x40000003, a, b, c, d);
		if (b & 1u)
			return;
	}
	plat_copy(out, outsz, plat_hypervisor_by_signature(sig));
}

void
plat_facts(struct plat_facts *f)
{
	MEMORYSTATUSEX ms;
	wchar_t host[256];
	DWORD n = sizeof host / sizeof host[0], cpus;
	char *s;

	memset(f, 0, sizeof *f);
	ms.dwLength = sizeof ms;
	if (GlobalMemoryStatusEx(&ms))
		f->mem_total = ms.ullTotalPhys;
	/* Every processor group: GetSystemInfo counts only this process's
	 * group, at most 64 processors. */
	cpus = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
	f->cpu_count = cpus > 0 ? (unsigned)cpus : 1;
	plat_copy(f->os_id, sizeof f->os_id, "windows");
	plat_os_name(f);
	plat_copy(f->os_family, sizeof f->os_family, "windows");
	plat_copy(f->arch, sizeof f->arch, plat_arch());
	plat_hypervisor(f->hypervisor, sizeof f->hypervisor);
	/* No SELinux on Windows: "" reads "not present". */
	if (GetComputerNameExW(ComputerNameDnsHostname, host, &n) &&
	    (s = win_utf8(host)) != NULL) {
		plat_copy(f->hostname, sizeof f->hostname, s);
		free(s);
	}
}

/* The attributes of a core path, or INVALID_FILE_ATTRIBUTES with the
 * Win32 error in *err. */
static DWORD
plat_attributes(const char *path, DWORD *err)
{
	wchar_t *w = win_wpath(path);
	DWORD a;

	if (w == NULL) {
		*err = ERROR_INVALID_NAME;
		return INVALID_FILE_ATTRIBUTES;
	}
	a = GetFileAttributesW(w);
	*err = a == INVALID_FILE_ATTRIBUTES ? GetLastError() : 0;
	free(w);
	return a;
}

/* Cut the last part off a path ("C:/a/b" to "C:/a", "C:/a" to "C:/");
 * false when nothing is left to cut (a drive's root, or one relative
 * name). */
static bool
plat_path_up(char *p)
{
	char *slash = NULL, *c;

	for (c = p; *c != '\0'; c++)
		if (*c == '/' || *c == '\\')
			slash = c;
	if (slash == NULL)
		return false;
	if (slash == p + 2 && p[1] == ':') {
		if (p[3] == '\0')
			return false;
		p[3] = '\0';
	} else if (slash == p) {
		if (p[1] == '\0')
			return false;
		p[1] = '\0';
	} else
		*slash = '\0';
	return true;
}

bool
plat_disk_free(const char *path, uint64_t *free_bytes)
{
	char *p = xstrdup(path);
	ULARGE_INTEGER avail;
	wchar_t *w = NULL;
	DWORD a, err;
	bool ok = false;

	/* The nearest existing folder: a missing part, or a file, moves one
	 * up. */
	for (;;) {
		a = plat_attributes(p, &err);
		if (a != INVALID_FILE_ATTRIBUTES &&
		    (a & FILE_ATTRIBUTE_DIRECTORY))
			break;
		if (a == INVALID_FILE_ATTRIBUTES &&
		    err != ERROR_FILE_NOT_FOUND && err != ERROR_PATH_NOT_FOUND &&
		    err != ERROR_INVALID_NAME)
			goto out;
		if (!plat_path_up(p)) {
			if (strchr(p, ':') != NULL || strcmp(p, ".") == 0)
				goto out;
			free(p);
			p = xstrdup(".");
		}
	}
	/* GetDiskFreeSpaceExW wants a folder and, given a "\\?\" path, its
	 * trailing backslash. */
	w = win_wpath(p);
	if (w != NULL && wcslen(w) > 0 && w[wcslen(w) - 1] != L'\\') {
		size_t n = wcslen(w);

		w = xrealloc(w, (n + 2) * sizeof *w);
		w[n] = L'\\';
		w[n + 1] = L'\0';
	}
	if (w != NULL && GetDiskFreeSpaceExW(w, &avail, NULL, NULL)) {
		*free_bytes = avail.QuadPart;
		ok = true;
	}
out:
	free(w);
	free(p);
	return ok;
}

/* Windows has no mount flag that stops programs from running: an
 * existing path is never on a noexec file system (Software Restriction
 * and AppLocker policies are another matter, and the service's start
 * reports them). */
bool
plat_fs_noexec(const char *path, bool *noexec)
{
	DWORD err;

	if (plat_attributes(path, &err) == INVALID_FILE_ATTRIBUTES)
		return false;
	*noexec = false;
	return true;
}

/* Whether the access token of this process is granted the rights in want
 * on path, from its security descriptor (AccessCheck, on an impersonation
 * copy of the process token as it asks). -1 when it cannot be told. */
static int
plat_access_granted(const wchar_t *w, DWORD want)
{
	SECURITY_INFORMATION si = OWNER_SECURITY_INFORMATION |
	    GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
	GENERIC_MAPPING map = { FILE_GENERIC_READ, FILE_GENERIC_WRITE,
	    FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS };
	PRIVILEGE_SET privs;
	DWORD need = 0, privlen = sizeof privs, granted = 0;
	BOOL status = FALSE;
	HANDLE token = NULL, imp = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	int rc = -1;

	GetFileSecurityW(w, si, NULL, 0, &need);
	if (need == 0)
		return -1;
	sd = xmalloc(need);
	if (!GetFileSecurityW(w, si, sd, need, &need))
		goto out;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE |
	    TOKEN_QUERY, &token) ||
	    !DuplicateToken(token, SecurityImpersonation, &imp))
		goto out;
	MapGenericMask(&want, &map);
	if (!AccessCheck(sd, imp, want, &map, &privs, &privlen, &granted,
	    &status))
		goto out;
	rc = status && (granted & want) == want;
out:
	if (imp != NULL)
		CloseHandle(imp);
	if (token != NULL)
		CloseHandle(token);
	free(sd);
	return rc;
}

/* EROFS from the volume's FILE_READ_ONLY_VOLUME flag, EACCES from the
 * folder's DACL for adding files and folders; the read-only attribute
 * means nothing on a folder (Windows keeps it for Explorer's
 * customised folders). */
int
plat_dir_writable(const char *path)
{
	wchar_t *w;
	HANDLE h;
	DWORD a, err, flags = 0;
	int rc = 0, granted;

	a = plat_attributes(path, &err);
	if (a == INVALID_FILE_ATTRIBUTES)
		return win_errno(err);
	if (!(a & FILE_ATTRIBUTE_DIRECTORY))
		return ENOTDIR;
	if ((w = win_wpath(path)) == NULL)
		return EINVAL;
	h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ |
	    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h != INVALID_HANDLE_VALUE) {
		if (GetVolumeInformationByHandleW(h, NULL, 0, NULL, NULL,
		    &flags, NULL, 0) && (flags & FILE_READ_ONLY_VOLUME))
			rc = EROFS;
		CloseHandle(h);
	}
	if (rc == 0) {
		granted = plat_access_granted(w, FILE_ADD_FILE |
		    FILE_ADD_SUBDIRECTORY);
		if (granted == 0)
			rc = EACCES;
	}
	free(w);
	return rc;
}

/* ---- Console and process ---- */

void
plat_utc_now(char *out, size_t outsz)
{
	SYSTEMTIME t;

	GetSystemTime(&t);
	snprintf(out, outsz, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    (unsigned)t.wYear, (unsigned)t.wMonth, (unsigned)t.wDay,
	    (unsigned)t.wHour, (unsigned)t.wMinute, (unsigned)t.wSecond);
}

/* A console handle: a character device that answers GetConsoleMode (NUL
 * is a character device too, and a serial port another). */
static bool
plat_is_console(HANDLE h, DWORD *mode)
{
	DWORD m;

	if (h == NULL || h == INVALID_HANDLE_VALUE ||
	    GetFileType(h) != FILE_TYPE_CHAR || !GetConsoleMode(h, &m))
		return false;
	if (mode != NULL)
		*mode = m;
	return true;
}

bool
plat_stdin_is_tty(void)
{
	return plat_is_console(GetStdHandle(STD_INPUT_HANDLE), NULL);
}

bool
plat_stdout_is_tty(void)
{
	return plat_is_console(GetStdHandle(STD_OUTPUT_HANDLE), NULL);
}

/* ncurses built with --enable-term-driver draws on the console through
 * its Windows console driver when TERM is unset, as it is in cmd.exe,
 * PowerShell and Windows Terminal. */
bool
plat_terminal_usable(void)
{
	return plat_stdin_is_tty() && plat_stdout_is_tty();
}

unsigned
plat_terminal_columns(void)
{
	const char *env = getenv("COLUMNS");
	CONSOLE_SCREEN_BUFFER_INFO info;
	char *end;
	unsigned long n;
	int w;

	if (env != NULL && *env >= '0' && *env <= '9') {
		n = strtoul(env, &end, 10);
		if (*end == '\0' && n >= 20 && n <= 1000)
			return (unsigned)n;
	}
	/* The visible window, not the buffer: the buffer is often 120 or
	 * more columns wider than what shows. */
	if (GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE),
	    &info)) {
		w = info.srWindow.Right - info.srWindow.Left + 1;
		if (w > 0)
			return (unsigned)w;
	}
	return 80;
}

long
plat_process_id(void)
{
	return (long)GetCurrentProcessId();
}

double
plat_monotonic(void)
{
	static LARGE_INTEGER freq;
	LARGE_INTEGER now;

	/* Never 0 on Windows XP and later (QueryPerformanceFrequency); the
	 * value is fixed at boot, so a race writes the same number. */
	if (freq.QuadPart == 0)
		QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&now);
	return (double)now.QuadPart / (double)freq.QuadPart;
}

/* Console control events counted (win_console_ctrl). */
static volatile LONG plat_signal_count;

/* The console input mode plat_read_secret() turned echo off in, so that
 * the control handler can turn it back on when the console is closed or
 * the process ends on Ctrl-C while the secret is typed. */
static HANDLE plat_secret_console;
static DWORD plat_secret_mode;
static volatile LONG plat_secret_active;

static void
plat_secret_restore(void)
{
	if (InterlockedExchange(&plat_secret_active, 0) != 0)
		SetConsoleMode(plat_secret_console, plat_secret_mode);
}

/* Wait up to ms milliseconds for a control event to be counted. */
static void
plat_wait_for_signal(DWORD ms)
{
	DWORD t0 = GetTickCount();

	while (InterlockedCompareExchange(&plat_signal_count, 0, 0) == 0 &&
	    GetTickCount() - t0 < ms)
		Sleep(5);
}

/* One line from the console through ReadConsoleW with echo off, into buf
 * as UTF-8 (cut at a whole character when it does not fit); the rest of
 * a long line is read and dropped. ReadConsoleA cannot give UTF-8 that
 * is not ASCII on many Windows versions, whatever the input code page.
 * False at end of input, or when Ctrl-C or Ctrl-Break cut the read. */
static bool
plat_read_console_line(HANDLE h, char *buf, size_t bufsz)
{
	wchar_t w[512], chunk[64];
	DWORD got, i;
	size_t n = 0;
	bool line = false, ok = true;
	int len;

	while (!line) {
		if (!ReadConsoleW(h, chunk, sizeof chunk / sizeof chunk[0],
		    &got, NULL) || got == 0) {
			/* Ctrl-C ends the read with nothing and
			 * ERROR_OPERATION_ABORTED (ReadConsole); the handler
			 * that counts it runs on its own thread, maybe a
			 * moment later: give it that moment, so that the
			 * caller sees the signal and not an end of input. */
			if (GetLastError() == ERROR_OPERATION_ABORTED)
				plat_wait_for_signal(200);
			ok = false;
			break;
		}
		/* A line ends in "\r\n"; a chunk may end between the
		 * two. */
		for (i = 0; i < got && !line; i++) {
			if (chunk[i] == L'\n')
				line = true;
			else if (chunk[i] != L'\r' &&
			    n + 1 < sizeof w / sizeof w[0])
				w[n++] = chunk[i];
		}
	}
	SecureZeroMemory(chunk, sizeof chunk);
	/* A lone high surrogate at the cut would make the text invalid. */
	if (n > 0 && w[n - 1] >= 0xd800 && w[n - 1] <= 0xdbff)
		n--;
	w[n] = L'\0';
	buf[0] = '\0';
	if (ok) {
		/* Fewer characters until the UTF-8 fits in buf. */
		while ((len = WideCharToMultiByte(CP_UTF8, 0, w, (int)n, buf,
		    (int)bufsz - 1, NULL, NULL)) == 0 && n > 0) {
			n--;
			if (n > 0 && w[n - 1] >= 0xd800 && w[n - 1] <= 0xdbff)
				n--;
		}
		buf[len > 0 ? len : 0] = '\0';
	}
	SecureZeroMemory(w, sizeof w);
	return ok;
}

bool
plat_read_secret(FILE *in, FILE *out, const char *prompt, char *buf,
    size_t bufsz)
{
	HANDLE h = (HANDLE)_get_osfhandle(_fileno(in));
	DWORD mode;
	bool console = plat_is_console(h, &mode), ok;
	size_t n;

	if (bufsz == 0)
		return false;
	if (console) {
		/* Echo off before the prompt shows, so that nothing typed
		 * after it is echoed; ENABLE_LINE_INPUT stays, so that
		 * Backspace still edits the line. */
		plat_secret_console = h;
		plat_secret_mode = mode;
		InterlockedExchange(&plat_secret_active, 1);
		SetConsoleMode(h, (mode | ENABLE_LINE_INPUT |
		    ENABLE_PROCESSED_INPUT) & ~(DWORD)ENABLE_ECHO_INPUT);
	}
	if (prompt != NULL && out != NULL) {
		fputs(prompt, out);
		fflush(out);
	}
	if (console) {
		ok = plat_read_console_line(h, buf, bufsz);
		plat_secret_restore();
		/* The Enter that ended the line was not echoed either. */
		if (out != NULL) {
			fputc('\n', out);
			fflush(out);
		}
		return ok;
	}
	ok = fgets(buf, (int)bufsz, in) != NULL;
	if (!ok) {
		buf[0] = '\0';
		return false;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return true;
}

/* ---- Threads ---- */

struct plat_thread {
	HANDLE h;
	void (*fn)(void *);
	void *arg;
};

struct plat_lock {
	SRWLOCK m;
	CONDITION_VARIABLE c;
};

static DWORD WINAPI
plat_thread_main(LPVOID arg)
{
	struct plat_thread *t = arg;

	t->fn(t->arg);
	return 0;
}

struct plat_thread *
plat_thread_start(void (*fn)(void *), void *arg)
{
	struct plat_thread *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->h = CreateThread(NULL, 0, plat_thread_main, t, 0, NULL);
	if (t->h == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
plat_thread_join(struct plat_thread *t)
{
	if (t == NULL)
		return;
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
	free(t);
}

struct plat_lock *
plat_lock_new(void)
{
	struct plat_lock *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	InitializeSRWLock(&l->m);
	InitializeConditionVariable(&l->c);
	return l;
}

/* SRW locks and condition variables hold no resources to release. */
void
plat_lock_free(struct plat_lock *l)
{
	free(l);
}

void
plat_lock_acquire(struct plat_lock *l)
{
	AcquireSRWLockExclusive(&l->m);
}

void
plat_lock_release(struct plat_lock *l)
{
	ReleaseSRWLockExclusive(&l->m);
}

/* A wake may come without plat_lock_wake() (a spurious wake-up, as with
 * pthread_cond_wait): callers wait in a loop on their own condition. */
void
plat_lock_wait(struct plat_lock *l)
{
	SleepConditionVariableSRW(&l->c, &l->m, INFINITE, 0);
}

void
plat_lock_wake(struct plat_lock *l)
{
	WakeAllConditionVariable(&l->c);
}

/* ---- Signals and crashes ---- */

/* How long the control handler keeps the process alive after the console
 * is closed, the user logs off or Windows shuts down, so that the main
 * thread can roll back and exit (its exit ends the process and this
 * wait). Windows itself ends the process 5 s after CTRL_CLOSE_EVENT
 * (SetConsoleCtrlHandler, "Remarks"), and after its own shutdown time-outs
 * for the other two, whatever the handler does: a rollback longer than
 * that is cut short there, and the next run finishes it from the
 * journal. */
#define PLAT_CLOSE_WAIT_MS 20000

/* Runs on a thread Windows starts for each event. Ctrl-C and Ctrl-Break
 * count like SIGINT on Linux; closing the console, logging off and
 * shutting down like SIGHUP and SIGTERM. Returning from the last three
 * ends the process at once, so the handler waits there instead. */
BOOL WINAPI
win_console_ctrl(DWORD type)
{
	switch (type) {
	case CTRL_C_EVENT:
	case CTRL_BREAK_EVENT:
		InterlockedIncrement(&plat_signal_count);
		return TRUE;
	case CTRL_CLOSE_EVENT:
	case CTRL_LOGOFF_EVENT:
	case CTRL_SHUTDOWN_EVENT:
		InterlockedIncrement(&plat_signal_count);
		plat_secret_restore();
		Sleep(PLAT_CLOSE_WAIT_MS);
		return TRUE;
	default:
		return FALSE;
	}
}

void
plat_signals_install(void)
{
	static volatile LONG installed;

	/* A process started with CREATE_NEW_PROCESS_GROUP inherits "ignore
	 * Ctrl-C", under which no handler hears it: turn that off first. */
	SetConsoleCtrlHandler(NULL, FALSE);
	if (InterlockedExchange(&installed, 1) == 0)
		SetConsoleCtrlHandler(win_console_ctrl, TRUE);
}

int
plat_signals_pending(void)
{
	return (int)InterlockedCompareExchange(&plat_signal_count, 0, 0);
}

void
plat_signals_reset(void)
{
	InterlockedExchange(&plat_signal_count, 0);
}

/* Flags of WerSetFlags (werapi.h; mingw-w64's lacks them). */
#define PLAT_WER_FAULT_REPORTING_FLAG_NOHEAP 1u
#define PLAT_WER_FAULT_REPORTING_NO_UI 0x20u

typedef HRESULT (WINAPI *plat_wer_set_flags_fn)(DWORD);
typedef HRESULT (WINAPI *plat_wer_exclude_fn)(PCWSTR, BOOL);

static wchar_t plat_wer_exe[MAX_PATH];
static plat_wer_exclude_fn plat_wer_remove;

/* The exclusion from Windows Error Reporting lasts while this process
 * runs: WER keeps it in the registry (HKCU\Software\Microsoft\Windows\
 * Windows Error Reporting\ExcludedApplications), which an installer that
 * leaves nothing behind must not keep. */
static void
plat_wer_unexclude(void)
{
	if (plat_wer_remove != NULL)
		plat_wer_remove(plat_wer_exe, FALSE);
}

/* An unhandled exception ends the process at once, before Windows Error
 * Reporting can run and write a dump. */
static LONG WINAPI
plat_crash_filter(EXCEPTION_POINTERS *ep)
{
	TerminateProcess(GetCurrentProcess(),
	    ep->ExceptionRecord->ExceptionCode);
	return EXCEPTION_EXECUTE_HANDLER;
}

/* A secret must not reach a crash dump (docs/design.md "Crash dumps").
 * - The unhandled-exception filter ends the process before Windows Error
 *   Reporting sees the crash: no WER report and no LocalDumps file
 *   (HKLM\...\Windows Error Reporting\LocalDumps) is made of it.
 * - SetErrorMode(SEM_NOGPFAULTERRORBOX) keeps WER's "stopped working"
 *   dialog away (it would hold the process, and its secrets, open until
 *   someone answers); SEM_FAILCRITICALERRORS turns "insert a disk" and
 *   similar boxes into errors the installer reports.
 * - WerSetFlags(NOHEAP | NO_UI), for what bypasses the filter (a
 *   fail-fast exception, a stack buffer overrun): a report holds no heap
 *   memory, where secrets live, and asks nothing.
 * - WerAddExcludedApplication for this program: WER reports nothing of
 *   it; taken back when the process exits (plat_wer_unexclude).
 * wer.dll and WerSetFlags are found at run time: this needs neither at
 * link time, and runs where they are missing. */
void
plat_no_core_dumps(void)
{
	static volatile LONG done;
	HMODULE k32 = GetModuleHandleW(L"kernel32.dll"), wer;
	plat_wer_set_flags_fn set_flags = NULL;
	plat_wer_exclude_fn add, remove;
	wchar_t path[MAX_PATH], *name;
	DWORD n;

	SetUnhandledExceptionFilter(plat_crash_filter);
	SetErrorMode(SetErrorMode(0) | SEM_FAILCRITICALERRORS |
	    SEM_NOGPFAULTERRORBOX);
	if (k32 != NULL)
		set_flags = (plat_wer_set_flags_fn)(void (*)(void))
		    GetProcAddress(k32, "WerSetFlags");
	if (set_flags != NULL)
		set_flags(PLAT_WER_FAULT_REPORTING_FLAG_NOHEAP |
		    PLAT_WER_FAULT_REPORTING_NO_UI);
	if (InterlockedExchange(&done, 1) != 0)
		return;
	wer = LoadLibraryExW(L"wer.dll", NULL,
	    LOAD_LIBRARY_SEARCH_SYSTEM32);
	if (wer == NULL)
		return;
	add = (plat_wer_exclude_fn)(void (*)(void))GetProcAddress(wer,
	    "WerAddExcludedApplication");
	remove = (plat_wer_exclude_fn)(void (*)(void))GetProcAddress(wer,
	    "WerRemoveExcludedApplication");
	n = GetModuleFileNameW(NULL, path, sizeof path / sizeof path[0]);
	if (add == NULL || remove == NULL || n == 0 ||
	    n >= sizeof path / sizeof path[0])
		return;
	/* WER matches the program's file name ("engine-setup.exe"). */
	name = wcsrchr(path, L'\\');
	name = name != NULL ? name + 1 : path;
	wcscpy(plat_wer_exe, name);
	if (SUCCEEDED(add(plat_wer_exe, FALSE))) {
		plat_wer_remove = remove;
		atexit(plat_wer_unexclude);
	}
}

/* ---- UTF-8 at the process's edges ---- */

static UINT plat_old_output_cp, plat_old_input_cp;

static void
plat_restore_code_pages(void)
{
	if (plat_old_output_cp != 0)
		SetConsoleOutputCP(plat_old_output_cp);
	if (plat_old_input_cp != 0)
		SetConsoleCP(plat_old_input_cp);
}

/* The console speaks UTF-8 while the process runs (the code pages belong
 * to the console, which outlives the process: the old ones come back at
 * exit), and argv becomes the UTF-8 form of the UTF-16 command line:
 * the C runtime's argv is in the ANSI code page, where a name outside it
 * ("C:/Users/Jürgen" on a Greek system) turns into '?'. The new argv
 * lives as long as the process. */
void
plat_process_start(int *argc, char ***argv)
{
	wchar_t **wargv;
	char **v;
	int wargc, i;

	plat_old_output_cp = GetConsoleOutputCP();
	plat_old_input_cp = GetConsoleCP();
	if (plat_old_output_cp != 0 || plat_old_input_cp != 0) {
		SetConsoleOutputCP(CP_UTF8);
		SetConsoleCP(CP_UTF8);
		atexit(plat_restore_code_pages);
	}
	wargv = CommandLineToArgvW(GetCommandLineW(), &wargc);
	if (wargv == NULL)
		return;
	v = xcalloc((size_t)wargc + 1, sizeof *v);
	for (i = 0; i < wargc; i++) {
		if ((v[i] = win_utf8(wargv[i])) == NULL) {
			/* An unpaired surrogate: keep the runtime's argv. */
			while (i-- > 0)
				free(v[i]);
			free(v);
			LocalFree(wargv);
			return;
		}
	}
	LocalFree(wargv);
	*argc = wargc;
	*argv = v;
}
