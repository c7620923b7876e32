/* platform.h for Windows (Windows 7 API level or newer, x86_64, the wide
 * API only): paths, files, durable records, private files and the run
 * lock. Core paths are UTF-8 with '/' separators; win_wpath() turns them
 * into "\\?\" wide paths so that a path longer than MAX_PATH still opens.
 * Services, the registry and elevation live in platform_windows_service.c;
 * facts, the console, threads, signals, the network and time in
 * platform_windows_misc.c. */
#define _CRT_RAND_S	/* rand_s(3) */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <io.h>
#include <wchar.h>

#include <windows.h>
#include <aclapi.h>
#include <shlobj.h>

#include "platform.h"
#include "platform_windows.h"
#include "util.h"

/* The longest path the wide API opens with the "\\?\" prefix, in UTF-16
 * units, its NUL included (Naming Files, Paths, and Namespaces, "Maximum
 * Path Length Limitation"), and the longest name NTFS takes. */
#define WIN_PATH_MAX 32767
#define WIN_NAME_MAX 255

/* FSCTL_GET_REPARSE_POINT's answer (ntifs.h, REPARSE_DATA_BUFFER), which
 * user-mode headers do not carry. */
struct win_reparse {
	DWORD tag;
	WORD len;
	WORD reserved;
	WORD sub_off, sub_len, print_off, print_len;
	union {
		struct {
			DWORD flags;	/* SYMLINK_FLAG_RELATIVE (1) */
			WCHAR path[1];
		} sym;
		struct {
			WCHAR path[1];
		} mnt;
	} u;
};
#define WIN_SYMLINK_FLAG_RELATIVE 1

/* ---- Helpers ---- */

/* What a user can do about a Win32 error, as a sentence after it; "" when
 * there is nothing useful to say. */
static const char *
win_advice(DWORD err)
{
	switch (err) {
	case ERROR_ACCESS_DENIED:
	case ERROR_PRIVILEGE_NOT_HELD:
		return " Run engine-setup from an elevated prompt (Run as "
		    "administrator), check the permissions of the folders on "
		    "the way, and whether the file is read-only or held open "
		    "by another program (an antivirus scanner, Explorer).";
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
		return " Another program has that file open: close it, or stop"
		    " the service that uses it, and try again.";
	case ERROR_WRITE_PROTECT:
		return " That volume is write-protected; make it writable or"
		    " choose another folder.";
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return " Free space on that volume, or choose another"
		    " install_dir.";
	case ERROR_DIRECTORY:
		return " A part of that path is a file, not a folder; move it"
		    " away or choose another path.";
	case ERROR_FILENAME_EXCED_RANGE:
		return " Choose a shorter path.";
	case ERROR_CANT_RESOLVE_FILENAME:
		return " A symbolic link on the way points in a circle; fix or"
		    " remove it.";
	default:
		return "";
	}
}

void
win_file_err(struct es_err *e, DWORD err, const char *fmt, ...)
{
	char what[ES_ERR_MSG_MAX], text[512];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err_set(e, ES_EINSTALL, "%s: %s.%s", what,
	    win_strerror(err, text, sizeof text), win_advice(err));
}

/* win_wpath(path), or NULL with e set (ES_EUSAGE: not UTF-8). */
static wchar_t *
win_wpath_e(const char *path, const char *verb, struct es_err *e)
{
	wchar_t *w = win_wpath(path);

	if (w == NULL)
		err_set(e, ES_EUSAGE, "cannot %s %s: the path is not valid "
		    "UTF-8", verb, path);
	return w;
}

/* "C:/" or "C:\" and what follows. */
static bool
win_drive_path(const char *p)
{
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'))
	    && p[1] == ':' && (p[2] == '/' || p[2] == '\\');
}

static bool
win_sep(char c)
{
	return c == '/' || c == '\\';
}

/* The last separator of path, or NULL. */
static const char *
win_last_sep(const char *path)
{
	const char *a = strrchr(path, '/'), *b = strrchr(path, '\\');

	return a == NULL ? b : b == NULL ? a : a > b ? a : b;
}

/* The folder that holds path: "." for a bare name, "C:/" for a name at a
 * drive's top, "/" at the top. Caller frees. */
static char *
win_dir_of(const char *path)
{
	const char *s = win_last_sep(path);

	if (s == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	if (win_drive_path(path) && s == path + 2)
		return xstrndup(path, 3);
	return xstrndup(path, (size_t)(s - path));
}

/* The last part of path. */
static const char *
win_base(const char *path)
{
	const char *s = win_last_sep(path);

	return s == NULL ? path : s + 1;
}

/* GetFileAttributesW of a core path; INVALID_FILE_ATTRIBUTES with the
 * last error set when it cannot be told. A link's own attributes. */
static DWORD
win_attrs(const char *path)
{
	wchar_t *w = win_wpath(path);
	DWORD a;

	if (w == NULL) {
		SetLastError(ERROR_INVALID_NAME);
		return INVALID_FILE_ATTRIBUTES;
	}
	a = GetFileAttributesW(w);
	free(w);
	return a;
}

/* True for a name Windows keeps for a device in every folder: CON, PRN,
 * AUX, NUL, COM1-COM9, LPT1-LPT9, with or without an extension and
 * trailing blanks (Naming Files, Paths, and Namespaces, "Naming
 * Conventions"). */
static bool
win_reserved_name(const char *name, size_t n)
{
	static const char *const fixed[] = { "CON", "PRN", "AUX", "NUL" };
	char up[5];
	size_t i, k;

	for (k = 0; k < n && name[k] != '.'; k++)
		;
	while (k > 0 && name[k - 1] == ' ')
		k--;
	if (k < 3 || k > 4)
		return false;
	for (i = 0; i < k; i++)
		up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
		    name[i] - 'a' + 'A' : name[i]);
	up[k] = '\0';
	if (k == 3) {
		for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			if (strcmp(up, fixed[i]) == 0)
				return true;
		return false;
	}
	return (strncmp(up, "COM", 3) == 0 || strncmp(up, "LPT", 3) == 0) &&
	    up[3] >= '1' && up[3] <= '9';
}

/* What path names when it is a device or a pipe rather than a file, told
 * from its name alone (so never opened); NULL for anything else. */
static const char *
win_device_name(const char *path)
{
	const char *base = win_base(path);

	if (win_sep(path[0]) && win_sep(path[1]) &&
	    (path[2] == '.' || path[2] == '?') && win_sep(path[3])) {
		if (win_drive_path(path + 4))
			return NULL;
		if (strncmp(path + 4, "pipe", 4) == 0 && win_sep(path[8]))
			return "a named pipe, which would block until "
			    "something writes to it";
		return "a device";
	}
	if (win_reserved_name(base, strlen(base)))
		return "a device (CON, NUL, COM1 and the other reserved names "
		    "are devices in every folder)";
	return NULL;
}

/* What an open handle is, for a message, when it is not a regular file;
 * NULL for a regular file. */
const char *
win_handle_kind(HANDLE h)
{
	BY_HANDLE_FILE_INFORMATION bi;

	switch (GetFileType(h)) {
	case FILE_TYPE_DISK:
		break;
	case FILE_TYPE_PIPE:
		return "a named pipe, which would block until something "
		    "writes to it";
	case FILE_TYPE_CHAR:
		return "a character device (such as NUL, CON or a serial port)";
	default:
		return "not a regular file";
	}
	if (GetFileInformationByHandle(h, &bi)) {
		if (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
			return "a folder";
		if (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
			return "a symbolic link or junction";
	}
	return NULL;
}

/* Four random bytes; rand_s(3) (RtlGenRandom), or the clock and the
 * process id where it fails. */
static uint32_t
win_random(unsigned tries)
{
	unsigned int r;

	if (rand_s(&r) == 0)
		return r;
	return (uint32_t)GetTickCount() ^ (GetCurrentProcessId() * 2654435761u)
	    ^ tries;
}

/* The names of the two accounts the owner-only DACL lets in. */
static bool
win_private_sids(BYTE sys[SECURITY_MAX_SID_SIZE],
    BYTE adm[SECURITY_MAX_SID_SIZE])
{
	DWORD n1 = SECURITY_MAX_SID_SIZE, n2 = SECURITY_MAX_SID_SIZE;

	return CreateWellKnownSid(WinLocalSystemSid, NULL, sys, &n1) &&
	    CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, adm, &n2);
}

/* The owner-only ACL: full control for SYSTEM and Administrators, passed
 * on to files and folders made inside a folder. Caller frees. */
static PACL
win_private_acl(bool folder)
{
	BYTE sys[SECURITY_MAX_SID_SIZE], adm[SECURITY_MAX_SID_SIZE];
	DWORD size, inherit;
	PACL acl;

	if (!win_private_sids(sys, adm))
		return NULL;
	size = (DWORD)sizeof(ACL) + 2 * ((DWORD)sizeof(ACCESS_ALLOWED_ACE) -
	    (DWORD)sizeof(DWORD)) + GetLengthSid(sys) + GetLengthSid(adm);
	acl = xmalloc(size);
	inherit = folder ? OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE : 0;
	if (!InitializeAcl(acl, size, ACL_REVISION) ||
	    !AddAccessAllowedAceEx(acl, ACL_REVISION, inherit, FILE_ALL_ACCESS,
	    sys) ||
	    !AddAccessAllowedAceEx(acl, ACL_REVISION, inherit, FILE_ALL_ACCESS,
	    adm)) {
		DWORD err = GetLastError();

		free(acl);
		SetLastError(err);
		return NULL;
	}
	return acl;
}

/* The security descriptor and its ACL in one allocation. */
struct win_private_sd {
	SECURITY_DESCRIPTOR sd;
	PACL acl;
};

bool
win_private_sa(SECURITY_ATTRIBUTES *sa, bool folder)
{
	struct win_private_sd *p = xmalloc(sizeof *p);

	memset(sa, 0, sizeof *sa);
	if ((p->acl = win_private_acl(folder)) == NULL) {
		free(p);
		return false;
	}
	if (!InitializeSecurityDescriptor(&p->sd, SECURITY_DESCRIPTOR_REVISION)
	    || !SetSecurityDescriptorDacl(&p->sd, TRUE, p->acl, FALSE) ||
	    !SetSecurityDescriptorControl(&p->sd, SE_DACL_PROTECTED,
	    SE_DACL_PROTECTED)) {
		DWORD err = GetLastError();

		free(p->acl);
		free(p);
		SetLastError(err);
		return false;
	}
	sa->nLength = sizeof *sa;
	sa->lpSecurityDescriptor = &p->sd;
	sa->bInheritHandle = FALSE;
	return true;
}

void
win_private_sa_free(SECURITY_ATTRIBUTES *sa)
{
	struct win_private_sd *p;

	if (sa == NULL || sa->lpSecurityDescriptor == NULL)
		return;
	p = (struct win_private_sd *)sa->lpSecurityDescriptor;
	free(p->acl);
	free(p);
	sa->lpSecurityDescriptor = NULL;
}

DWORD
win_set_private(const wchar_t *wpath)
{
	DWORD a = GetFileAttributesW(wpath), err;
	PACL acl;

	if (a == INVALID_FILE_ATTRIBUTES)
		return GetLastError();
	if ((acl = win_private_acl(a & FILE_ATTRIBUTE_DIRECTORY)) == NULL)
		return GetLastError();
	err = SetNamedSecurityInfoW((LPWSTR)wpath, SE_FILE_OBJECT,
	    DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
	    NULL, NULL, acl, NULL);
	free(acl);
	return err;
}

/* Set or clear FILE_ATTRIBUTE_READONLY on the open file h
 * (FILE_WRITE_ATTRIBUTES). */
static DWORD
win_set_readonly(HANDLE h, bool ro)
{
	BY_HANDLE_FILE_INFORMATION bi;
	FILE_BASIC_INFO info;
	DWORD a;

	if (!GetFileInformationByHandle(h, &bi))
		return GetLastError();
	a = bi.dwFileAttributes;
	if (((a & FILE_ATTRIBUTE_READONLY) != 0) == ro)
		return 0;
	a = ro ? a | FILE_ATTRIBUTE_READONLY : a & ~(DWORD)FILE_ATTRIBUTE_READONLY;
	memset(&info, 0, sizeof info);	/* times of 0: left as they are */
	info.FileAttributes = a != 0 ? a : FILE_ATTRIBUTE_NORMAL;
	if (!SetFileInformationByHandle(h, FileBasicInfo, &info, sizeof info))
		return GetLastError();
	return 0;
}

/* Whether only SYSTEM, Administrators and the object's owner may use h's
 * object: its DACL allows nobody else (whether set here, protected, or
 * inherited from a private folder), as a mode without group or other bits
 * allows nobody but the owner. */
static bool
win_is_private(HANDLE h)
{
	BYTE sys[SECURITY_MAX_SID_SIZE], adm[SECURITY_MAX_SID_SIZE];
	PSECURITY_DESCRIPTOR sd = NULL;
	ACL_SIZE_INFORMATION info;
	PACL dacl = NULL;
	PSID owner = NULL;
	DWORD i;
	bool priv = false;

	if (!win_private_sids(sys, adm) ||
	    GetSecurityInfo(h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION |
	    OWNER_SECURITY_INFORMATION, &owner, NULL, &dacl, NULL, &sd) !=
	    ERROR_SUCCESS)
		return false;
	/* A NULL DACL lets everybody in. */
	if (dacl == NULL ||
	    !GetAclInformation(dacl, &info, sizeof info, AclSizeInformation))
		goto out;
	priv = true;
	for (i = 0; i < info.AceCount && priv; i++) {
		ACE_HEADER *ace;
		PSID sid;

		if (!GetAce(dacl, i, (void **)&ace)) {
			priv = false;
			break;
		}
		/* An inherit-only ACE grants nothing on this object. */
		if (ace->AceType != ACCESS_ALLOWED_ACE_TYPE ||
		    (ace->AceFlags & INHERIT_ONLY_ACE))
			continue;
		sid = &((ACCESS_ALLOWED_ACE *)ace)->SidStart;
		if (!EqualSid(sid, sys) && !EqualSid(sid, adm) &&
		    (owner == NULL || !EqualSid(sid, owner)))
			priv = false;
	}
out:
	LocalFree(sd);
	return priv;
}

int
win_mode_of(HANDLE h)
{
	BY_HANDLE_FILE_INFORMATION bi;
	bool priv;
	int mode;

	if (!GetFileInformationByHandle(h, &bi))
		return -1;
	if (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		return 0777;	/* as lstat(2) gives a link */
	priv = win_is_private(h);
	if (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
		return priv ? 0700 : 0755;
	mode = priv ? 0600 : 0644;
	if (bi.dwFileAttributes & FILE_ATTRIBUTE_READONLY)
		mode &= ~0222;
	return mode;
}

DWORD
win_apply_mode(HANDLE h, const wchar_t *wpath, unsigned mode)
{
	BY_HANDLE_FILE_INFORMATION bi;
	bool folder;
	DWORD err;
	PACL acl;

	if (!GetFileInformationByHandle(h, &bi))
		return GetLastError();
	folder = (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
	if ((mode & 077) == 0) {
		if ((acl = win_private_acl(folder)) == NULL)
			return GetLastError();
		err = SetSecurityInfo(h, SE_FILE_OBJECT,
		    DACL_SECURITY_INFORMATION |
		    PROTECTED_DACL_SECURITY_INFORMATION, NULL, NULL, acl, NULL);
		free(acl);
		if (err != ERROR_SUCCESS)
			return err;
	} else if (win_is_private(h)) {
		/* Back to what the folder passes on: an ACL without explicit
		 * entries, no longer protected from inheritance. Only the
		 * named call reads the folder's inheritable entries. */
		ACL empty;

		if (!InitializeAcl(&empty, sizeof empty, ACL_REVISION))
			return GetLastError();
		err = SetNamedSecurityInfoW((LPWSTR)wpath, SE_FILE_OBJECT,
		    DACL_SECURITY_INFORMATION |
		    UNPROTECTED_DACL_SECURITY_INFORMATION, NULL, NULL, &empty,
		    NULL);
		if (err != ERROR_SUCCESS)
			return err;
	}
	/* A folder's read-only attribute means something else (a customised
	 * folder, to Explorer): files only. */
	if (!folder)
		return win_set_readonly(h, (mode & 0200) == 0);
	return 0;
}

/* Record a failure to write path, with the plain words for a full disk. */
static void
win_write_err(struct es_err *e, DWORD err, const char *path)
{
	char mnt[1024];

	if (err == ERROR_DISK_FULL || err == ERROR_HANDLE_DISK_FULL) {
		if (plat_mount_point(path, mnt, sizeof mnt))
			err_set(e, ES_EINSTALL, "no space left on the volume %s"
			    " (writing %s). Free space on it, or choose another"
			    " install_dir.", mnt, path);
		else
			err_set(e, ES_EINSTALL, "no space left on its volume "
			    "(writing %s). Free space on it, or choose another "
			    "install_dir.", path);
	} else {
		win_file_err(e, err, "cannot write %s", path);
	}
}

/* Write all of data to h. */
static bool
win_write_all(HANDLE h, const void *data, size_t len)
{
	const char *p = data;
	DWORD n, chunk;

	while (len > 0) {
		chunk = len > 0x40000000 ? 0x40000000 : (DWORD)len;
		if (!WriteFile(h, p, chunk, &n, NULL))
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* dir + '\' + name, wide. Caller frees. */
wchar_t *
win_wjoin(const wchar_t *dir, const wchar_t *name)
{
	size_t a = wcslen(dir), b = wcslen(name);
	wchar_t *w = xmalloc((a + b + 2) * sizeof *w);

	memcpy(w, dir, a * sizeof *w);
	if (a > 0 && dir[a - 1] != L'\\')
		w[a++] = L'\\';
	memcpy(w + a, name, (b + 1) * sizeof *w);
	return w;
}

/* Remove a file that may be read-only; 0 or the Win32 error. */
DWORD
win_delete_file(const wchar_t *w)
{
	DWORD a;

	if (DeleteFileW(w))
		return 0;
	if (GetLastError() == ERROR_ACCESS_DENIED &&
	    (a = GetFileAttributesW(w)) != INVALID_FILE_ATTRIBUTES &&
	    (a & FILE_ATTRIBUTE_READONLY) &&
	    SetFileAttributesW(w, a & ~(DWORD)FILE_ATTRIBUTE_READONLY)) {
		if (DeleteFileW(w))
			return 0;
		a = GetLastError();
		SetFileAttributesW(w, GetFileAttributesW(w) |
		    FILE_ATTRIBUTE_READONLY);
		return a;
	}
	return GetLastError();
}

DWORD
win_replace_in(const wchar_t *wdir, const char *name, const void *data,
    size_t len, unsigned mode, const char **stage)
{
	SECURITY_ATTRIBUTES sa, *psa = NULL;
	wchar_t *wname, *wtmp = NULL, *wdst = NULL;
	HANDLE h = INVALID_HANDLE_VALUE;
	char tmp[WIN_NAME_MAX * 4 + 32];
	DWORD err = 0, a;
	unsigned tries;

	*stage = "create";
	if ((wname = win_wide(name)) == NULL)
		return ERROR_INVALID_NAME;
	wdst = win_wjoin(wdir, wname);
	if ((mode & 077) == 0) {
		if (!win_private_sa(&sa, false)) {
			err = GetLastError();
			goto out;
		}
		psa = &sa;
	}
	for (tries = 0; tries < 100 && h == INVALID_HANDLE_VALUE; tries++) {
		wchar_t *wt;

		snprintf(tmp, sizeof tmp, ".%.200s.es-%08x", name,
		    (unsigned)win_random(tries));
		if ((wt = win_wide(tmp)) == NULL) {
			err = ERROR_INVALID_NAME;
			goto out;
		}
		free(wtmp);
		wtmp = win_wjoin(wdir, wt);
		free(wt);
		h = CreateFileW(wtmp, GENERIC_WRITE | FILE_READ_ATTRIBUTES |
		    FILE_WRITE_ATTRIBUTES, 0, psa, CREATE_NEW,
		    FILE_ATTRIBUTE_NORMAL, NULL);
		if (h == INVALID_HANDLE_VALUE && GetLastError() !=
		    ERROR_FILE_EXISTS && GetLastError() != ERROR_ALREADY_EXISTS)
			break;
	}
	if (h == INVALID_HANDLE_VALUE) {
		err = GetLastError();
		free(wtmp);
		wtmp = NULL;
		goto out;
	}
	*stage = "write";
	if (!win_write_all(h, data, len) || !FlushFileBuffers(h))
		err = GetLastError();
	else
		err = win_set_readonly(h, (mode & 0200) == 0);
	CloseHandle(h);
	if (err != 0)
		goto out;
	*stage = "rename";
	if (!MoveFileExW(wtmp, wdst, MOVEFILE_REPLACE_EXISTING |
	    MOVEFILE_WRITE_THROUGH)) {
		err = GetLastError();
		/* rename(2) replaces a file whatever its mode; MoveFileExW
		 * refuses a read-only one. */
		a = GetFileAttributesW(wdst);
		if (err == ERROR_ACCESS_DENIED && a != INVALID_FILE_ATTRIBUTES &&
		    (a & FILE_ATTRIBUTE_READONLY) &&
		    !(a & FILE_ATTRIBUTE_DIRECTORY) &&
		    SetFileAttributesW(wdst, a & ~(DWORD)FILE_ATTRIBUTE_READONLY)) {
			if (MoveFileExW(wtmp, wdst, MOVEFILE_REPLACE_EXISTING |
			    MOVEFILE_WRITE_THROUGH))
				err = 0;
			else
				SetFileAttributesW(wdst, a);
		}
	}
out:
	if (err != 0 && wtmp != NULL)
		win_delete_file(wtmp);
	if (psa != NULL)
		win_private_sa_free(psa);
	free(wtmp);
	free(wdst);
	free(wname);
	return err;
}

/* Whether name is a temporary file of win_replace_in() for target. */
static bool
win_is_replace_temp(const char *name, const char *target)
{
	size_t tlen = strlen(target);

	return name[0] == '.' && strncmp(name + 1, target, tlen) == 0 &&
	    strncmp(name + 1 + tlen, ".es-", 4) == 0 &&
	    strlen(name + 1 + tlen + 4) == 8 &&
	    strspn(name + 1 + tlen + 4, "0123456789abcdef") == 8;
}

/* A Known Folder (SHGetKnownFolderPath) as a core path, else the
 * environment variable env, else the folder fallback on the Windows
 * folder's drive; never a hard-coded drive. tail follows it. Caller
 * frees. */
static char *
win_known_folder(const GUID *id, const wchar_t *env, const char *fallback,
    const char *tail)
{
	wchar_t *w = NULL, buf[MAX_PATH + 1];
	char *s = NULL, *out;
	DWORD n;

	if (SHGetKnownFolderPath(id, 0, NULL, &w) == S_OK && w != NULL)
		s = win_path_utf8(w);
	CoTaskMemFree(w);
	if (s == NULL && (n = GetEnvironmentVariableW(env, buf,
	    MAX_PATH + 1)) > 0 && n <= MAX_PATH)
		s = win_path_utf8(buf);
	if (s == NULL) {
		n = GetSystemWindowsDirectoryW(buf, MAX_PATH + 1);
		s = xasprintf("%c:/%s", n >= 2 && buf[1] == L':' ?
		    (char)buf[0] : 'C', fallback);
	}
	out = xasprintf("%s%s", s, tail);
	free(s);
	return out;
}

/* KnownFolders.h: FOLDERID_ProgramFiles and FOLDERID_ProgramData, here so
 * that no import library of GUIDs is needed. */
static const GUID win_folder_program_files = { 0x905e63b6, 0xc1bf, 0x494e,
	{ 0xb2, 0x9c, 0x65, 0xb7, 0x32, 0xd3, 0xd2, 0x1a } };
static const GUID win_folder_program_data = { 0x62ab5d82, 0xfdc1, 0x4dc3,
	{ 0xa9, 0xdd, 0x07, 0x0d, 0x1d, 0x49, 0x5d, 0x97 } };

/* True when root means the running system rather than a --root folder. */
static bool
win_is_live_root(const char *root)
{
	if (root == NULL)
		return true;
	while (win_sep(*root))
		root++;
	return *root == '\0';
}

/* ---- Paths ---- */

const char *
plat_default_install_dir(void)
{
	static char *dir;

	if (dir == NULL)
		dir = win_known_folder(&win_folder_program_files,
		    L"ProgramFiles", "Program Files", "/Rapid7/Nexpose");
	return dir;
}

char *
plat_self_exe(void)
{
	DWORD cap = 512, n;
	wchar_t *w = NULL;
	char *s;

	for (;;) {
		w = xrealloc(w, cap * sizeof *w);
		n = GetModuleFileNameW(NULL, w, cap);
		if (n == 0) {
			free(w);
			return NULL;
		}
		if (n < cap)
			break;
		if (cap >= WIN_PATH_MAX) {
			free(w);
			return NULL;
		}
		cap *= 2;
	}
	s = win_path_utf8(w);
	free(w);
	return s;
}

char *
plat_join_root(const char *root, const char *abs_path)
{
	size_t rlen;

	if (win_is_live_root(root))
		return xstrdup(abs_path);
	rlen = strlen(root);
	while (rlen > 1 && win_sep(root[rlen - 1]))
		rlen--;
	/* "C:/X" inside R is "R/C/X". */
	if (win_drive_path(abs_path))
		return xasprintf("%.*s/%c%s", (int)rlen, root,
		    abs_path[0] >= 'a' ? abs_path[0] - 'a' + 'A' : abs_path[0],
		    abs_path + 2);
	return xasprintf("%.*s%s%s", (int)rlen, root,
	    win_sep(abs_path[0]) ? "" : "/", abs_path);
}

/* The final path of an existing file or folder, links and junctions
 * followed (GetFinalPathNameByHandleW, "\\?\C:\..."). NULL with *err set.
 * Caller frees. */
static wchar_t *
win_final_path(const wchar_t *wpath, DWORD *err)
{
	WIN32_FIND_DATAW fd;
	wchar_t *w, *up, *sep, *fup;
	HANDLE h, f;
	DWORD n, a;

	h = CreateFileW(wpath, 0, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
	    NULL);
	if (h == INVALID_HANDLE_VALUE) {
		*err = GetLastError();
		return NULL;
	}
	w = xmalloc(WIN_PATH_MAX * sizeof *w);
	n = GetFinalPathNameByHandleW(h, w, WIN_PATH_MAX, FILE_NAME_NORMALIZED |
	    VOLUME_NAME_DOS);
	*err = n == 0 ? GetLastError() : 0;
	CloseHandle(h);
	if (n > 0 && n < WIN_PATH_MAX)
		return w;
	free(w);
	if (*err != ERROR_MORE_DATA && *err != ERROR_NOT_ENOUGH_MEMORY)
		return NULL;
	/* wine 8 gives no final path longer than MAX_PATH (ERROR_MORE_DATA
	 * whatever the buffer): the folder's final path and the name as
	 * stored, when the name itself is no link. */
	a = GetFileAttributesW(wpath);
	sep = wcsrchr(wpath, L'\\');
	if (a == INVALID_FILE_ATTRIBUTES || (a & FILE_ATTRIBUTE_REPARSE_POINT) ||
	    sep == NULL || sep[1] == L'\0')
		return NULL;
	up = _wcsdup(wpath);
	up[sep - wpath] = L'\0';
	fup = win_final_path(up, err);
	free(up);
	if (fup == NULL)
		return NULL;
	f = FindFirstFileExW(wpath, FindExInfoBasic, &fd, FindExSearchNameMatch,
	    NULL, 0);
	if (f == INVALID_HANDLE_VALUE) {
		*err = GetLastError();
		free(fup);
		return NULL;
	}
	FindClose(f);
	w = win_wjoin(fup, fd.cFileName);
	free(fup);
	*err = 0;
	return w;
}

bool
plat_path_in_root(const char *root, const char *path, int code,
    struct es_err *e)
{
	wchar_t *wroot = NULL, *wup = NULL, *froot = NULL, *freal = NULL;
	char *up, *real = NULL;
	const char *s;
	DWORD err = 0;
	size_t n;
	bool in = true;

	if (win_is_live_root(root))
		return true;
	/* The nearest part that exists: what is missing is made inside it. */
	up = xstrdup(path);
	while (plat_file_type(up) == PLAT_NONE && (s = win_last_sep(up)) !=
	    NULL && s != up && !(win_drive_path(up) && s == up + 2))
		up[s - up] = '\0';
	if ((wroot = win_wpath(root)) == NULL ||
	    (froot = win_final_path(wroot, &err)) == NULL ||
	    (wup = win_wpath(up)) == NULL)
		goto out;
	if ((freal = win_final_path(wup, &err)) == NULL) {
		/* A link to nothing, or a loop, leads nowhere inside;
		 * anything else (access denied) cannot be told from here. */
		in = !(err == ERROR_FILE_NOT_FOUND || err ==
		    ERROR_PATH_NOT_FOUND || err == ERROR_CANT_RESOLVE_FILENAME
		    || err == ERROR_DIRECTORY);
		goto out;
	}
	real = win_path_utf8(freal);
	/* NTFS names compare without case (CompareStringOrdinal, the
	 * file system's own rule for upper and lower case). */
	n = wcslen(froot);
	if (n > 0 && froot[n - 1] == L'\\')
		n--;
	in = wcslen(freal) >= n && CompareStringOrdinal(freal, (int)n, froot,
	    (int)n, TRUE) == CSTR_EQUAL && (freal[n] == L'\0' ||
	    freal[n] == L'\\');
out:
	if (!in)
		err_set(e, code, "%s leads out of --root %s: a symbolic link or "
		    "junction on the way resolves to %s. engine-setup reads, "
		    "writes and removes nothing outside the root: give the link "
		    "a target that stays inside it, or use a folder of the root "
		    "without one", up, root,
		    real != NULL ? real : "nothing that exists");
	free(up);
	free(real);
	free(wroot);
	free(wup);
	free(froot);
	free(freal);
	return in;
}

bool
plat_path_is_absolute(const char *path)
{
	return path != NULL && win_drive_path(path);
}

void
plat_path_limits(size_t *path_max, size_t *name_max)
{
	/* With the "\\?\" prefix every wide call takes 32,767 UTF-16 units;
	 * NTFS names are at most 255 (the core counts bytes, which is
	 * never fewer). */
	*path_max = WIN_PATH_MAX;
	*name_max = WIN_NAME_MAX;
}

const char *
plat_install_path_problem(const char *path)
{
	const unsigned char *p;
	const char *part, *end;
	size_t n;

	if (!win_drive_path(path))
		return "a folder on a local drive, such as C:/Program Files/"
		    "Rapid7/Nexpose: the Service Control Manager starts "
		    "services before network drives are connected, so a "
		    "network (UNC) or relative path cannot hold one";
	for (p = (const unsigned char *)path + 3; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "a path without control characters (line "
			    "breaks, tabs and the like): the install record "
			    "holds one path a line, and NTFS refuses them";
		if (strchr("<>:\"|?*", *p) != NULL)
			return "a path without the characters < > : \" | ? *: "
			    "NTFS refuses them in names";
		if (*p == '%')
			return "a path without '%': the Service Control "
			    "Manager expands %NAME% in a service's program "
			    "path";
	}
	for (part = path + 3; *part != '\0'; part = end + (*end != '\0')) {
		for (end = part; *end != '\0' && !win_sep(*end); end++)
			;
		n = (size_t)(end - part);
		if (n == 0 || (n == 1 && part[0] == '.') ||
		    (n == 2 && part[0] == '.' && part[1] == '.'))
			continue;
		if (part[n - 1] == '.' || part[n - 1] == ' ')
			return "folder names that do not end in a dot or a "
			    "space: Windows drops them, so the folder made "
			    "would not be the one named";
		if (win_reserved_name(part, n))
			return "no folder named CON, PRN, AUX, NUL, COM1 to COM9 "
			    "or LPT1 to LPT9 (with or without an extension): "
			    "Windows keeps these names for devices";
	}
	return NULL;
}

bool
plat_mount_point(const char *path, char *buf, size_t bufsz)
{
	wchar_t *w, *vol;
	char *s;
	bool ok = false;

	if (path == NULL || !plat_path_is_absolute(path) || bufsz == 0 ||
	    (w = win_wpath(path)) == NULL)
		return false;
	vol = xmalloc(WIN_PATH_MAX * sizeof *vol);
	/* The volume's mount point ("C:\", or the folder a volume is
	 * mounted on), told from the path; a missing tail is fine. */
	if (GetVolumePathNameW(w, vol, WIN_PATH_MAX) &&
	    (s = win_path_utf8(vol)) != NULL) {
		if (strlen(s) < bufsz) {
			memcpy(buf, s, strlen(s) + 1);
			ok = true;
		}
		free(s);
	}
	free(vol);
	free(w);
	return ok;
}

char *
plat_state_file(const char *root)
{
	static char *live;

	if (live == NULL)
		live = win_known_folder(&win_folder_program_data,
		    L"ProgramData", "ProgramData", "/engine-setup/installation");
	return plat_join_root(root, live);
}

/* ---- Files ---- */

enum plat_ftype
plat_file_type(const char *path)
{
	DWORD a = win_attrs(path);

	if (a == INVALID_FILE_ATTRIBUTES)
		return PLAT_NONE;
	if (a & FILE_ATTRIBUTE_REPARSE_POINT)
		return PLAT_LINK;
	if (a & FILE_ATTRIBUTE_DIRECTORY)
		return PLAT_DIR;
	if (a & FILE_ATTRIBUTE_DEVICE)
		return PLAT_OTHER;
	return PLAT_FILE;
}

/* Where the parts of path that may be made begin: after "C:/", after
 * "//server/share/", after a leading '/', or at the start. */
static size_t
win_first_part(const char *p)
{
	size_t i = 0;
	int k;

	if (win_drive_path(p))
		return 3;
	if (win_sep(p[0]) && win_sep(p[1])) {
		i = 2;
		for (k = 0; k < 2; k++) {
			while (p[i] != '\0' && !win_sep(p[i]))
				i++;
			if (p[i] != '\0')
				i++;
		}
		return i;
	}
	while (win_sep(p[i]))
		i++;
	return i;
}

/* Folders made here get mode (owner-only modes the owner-only DACL, any
 * other what the parent passes on); folders that exist are left as they
 * are. */
bool
plat_mkdirs(const char *path, unsigned mode, struct strlist *created,
    struct es_err *e)
{
	SECURITY_ATTRIBUTES sa, *psa = NULL;
	char *p = xstrdup(path), *s, c;
	size_t len = strlen(p);
	wchar_t *w;
	DWORD a, err;
	bool ok = false;

	if (len == 0) {
		err_set(e, ES_EINTERNAL, "cannot create a folder with an"
		    " empty name");
		goto out;
	}
	while (len > 1 && win_sep(p[len - 1]) &&
	    !(len == 3 && win_drive_path(p)))
		p[--len] = '\0';
	if ((mode & 077) == 0) {
		if (!win_private_sa(&sa, true)) {
			win_file_err(e, GetLastError(), "cannot create folder "
			    "%s", path);
			goto out;
		}
		psa = &sa;
	}
	s = p + win_first_part(p);
	if (*s == '\0') {
		ok = plat_file_type(p) != PLAT_NONE;
		if (!ok)
			win_file_err(e, GetLastError(), "cannot use %s", path);
		goto out;
	}
	for (;;) {
		while (win_sep(*s))
			s++;
		while (*s != '\0' && !win_sep(*s))
			s++;
		c = *s;
		*s = '\0';
		if ((w = win_wpath_e(p, "create folder", e)) == NULL)
			goto out;
		if (CreateDirectoryW(w, psa)) {
			if (created != NULL)
				strlist_add(created, p);
		} else if ((err = GetLastError()) == ERROR_ALREADY_EXISTS ||
		    err == ERROR_ACCESS_DENIED) {
			/* A drive's or share's top answers "access denied"
			 * where it exists; what is there decides. */
			a = GetFileAttributesW(w);
			if (a == INVALID_FILE_ATTRIBUTES) {
				win_file_err(e, err, "cannot create folder %s",
				    p);
				free(w);
				goto out;
			}
			if (!(a & FILE_ATTRIBUTE_DIRECTORY)) {
				err_set(e, ES_EINSTALL, "cannot create folder"
				    " %s: %s exists and is not a folder. Move"
				    " it away or choose another path.", path,
				    p);
				free(w);
				goto out;
			}
		} else {
			win_file_err(e, err, "cannot create folder %s", p);
			free(w);
			goto out;
		}
		free(w);
		if (c == '\0')
			break;
		*s = c;
	}
	ok = true;
out:
	if (psa != NULL)
		win_private_sa_free(psa);
	free(p);
	return ok;
}

bool
plat_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode, struct es_err *e)
{
	const char *base = win_base(path), *stage;
	char *dir;
	wchar_t *wdir;
	DWORD err;

	if (*base == '\0') {
		err_set(e, ES_EINTERNAL, "cannot write %s: not a file name",
		    path);
		return false;
	}
	dir = win_dir_of(path);
	if ((wdir = win_wpath_e(dir, "write", e)) == NULL) {
		free(dir);
		return false;
	}
	/* Same folder, so MoveFileExW replaces path as one rename. */
	err = win_replace_in(wdir, base, data, len, mode, &stage);
	if (err == ERROR_DISK_FULL || err == ERROR_HANDLE_DISK_FULL ||
	    (err != 0 && strcmp(stage, "write") == 0))
		win_write_err(e, err, path);
	else if (err != 0 && strcmp(stage, "create") == 0)
		win_file_err(e, err, "cannot create a temporary file in %s to "
		    "write %s", dir, path);
	else if (err != 0)
		win_file_err(e, err, "cannot replace %s", path);
	free(wdir);
	free(dir);
	return err == 0;
}

/* Open path as a regular file to verb it ("read", "open"; access,
 * disposition, flags as for CreateFileW; sa for a file made), refusing a
 * folder, a device or a pipe at once (ES_EUSAGE, "it is ..."); a failed
 * open is open_code. INVALID_HANDLE_VALUE with e set. */
static HANDLE
win_open_regular(const char *path, const char *verb, DWORD access, DWORD disp,
    DWORD flags, SECURITY_ATTRIBUTES *sa, int open_code, struct es_err *e)
{
	const char *kind;
	wchar_t *w;
	HANDLE h;
	DWORD err;

	if ((kind = win_device_name(path)) != NULL) {
		err_set(e, ES_EUSAGE, "cannot %s %s: it is %s, not a regular "
		    "file; give a regular file", verb, path, kind);
		return INVALID_HANDLE_VALUE;
	}
	if ((w = win_wpath_e(path, verb, e)) == NULL)
		return INVALID_HANDLE_VALUE;
	/* FILE_FLAG_BACKUP_SEMANTICS: a folder opens too, and is refused
	 * below as what it is. */
	h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE, sa, disp, FILE_ATTRIBUTE_NORMAL |
	    FILE_FLAG_BACKUP_SEMANTICS | flags, NULL);
	err = GetLastError();
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		if (open_code == ES_EINSTALL)
			win_file_err(e, err, "cannot %s %s", verb, path);
		else
			err_win(e, open_code, err, "cannot %s %s", verb, path);
		return INVALID_HANDLE_VALUE;
	}
	if ((kind = win_handle_kind(h)) != NULL) {
		err_set(e, ES_EUSAGE, "cannot %s %s: it is %s, not a regular "
		    "file; give a regular file", verb, path, kind);
		CloseHandle(h);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

/* Read all of h, at most max bytes, NUL-terminated; NULL (*too_big or
 * the error in *err) when it cannot. */
char *
win_read_handle(HANDLE h, size_t max, size_t *len, bool *too_big, DWORD *err)
{
	LARGE_INTEGER size;
	char *buf;
	size_t cap, used = 0;
	DWORD n;

	*too_big = false;
	*err = 0;
	if (!GetFileSizeEx(h, &size)) {
		*err = GetLastError();
		return NULL;
	}
	if ((uint64_t)size.QuadPart > max) {
		*too_big = true;
		return NULL;
	}
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;
	cap = (size_t)size.QuadPart + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (used == cap) {
			if (cap > max) {
				*too_big = true;
				free(buf);
				return NULL;
			}
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		if (!ReadFile(h, buf + used, (DWORD)(cap - used > 0x40000000 ?
		    0x40000000 : cap - used), &n, NULL)) {
			*err = GetLastError();
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		used += n;
	}
	if (used > max) {
		*too_big = true;
		free(buf);
		return NULL;
	}
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	return buf;
}

char *
plat_read_file(const char *path, size_t max, size_t *len, struct es_err *e)
{
	HANDLE h;
	char *buf;
	bool too_big;
	DWORD err;

	h = win_open_regular(path, "read", GENERIC_READ, OPEN_EXISTING, 0,
	    NULL, ES_EINSTALL, e);
	if (h == INVALID_HANDLE_VALUE)
		return NULL;
	buf = win_read_handle(h, max, len, &too_big, &err);
	CloseHandle(h);
	if (too_big) {
		char n[32];

		/* error.h's format(printf) is Microsoft's printf to gcc
		 * for this target, which has no %zu. */
		snprintf(n, sizeof n, "%zu", max);
		err_set(e, ES_EINSTALL, "cannot read %s: it is larger than the "
		    "%s bytes expected; is it the right file?", path, n);
	} else if (buf == NULL)
		win_file_err(e, err, "cannot read %s", path);
	return buf;
}

/* The answer of _open_osfhandle and _fdopen for h, or NULL with e set;
 * h is closed either way when it fails. */
FILE *
win_fdopen(HANDLE h, bool append, const char *path, struct es_err *e)
{
	FILE *fp;
	int fd;

	fd = _open_osfhandle((intptr_t)h, append ? _O_WRONLY | _O_APPEND |
	    _O_BINARY : _O_RDONLY | _O_BINARY);
	if (fd == -1) {
		err_sys(e, ES_EINSTALL, errno, "cannot open %s", path);
		CloseHandle(h);
		return NULL;
	}
	if ((fp = _fdopen(fd, append ? "ab" : "rb")) == NULL) {
		err_sys(e, ES_EINSTALL, errno, "cannot open %s", path);
		_close(fd);
	}
	return fp;
}

FILE *
plat_fopen_regular(const char *path, const char *mode, struct es_err *e)
{
	bool append = strcmp(mode, "a") == 0;
	SECURITY_ATTRIBUTES sa;
	HANDLE h;

	/* The handle that was checked is the one read: _open_osfhandle
	 * turns it into the FILE, so nothing can be swapped in between.
	 * Appending is binary, as on Linux: lines end in "\n". A file made
	 * here is its owner's only (0600). */
	if (!append)
		return (h = win_open_regular(path, "open", GENERIC_READ,
		    OPEN_EXISTING, 0, NULL, ES_EINSTALL, e)) ==
		    INVALID_HANDLE_VALUE ? NULL : win_fdopen(h, false, path, e);
	if (!win_private_sa(&sa, false)) {
		win_file_err(e, GetLastError(), "cannot open %s", path);
		return NULL;
	}
	h = win_open_regular(path, "open", FILE_APPEND_DATA | SYNCHRONIZE,
	    OPEN_ALWAYS, FILE_FLAG_OPEN_REPARSE_POINT, &sa, ES_EUSAGE, e);
	win_private_sa_free(&sa);
	if (h == INVALID_HANDLE_VALUE)
		return NULL;
	return win_fdopen(h, true, path, e);
}

bool
plat_check_regular(const char *path, const char *what, struct es_err *e)
{
	const char *kind = win_device_name(path);
	DWORD a;

	/* Told from the name and the attributes, never by opening. */
	if (kind == NULL) {
		a = win_attrs(path);
		if (a == INVALID_FILE_ATTRIBUTES)
			return true;
		if (a & FILE_ATTRIBUTE_DIRECTORY)
			kind = "a folder";
		else if (a & FILE_ATTRIBUTE_DEVICE)
			kind = "a device";
		else
			return true;
	}
	err_set(e, ES_EUSAGE, "%s %s: it is %s, not a regular file; give the "
	    "path of a regular file", what, path, kind);
	return false;
}

int
plat_file_usable(const char *path, bool output)
{
	wchar_t *w;
	HANDLE h;
	DWORD a, err;
	char *dir;
	int rc;

	if (win_device_name(path) != NULL)
		return EINVAL;
	if ((a = win_attrs(path)) == INVALID_FILE_ATTRIBUTES) {
		err = GetLastError();
		if (!output || (err != ERROR_FILE_NOT_FOUND))
			return win_errno(err);
		/* A file to be made: its folder must exist and take it. */
		dir = win_dir_of(path);
		a = win_attrs(dir);
		if (a == INVALID_FILE_ATTRIBUTES)
			rc = win_errno(GetLastError());
		else if (!(a & FILE_ATTRIBUTE_DIRECTORY))
			rc = ENOTDIR;
		else
			rc = plat_dir_writable(dir);
		free(dir);
		return rc;
	}
	if (a & FILE_ATTRIBUTE_DIRECTORY)
		return EISDIR;
	if ((w = win_wpath(path)) == NULL)
		return EINVAL;
	h = CreateFileW(w, output ? GENERIC_WRITE : GENERIC_READ,
	    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
	    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	err = GetLastError();
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return win_errno(err);
	rc = GetFileType(h) == FILE_TYPE_DISK ? 0 : EINVAL;
	CloseHandle(h);
	return rc;
}

bool
plat_rename(const char *from, const char *to, struct es_err *e)
{
	wchar_t *wf = win_wpath_e(from, "move", e), *wt = NULL;
	DWORD err = 0;
	int tries;

	if (wf == NULL || (wt = win_wpath_e(to, "move to", e)) == NULL) {
		free(wf);
		return false;
	}
	/* A scanner or indexer that has just opened a file inside a folder
	 * being moved makes the move fail for a moment: tried again for up
	 * to two seconds. */
	for (tries = 0; tries < 20; tries++) {
		if (MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING |
		    MOVEFILE_WRITE_THROUGH)) {
			err = 0;
			break;
		}
		err = GetLastError();
		if (err != ERROR_ACCESS_DENIED && err != ERROR_SHARING_VIOLATION)
			break;
		Sleep(100);
	}
	free(wf);
	free(wt);
	if (err == 0)
		return true;
	if (err == ERROR_NOT_SAME_DEVICE)
		err_set(e, ES_EINSTALL, "cannot move %s to %s: they are on"
		    " different volumes", from, to);
	else
		win_file_err(e, err, "cannot move %s to %s", from, to);
	return false;
}

/* Remove the file, link or empty folder w whose attributes are a
 * (a link itself, never its target); 0 or the Win32 error. */
DWORD
win_remove_one(const wchar_t *w, DWORD a)
{
	/* A junction or a folder's symbolic link is removed as a folder,
	 * which removes the link and leaves its target alone. */
	if (a & FILE_ATTRIBUTE_DIRECTORY)
		return RemoveDirectoryW(w) ? 0 : GetLastError();
	return win_delete_file(w);
}

bool
plat_remove(const char *path, struct es_err *e)
{
	wchar_t *w = win_wpath_e(path, "remove", e);
	DWORD a, err;

	if (w == NULL)
		return false;
	a = GetFileAttributesW(w);
	err = a == INVALID_FILE_ATTRIBUTES ? GetLastError() :
	    win_remove_one(w, a);
	free(w);
	if (err == 0)
		return true;
	if (err == ERROR_DIR_NOT_EMPTY)
		err_set(e, ES_EINSTALL, "cannot remove folder %s: it is not"
		    " empty; something else put files there. Move them away"
		    " and remove it yourself.", path);
	else
		win_file_err(e, err, "cannot remove %s", path);
	return false;
}

/* Remove the folder w and all below it, never entering a reparse point;
 * 0, or the error with the wide path that failed in *where (caller
 * frees). */
static DWORD
win_remove_tree_w(const wchar_t *w, wchar_t **where)
{
	WIN32_FIND_DATAW fd;
	wchar_t *pat, *child;
	HANDLE f;
	DWORD err = 0;

	pat = win_wjoin(w, L"*");
	f = FindFirstFileExW(pat, FindExInfoBasic, &fd, FindExSearchNameMatch,
	    NULL, FIND_FIRST_EX_LARGE_FETCH);
	free(pat);
	if (f == INVALID_HANDLE_VALUE) {
		err = GetLastError();
		if (err != ERROR_FILE_NOT_FOUND) {
			*where = _wcsdup(w);
			return err;
		}
		err = 0;
	} else {
		do {
			if (wcscmp(fd.cFileName, L".") == 0 ||
			    wcscmp(fd.cFileName, L"..") == 0)
				continue;
			child = win_wjoin(w, fd.cFileName);
			if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
			    !(fd.dwFileAttributes &
			    FILE_ATTRIBUTE_REPARSE_POINT))
				err = win_remove_tree_w(child, where);
			else if ((err = win_remove_one(child,
			    fd.dwFileAttributes)) == ERROR_FILE_NOT_FOUND)
				err = 0;
			else if (err != 0)
				*where = _wcsdup(child);
			free(child);
		} while (err == 0 && FindNextFileW(f, &fd));
		FindClose(f);
	}
	if (err == 0 && !RemoveDirectoryW(w) && (err = GetLastError()) !=
	    ERROR_FILE_NOT_FOUND)
		*where = _wcsdup(w);
	else if (err == ERROR_FILE_NOT_FOUND)
		err = 0;
	return err;
}

bool
plat_remove_tree(const char *path, struct es_err *e)
{
	wchar_t *w = win_wpath_e(path, "remove", e), *where = NULL;
	char *at;
	DWORD a, err;

	if (w == NULL)
		return false;
	a = GetFileAttributesW(w);
	if (a == INVALID_FILE_ATTRIBUTES) {
		err = GetLastError();
		if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
			err = 0;
	} else if ((a & FILE_ATTRIBUTE_DIRECTORY) &&
	    !(a & FILE_ATTRIBUTE_REPARSE_POINT)) {
		err = win_remove_tree_w(w, &where);
	} else {
		/* A file, or a link or junction: removed itself. */
		err = win_remove_one(w, a);
	}
	free(w);
	if (err == 0)
		return true;
	at = where != NULL ? win_path_utf8(where) : NULL;
	win_file_err(e, err, "cannot remove %s", at != NULL ? at : path);
	free(at);
	free(where);
	return false;
}

bool
plat_chmod(const char *path, unsigned mode, struct es_err *e)
{
	wchar_t *w = win_wpath_e(path, "set the mode of", e);
	HANDLE h;
	DWORD err;

	if (w == NULL)
		return false;
	/* Links followed, as chmod(2) follows them. */
	h = CreateFileW(w, READ_CONTROL | WRITE_DAC | FILE_READ_ATTRIBUTES |
	    FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
	    NULL);
	if (h == INVALID_HANDLE_VALUE) {
		err = GetLastError();
	} else {
		err = win_apply_mode(h, w, mode);
		CloseHandle(h);
	}
	free(w);
	if (err == 0)
		return true;
	win_file_err(e, err, "cannot set the mode of %s", path);
	return false;
}

int
plat_file_mode(const char *path)
{
	wchar_t *w = win_wpath(path);
	HANDLE h;
	DWORD a;
	int mode;

	if (w == NULL)
		return -1;
	a = GetFileAttributesW(w);
	/* A link's own mode, as lstat(2) gives it; GetFileAttributesW sees
	 * a link that a handle opened on it may not (wine). */
	if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT)) {
		free(w);
		return 0777;
	}
	h = CreateFileW(w, READ_CONTROL | FILE_READ_ATTRIBUTES,
	    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
	    OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS |
	    FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	mode = win_mode_of(h);
	CloseHandle(h);
	return mode;
}

/* A link's target as CreateSymbolicLinkW takes it: '\' separators and
 * no "\\?\" prefix (a relative target must not have one). */
static wchar_t *
win_link_target(const char *target)
{
	wchar_t *w = win_wide(target), *p;

	if (w != NULL)
		for (p = w; *p != L'\0'; p++)
			if (*p == L'/')
				*p = L'\\';
	return w;
}

bool
plat_symlink(const char *target, const char *linkpath, struct es_err *e)
{
	wchar_t *wl = win_wpath_e(linkpath, "create link", e), *wt;
	char *dir, *full;
	DWORD flags = 0, err = 0, a;

	if (wl == NULL)
		return false;
	if ((wt = win_link_target(target)) == NULL) {
		err_set(e, ES_EUSAGE, "cannot create link %s: its target is "
		    "not valid UTF-8", linkpath);
		free(wl);
		return false;
	}
	/* Windows links are to a file or to a folder: the target decides,
	 * from the link's folder when it is relative. */
	if (win_drive_path(target) || win_sep(target[0])) {
		full = xstrdup(target);
	} else {
		dir = win_dir_of(linkpath);
		full = xasprintf("%s/%s", dir, target);
		free(dir);
	}
	a = win_attrs(full);
	free(full);
	if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY))
		flags |= SYMBOLIC_LINK_FLAG_DIRECTORY;
	/* Windows 10 1703 and later let a user with Developer Mode make
	 * links without SeCreateSymbolicLinkPrivilege; older ones refuse
	 * the flag itself. */
	if (!CreateSymbolicLinkW(wl, wt, flags |
	    SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE) &&
	    (GetLastError() != ERROR_INVALID_PARAMETER ||
	    !CreateSymbolicLinkW(wl, wt, flags)))
		err = GetLastError();
	/* Some systems (wine) answer yes and make nothing. */
	if (err == 0 && GetFileAttributesW(wl) == INVALID_FILE_ATTRIBUTES)
		err = ERROR_NOT_SUPPORTED;
	free(wl);
	free(wt);
	if (err == 0)
		return true;
	if (err == ERROR_ALREADY_EXISTS || err == ERROR_FILE_EXISTS)
		err_set(e, ES_EINSTALL, "cannot create link %s: something"
		    " already exists there. Move it away and try again.",
		    linkpath);
	else if (err == ERROR_PRIVILEGE_NOT_HELD)
		err_set(e, ES_EINSTALL, "cannot create link %s to %s: Windows "
		    "lets only administrators (SeCreateSymbolicLinkPrivilege), "
		    "or users with Developer Mode turned on, make symbolic "
		    "links. Run engine-setup from an elevated prompt (Run as "
		    "administrator).", linkpath, target);
	else if (err == ERROR_NOT_SUPPORTED)
		err_set(e, ES_EINSTALL, "cannot create link %s to %s: this "
		    "system or its file system cannot make symbolic links "
		    "(FAT and exFAT volumes, some network shares, wine). "
		    "Install onto an NTFS volume.", linkpath, target);
	else
		win_file_err(e, err, "cannot create link %s to %s", linkpath,
		    target);
	return false;
}

/* FlushFileBuffers() of the volume that holds path: every file's cached
 * data and the volume's metadata written to the disk. The volume is opened
 * by its name ("\\?\Volume{GUID}", GetVolumeNameForVolumeMountPointW),
 * which needs an administrator, who runs engine-setup; where it cannot be
 * opened nothing happens, as every file was flushed as it was written. */
void
plat_sync_fs(const char *path)
{
	wchar_t *w, mnt[MAX_PATH + 1], vol[64];
	size_t n;
	HANDLE h;
	bool ok;

	if (path == NULL || (w = win_wpath(path)) == NULL)
		return;
	ok = GetVolumePathNameW(w, mnt, MAX_PATH + 1) &&
	    GetVolumeNameForVolumeMountPointW(mnt, vol, 64);
	free(w);
	if (!ok)
		return;
	/* Without its trailing '\\', the name opens the volume itself. */
	n = wcslen(vol);
	if (n > 0 && vol[n - 1] == L'\\')
		vol[n - 1] = L'\0';
	h = CreateFileW(vol, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ |
	    FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return;
	(void)FlushFileBuffers(h);
	CloseHandle(h);
}

/* Windows has no call that starts write-back without waiting for it
 * (Linux's syncfs(2) on a thread, sync_file_range(2)): its cache manager's
 * lazy writer already writes dirty pages back within about a second, so
 * the final plat_sync_fs() finds little left. Nothing to do. */
void
plat_writeback_kick(const char *path)
{
	(void)path;
}

void
plat_writeback_stop(void)
{
}

struct win_walk_entry {
	char *name;
	DWORD attrs;
};

static int
win_walk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct win_walk_entry *)a)->name,
	    ((const struct win_walk_entry *)b)->name);
}

struct win_walk_ctx {
	bool (*cb)(const char *, enum plat_ftype, unsigned, void *);
	void *arg;
	struct es_err *e;
};

/* Visit the entries of folder abs (rel below the walk's top, NULL at the
 * top), then recurse into each folder after visiting it; a reparse point
 * is reported as a link and never entered. */
static bool
win_walk_dir(struct win_walk_ctx *ctx, const char *abs, const char *rel)
{
	struct win_walk_entry *v = NULL;
	WIN32_FIND_DATAW fd;
	size_t n = 0, cap = 0, i;
	char *pat, *cabs, *crel;
	enum plat_ftype t;
	wchar_t *w;
	HANDLE f;
	DWORD err;
	bool ok = true;
	int mode;

	pat = xasprintf("%s%s*", abs, win_sep(abs[strlen(abs) - 1]) ? "" : "/");
	w = win_wpath(pat);
	free(pat);
	if (w == NULL) {
		err_set(ctx->e, ES_EINSTALL, "cannot list folder %s: the path "
		    "is not valid UTF-8", abs);
		return false;
	}
	f = FindFirstFileExW(w, FindExInfoBasic, &fd, FindExSearchNameMatch,
	    NULL, FIND_FIRST_EX_LARGE_FETCH);
	err = GetLastError();
	free(w);
	if (f == INVALID_HANDLE_VALUE) {
		if (err == ERROR_FILE_NOT_FOUND)
			return true;
		win_file_err(ctx->e, err, "cannot list folder %s", abs);
		return false;
	}
	do {
		char *name;

		if (wcscmp(fd.cFileName, L".") == 0 ||
		    wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if ((name = win_utf8(fd.cFileName)) == NULL)
			continue;	/* not nameable in UTF-8 */
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n].name = name;
		v[n].attrs = fd.dwFileAttributes;
		n++;
	} while (FindNextFileW(f, &fd));
	FindClose(f);
	/* Bytewise name order, the same everywhere, as on Linux. */
	if (n > 1)
		qsort(v, n, sizeof *v, win_walk_cmp);
	for (i = 0; i < n && ok; i++) {
		cabs = xasprintf("%s%s%s", abs,
		    win_sep(abs[strlen(abs) - 1]) ? "" : "/", v[i].name);
		crel = rel == NULL ? xstrdup(v[i].name) :
		    xasprintf("%s/%s", rel, v[i].name);
		t = v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT ? PLAT_LINK :
		    v[i].attrs & FILE_ATTRIBUTE_DIRECTORY ? PLAT_DIR :
		    v[i].attrs & FILE_ATTRIBUTE_DEVICE ? PLAT_OTHER : PLAT_FILE;
		mode = plat_file_mode(cabs);
		if (mode >= 0) {
			if (!ctx->cb(crel, t, (unsigned)mode, ctx->arg))
				ok = false;
			else if (t == PLAT_DIR)
				ok = win_walk_dir(ctx, cabs, crel);
		}
		free(cabs);
		free(crel);
	}
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return ok;
}

bool
plat_walk(const char *dir,
    bool (*cb)(const char *rel, enum plat_ftype t, unsigned mode, void *arg),
    void *arg, struct es_err *e)
{
	struct win_walk_ctx ctx = { cb, arg, e };

	return win_walk_dir(&ctx, dir, NULL);
}

/* ---- Durable records ---- */

struct plat_append_file {
	HANDLE h;
	char *path;
	uint64_t size;	/* what is on the disk: whole records only */
};

/* NTFS journals its metadata: a name made, renamed or removed is on the
 * disk with the operation (and MOVEFILE_WRITE_THROUGH waits for it);
 * Windows has no way to flush a folder. Nothing to do. */
void
plat_sync_parent(const char *path)
{
	(void)path;
}

/* Cut f back to f->size and flush that. */
static bool
win_append_cut(struct plat_append_file *f)
{
	LARGE_INTEGER at;

	at.QuadPart = (LONGLONG)f->size;
	return SetFilePointerEx(f->h, at, NULL, FILE_BEGIN) &&
	    SetEndOfFile(f->h) && FlushFileBuffers(f->h);
}

struct plat_append_file *
plat_append_create(const char *path, struct es_err *e)
{
	struct plat_append_file *f;
	SECURITY_ATTRIBUTES sa;
	wchar_t *w;
	HANDLE h;
	DWORD err;

	if ((w = win_wpath_e(path, "create", e)) == NULL)
		return NULL;
	if (!win_private_sa(&sa, false)) {
		win_write_err(e, GetLastError(), path);
		free(w);
		return NULL;
	}
	/* CREATE_NEW never follows a link: an existing name, link or not,
	 * fails. The owner-only DACL from the start (0600).
	 * FILE_SHARE_DELETE: the journal is renamed at its commit point
	 * while it is open (journal_commit), as rename(2) allows. */
	h = CreateFileW(w, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE,
	    &sa, CREATE_NEW,
	    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	err = GetLastError();
	win_private_sa_free(&sa);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		if (err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS)
			err_set(e, ES_EEXISTS, "cannot create %s: it exists "
			    "already", path);
		else
			win_write_err(e, err, path);
		return NULL;
	}
	f = xmalloc(sizeof *f);
	f->h = h;
	f->path = xstrdup(path);
	f->size = 0;
	return f;
}

struct plat_append_file *
plat_append_open(const char *path, uint64_t len, struct es_err *e)
{
	struct plat_append_file *f;
	BY_HANDLE_FILE_INFORMATION bi;
	LARGE_INTEGER size;
	wchar_t *w;
	HANDLE h;
	DWORD a;

	if ((w = win_wpath_e(path, "open", e)) == NULL)
		return NULL;
	a = GetFileAttributesW(w);
	h = a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT) ?
	    INVALID_HANDLE_VALUE : CreateFileW(w, GENERIC_WRITE,
	    FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE && a != INVALID_FILE_ATTRIBUTES &&
	    (a & FILE_ATTRIBUTE_REPARSE_POINT)) {
		err_set(e, ES_EINSTALL, "cannot append to %s: it is a symbolic "
		    "link or junction, which engine-setup never follows there",
		    path);
		return NULL;
	}
	if (h == INVALID_HANDLE_VALUE) {
		win_write_err(e, GetLastError(), path);
		return NULL;
	}
	if (GetFileType(h) != FILE_TYPE_DISK ||
	    !GetFileInformationByHandle(h, &bi) ||
	    (bi.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY |
	    FILE_ATTRIBUTE_REPARSE_POINT)) || !GetFileSizeEx(h, &size) ||
	    (uint64_t)size.QuadPart < len) {
		err_set(e, ES_EINSTALL, "cannot append to %s: it is not the "
		    "regular file it was a moment ago", path);
		CloseHandle(h);
		return NULL;
	}
	f = xmalloc(sizeof *f);
	f->h = h;
	f->path = xstrdup(path);
	f->size = len;
	/* A torn last record (its change never began) goes, so that the
	 * next one starts on a line of its own. */
	if ((uint64_t)size.QuadPart > len && !win_append_cut(f)) {
		win_write_err(e, GetLastError(), path);
		plat_append_close(f);
		return NULL;
	}
	return f;
}

bool
plat_append_durable(struct plat_append_file *f, const void *data,
    size_t len, struct es_err *e)
{
	LARGE_INTEGER at;

	at.QuadPart = (LONGLONG)f->size;
	if (!SetFilePointerEx(f->h, at, NULL, FILE_BEGIN) ||
	    !win_write_all(f->h, data, len) || !FlushFileBuffers(f->h)) {
		win_write_err(e, GetLastError(), f->path);
		/* Part of a record would make the next one unreadable. */
		(void)win_append_cut(f);
		return false;
	}
	f->size += len;
	return true;
}

void
plat_append_close(struct plat_append_file *f)
{
	if (f == NULL)
		return;
	CloseHandle(f->h);
	free(f->path);
	free(f);
}

void
plat_remove_write_leftovers(const char *path)
{
	const char *base = win_base(path);
	WIN32_FIND_DATAW fd;
	char *dir, *pat, *name;
	wchar_t *w, *wdir, *child;
	HANDLE f;

	dir = win_dir_of(path);
	pat = xasprintf("%s/.%s.es-*", dir, base);
	w = win_wpath(pat);
	wdir = win_wpath(dir);
	free(pat);
	free(dir);
	if (w == NULL || wdir == NULL)
		goto out;
	f = FindFirstFileExW(w, FindExInfoBasic, &fd, FindExSearchNameMatch,
	    NULL, 0);
	if (f == INVALID_HANDLE_VALUE)
		goto out;
	do {
		if ((name = win_utf8(fd.cFileName)) == NULL)
			continue;
		if (win_is_replace_temp(name, base) &&
		    !(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
			child = win_wjoin(wdir, fd.cFileName);
			(void)win_delete_file(child);
			free(child);
		}
		free(name);
	} while (FindNextFileW(f, &fd));
	FindClose(f);
out:
	free(w);
	free(wdir);
}

/* ---- Private files, the current folder, links ---- */

bool
plat_create_private(const char *path, struct es_err *e)
{
	SECURITY_ATTRIBUTES sa;
	const char *kind;
	wchar_t *w;
	HANDLE h;
	DWORD err;

	if ((kind = win_device_name(path)) != NULL) {
		err_set(e, ES_EUSAGE, "cannot create %s: it is %s; give the "
		    "path of a regular file", path, kind);
		return false;
	}
	if ((w = win_wpath_e(path, "create", e)) == NULL)
		return false;
	if (!win_private_sa(&sa, false)) {
		err_win(e, ES_EUSAGE, GetLastError(), "cannot create %s", path);
		free(w);
		return false;
	}
	/* The link itself if path is one (O_NOFOLLOW), refused below. */
	h = CreateFileW(w, FILE_APPEND_DATA | READ_CONTROL | WRITE_DAC |
	    FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
	    OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT |
	    FILE_FLAG_BACKUP_SEMANTICS, NULL);
	err = GetLastError();
	win_private_sa_free(&sa);
	if (h == INVALID_HANDLE_VALUE) {
		err_win(e, ES_EUSAGE, err, "cannot create %s", path);
		free(w);
		return false;
	}
	if (win_handle_kind(h) != NULL || (GetFileAttributesW(w) &
	    FILE_ATTRIBUTE_REPARSE_POINT)) {
		err_set(e, ES_EUSAGE, "cannot create %s: it exists and is not "
		    "a regular file; give the path of a regular file", path);
		CloseHandle(h);
		free(w);
		return false;
	}
	/* An existing file gets the owner-only DACL too. */
	err = win_apply_mode(h, w, 0600);
	CloseHandle(h);
	free(w);
	if (err != 0) {
		err_win(e, ES_EUSAGE, err, "cannot make %s private", path);
		return false;
	}
	return true;
}

char *
plat_getcwd(void)
{
	wchar_t *w = NULL;
	char *s;
	DWORD cap = 512, n;

	/* GetCurrentDirectoryW rather than _wgetcwd: a current folder
	 * entered by its "\\?\" path may be longer than MAX_PATH. */
	for (;;) {
		w = xrealloc(w, cap * sizeof *w);
		n = GetCurrentDirectoryW(cap, w);
		if (n == 0) {
			free(w);
			return NULL;
		}
		if (n < cap)
			break;
		cap = n + 1;
	}
	s = win_path_utf8(w);
	free(w);
	return s;
}

bool
plat_chdir(const char *path, struct es_err *e)
{
	wchar_t *w = win_wpath_e(path, "enter", e);
	DWORD err = 0;

	if (w == NULL)
		return false;
	if (!SetCurrentDirectoryW(w))
		err = GetLastError();
	free(w);
	if (err == 0)
		return true;
	err_win(e, ES_EINSTALL, err, "cannot enter %s", path);
	return false;
}

char *
plat_real_path(const char *path)
{
	wchar_t *w = win_wpath(path), *f;
	char *s = NULL;
	DWORD err;

	if (w == NULL)
		return NULL;
	if ((f = win_final_path(w, &err)) != NULL) {
		s = win_path_utf8(f);
		free(f);
	}
	free(w);
	return s;
}

char *
plat_read_link(const char *path)
{
	union {
		struct win_reparse r;
		BYTE b[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
	} u;
	wchar_t *w = win_wpath(path), *name, *fin;
	const WCHAR *base;
	WORD off, n;
	HANDLE h;
	DWORD got, err;
	char *s = NULL;

	if (w == NULL)
		return NULL;
	h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ |
	    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE)
		goto out;
	if (!DeviceIoControl(h, FSCTL_GET_REPARSE_POINT, NULL, 0, &u, sizeof u,
	    &got, NULL)) {
		err = GetLastError();
		CloseHandle(h);
		/* Where reparse data cannot be read (wine shows a Unix
		 * symbolic link as a reparse point it cannot describe),
		 * the link's resolved target stands in for its text. */
		(void)err;
		if (GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES &&
		    (GetFileAttributesW(w) & FILE_ATTRIBUTE_REPARSE_POINT) &&
		    (fin = win_final_path(w, &err)) != NULL) {
			s = win_path_utf8(fin);
			free(fin);
		}
		goto out;
	}
	CloseHandle(h);
	if (u.r.tag == IO_REPARSE_TAG_SYMLINK)
		base = u.r.u.sym.path;
	else if (u.r.tag == IO_REPARSE_TAG_MOUNT_POINT)
		base = u.r.u.mnt.path;
	else
		goto out;
	/* The name shown to users when there is one, else the one the
	 * system uses ("\??\C:\x"). */
	off = u.r.print_len > 0 ? u.r.print_off : u.r.sub_off;
	n = u.r.print_len > 0 ? u.r.print_len : u.r.sub_len;
	if ((size_t)((const BYTE *)base - u.b) + off + n > got)
		goto out;
	name = xmalloc(n + sizeof *name);
	memcpy(name, (const BYTE *)base + off, n);
	name[n / sizeof *name] = L'\0';
	if (wcsncmp(name, L"\\??\\", 4) == 0)
		memmove(name, name + 4, (wcslen(name) - 3) * sizeof *name);
	s = win_path_utf8(name);
	free(name);
out:
	free(w);
	return s;
}

/* ---- One run at a time ----
 *
 * The lock is a LockFileEx(LOCKFILE_EXCLUSIVE_LOCK |
 * LOCKFILE_FAIL_IMMEDIATELY) on the file "lock" beside the install
 * pointer (plat_state_file), opened with FILE_SHARE_READ | WRITE | DELETE
 * so that a waiting run can read the holder's process id and the holder
 * can delete the file while others have it open. Byte-range locks are
 * mandatory on Windows (a locked range cannot be read), so the lock is
 * taken on a byte far past the end of the file, and the id stays
 * readable at its start. Windows releases a dead process's locks, as
 * flock(2) does.
 *
 * A second byte beside it marks a held lock for plat_run_lock_held():
 * the holder keeps it exclusively; status asks for it shared with
 * LOCKFILE_FAIL_IMMEDIATELY and gives it back at once, which never
 * touches the byte that runs compete for (the holder waits for it only
 * the moment status holds it).
 *
 * Releasing marks the file for deletion (FileDispositionInfo) while
 * still holding the lock; a waiter that then gets the lock on the
 * vanishing file sees DeletePending (FileStandardInfo) and starts over,
 * and one whose open meets the pending deletion (access denied) tries
 * again. */
#define WIN_LOCK_BYTE 0x4000000000000000ull
#define WIN_MARK_BYTE (WIN_LOCK_BYTE + 1)

struct plat_run_lock {
	HANDLE h;
	char *path;
	struct strlist made;	/* folders acquiring made, in the order made */
	int denied;		/* opens refused so far */
};

/* The lock file's path under root. Caller frees. */
static char *
win_run_lock_path(const char *root)
{
	char *state = plat_state_file(root), *dir, *p;

	dir = win_dir_of(state);
	p = xasprintf("%s/lock", dir);
	free(dir);
	free(state);
	return p;
}

/* Lock or unlock one byte at off. */
static bool
win_lock_byte(HANDLE h, uint64_t off, DWORD flags)
{
	OVERLAPPED ov;

	memset(&ov, 0, sizeof ov);
	ov.Offset = (DWORD)off;
	ov.OffsetHigh = (DWORD)(off >> 32);
	return LockFileEx(h, flags, 0, 1, 0, &ov) != 0;
}

static void
win_unlock_byte(HANDLE h, uint64_t off)
{
	OVERLAPPED ov;

	memset(&ov, 0, sizeof ov);
	ov.Offset = (DWORD)off;
	ov.OffsetHigh = (DWORD)(off >> 32);
	(void)UnlockFileEx(h, 0, 1, 0, &ov);
}

/* The process id at the start of the lock file open as h, or 0. A holder
 * writes it right after taking the lock, so an empty file is read again
 * for a moment. */
static long
win_run_lock_holder(HANDLE h)
{
	char buf[32], *end;
	OVERLAPPED ov;
	DWORD n;
	long pid;
	int i;

	for (i = 0; i < 20; i++) {
		memset(&ov, 0, sizeof ov);
		if (ReadFile(h, buf, sizeof buf - 1, &n, &ov) && n > 0) {
			buf[n] = '\0';
			pid = strtol(buf, &end, 10);
			if (end != buf && pid > 0)
				return pid;
		}
		Sleep(10);
	}
	return 0;
}

/* Record this process as the holder: "PID\n", then the folders the lock
 * made (and those a dead holder made and listed), one a line, as on
 * Linux. Best effort. */
static void
win_run_lock_write_pid(struct plat_run_lock *l)
{
	char buf[4096], *line, *nl;
	size_t i, dirlen = (size_t)(win_last_sep(l->path) - l->path);
	LARGE_INTEGER zero;
	struct sbuf b;
	OVERLAPPED ov;
	DWORD n;

	memset(&ov, 0, sizeof ov);
	if (ReadFile(l->h, buf, sizeof buf - 1, &n, &ov) && n > 0) {
		buf[n] = '\0';
		for (line = strchr(buf, '\n'); line != NULL; line = nl) {
			line++;
			if ((nl = strchr(line, '\n')) == NULL)
				break;
			*nl = '\0';
			if (strlen(line) > 0 && strlen(line) <= dirlen &&
			    strncmp(l->path, line, strlen(line)) == 0 &&
			    win_sep(l->path[strlen(line)]) &&
			    !strlist_contains(&l->made, line))
				strlist_add(&l->made, line);
		}
	}
	sbuf_init(&b);
	sbuf_addf(&b, "%ld\n", (long)GetCurrentProcessId());
	for (i = 0; i < l->made.n; i++)
		if (strchr(l->made.v[i], '\n') == NULL)
			sbuf_addf(&b, "%s\n", l->made.v[i]);
	zero.QuadPart = 0;
	if (SetFilePointerEx(l->h, zero, NULL, FILE_BEGIN) &&
	    SetEndOfFile(l->h) && !win_write_all(l->h, b.s, b.len))
		(void)SetEndOfFile(l->h);
	sbuf_free(&b);
}

/* One attempt at the lock: 1 taken, 0 held by another process (*holder
 * set), 2 the file is going away under us (try again), -1 an error (e
 * set). */
static int
win_run_lock_try(struct plat_run_lock *l, long *holder, struct es_err *e)
{
	FILE_STANDARD_INFO si;
	struct es_err local;
	char *dir = win_dir_of(l->path);
	wchar_t *w = NULL;
	HANDLE h;
	DWORD a, err;
	int i, rc = -1;
	bool writable = false;

	for (i = 0; ; i++) {
		err_clear(&local);
		if (plat_mkdirs(dir, 0755, &l->made, &local))
			break;
		if (i == 10) {
			err_set(e, local.code, "%s", local.msg);
			goto out;
		}
	}
	if ((w = win_wpath_e(l->path, "create the lock file", e)) == NULL)
		goto out;
	a = GetFileAttributesW(w);
	if (a != INVALID_FILE_ATTRIBUTES &&
	    (a & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY))) {
		err_set(e, ES_EINSTALL, "the lock file %s is a %s: no "
		    "engine-setup run makes one there, and none follows it. "
		    "Remove it and try again.", l->path,
		    a & FILE_ATTRIBUTE_REPARSE_POINT ? "symbolic link or "
		    "junction" : "folder");
		goto out;
	}
	h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE | DELETE,
	    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
	    OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
	    NULL);
	if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED)
		/* Left by a run of another account that may not be written
		 * here; LockFileEx works on a file open for reading too. */
		h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ |
		    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
		    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	else
		writable = true;
	if (h == INVALID_HANDLE_VALUE) {
		err = GetLastError();
		/* A file being deleted by the run letting go answers "access
		 * denied" until its last handle closes, a moment at most;
		 * one that keeps answering so is not ours to open. */
		if (((err == ERROR_ACCESS_DENIED || err == ERROR_DELETE_PENDING)
		    && ++l->denied < 300) || err == ERROR_FILE_NOT_FOUND ||
		    err == ERROR_PATH_NOT_FOUND) {
			Sleep(10);
			rc = 2;
			goto out;
		}
		win_file_err(e, err, "cannot create the lock file %s", l->path);
		goto out;
	}
	if (GetFileType(h) != FILE_TYPE_DISK) {
		err_set(e, ES_EINSTALL, "cannot use the lock file %s: it is not"
		    " a regular file. Remove it (no engine-setup run makes"
		    " anything else there) and try again.", l->path);
		CloseHandle(h);
		goto out;
	}
	if (!win_lock_byte(h, WIN_LOCK_BYTE, LOCKFILE_EXCLUSIVE_LOCK |
	    LOCKFILE_FAIL_IMMEDIATELY)) {
		err = GetLastError();
		if (err == ERROR_LOCK_VIOLATION || err == ERROR_IO_PENDING) {
			*holder = win_run_lock_holder(h);
			rc = 0;
		} else {
			win_file_err(e, err, "cannot lock %s", l->path);
		}
		CloseHandle(h);
		goto out;
	}
	if (GetFileInformationByHandleEx(h, FileStandardInfo, &si, sizeof si)
	    && si.DeletePending) {
		CloseHandle(h);	/* the holder we waited for removed it */
		rc = 2;
		goto out;
	}
	/* The mark; status holds it only for a moment. */
	(void)win_lock_byte(h, WIN_MARK_BYTE, LOCKFILE_EXCLUSIVE_LOCK);
	l->h = h;
	if (writable)
		win_run_lock_write_pid(l);
	rc = 1;
out:
	free(w);
	free(dir);
	return rc;
}

/* Remove the folders l made, deepest first, those that are empty. */
static void
win_run_lock_unmake(struct plat_run_lock *l)
{
	wchar_t *w;
	size_t i;

	for (i = l->made.n; i-- > 0; )
		if ((w = win_wpath(l->made.v[i])) != NULL) {
			RemoveDirectoryW(w);
			free(w);
		}
}

static void
win_run_lock_free(struct plat_run_lock *l)
{
	if (l->h != INVALID_HANDLE_VALUE)
		CloseHandle(l->h);
	strlist_free(&l->made);
	free(l->path);
	free(l);
}

bool
plat_run_lock_held(const char *root, long *holder_pid)
{
	char *path = win_run_lock_path(root);
	wchar_t *w = win_wpath(path);
	HANDLE h;
	DWORD a;
	bool held;

	*holder_pid = 0;
	free(path);
	if (w == NULL)
		return false;
	a = GetFileAttributesW(w);
	h = a == INVALID_FILE_ATTRIBUTES || (a & (FILE_ATTRIBUTE_REPARSE_POINT |
	    FILE_ATTRIBUTE_DIRECTORY)) ? INVALID_HANDLE_VALUE :
	    CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL |
	    FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return false;
	/* The mark, not the process id in the file (a file a dead run
	 * left names any process). */
	held = !win_lock_byte(h, WIN_MARK_BYTE, LOCKFILE_FAIL_IMMEDIATELY);
	if (!held)
		win_unlock_byte(h, WIN_MARK_BYTE);
	else
		*holder_pid = win_run_lock_holder(h);
	CloseHandle(h);
	return held;
}

bool
plat_run_lock_acquire(const char *root, double wait_seconds,
    struct plat_run_lock **lock, long *holder_pid, struct es_err *e)
{
	struct plat_run_lock *l = xmalloc(sizeof *l);
	ULONGLONG deadline = GetTickCount64() + (ULONGLONG)(wait_seconds > 0 ?
	    wait_seconds * 1000.0 : 0);
	bool ok = false;
	int rc, again = 0;

	*lock = NULL;
	*holder_pid = 0;
	l->h = INVALID_HANDLE_VALUE;
	l->denied = 0;
	l->path = win_run_lock_path(root);
	strlist_init(&l->made);
	for (;;) {
		rc = win_run_lock_try(l, holder_pid, e);
		if (rc == 1) {
			ok = true;
			break;
		}
		if (rc == -1)
			break;
		if (rc == 2) {
			if (++again > 1000) {
				err_set(e, ES_EINSTALL, "cannot take the lock %s:"
				    " it keeps vanishing; is something"
				    " removing files in that folder?", l->path);
				break;
			}
			continue;
		}
		/* Ctrl-C, Ctrl-Break or a console close while waiting
		 * (SetConsoleCtrlHandler, plat_signals_install), also one
		 * that came just before the wait, cancels it. */
		if (wait_seconds > 0 && plat_signals_pending() > 0) {
			err_set(e, ES_ECANCEL, "cancelled while waiting for"
			    " the lock %s", l->path);
			break;
		}
		if (GetTickCount64() >= deadline) {
			err_set(e, ES_EBUSY, "process %ld holds the lock %s",
			    *holder_pid, l->path);
			break;
		}
		Sleep(50);
	}
	if (!ok) {
		win_run_lock_unmake(l);
		win_run_lock_free(l);
		return false;
	}
	*lock = l;
	return true;
}

void
plat_run_lock_release(struct plat_run_lock *l)
{
	FILE_DISPOSITION_INFO di;
	char *dir;
	wchar_t *w;

	if (l == NULL)
		return;
	/* Deleted while still held, so no other run can be between its
	 * lock and its DeletePending check. */
	di.DeleteFile = TRUE;
	(void)SetFileInformationByHandle(l->h, FileDispositionInfo, &di,
	    sizeof di);
	CloseHandle(l->h);
	l->h = INVALID_HANDLE_VALUE;
	/* engine-setup's own folder goes once empty, whichever run made it,
	 * as uninstall treats it. */
	dir = win_dir_of(l->path);
	if ((w = win_wpath(dir)) != NULL) {
		RemoveDirectoryW(w);
		free(w);
	}
	free(dir);
	win_run_lock_unmake(l);
	win_run_lock_free(l);
}

/* ---- A lock on one file, shared with the engine ----
 *
 * LockFileEx(LOCKFILE_EXCLUSIVE_LOCK) on the file's first byte, the lock
 * the engine takes too. The file is opened with FILE_SHARE_READ | WRITE |
 * DELETE so that both sides can open it at once; it holds no data. */

struct plat_file_lock {
	HANDLE h;
};

bool
plat_file_lock_acquire(const char *path, double wait_seconds,
    struct plat_file_lock **lock, struct es_err *e)
{
	ULONGLONG deadline = GetTickCount64() + (ULONGLONG)(wait_seconds > 0 ?
	    wait_seconds * 1000.0 : 0);
	wchar_t *w = win_wide(path);
	char buf[256];
	HANDLE h;
	DWORD err;

	*lock = NULL;
	h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ |
	    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_ALWAYS,
	    FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		err_set(e, ES_EINSTALL, "cannot open the lock %s: %s", path,
		    win_strerror(GetLastError(), buf, sizeof buf));
		return false;
	}
	for (;;) {
		if (win_lock_byte(h, 0, LOCKFILE_EXCLUSIVE_LOCK |
		    LOCKFILE_FAIL_IMMEDIATELY))
			break;
		err = GetLastError();
		if (err != ERROR_LOCK_VIOLATION && err != ERROR_IO_PENDING) {
			err_set(e, ES_EINSTALL, "cannot lock %s: %s", path,
			    win_strerror(err, buf, sizeof buf));
			CloseHandle(h);
			return false;
		}
		if (wait_seconds > 0 && plat_signals_pending() > 0) {
			err_set(e, ES_ECANCEL, "cancelled while waiting for"
			    " the lock %s", path);
			CloseHandle(h);
			return false;
		}
		if (GetTickCount64() >= deadline) {
			err_set(e, ES_EBUSY, "another process holds the lock"
			    " %s", path);
			CloseHandle(h);
			return false;
		}
		Sleep(50);
	}
	*lock = xmalloc(sizeof **lock);
	(*lock)->h = h;
	return true;
}

void
plat_file_lock_release(struct plat_file_lock *lock)
{
	if (lock == NULL)
		return;
	win_unlock_byte(lock->h, 0);
	CloseHandle(lock->h);
	free(lock);
}
