/* Services through the Service Control Manager, and the administrator
 * check (platform.h "Services", plat_is_admin).
 *
 * The SCM cannot be put inside a folder: under a --root other than "/"
 * nothing is registered (decision 2 of issue 11; platform/windows/
 * README.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_windows.h"
#include "platform_windows_service.h"
#include "util.h"

/* How long a start or a stop may take before it is called failed. */
#define WIN_SERVICE_WAIT_MS 30000u
/* Recovery: restart after 60 s, twice, and forget the failures after a
 * day (SERVICE_FAILURE_ACTIONSW). */
#define WIN_SERVICE_RESTART_MS 60000u
#define WIN_SERVICE_RESET_S 86400u

/* What to do about a service the SCM keeps as marked for deletion. */
#define WIN_MARKED_ADVICE "Windows removes it only once every program " \
	"that holds it open lets go: close the Services console " \
	"(services.msc), Task Manager's Services tab, Event Viewer or any " \
	"other program that shows services, or restart Windows, then run " \
	"engine-setup again"

/* True when root means the running system rather than a --root folder. */
static bool
win_is_live_root(const char *root)
{
	return root == NULL || strcmp(root, "/") == 0;
}

/* True for a name the SCM and the record take alike: letters, digits,
 * '.', '_' and '-', as on Linux (CreateServiceW itself refuses '/' and
 * '\' and more than 256 characters). */
static bool
win_service_name_ok(const char *name)
{
	const char *p;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-' || strlen(name) > 200)
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.'))
			return false;
	}
	return true;
}

/* The SCM of this machine with the access asked for, or NULL with the
 * Win32 error in *err. */
static SC_HANDLE
win_scm_open(DWORD access, DWORD *err)
{
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, access);

	if (scm == NULL)
		*err = GetLastError();
	return scm;
}

/* Open service name (UTF-8) in scm; NULL with the Win32 error in *err. */
static SC_HANDLE
win_service_open(SC_HANDLE scm, const char *name, DWORD access, DWORD *err)
{
	wchar_t *w = win_wide(name);
	SC_HANDLE h = NULL;

	if (w == NULL) {
		*err = ERROR_INVALID_NAME;
		return NULL;
	}
	h = OpenServiceW(scm, w, access);
	if (h == NULL)
		*err = GetLastError();
	free(w);
	return h;
}

/* The command line of a service program at exec, a core path ("C:/Program
 * Files/x.exe"): '\' separators, quoted so that a path with spaces names
 * one program (CreateServiceW, lpBinaryPathName). NULL on invalid UTF-8 or
 * a path with a quote in it. Caller frees. */
static wchar_t *
win_service_image_path(const char *exec)
{
	wchar_t *w, *out, *p;
	size_t n;

	if (strchr(exec, '"') != NULL || (w = win_wide(exec)) == NULL)
		return NULL;
	for (p = w; *p != L'\0'; p++)
		if (*p == L'/')
			*p = L'\\';
	n = wcslen(w);
	out = xmalloc((n + 3) * sizeof *out);
	out[0] = L'"';
	memcpy(out + 1, w, n * sizeof *out);
	out[n + 1] = L'"';
	out[n + 2] = L'\0';
	free(w);
	return out;
}

/* Close what win_scm_open and win_service_open gave; NULL is skipped. */
static void
win_service_close(SC_HANDLE scm, SC_HANDLE h)
{
	if (h != NULL)
		CloseServiceHandle(h);
	if (scm != NULL)
		CloseServiceHandle(scm);
}

/* The service's current status; false with the Win32 error in *err. */
static bool
win_service_query(SC_HANDLE h, SERVICE_STATUS_PROCESS *st, DWORD *err)
{
	DWORD need;

	if (QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (BYTE *)st,
	    sizeof *st, &need))
		return true;
	*err = GetLastError();
	return false;
}

/* Wait, up to WIN_SERVICE_WAIT_MS, for the service to leave the pending
 * state pending; the last status in *st. False when it could not be
 * queried (*err) or it is still pending. */
static bool
win_service_wait(SC_HANDLE h, DWORD pending, SERVICE_STATUS_PROCESS *st,
    DWORD *err)
{
	DWORD waited = 0, step;

	for (;;) {
		if (!win_service_query(h, st, err))
			return false;
		if (st->dwCurrentState != pending)
			return true;
		if (waited >= WIN_SERVICE_WAIT_MS) {
			*err = ERROR_SERVICE_REQUEST_TIMEOUT;
			return false;
		}
		/* The SCM's own advice: a tenth of the wait hint, within 1 s
		 * to 10 s; a shorter step here, as our services start fast. */
		step = st->dwWaitHint / 10;
		if (step < 100)
			step = 100;
		if (step > 1000)
			step = 1000;
		Sleep(step);
		waited += step;
	}
}

/* The exit code a stopped service reported: its own code when it says
 * it has one (ERROR_SERVICE_SPECIFIC_ERROR). */
static DWORD
win_service_exit_code(const SERVICE_STATUS_PROCESS *st)
{
	if (st->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR)
		return st->dwServiceSpecificExitCode;
	return st->dwWin32ExitCode;
}

static void
win_err_marked(struct es_err *e, const char *name, const char *doing)
{
	err_set(e, ES_EINSTALL, "cannot %s service %s: Windows keeps it "
	    "marked for deletion because a program still holds it open "
	    "(often the Services console, services.msc). " WIN_MARKED_ADVICE
	    ".", doing, name);
}

/* Open service name to verb it ("start", "stop", "remove") with access,
 * after checking the name and opening the SCM (into *scm, which the caller
 * closes). NULL with e set, or, for a service that does not exist, with
 * *missing true and e untouched. */
static SC_HANDLE
win_service_connect(const char *name, const char *verb, DWORD access,
    SC_HANDLE *scm, bool *missing, struct es_err *e)
{
	SC_HANDLE h;
	DWORD err = 0;

	*scm = NULL;
	*missing = false;
	if (!win_service_name_ok(name)) {
		err_set(e, ES_EINTERNAL, "cannot %s service \"%s\": not a"
		    " service name", verb, name != NULL ? name : "");
		return NULL;
	}
	if ((*scm = win_scm_open(SC_MANAGER_CONNECT, &err)) == NULL) {
		err_win(e, ES_EINSTALL, err, "cannot %s service %s: the "
		    "Service Control Manager refused to open", verb, name);
		return NULL;
	}
	if ((h = win_service_open(*scm, name, access, &err)) != NULL)
		return h;
	if (err == ERROR_SERVICE_DOES_NOT_EXIST)
		*missing = true;
	else if (err == ERROR_SERVICE_MARKED_FOR_DELETE)
		win_err_marked(e, name, verb);
	else
		err_win(e, ES_EINSTALL, err, "cannot %s service %s", verb,
		    name);
	return NULL;
}

bool
plat_is_admin(void)
{
	return win_admin_check(NULL, NULL);
}

bool
win_admin_check(bool *elevated_out, bool *member_out)
{
	SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
	TOKEN_ELEVATION te;
	HANDLE token;
	PSID admins = NULL;
	BOOL member = FALSE;
	DWORD len;
	bool elevated = false;

	if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
		if (GetTokenInformation(token, TokenElevation, &te, sizeof te,
		    &len))
			elevated = te.TokenIsElevated != 0;
		CloseHandle(token);
	}
	/* CheckTokenMembership of the caller's token: under UAC a filtered
	 * token carries BUILTIN\Administrators as deny-only, which does not
	 * count. */
	if (AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID,
	    DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &admins)) {
		if (!CheckTokenMembership(NULL, admins, &member))
			member = FALSE;
		FreeSid(admins);
	}
	if (elevated_out != NULL)
		*elevated_out = elevated;
	if (member_out != NULL)
		*member_out = member != FALSE;
	return elevated && member;
}

const char *
win_admin_advice(bool elevated, bool member)
{
	if (member && !elevated)
		return "engine-setup is not running elevated: open the "
		    "Command Prompt or PowerShell with right-click, Run as "
		    "administrator, and run it from there";
	if (!member)
		return "your Windows account is not an administrator of this "
		    "computer: sign in as one, or ask one to run engine-setup "
		    "from an elevated prompt (right-click, Run as "
		    "administrator)";
	return "run engine-setup from an elevated prompt (right-click, Run "
	    "as administrator)";
}

const char *
plat_admin_advice(void)
{
	bool elevated, member;

	win_admin_check(&elevated, &member);
	return win_admin_advice(elevated, member);
}

enum plat_init
plat_init_system(const char *root)
{
	(void)root;
	return PLAT_INIT_WINDOWS;
}

bool
plat_service_manager_running(const char *root)
{
	SC_HANDLE scm;
	DWORD err;

	if (!win_is_live_root(root))
		return false;
	if ((scm = win_scm_open(SC_MANAGER_CONNECT, &err)) == NULL)
		return false;
	CloseServiceHandle(scm);
	return true;
}

void
plat_service_paths(const char *root, const char *name,
    struct strlist *paths)
{
	/* A service is a record in the SCM, not a file (decision 2). */
	(void)root;
	(void)name;
	(void)paths;
}

/* The registry key of service name (HKLM\SYSTEM\CurrentControlSet\
 * Services\NAME), UTF-16, or NULL. Caller frees. */
static wchar_t *
win_service_key(const char *name)
{
	char *k = xasprintf("SYSTEM\\CurrentControlSet\\Services\\%s", name);
	wchar_t *w = win_wide(k);

	free(k);
	return w;
}

/* Whether service name still has its key in the registry. */
static bool
win_service_key_exists(const char *name)
{
	wchar_t *key = win_service_key(name);
	HKEY h;
	LSTATUS rc;

	if (key == NULL)
		return false;
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE, &h);
	free(key);
	if (rc != ERROR_SUCCESS)
		return rc != ERROR_FILE_NOT_FOUND;
	RegCloseKey(h);
	return true;
}

/* Set DelayedAutostart = 1 in service name's key
 * (HKLM\SYSTEM\CurrentControlSet\Services\NAME), where Windows keeps
 * SERVICE_CONFIG_DELAYED_AUTO_START_INFO. */
static bool
win_service_delayed_value(const char *name, struct es_err *e)
{
	wchar_t *key = win_service_key(name);
	DWORD one = 1;
	LSTATUS rc;

	if (key == NULL) {
		err_set(e, ES_EINTERNAL, "cannot install service %s: not a "
		    "service name", name);
		return false;
	}
	rc = RegSetKeyValueW(HKEY_LOCAL_MACHINE, key, L"DelayedAutostart",
	    REG_DWORD, &one, sizeof one);
	free(key);
	if (rc != ERROR_SUCCESS) {
		err_win(e, ES_EINSTALL, (DWORD)rc, "cannot make service %s "
		    "start automatically, delayed", name);
		return false;
	}
	return true;
}

/* Description, delayed automatic start and recovery of a service just
 * created or updated (ChangeServiceConfig2W). */
static bool
win_service_configure(SC_HANDLE h, const struct plat_service *s,
    struct es_err *e)
{
	SERVICE_DESCRIPTIONW desc;
	SERVICE_DELAYED_AUTO_START_INFO delayed;
	SERVICE_FAILURE_ACTIONSW fa;
	SC_ACTION act[2];
	wchar_t *wdesc = NULL;
	DWORD err = 0;
	bool ok = false;

	wdesc = win_wide(s->description != NULL ? s->description : s->name);
	if (wdesc == NULL) {
		err_set(e, ES_EINTERNAL, "cannot install service %s: its "
		    "description is not valid UTF-8", s->name);
		goto out;
	}
	desc.lpDescription = wdesc;
	if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_DESCRIPTION, &desc)) {
		err_win(e, ES_EINSTALL, GetLastError(), "cannot set the "
		    "description of service %s", s->name);
		goto out;
	}
	delayed.fDelayedAutostart = TRUE;
	if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
	    &delayed) && (err = GetLastError()) != ERROR_INVALID_LEVEL) {
		err_win(e, ES_EINSTALL, err, "cannot make service %s start "
		    "automatically, delayed", s->name);
		goto out;
	}
	/* An SCM without the level (wine 8) gets the value Windows keeps
	 * for it in the service's key. */
	if (err == ERROR_INVALID_LEVEL && !win_service_delayed_value(s->name,
	    e))
		goto out;
	act[0].Type = SC_ACTION_RESTART;
	act[0].Delay = WIN_SERVICE_RESTART_MS;
	act[1] = act[0];
	memset(&fa, 0, sizeof fa);
	fa.dwResetPeriod = WIN_SERVICE_RESET_S;
	fa.cActions = 2;
	fa.lpsaActions = act;
	if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_FAILURE_ACTIONS, &fa)) {
		err_win(e, ES_EINSTALL, GetLastError(), "cannot set the "
		    "recovery actions of service %s", s->name);
		goto out;
	}
	ok = true;
out:
	free(wdesc);
	return ok;
}

/* A service deleted while a handle to it is open stays in the SCM, marked
 * for deletion, until the last handle closes; the SCM answers
 * ERROR_SERVICE_MARKED_FOR_DELETE to a change of it. True when name is in
 * that state. */
static bool
win_service_marked(SC_HANDLE scm, const char *name)
{
	SC_HANDLE h;
	DWORD err = 0;
	bool marked = false;

	h = win_service_open(scm, name, SERVICE_CHANGE_CONFIG, &err);
	if (h == NULL)
		return err == ERROR_SERVICE_MARKED_FOR_DELETE;
	if (!ChangeServiceConfigW(h, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
	    SERVICE_NO_CHANGE, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
		marked = GetLastError() == ERROR_SERVICE_MARKED_FOR_DELETE;
	CloseServiceHandle(h);
	return marked;
}

/* The name of the one-shot service that runs s's identity check before
 * every start (plat_service_run_once): "NAME-identity". Caller frees. */
static char *
win_check_name(const char *name)
{
	return xasprintf("%s-identity", name);
}

/* Create or update the identity check service of s (s->check set): its
 * own process, started on demand, which the SCM starts before s because
 * s depends on it ("Service Startup", Windows docs: a service's
 * dependencies start first). Its name, double-NUL-terminated for
 * lpDependencies, into *deps (caller frees). */
static bool
win_service_install_check(SC_HANDLE scm, const struct plat_service *s,
    wchar_t **deps, struct es_err *e)
{
	char *name = win_check_name(s->name), *display;
	wchar_t *wname = win_wide(name), *wdisplay, *image, *cmd;
	SC_HANDLE h;
	DWORD err = 0;
	size_t n;
	bool ok = false;

	display = xasprintf("%s: identity check",
	    s->description != NULL ? s->description : s->name);
	wdisplay = win_wide(display);
	image = win_service_image_path(s->check);
	cmd = NULL;
	if (wname == NULL || wdisplay == NULL || image == NULL) {
		err_set(e, ES_EINSTALL, "cannot install service %s: its "
		    "program must be an absolute path without quotes (got "
		    "\"%s\")", name, s->check);
		goto out;
	}
	n = wcslen(image);
	cmd = xmalloc((n + 32) * sizeof *cmd);
	memcpy(cmd, image, n * sizeof *cmd);
	wcscpy(cmd + n, L" identity check --service");
	h = CreateServiceW(scm, wname, wdisplay, SERVICE_ALL_ACCESS,
	    SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
	    SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, NULL, NULL);
	if (h == NULL && (err = GetLastError()) == ERROR_SERVICE_EXISTS &&
	    (h = win_service_open(scm, name, SERVICE_ALL_ACCESS, &err)) !=
	    NULL) {
		err = 0;
		if (!ChangeServiceConfigW(h, SERVICE_WIN32_OWN_PROCESS,
		    SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, cmd, NULL,
		    NULL, NULL, NULL, NULL, wdisplay))
			err = GetLastError();
	}
	if (h != NULL)
		CloseServiceHandle(h);
	if (h == NULL || err != 0) {
		if (err == ERROR_SERVICE_MARKED_FOR_DELETE)
			win_err_marked(e, name, "install");
		else
			err_win(e, ES_EINSTALL, err, "cannot install service "
			    "%s", name);
		goto out;
	}
	n = wcslen(wname);
	*deps = xcalloc(n + 2, sizeof **deps);
	memcpy(*deps, wname, n * sizeof **deps);
	ok = true;
out:
	free(name);
	free(display);
	free(wname);
	free(wdisplay);
	free(image);
	free(cmd);
	return ok;
}

bool
plat_service_install(const char *root, const struct plat_service *s,
    struct strlist *files, struct es_err *e)
{
	SC_HANDLE scm = NULL, h = NULL;
	wchar_t *wname = NULL, *wdisplay = NULL, *image = NULL, *deps = NULL;
	DWORD err = 0;
	bool ok = false, created = false;

	(void)files;   /* nothing in root: the SCM keeps services */
	if (!win_service_name_ok(s->name)) {
		err_set(e, ES_EINTERNAL, "cannot install service \"%s\": a"
		    " service name may hold only letters, digits, '.', '_'"
		    " and '-'", s->name != NULL ? s->name : "");
		return false;
	}
	if (s->exec == NULL || !plat_path_is_absolute(s->exec) ||
	    (image = win_service_image_path(s->exec)) == NULL) {
		err_set(e, ES_EINSTALL, "cannot install service %s: its program"
		    " must be an absolute path without quotes (got \"%s\");"
		    " choose another install_dir", s->name,
		    s->exec != NULL ? s->exec : "");
		return false;
	}
	if (!win_is_live_root(root)) {
		/* Decision 2: the SCM cannot be put inside a folder. */
		ok = true;
		goto out;
	}
	wname = win_wide(s->name);
	wdisplay = win_wide(s->description != NULL ? s->description :
	    s->name);
	if (wname == NULL || wdisplay == NULL) {
		err_set(e, ES_EINTERNAL, "cannot install service %s: its "
		    "description is not valid UTF-8", s->name);
		goto out;
	}
	if ((scm = win_scm_open(SC_MANAGER_CREATE_SERVICE | SC_MANAGER_CONNECT,
	    &err)) == NULL) {
		err_win(e, ES_EINSTALL, err, "cannot install service %s: the "
		    "Service Control Manager refused to open", s->name);
		goto out;
	}
	if (s->check != NULL && !win_service_install_check(scm, s, &deps, e))
		goto out;
	h = CreateServiceW(scm, wname, wdisplay, SERVICE_ALL_ACCESS,
	    SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
	    SERVICE_ERROR_NORMAL, image, NULL, NULL, deps, NULL, NULL);
	if (h != NULL) {
		created = true;
	} else if ((err = GetLastError()) == ERROR_SERVICE_EXISTS) {
		/* Over an installation of the same product: take it over. */
		if ((h = win_service_open(scm, s->name, SERVICE_ALL_ACCESS,
		    &err)) == NULL && err != ERROR_SERVICE_MARKED_FOR_DELETE) {
			err_win(e, ES_EINSTALL, err, "cannot open the existing "
			    "service %s to update it", s->name);
			goto out;
		}
		if (h != NULL && !ChangeServiceConfigW(h,
		    SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
		    SERVICE_ERROR_NORMAL, image, NULL, NULL,
		    deps != NULL ? deps : L"\0", NULL, NULL, wdisplay))
			err = GetLastError();
		else if (h != NULL)
			err = 0;
	}
	if (err == ERROR_SERVICE_MARKED_FOR_DELETE) {
		win_err_marked(e, s->name, "install");
		goto out;
	}
	if (h == NULL || err != 0) {
		err_win(e, ES_EINSTALL, err, "cannot install service %s",
		    s->name);
		goto out;
	}
	if (!win_service_configure(h, s, e))
		goto out;
	ok = true;
out:
	if (!ok && created)
		DeleteService(h);
	win_service_close(scm, h);
	free(wname);
	free(wdisplay);
	free(image);
	free(deps);
	return ok;
}

/* Ask a service to stop and wait for SERVICE_STOPPED; h has SERVICE_STOP
 * and SERVICE_QUERY_STATUS. A service that is not running is success. */
static bool
win_service_stop_handle(SC_HANDLE h, const char *name, struct es_err *e)
{
	SERVICE_STATUS ss;
	SERVICE_STATUS_PROCESS st;
	DWORD err = 0;

	if (!win_service_query(h, &st, &err)) {
		err_win(e, ES_EINSTALL, err, "cannot stop service %s: its "
		    "state cannot be read", name);
		return false;
	}
	if (st.dwCurrentState == SERVICE_STOPPED)
		return true;
	if (st.dwCurrentState != SERVICE_STOP_PENDING &&
	    !ControlService(h, SERVICE_CONTROL_STOP, &ss)) {
		err = GetLastError();
		if (err != ERROR_SERVICE_NOT_ACTIVE) {
			err_win(e, ES_EINSTALL, err, "cannot stop service %s",
			    name);
			return false;
		}
	}
	if (!win_service_wait(h, SERVICE_STOP_PENDING, &st, &err) ||
	    st.dwCurrentState != SERVICE_STOPPED) {
		if (err == ERROR_SERVICE_REQUEST_TIMEOUT)
			err_set(e, ES_EINSTALL, "service %s did not stop within"
			    " %u s. See the System log in Event Viewer, and"
			    " stop it with `sc stop %s`.", name,
			    WIN_SERVICE_WAIT_MS / 1000, name);
		else
			err_win(e, ES_EINSTALL, err, "cannot tell whether "
			    "service %s stopped", name);
		return false;
	}
	return true;
}

static bool win_service_remove_one(const char *name, struct es_err *e);

bool
plat_service_remove(const char *root, const char *name, struct es_err *e)
{
	char *check;
	bool ok;

	if (!win_is_live_root(root)) {
		if (win_service_name_ok(name))
			return true;
		err_set(e, ES_EINTERNAL, "cannot remove service \"%s\": not a"
		    " service name", name != NULL ? name : "");
		return false;
	}
	/* The service, then its identity check (win_service_install_check),
	 * which it depends on. */
	if (!win_service_remove_one(name, e))
		return false;
	check = win_check_name(name);
	ok = win_service_remove_one(check, e);
	free(check);
	return ok;
}

/* Stop and delete one service; one that is not there is success. */
static bool
win_service_remove_one(const char *name, struct es_err *e)
{
	SC_HANDLE scm = NULL, h = NULL;
	DWORD err = 0;
	bool ok = false, missing;
	int i;

	h = win_service_connect(name, "remove", SERVICE_STOP |
	    SERVICE_QUERY_STATUS | DELETE, &scm, &missing, e);
	if (h == NULL) {
		ok = missing;
		goto out;
	}
	if (!win_service_stop_handle(h, name, e))
		goto out;
	if (!DeleteService(h)) {
		err = GetLastError();
		if (err == ERROR_SERVICE_MARKED_FOR_DELETE)
			win_err_marked(e, name, "remove");
		else
			err_win(e, ES_EINSTALL, err, "cannot remove service %s",
			    name);
		goto out;
	}
	CloseServiceHandle(h);
	h = NULL;
	/* The SCM deletes it once the last handle closes; one that another
	 * program holds stays, marked, its key in the registry with
	 * DeleteFlag = 1. Give ours up to 5 s to be let go. Wine 8 keeps the
	 * entry until this process ends but drops the key at once: no key is
	 * gone. */
	for (i = 0; i < 50; i++) {
		h = win_service_open(scm, name, SERVICE_QUERY_STATUS, &err);
		if (h == NULL && err == ERROR_SERVICE_DOES_NOT_EXIST) {
			ok = true;
			goto out;
		}
		if (h != NULL) {
			CloseServiceHandle(h);
			h = NULL;
		}
		if (!win_service_key_exists(name)) {
			ok = true;
			goto out;
		}
		Sleep(100);
	}
	err_set(e, ES_EINSTALL, "service %s was deleted, but Windows keeps it "
	    "marked for deletion because a program still holds it open "
	    "(often the Services console, services.msc). " WIN_MARKED_ADVICE
	    ".", name);
out:
	win_service_close(scm, h);
	return ok;
}

static bool win_service_start_one(const char *name, bool once,
    struct es_err *e);

bool
plat_service_start(const char *name, struct es_err *e)
{
	char *check = win_check_name(name);
	bool ok;

	/* The SCM starts a service's dependencies first; wine 8's does not
	 * (programs/services/rpc.c svcctl_StartServiceW calls service_start
	 * for the service alone), so the identity check is started here
	 * first too: it is quick on the machine it knows. */
	ok = win_service_start_one(check, true, e) &&
	    win_service_start_one(name, false, e);
	free(check);
	return ok;
}

/* Start one service and wait until it runs (once: until it has run and
 * stopped with exit code 0). A once service that is not there is
 * success. */
static bool
win_service_start_one(const char *name, bool once, struct es_err *e)
{
	SC_HANDLE scm = NULL, h = NULL;
	SERVICE_STATUS_PROCESS st;
	DWORD err = 0, code;
	char cmd[256];
	bool ok = false, missing;

	h = win_service_connect(name, "start", SERVICE_START |
	    SERVICE_QUERY_STATUS, &scm, &missing, e);
	if (h == NULL && missing && once) {
		ok = true;
		goto out;
	}
	if (h == NULL) {
		if (missing)
			err_set(e, ES_EINSTALL, "cannot start service %s: it is "
			    "not installed", name);
		goto out;
	}
	if (!StartServiceW(h, 0, NULL)) {
		err = GetLastError();
		if (err == ERROR_SERVICE_MARKED_FOR_DELETE) {
			win_err_marked(e, name, "start");
			goto out;
		}
		if (err != ERROR_SERVICE_ALREADY_RUNNING) {
			err_win(e, ES_EINSTALL, err, "cannot start service %s."
			    " See the System log in Event Viewer; the error"
			    " was", name);
			goto out;
		}
	}
	plat_service_start_command("/", name, cmd, sizeof cmd);
	if (!win_service_wait(h, SERVICE_START_PENDING, &st, &err)) {
		if (err == ERROR_SERVICE_REQUEST_TIMEOUT)
			err_set(e, ES_EINSTALL, "service %s did not report "
			    "running within %u s. See the System log in Event "
			    "Viewer, and `sc query %s`.", name,
			    WIN_SERVICE_WAIT_MS / 1000, name);
		else
			err_win(e, ES_EINSTALL, err, "cannot tell whether "
			    "service %s started", name);
		goto out;
	}
	if (once && st.dwCurrentState == SERVICE_RUNNING &&
	    !win_service_wait(h, SERVICE_RUNNING, &st, &err)) {
		err_win(e, ES_EINSTALL, err, "cannot tell whether service %s "
		    "ended", name);
		goto out;
	}
	if (once && st.dwCurrentState == SERVICE_STOPPED &&
	    win_service_exit_code(&st) == 0) {
		ok = true;
		goto out;
	}
	if (st.dwCurrentState != SERVICE_RUNNING) {
		code = win_service_exit_code(&st);
		err_set(e, ES_EINSTALL, "service %s stopped instead of running "
		    "(exit code %lu). See the System log in Event Viewer, then "
		    "try `%s`.", name, (unsigned long)code, cmd);
		goto out;
	}
	ok = true;
out:
	win_service_close(scm, h);
	return ok;
}

bool
plat_service_stop(const char *name, struct es_err *e)
{
	SC_HANDLE scm = NULL, h = NULL;
	bool ok, missing;

	h = win_service_connect(name, "stop", SERVICE_STOP |
	    SERVICE_QUERY_STATUS, &scm, &missing, e);
	/* Nothing to stop is success, as systemctl's exit 5 on Linux. */
	ok = h != NULL ? win_service_stop_handle(h, name, e) : missing;
	win_service_close(scm, h);
	return ok;
}

void
plat_service_start_command(const char *root, const char *name, char *out,
    size_t outsz)
{
	(void)root;
	snprintf(out, outsz, "sc start %s", name);
}

const char *
win_service_state_name(const SERVICE_STATUS_PROCESS *st)
{
	DWORD code;

	switch (st->dwCurrentState) {
	case SERVICE_RUNNING:
		return "active";
	case SERVICE_START_PENDING:
	case SERVICE_CONTINUE_PENDING:
		return "activating";
	case SERVICE_STOP_PENDING:
	case SERVICE_PAUSE_PENDING:
		return "deactivating";
	case SERVICE_PAUSED:
		return "inactive";
	case SERVICE_STOPPED:
		/* Stopped on its own with an error, as systemd's "failed";
		 * a service never started says ERROR_SERVICE_NEVER_STARTED. */
		code = win_service_exit_code(st);
		if (code != NO_ERROR && code != ERROR_SERVICE_NEVER_STARTED)
			return "failed";
		return "inactive";
	default:
		return "unknown";
	}
}

void
plat_service_state(const char *root, const char *name, char *out,
    size_t outsz)
{
	SC_HANDLE scm, h;
	SERVICE_STATUS_PROCESS st;
	DWORD err = 0;
	const char *state = "unknown";

	if (!win_service_name_ok(name)) {
		snprintf(out, outsz, "unknown");
		return;
	}
	if (!win_is_live_root(root)) {
		/* Nothing is ever registered under a --root (decision 2). */
		snprintf(out, outsz, "not installed");
		return;
	}
	if ((scm = win_scm_open(SC_MANAGER_CONNECT, &err)) == NULL) {
		snprintf(out, outsz, "unknown");
		return;
	}
	h = win_service_open(scm, name, SERVICE_QUERY_STATUS, &err);
	if (h == NULL) {
		if (err == ERROR_SERVICE_DOES_NOT_EXIST)
			state = "not installed";
		else if (err == ERROR_SERVICE_MARKED_FOR_DELETE)
			state = "marked for deletion";
	} else if (win_service_marked(scm, name)) {
		CloseServiceHandle(h);
		state = "marked for deletion";
	} else {
		if (win_service_query(h, &st, &err))
			state = win_service_state_name(&st);
		CloseServiceHandle(h);
	}
	CloseServiceHandle(scm);
	snprintf(out, outsz, "%s", state);
}

int
plat_service_enabled(const char *root, const char *name)
{
	SC_HANDLE scm = NULL, h = NULL;
	QUERY_SERVICE_CONFIGW *cfg = NULL;
	DWORD err = 0, need = 0;
	int ret = -1;

	if (!win_service_name_ok(name) || !win_is_live_root(root))
		return -1;
	if ((scm = win_scm_open(SC_MANAGER_CONNECT, &err)) == NULL ||
	    (h = win_service_open(scm, name, SERVICE_QUERY_CONFIG,
	    &err)) == NULL)
		goto out;
	/* QueryServiceConfigW: the first call says how much it needs. */
	if (!QueryServiceConfigW(h, NULL, 0, &need) &&
	    GetLastError() != ERROR_INSUFFICIENT_BUFFER)
		goto out;
	cfg = xmalloc(need > 0 ? need : sizeof *cfg);
	if (!QueryServiceConfigW(h, cfg, need, &need))
		goto out;
	ret = cfg->dwStartType == SERVICE_AUTO_START ||
	    cfg->dwStartType == SERVICE_BOOT_START ||
	    cfg->dwStartType == SERVICE_SYSTEM_START;
out:
	free(cfg);
	win_service_close(scm, h);
	return ret;
}

/* What plat_service_run_once() runs inside the service's main function. */
static int (*win_once_fn)(void *);
static void *win_once_arg;
static int win_once_rc;
static SERVICE_STATUS_HANDLE win_once_status;

/* The one-shot service takes no controls: it ends on its own. */
static DWORD WINAPI
win_once_handler(DWORD control, DWORD type, void *data, void *ctx)
{
	(void)type;
	(void)data;
	(void)ctx;
	return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR :
	    ERROR_CALL_NOT_IMPLEMENTED;
}

/* Report state to the SCM, with exit code rc once stopped. */
static void
win_once_report(DWORD state, int rc)
{
	SERVICE_STATUS ss;

	memset(&ss, 0, sizeof ss);
	ss.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	ss.dwCurrentState = state;
	/* The check may wait for another run's lock (60 s). */
	ss.dwWaitHint = state == SERVICE_START_PENDING ? 120000 : 0;
	if (state == SERVICE_STOPPED && rc != 0) {
		ss.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
		ss.dwServiceSpecificExitCode = (DWORD)rc;
	}
	SetServiceStatus(win_once_status, &ss);
}

static void WINAPI
win_once_main(DWORD argc, wchar_t **argv)
{
	(void)argc;
	(void)argv;
	win_once_status = RegisterServiceCtrlHandlerExW(L"",
	    win_once_handler, NULL);
	if (win_once_status == NULL) {
		win_once_rc = win_once_fn(win_once_arg);
		return;
	}
	win_once_report(SERVICE_START_PENDING, 0);
	win_once_rc = win_once_fn(win_once_arg);
	if (win_once_rc == 0)
		win_once_report(SERVICE_RUNNING, 0);
	win_once_report(SERVICE_STOPPED, win_once_rc);
}

int
plat_service_run_once(int (*fn)(void *), void *arg)
{
	SERVICE_TABLE_ENTRYW table[2];

	win_once_fn = fn;
	win_once_arg = arg;
	win_once_rc = 0;
	memset(table, 0, sizeof table);
	/* SERVICE_WIN32_OWN_PROCESS: the SCM ignores the name. */
	table[0].lpServiceName = (wchar_t *)L"";
	table[0].lpServiceProc = win_once_main;
	if (!StartServiceCtrlDispatcherW(table))
		/* ERROR_FAILED_SERVICE_CONTROLLER_CONNECT: run from a console
		 * rather than by the SCM. */
		return fn(arg);
	return win_once_rc;
}
