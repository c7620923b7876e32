/* The Add/Remove Programs entry (platform.h "The list of installed
 * programs"): HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\KEY,
 * the values of "Uninstall Registry Key" (Windows Installer docs). Under a
 * --root other than "/" nothing is registered (decision 2 of issue 11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_windows.h"
#include "log.h"
#include "util.h"

#define WIN_UNINSTALL_KEY \
	"Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"

static bool
win_product_live(const char *root)
{
	return root == NULL || strcmp(root, "/") == 0;
}

/* A key name the registry takes as one key: no '\', not empty. */
static bool
win_product_key_ok(const char *key)
{
	return key != NULL && key[0] != '\0' && strchr(key, '\\') == NULL &&
	    strlen(key) < 200;
}

/* A core path ("C:/x") with '\' separators, UTF-8. Caller frees. */
static char *
win_product_backslashes(const char *path)
{
	char *s = xstrdup(path), *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '/')
			*p = '\\';
	return s;
}

static LSTATUS
win_product_set_string(HKEY k, const wchar_t *name, const char *value)
{
	wchar_t *w = win_wide(value);
	LSTATUS rc;

	if (w == NULL)
		return ERROR_INVALID_DATA;
	rc = RegSetValueExW(k, name, 0, REG_SZ, (const BYTE *)w,
	    (DWORD)((wcslen(w) + 1) * sizeof *w));
	free(w);
	return rc;
}

static LSTATUS
win_product_set_dword(HKEY k, const wchar_t *name, DWORD value)
{
	return RegSetValueExW(k, name, 0, REG_DWORD, (const BYTE *)&value,
	    sizeof value);
}

/* The entry's key path under HKLM, UTF-16. Caller frees. */
static wchar_t *
win_product_key(const char *key)
{
	char *k = xasprintf(WIN_UNINSTALL_KEY "%s", key);
	wchar_t *w = win_wide(k);

	free(k);
	return w;
}

const char *
plat_program_name(void)
{
	return "engine-setup.exe";
}

/* The Add/Remove Programs entry's strings name the kept copy: no command
 * is put anywhere else. */
const char *
plat_command_path(void)
{
	return NULL;
}

bool
plat_command_link(const char *root, const char *target, struct es_err *e)
{
	(void)root;
	(void)target;
	(void)e;
	return true;
}

const char *
plat_product_uninstaller(const char *root)
{
	return win_product_live(root) ? plat_program_name() : NULL;
}

bool
plat_product_register(const char *root, const struct plat_product *p,
    struct es_err *e)
{
	char *exe = NULL, *dir = NULL, *cmd = NULL, *quiet = NULL,
	    *icon = NULL, *name = NULL;
	wchar_t *wkey = NULL;
	HKEY k = NULL;
	LSTATUS rc;
	size_t n;
	bool ok = false;

	if (!win_product_live(root))
		return true;
	if (!win_product_key_ok(p->key) || (wkey = win_product_key(p->key)) ==
	    NULL) {
		err_set(e, ES_EINTERNAL, "cannot add \"%s\" to Add/Remove "
		    "Programs: not a registry key name", p->key != NULL ?
		    p->key : "");
		return false;
	}
	/* DisplayName without a trailing blank: the reference installer's
	 * "Nexpose " broke the product's own Chef cookbook (issue 11). */
	name = xstrdup(p->name);
	n = strlen(name);
	while (n > 0 && name[n - 1] == ' ')
		name[--n] = '\0';
	exe = win_product_backslashes(p->uninstaller);
	dir = win_product_backslashes(p->install_dir);
	cmd = xasprintf("\"%s\" uninstall", exe);
	quiet = xasprintf("\"%s\" uninstall --silent", exe);
	icon = xasprintf("%s,0", exe);
	/* The 64-bit view, whatever this program's bitness. */
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, NULL, 0,
	    KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &k, NULL);
	if (rc != ERROR_SUCCESS)
		goto fail;
	if ((rc = win_product_set_string(k, L"DisplayName", name)) != 0 ||
	    (rc = win_product_set_string(k, L"DisplayVersion",
	    p->version)) != 0 ||
	    (p->publisher != NULL && (rc = win_product_set_string(k,
	    L"Publisher", p->publisher)) != 0) ||
	    (rc = win_product_set_string(k, L"InstallLocation", dir)) != 0 ||
	    (rc = win_product_set_string(k, L"UninstallString", cmd)) != 0 ||
	    (rc = win_product_set_string(k, L"QuietUninstallString",
	    quiet)) != 0 ||
	    (rc = win_product_set_string(k, L"DisplayIcon", icon)) != 0 ||
	    (rc = win_product_set_dword(k, L"EstimatedSize",
	    (DWORD)(p->size / 1024 > 0xffffffffu ? 0xffffffffu :
	    (p->size + 1023) / 1024))) != 0 ||
	    (rc = win_product_set_dword(k, L"NoModify", 1)) != 0 ||
	    (rc = win_product_set_dword(k, L"NoRepair", 1)) != 0)
		goto fail;
	ok = true;
	goto out;
fail:
	err_win(e, ES_EINSTALL, (DWORD)rc, "cannot add %s to Add/Remove "
	    "Programs (HKLM\\" WIN_UNINSTALL_KEY "%s)", name, p->key);
out:
	if (k != NULL)
		RegCloseKey(k);
	free(wkey);
	free(name);
	free(exe);
	free(dir);
	free(cmd);
	free(quiet);
	free(icon);
	return ok;
}

bool
plat_product_unregister(const char *root, const char *key,
    struct es_err *e)
{
	wchar_t *wkey;
	LSTATUS rc;

	if (!win_product_live(root))
		return true;
	if (!win_product_key_ok(key) || (wkey = win_product_key(key)) == NULL) {
		err_set(e, ES_EINTERNAL, "cannot remove \"%s\" from Add/Remove "
		    "Programs: not a registry key name", key != NULL ? key :
		    "");
		return false;
	}
	/* The entry holds values only: RegDeleteKeyExW removes it. */
	rc = RegDeleteKeyExW(HKEY_LOCAL_MACHINE, wkey, KEY_WOW64_64KEY, 0);
	free(wkey);
	if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) {
		err_win(e, ES_EINSTALL, (DWORD)rc, "cannot remove %s from "
		    "Add/Remove Programs (HKLM\\" WIN_UNINSTALL_KEY "%s)", key,
		    key);
		return false;
	}
	return true;
}

bool
plat_product_registered(const char *root, const char *key)
{
	wchar_t *wkey;
	HKEY k;
	LSTATUS rc;

	if (!win_product_live(root) || !win_product_key_ok(key) ||
	    (wkey = win_product_key(key)) == NULL)
		return false;
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, KEY_QUERY_VALUE |
	    KEY_WOW64_64KEY, &k);
	free(wkey);
	if (rc != ERROR_SUCCESS)
		return false;
	RegCloseKey(k);
	return true;
}

/* Move the running program at w to a new name at to (UTF-16, without the
 * "\\?\" prefix) and have Windows delete it at the next restart. */
static bool
win_release_to(const wchar_t *w, const wchar_t *to)
{
	if (!MoveFileExW(w, to, 0))
		return false;
	if (!MoveFileExW(to, NULL, MOVEFILE_DELAY_UNTIL_REBOOT))
		log_msg("the uninstaller moved to %ls stays until someone "
		    "deletes it: Windows refused to delete it at the next "
		    "restart", to);
	return true;
}

void
plat_release_self(const char *path)
{
	wchar_t self[32768], full[32768], tmp[MAX_PATH + 1], to[32768 + 64];
	wchar_t *w, *slash;
	DWORD n;

	n = GetModuleFileNameW(NULL, self, sizeof self / sizeof self[0]);
	if (n == 0 || n >= sizeof self / sizeof self[0] ||
	    (w = win_wpath(path)) == NULL)
		return;
	/* Compared in the same form: full, without "\\?\". */
	n = GetFullPathNameW(w, sizeof full / sizeof full[0], full, NULL);
	free(w);
	w = wcsncmp(full, L"\\\\?\\", 4) == 0 ? full + 4 : full;
	if (n == 0 || n >= sizeof full / sizeof full[0] ||
	    CompareStringOrdinal(w, -1, self, -1, TRUE) != CSTR_EQUAL)
		return;
	n = GetTempPathW(sizeof tmp / sizeof tmp[0], tmp);
	if (n > 0 && n < sizeof tmp / sizeof tmp[0]) {
		swprintf(to, sizeof to / sizeof to[0],
		    L"%lsengine-setup-uninstall-%lu.exe", tmp,
		    (unsigned long)GetCurrentProcessId());
		if (win_release_to(self, to))
			return;
	}
	/* Another volume: a hidden name beside the install folder. */
	wcscpy(to, self);
	if ((slash = wcsrchr(to, L'\\')) != NULL)
		*slash = L'\0';
	if ((slash = wcsrchr(to, L'\\')) == NULL)
		return;
	swprintf(slash + 1, sizeof to / sizeof to[0] - (size_t)(slash + 1 - to),
	    L".engine-setup-uninstall-%lu.exe",
	    (unsigned long)GetCurrentProcessId());
	if (!win_release_to(self, to))
		log_msg("cannot move the running uninstaller out of its "
		    "folder: error %lu; the folder stays", GetLastError());
}

void
plat_remove_at_restart(const char *path)
{
	wchar_t *w = win_wpath(path);

	if (w == NULL)
		return;
	if (!DeleteFileW(w) && GetLastError() != ERROR_FILE_NOT_FOUND &&
	    !MoveFileExW(w, NULL, MOVEFILE_DELAY_UNTIL_REBOOT))
		log_msg("%s stays until someone deletes it: Windows refused "
		    "to delete it now and at the next restart", path);
	free(w);
}
