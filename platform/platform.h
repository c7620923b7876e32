/* The only door from the core to the operating system. platform/linux/ and
 * platform/windows/ implement it; CMake compiles exactly one of them (htop's
 * Platform.h, tmux's osdep-*.c). All paths are UTF-8; a platform converts
 * them to what its OS wants.
 *
 * A "root" argument is the --root folder ("/" when none was given): every
 * path the function touches is taken inside it. */
#ifndef ES_PLATFORM_H
#define ES_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/* ---- Facts about the machine (requirements check) ---- */

struct plat_facts {
	uint64_t mem_total;        /* bytes of physical memory */
	unsigned cpu_count;        /* online logical CPUs */
	char os_id[64];            /* e.g. "debian" */
	char os_name[128];         /* e.g. "Debian GNU/Linux 12 (bookworm)" */
	char os_family[16];        /* "linux" or "windows" */
	char arch[32];             /* e.g. "x86_64" */
	char hypervisor[64];       /* "" on bare metal, else e.g. "kvm" */
	char selinux[16];          /* "", "disabled", "permissive", "enforcing" */
	char hostname[256];
};

void plat_facts(struct plat_facts *f);
/* Free bytes for the installing user at path, or
 * at its nearest existing ancestor. Returns false when nothing exists. */
bool plat_disk_free(const char *path, uint64_t *free_bytes);
/* Whether the file system holding path (which exists) refuses to run
 * programs from it (Linux: mounted noexec, ST_NOEXEC of statvfs(3)), into
 * *noexec. Returns false when it cannot be told. */
bool plat_fs_noexec(const char *path, bool *noexec);
/* Whether this process may make files and folders inside the existing
 * folder path, told without making anything: 0, or why not as an errno
 * value: ENOTDIR (not a folder), EROFS (its file system is mounted
 * read-only; Linux: ST_RDONLY of statvfs(3)), EACCES or EPERM (no write
 * permission, an immutable folder), or what stat(2) said. */
int plat_dir_writable(const char *path);
/* True when a TCP listener could not bind port on all addresses because
 * something else holds it. */
bool plat_port_in_use(unsigned port);
/* True when the process may change system locations (root, Administrator). */
bool plat_is_admin(void);
/* What a user who lacks those rights (plat_is_admin() false) does about
 * it, as a phrase that follows "needs administrator rights: ": Linux "run
 * engine-setup as root (sudo)", Windows to run it from an elevated prompt
 * (right-click, Run as administrator), or to ask an administrator when
 * the account is not one. */
const char *plat_admin_advice(void);

/* ---- Paths ---- */

/* The default install_dir of ../shared/cli-contract.md. */
const char *plat_default_install_dir(void);
/* Absolute path of the running executable, or NULL. Caller frees. */
char *plat_self_exe(void);
/* Join root and an absolute path ("/" root gives the path itself). Any
 * other root R gives R without its trailing '/'s, then '/', then the
 * path's own parts (Linux "R/opt/x"; Windows "C:/X" is "R/C/X"): the
 * journal moves a path between roots by that prefix. Caller frees. */
char *plat_join_root(const char *root, const char *abs_path);
/* Whether path, a path inside root with root's prefix (plat_join_root),
 * stays inside root once the symbolic links on its way are followed: its
 * nearest part that exists (path itself, or the nearest folder above it)
 * must resolve (realpath(3)) to root's real path or below it; a link to a
 * missing target or a loop leads nowhere inside. A live root ("/") holds
 * every path. False when it leads out, with e set (code) to "<part>
 * leads out of --root <root>: a symbolic link on the way resolves to
 * <where>" and what to do. Callers that replace a last part without
 * following it (a file written by rename, a link replaced) pass its
 * folder. */
bool plat_path_in_root(const char *root, const char *path, int code,
    struct es_err *e);
/* True for an absolute path on this OS. */
bool plat_path_is_absolute(const char *path);
/* How this OS writes an absolute path, for the core's path text
 * (installer/rootpath.c), which keeps paths with '/' separators: the
 * length of path's root part, the part that names a file system's root,
 * or 0 when path is not absolute. Linux: "/" 1. Windows: a drive, "C:/"
 * or "C:\" 3; "C:" alone and "C:x" (relative to the drive's current
 * folder), "\x" (relative to the current drive), a UNC "\\srv\share" and
 * a "\\?\" path all 0. plat_path_is_absolute(path) is
 * plat_path_root_len(path) > 0. */
size_t plat_path_root_len(const char *path);
/* Whether '\' separates a path's parts as '/' does (Windows), so that a
 * path a user types with it is turned into the core's '/' form; else it
 * is a character of a name (Linux). */
bool plat_path_backslash_is_separator(void);
/* The longest path this OS opens, its terminating NUL included
 * (PATH_MAX), and the longest name of one file or folder (NAME_MAX). */
void plat_path_limits(size_t *path_max, size_t *name_max);
/* NULL when an absolute, normalised install folder can carry an
 * installation here (its files, and a service definition that names its
 * program), else what it must be instead, as a phrase that follows
 * "expected" and says why. */
const char *plat_install_path_problem(const char *path);
/* The mount point of the file system that holds path (or its nearest
 * existing parent folder), into buf; false when it cannot be told. */
bool plat_mount_point(const char *path, char *buf, size_t bufsz);
/* Where the data appended to the installer program file ends, so that
 * the payload's trailer can be found before whatever a signature put
 * after it. fp is path opened for reading ("rb"), file_size its length
 * in bytes. Sets *end (a byte offset, at most file_size) and *padding
 * (how many zero bytes before *end may pad the appended data to the
 * signature's alignment: the trailer ends between *end - *padding and
 * *end). Linux: file_size and 0. Windows: a signed program (Authenticode)
 * carries its certificate table last, at the file offset its PE header's
 * security directory gives, aligned to 8 bytes (up to 7 zero bytes before
 * it); an unsigned one gives file_size and 0. False, with e set
 * (ES_EINSTALL), when the header cannot be read or names a table outside
 * the file. */
bool plat_payload_end(FILE *fp, const char *path, uint64_t file_size,
    uint64_t *end, unsigned *padding, struct es_err *e);
/* Where the pointer to the installation's record lives, inside root:
 * Linux /var/lib/engine-setup/installation. Caller frees. */
char *plat_state_file(const char *root);

/* ---- Files ---- */

enum plat_ftype { PLAT_NONE, PLAT_FILE, PLAT_DIR, PLAT_LINK, PLAT_OTHER };

enum plat_ftype plat_file_type(const char *path);
/* mkdir -p; appends to created (if not NULL) each directory it made, in the
 * order made, so that an undo can remove them in reverse. */
#include "strlist.h"
bool plat_mkdirs(const char *path, unsigned mode, struct strlist *created,
    struct es_err *e);
/* Write data to path through a temporary file in the same folder, flushed
 * to disk, then renamed over path (atomic replace). */
bool plat_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode, struct es_err *e);
/* Read a whole small file (at most max bytes). Caller frees; *len set.
 * Only a regular file is read: a FIFO, device or socket is refused at once
 * (ES_EUSAGE), without waiting for a writer. */
char *plat_read_file(const char *path, size_t max, size_t *len,
    struct es_err *e);
/* Open a regular file for reading ("rb") or appending ("a", created 0600
 * when missing), refusing anything else (a FIFO, device or socket) at once
 * with ES_EUSAGE and a message that says what it is. */
FILE *plat_fopen_regular(const char *path, const char *mode,
    struct es_err *e);
/* False (ES_EUSAGE, "<what> <path>: it is a FIFO ...") when path exists
 * and is not a regular file (links followed); what names the option, e.g.
 * "--answers". Never opens path, so never blocks. */
bool plat_check_regular(const char *path, const char *what,
    struct es_err *e);
/* Whether a file the user names can be used, as 0 or an errno value
 * (ENOENT, EACCES ...): to read (output false), path must be a file this
 * process can open for reading; to write (output true), an existing path
 * must be one it can open for writing, and a missing one needs a folder
 * to be made in (ENOENT: the folder does not exist). Only a regular file
 * is ever opened (check plat_check_regular first), so it never blocks. */
int plat_file_usable(const char *path, bool output);
bool plat_rename(const char *from, const char *to, struct es_err *e);
bool plat_remove(const char *path, struct es_err *e);   /* file or empty dir */
/* rm -rf that never follows symbolic links. Missing is success. */
bool plat_remove_tree(const char *path, struct es_err *e);
bool plat_chmod(const char *path, unsigned mode, struct es_err *e);
bool plat_symlink(const char *target, const char *linkpath, struct es_err *e);
/* Flush the file system that holds path (once, before a final move). */
void plat_sync_fs(const char *path);
/* Start writing back, in the background, what has been written to the
 * file system that holds path, so that the final plat_sync_fs() finds
 * little left to do. Cheap to call often; plat_writeback_stop() waits for
 * the background work to end. */
void plat_writeback_kick(const char *path);
void plat_writeback_stop(void);
/* Visit every entry below dir (not dir itself), parents before children;
 * rel is the path relative to dir with '/' separators. Stops when cb
 * returns false. */
bool plat_walk(const char *dir,
    bool (*cb)(const char *rel, enum plat_ftype t, unsigned mode, void *arg),
    void *arg, struct es_err *e);
/* Permission bits of path, or -1. */
int plat_file_mode(const char *path);

/* ---- Durable records (the write-ahead journal, installer/journal.c) ---- */

/* A file that records are appended to, each one on disk before the call
 * returns. */
struct plat_append_file;

/* Create path for appending, exclusively (an existing file is an error,
 * ES_EEXISTS) and readable by its owner only (0600), never through a
 * symbolic link; the folder is flushed so that the new name survives a
 * crash. NULL on error (ES_EINSTALL, with the file system's mount point
 * when it is full). */
struct plat_append_file *plat_append_create(const char *path,
    struct es_err *e);
/* Open an existing path for appending, never through a symbolic link,
 * first cutting it to its first len bytes (what follows the last whole
 * record: a torn one) and flushing that. NULL with e set. */
struct plat_append_file *plat_append_open(const char *path, uint64_t len,
    struct es_err *e);
/* Append len bytes and flush them to the disk (fdatasync(2)) before
 * returning: once this returns true the bytes survive a crash or a power
 * loss. False with e set (the disk is full, an I/O error); what part of
 * them was written is cut off again. */
bool plat_append_durable(struct plat_append_file *f, const void *data,
    size_t len, struct es_err *e);
/* Close; NULL does nothing. */
void plat_append_close(struct plat_append_file *f);
/* Flush the folder that holds path, so that a name made, renamed or
 * removed in it survives a crash (fsync(2) of the folder). */
void plat_sync_parent(const char *path);
/* Remove what an interrupted plat_write_file_atomic(path) or
 * plat_write_file_beneath() can leave: its temporary files beside path
 * (".NAME.es-" and 6 or 8 letters and digits). */
void plat_remove_write_leftovers(const char *path);

/* ---- Files beneath a folder, never through a symbolic link ----
 * rel is relative to dir with '/' separators and no empty, "." or ".."
 * part. No part of rel is followed when it is a symbolic link: the call
 * fails instead (ES_EINSTALL, naming the link), so that a link the payload
 * placed cannot lead the installer's own writes, reads or removals out of
 * dir. The last part is never followed either: a link there is replaced or
 * removed itself, and not read. dir's own path is the caller's and is
 * taken as it is. Linux: openat2(2) RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
 * or an O_NOFOLLOW walk one part at a time where the kernel lacks it. */

/* plat_write_file_atomic() of dir/rel; folders of rel that are missing
 * are made 0755. */
bool plat_write_file_beneath(const char *dir, const char *rel,
    const void *data, size_t len, unsigned mode, struct es_err *e);
/* plat_read_file() of dir/rel (a regular file, at most max bytes). Caller
 * frees; *len set. */
char *plat_read_file_beneath(const char *dir, const char *rel, size_t max,
    size_t *len, struct es_err *e);
/* Open the regular file dir/rel for reading ("rb"); anything else (a
 * FIFO, a device, a link as its last part) is refused (ES_EINSTALL).
 * NULL with e set. */
FILE *plat_fopen_beneath(const char *dir, const char *rel,
    struct es_err *e);
bool plat_chmod_beneath(const char *dir, const char *rel, unsigned mode,
    struct es_err *e);
/* The type of dir/rel; PLAT_NONE also when a part on the way is a link. */
enum plat_ftype plat_file_type_beneath(const char *dir, const char *rel);
/* Remove the file, link or empty folder dir/rel; *removed tells whether
 * anything was there. Missing is success. */
bool plat_remove_beneath(const char *dir, const char *rel, bool *removed,
    struct es_err *e);

/* ---- Services ---- */

enum plat_init { PLAT_INIT_SYSTEMD, PLAT_INIT_SYSV, PLAT_INIT_WINDOWS };

struct plat_service {
	const char *name;          /* "nexposeengine" */
	const char *description;   /* one line */
	const char *exec;          /* absolute path of the program, no root */
	const char *workdir;       /* absolute, no root */
	/* The kept engine-setup (absolute, no root) whose "identity check"
	 * runs before every start (identity.h); NULL: none. */
	const char *check;
};

/* Which init system services go to under root. */
enum plat_init plat_init_system(const char *root);
/* True when services can be started now (root is "/" and the init system
 * is running). */
bool plat_service_manager_running(const char *root);
/* Register and enable a service; appends every path it created inside root
 * (without the root prefix) to files, for the install record. */
bool plat_service_install(const char *root, const struct plat_service *s,
    struct strlist *files, struct es_err *e);
/* Every path plat_service_install(root, s) with s->name = name may make
 * or replace, inside root and without its prefix, in the order it makes
 * them: folders end in '/' (every folder above too, as mkdir -p makes
 * them), then files and links. The journal records how to undo each one
 * before the service is installed. */
void plat_service_paths(const char *root, const char *name,
    struct strlist *paths);
/* Disable and remove what plat_service_install created. */
bool plat_service_remove(const char *root, const char *name,
    struct es_err *e);
bool plat_service_start(const char *name, struct es_err *e);
bool plat_service_stop(const char *name, struct es_err *e);
/* The command an administrator types on the target to start the service
 * name as installed under root: "systemctl start nexposeengine",
 * "/etc/init.d/nexposeengine start". */
void plat_service_start_command(const char *root, const char *name,
    char *out, size_t outsz);
/* Run fn(arg) as the one-shot service the service manager started this
 * process as, and return fn's result. Windows: the engine's service
 * depends on "NAME-identity", whose program is "engine-setup.exe identity
 * check --service"; it reports SERVICE_START_PENDING while fn runs, then
 * SERVICE_RUNNING (so that the SCM goes on to start the engine) and
 * SERVICE_STOPPED, with fn's result as its service-specific exit code
 * when that is not 0 (the engine's start then fails). Anywhere else (not
 * started by the SCM, or Linux) fn just runs. */
int plat_service_run_once(int (*fn)(void *), void *arg);
/* "active", "inactive", "failed", "not installed", "unknown" ... */
void plat_service_state(const char *root, const char *name, char *out,
    size_t outsz);
/* Whether the service name starts with the system: 1 yes, 0 no, -1
 * cannot be told (not installed, or the service manager cannot be
 * asked). Linux: its link in multi-user.target.wants, or its SysV start
 * link in rc2.d, inside root; Windows: an automatic start type. */
int plat_service_enabled(const char *root, const char *name);

/* ---- The list of installed programs (Windows: Add/Remove Programs) ---- */

/* What the list shows for an installation. */
struct plat_product {
	const char *key;           /* the entry's name: the product, "Nexpose" */
	const char *name;          /* as shown, "Nexpose Scan Engine" */
	const char *version;       /* "7.3.1" */
	const char *publisher;     /* NULL: none */
	const char *install_dir;   /* absolute, no root */
	const char *uninstaller;   /* absolute, no root: the program that
	                            * uninstalls (plat_product_uninstaller) */
	uint64_t size;             /* bytes the installation takes */
};

/* The file name of the copy of engine-setup (without its payload) that
 * every installation keeps in its install_dir, so that status, pair,
 * consoles, identity and uninstall work without the downloaded file:
 * "engine-setup", Windows "engine-setup.exe". */
const char *plat_program_name(void);
/* The kept copy's name (plat_program_name()) when the list's Uninstall
 * command runs it: NULL when the platform keeps no list or root is not
 * "/" (a --root folder cannot hold the live system's list: decision 2 of
 * issue 11): then nothing is registered. */
const char *plat_product_uninstaller(const char *root);
/* Add p to the list of installed programs, or replace the entry named
 * p->key (Windows: HKLM\Software\Microsoft\Windows\CurrentVersion\
 * Uninstall\KEY). Does nothing where plat_product_uninstaller(root) is
 * NULL. False with e set (ES_EINSTALL). */
bool plat_product_register(const char *root, const struct plat_product *p,
    struct es_err *e);
/* Remove the entry key; one that is not there is success. */
bool plat_product_unregister(const char *root, const char *key,
    struct es_err *e);
/* Whether the list holds an entry key. */
bool plat_product_registered(const char *root, const char *key);
/* When path is the program this process runs from (the uninstaller copy,
 * run by the list's Uninstall command), move it out of the way so that
 * an uninstall can remove its folder: Windows cannot delete a running
 * program, so it goes to the temporary folder (or, on another volume, to
 * a hidden name beside its folder) and is deleted at the next restart
 * (MoveFileExW MOVEFILE_DELAY_UNTIL_REBOOT). Linux: nothing to do. */
void plat_release_self(const char *path);
/* Where every installation puts the command that runs its kept copy
 * (plat_program_name()), as the host sees it (no root prefix): Linux
 * "/usr/local/sbin/engine-setup", in root's PATH (hier(7): /usr/local is
 * for what the administrator installs). NULL where the platform makes
 * none: Windows, whose Add/Remove Programs entry names the kept copy. */
const char *plat_command_path(void);
/* Make plat_command_path() under root a symbolic link to target (the kept
 * copy as the host sees it, no root prefix). The caller has made its
 * folder and journalled the link's path, which is free. Windows: nothing
 * to do, true. False with e set (ES_EINSTALL). */
bool plat_command_link(const char *root, const char *target,
    struct es_err *e);
/* Remove the file path; where the system refuses because it is a program
 * that runs (Windows: the kept engine-setup.exe running an upgrade of its
 * own installation), it is deleted at the next restart instead
 * (MoveFileExW MOVEFILE_DELAY_UNTIL_REBOOT). Linux: removed now. */
void plat_remove_at_restart(const char *path);

/* ---- Network addresses (platform/linux/platform_linux_net.c) ---- */

/* This host's addresses that other machines may reach it at, as text
 * (inet_ntop(3) form, no zone), appended to out: those of every interface
 * that is up and not a loopback, without 127.0.0.0/8 and ::1; IPv4 first,
 * then IPv6, each in numeric order, each once. Link-local ones
 * (169.254.0.0/16, fe80::/10) only when there is no other. Nothing is
 * appended when there is none, or when they cannot be read. */
void plat_host_addresses(struct strlist *out);
/* The canonical text of a numeric IPv4 or IPv6 address (RFC 5952 for
 * IPv6: "0:0:0:0:0:0:0:1" and "0::1" give "::1", hex in lower case) into
 * out, which holds at least 46 bytes. False, out unchanged, when s is not
 * a numeric address: a host name, an address in brackets or with a zone,
 * an IPv4 address with fewer than four parts. */
bool plat_addr_canonical(const char *s, char *out, size_t outsz);

/* ---- Miscellany (platform/linux/platform_linux_misc.c) ---- */

/* Current UTC time as ISO 8601, "2026-11-28T03:49:36Z". out >= 21 bytes. */
void plat_utc_now(char *out, size_t outsz);
/* Create path if missing, and make it readable by its owner only (0600,
 * or the owner-only ACL on Windows). */
bool plat_create_private(const char *path, struct es_err *e);
/* The current folder (caller frees), and changing it. Extraction works
 * from inside its destination, so that libarchive's per-entry symbolic
 * link checks walk only the entry's own relative path. */
char *plat_getcwd(void);
bool plat_chdir(const char *path, struct es_err *e);
/* The canonical absolute path (links resolved), or NULL. Caller frees. */
char *plat_real_path(const char *path);
/* Turn echo off when in is a terminal, print prompt on out, read one line
 * without echoing it, and turn echo back on (also on a signal). Echo goes
 * off before the prompt shows, so that nothing typed after it is echoed.
 * The newline is stripped. False at end of input or on a signal. */
bool plat_read_secret(FILE *in, FILE *out, const char *prompt, char *buf,
    size_t bufsz);
/* The target of a symbolic link, or NULL. Caller frees. */
char *plat_read_link(const char *path);
/* The width in columns that line-mode text wraps at: $COLUMNS when it
 * holds a number from 20 to 1000, else the width of the terminal on
 * standard output, else 80 (not a terminal, or its width unknown). */
unsigned plat_terminal_columns(void);
/* True when standard input/output is a terminal. */
bool plat_stdin_is_tty(void);
bool plat_stdout_is_tty(void);
/* Whether the full-screen wizard can draw here: standard input and output
 * are both a terminal, and (Linux) TERM names something better than
 * "dumb" (ncurses checks terminfo itself) or (Windows) both are the
 * console, which ncurses' Windows console driver draws on whatever TERM
 * says. */
bool plat_terminal_usable(void);
/* This process's id (getpid(2), GetCurrentProcessId). */
long plat_process_id(void);
/* Seconds since an arbitrary start, monotonic. */
double plat_monotonic(void);
/* Sleep ms milliseconds (less when a signal comes: check
 * plat_signals_pending()). */
void plat_wait_ms(long ms);
/* Does a program on this host accept TCP connections on port? Connects to
 * 127.0.0.1, then ::1, each attempt given up after timeout_ms, and closes
 * the connection at once. (Under a --root the port is the live host's:
 * the root has no network of its own.) */
bool plat_local_port_accepts(unsigned port, unsigned timeout_ms);

/* ---- Threads (the payload's decompression runs beside the writing) ---- */

struct plat_thread;
struct plat_lock;          /* a mutex with one condition */

struct plat_thread *plat_thread_start(void (*fn)(void *), void *arg);
void plat_thread_join(struct plat_thread *t);
struct plat_lock *plat_lock_new(void);
void plat_lock_free(struct plat_lock *l);
void plat_lock_acquire(struct plat_lock *l);
void plat_lock_release(struct plat_lock *l);
/* Wait for plat_lock_wake(); the lock is held before and after. */
void plat_lock_wait(struct plat_lock *l);
void plat_lock_wake(struct plat_lock *l);

/* ---- One run at a time ---- */

/* The exclusive lock that lets one engine-setup run at a time change root:
 * taken before the installation is read, held until the run ends. A lock
 * whose holder died is free (the OS releases it with the process). */
struct plat_run_lock;

/* Take root's run lock, waiting up to wait_seconds (0: not at all) while
 * another process holds it. On false, e->code says why: ES_EBUSY when it
 * is still held (*holder_pid is the holder's process id, 0 when unknown),
 * ES_ECANCEL when Ctrl-C, SIGTERM or SIGHUP is pending while it waits
 * (plat_signals_pending(): also one that came just before the wait),
 * ES_EINSTALL when the lock file cannot be made. A refused attempt leaves
 * nothing behind. */
bool plat_run_lock_acquire(const char *root, double wait_seconds,
    struct plat_run_lock **lock, long *holder_pid, struct es_err *e);
/* Is root's run lock held now? Asks the lock itself, without taking it
 * or making anything (status reads while a run may be starting): a lock
 * file that a dead run left, whatever process id it names, is not held.
 * *holder_pid is the holder's process id as it wrote it, 0 when unknown. */
bool plat_run_lock_held(const char *root, long *holder_pid);
/* Give the lock up, removing the lock file and every folder that only it
 * kept alive. NULL does nothing. */
void plat_run_lock_release(struct plat_run_lock *lock);

/* ---- A lock on one file, shared with the engine ---- */

/* An exclusive lock that engine-setup and the Scan Engine both take
 * around a read-modify-rename of a file they both change (consoles.xml,
 * whose lock is the file consoles.xml.lock beside it). */
struct plat_file_lock;

/* Lock the file path exclusively: made when missing (mode 0600; on Linux
 * a symbolic link there is refused, O_NOFOLLOW) and never removed; Linux
 * takes flock(2) LOCK_EX on it, Windows LockFileEx(LOCKFILE_EXCLUSIVE_LOCK)
 * on its first byte. Waits up to wait_seconds (0: not at all) while
 * another process holds it. On false, e->code says why: ES_EBUSY when it
 * is still held, ES_ECANCEL when Ctrl-C, SIGTERM or SIGHUP is pending
 * (plat_signals_pending()) while it waits, ES_EINSTALL when the file
 * cannot be made or opened. The OS releases it when the process dies. */
bool plat_file_lock_acquire(const char *path, double wait_seconds,
    struct plat_file_lock **lock, struct es_err *e);
/* Give the lock up; the file stays. NULL does nothing. */
void plat_file_lock_release(struct plat_file_lock *lock);

/* ---- The process's edges ---- */

/* Called by main() right after plat_no_core_dumps(), before anything
 * reads argv or prints: makes argv UTF-8, as the core wants it (*argc and
 * *argv may be replaced by copies that live as long as the process), and
 * makes text the core writes to the terminal be read as UTF-8. Linux:
 * nothing (argv is the bytes the user gave, the locale says how the
 * terminal reads them). Windows: argv from the UTF-16 command line
 * (GetCommandLineW, CommandLineToArgvW), and the console's code pages
 * set to UTF-8 until the process exits. */
void plat_process_start(int *argc, char ***argv);

/* ---- This machine's identity (platform_*_machine.c) ---- */

/* The facts that tell this machine from a copy of it, as text; "" where a
 * fact is absent. A VMware or KVM clone keeps the first and changes the
 * second; virt-sysprep and systemd images change the first. */
struct plat_machine {
	/* Linux: /etc/machine-id under root, 32 lowercase hex digits
	 * (machine-id(5); "uninitialized" counts as absent). Windows:
	 * HKLM\SOFTWARE\Microsoft\Cryptography MachineGuid, root "/" only. */
	char machine_id[64];
	/* The firmware's system UUID, as 36 lowercase characters. Linux:
	 * /sys/class/dmi/id/product_uuid under root (only root may read it;
	 * none in most containers). Windows: SMBIOS structure type 1, offset
	 * 08h (DSP0134 7.2.1), from GetSystemFirmwareTable('RSMB'), root "/"
	 * only; all 00 or all FF bytes count as absent. */
	char system_uuid[40];
	/* Why a fact is absent when it could not be read (permission, an I/O
	 * error), for a log line; "" when every absent fact is simply not
	 * there. */
	char note[256];
};

/* Read this machine's facts under root ("/" or the --root folder) into m.
 * Never fails: what cannot be read is absent, with m->note saying why. */
void plat_machine_facts(const char *root, struct plat_machine *m);

/* ---- Signals and crashes ---- */

/* Keep secrets out of crash dumps: no core file and no ptrace by other
 * users of the same uid, for the rest of the process's life. Called first
 * thing in main. */
void plat_no_core_dumps(void);

/* The ES_TEST_FAULT hooks of the executor's tests (installer/executor.c):
 * plat_fault_stop() holds this process where it stands until a test lets
 * it go on (Linux: SIGSTOP, then SIGCONT; Windows: the calling thread is
 * suspended); plat_fault_crash() ends it at once, as a crash or a power
 * loss would, with nothing cleaned up (Linux: SIGKILL; Windows:
 * TerminateProcess). */
void plat_fault_stop(void);
void plat_fault_crash(void);

/* Route SIGINT/SIGTERM (Ctrl-C, console close) to a flag. */
void plat_signals_install(void);
/* Number of interrupt signals received so far. */
int plat_signals_pending(void);
void plat_signals_reset(void);

#endif
