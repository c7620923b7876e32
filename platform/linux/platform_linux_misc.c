/* Small Linux platform functions: time, private files, terminals. */
#define _GNU_SOURCE	/* syncfs */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <pthread.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

const char *
plat_program_name(void)
{
	return "engine-setup";
}

const char *
plat_command_path(void)
{
	return "/usr/local/sbin/engine-setup";
}

bool
plat_command_link(const char *root, const char *target, struct es_err *e)
{
	char *path = plat_join_root(root, plat_command_path());
	bool ok = plat_symlink(target, path, e);

	free(path);
	return ok;
}

/* Linux keeps no list of installed programs beside the package
 * managers': an installation is found through plat_state_file(). */
const char *
plat_product_uninstaller(const char *root)
{
	(void)root;
	return NULL;
}

bool
plat_product_register(const char *root, const struct plat_product *p,
    struct es_err *e)
{
	(void)root;
	(void)p;
	(void)e;
	return true;
}

bool
plat_product_unregister(const char *root, const char *key,
    struct es_err *e)
{
	(void)root;
	(void)key;
	(void)e;
	return true;
}

bool
plat_product_registered(const char *root, const char *key)
{
	(void)root;
	(void)key;
	return false;
}

/* unlink(2) removes a running program's name. */
void
plat_release_self(const char *path)
{
	(void)path;
}

void
plat_remove_at_restart(const char *path)
{
	plat_remove(path, NULL);
}

void
plat_utc_now(char *out, size_t outsz)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* core(5): no core file when RLIMIT_CORE is 0, except that a core_pattern
 * piping to a program ignores the limit; prctl(2) PR_SET_DUMPABLE 0 stops
 * that one too (with fs.suid_dumpable 0, the default), and keeps other
 * processes of the same user from ptrace(2) and /proc/PID/mem. */
void
plat_no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void
plat_process_start(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
}

bool
plat_create_private(const char *path, struct es_err *e)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO without a reader fails at once (ENXIO, fifo(7))
	 * instead of blocking; any other non-regular file is refused below. */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);

	if (fd < 0) {
		err_sys(e, ES_EUSAGE, errno, "cannot create %s", path);
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err_set(e, ES_EUSAGE, "cannot create %s: it exists and is not "
		    "a regular file; give the path of a regular file", path);
		close(fd);
		return false;
	}
	if (fchmod(fd, 0600) != 0) {
		err_sys(e, ES_EUSAGE, errno, "cannot make %s private", path);
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

char *
plat_getcwd(void)
{
	return getcwd(NULL, 0);
}

bool
plat_chdir(const char *path, struct es_err *e)
{
	if (chdir(path) == 0)
		return true;
	err_sys(e, ES_EINSTALL, errno, "cannot enter %s", path);
	return false;
}

char *
plat_real_path(const char *path)
{
	return realpath(path, NULL);
}

char *
plat_read_link(const char *path)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	char *out;

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	out = malloc((size_t)n + 1);
	if (out != NULL)
		memcpy(out, buf, (size_t)n + 1);
	return out;
}

bool
plat_stdin_is_tty(void)
{
	return isatty(STDIN_FILENO) == 1;
}

bool
plat_stdout_is_tty(void)
{
	return isatty(STDOUT_FILENO) == 1;
}

bool
plat_terminal_usable(void)
{
	const char *term = getenv("TERM");

	return plat_stdin_is_tty() && plat_stdout_is_tty() && term != NULL &&
	    *term != '\0' && strcmp(term, "dumb") != 0;
}

unsigned
plat_terminal_columns(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	unsigned long n;

	if (env != NULL && *env >= '0' && *env <= '9') {
		n = strtoul(env, &end, 10);
		if (*end == '\0' && n >= 20 && n <= 1000)
			return (unsigned)n;
	}
	/* tty_ioctl(4): TIOCGWINSZ; 0 columns where nobody set a size. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

double
plat_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long
plat_process_id(void)
{
	return (long)getpid();
}

bool
plat_read_secret(FILE *in, FILE *out, const char *prompt, char *buf,
    size_t bufsz)
{
	struct termios old, quiet;
	int fd = fileno(in);
	bool tty = isatty(fd) == 1 && tcgetattr(fd, &old) == 0;
	bool ok;
	size_t n;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		/* TCSANOW keeps what was typed ahead; it is not echoed once
		 * the prompt is out. */
		tcsetattr(fd, TCSANOW, &quiet);
	}
	if (prompt != NULL && out != NULL) {
		fputs(prompt, out);
		fflush(out);
	}
	ok = fgets(buf, (int)bufsz, in) != NULL;
	if (tty)
		tcsetattr(fd, TCSANOW, &old);
	if (!ok) {
		buf[0] = '\0';
		return false;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return true;
}

/* Background write-back: one thread that runs syncfs(2) whenever it is
 * kicked, so that flushing overlaps with unpacking. */
static pthread_mutex_t wb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wb_cond = PTHREAD_COND_INITIALIZER;
static pthread_t wb_thread;
static bool wb_running, wb_pending, wb_quit;
static int wb_fd = -1;

static void *
wb_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wb_lock);
	for (;;) {
		while (!wb_pending && !wb_quit)
			pthread_cond_wait(&wb_cond, &wb_lock);
		if (wb_quit)
			break;
		wb_pending = false;
		pthread_mutex_unlock(&wb_lock);
		syncfs(wb_fd);
		pthread_mutex_lock(&wb_lock);
	}
	pthread_mutex_unlock(&wb_lock);
	return NULL;
}

void
plat_writeback_kick(const char *path)
{
	pthread_mutex_lock(&wb_lock);
	if (!wb_running) {
		wb_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		wb_quit = false;
		if (wb_fd >= 0 &&
		    pthread_create(&wb_thread, NULL, wb_main, NULL) == 0)
			wb_running = true;
		else if (wb_fd >= 0) {
			close(wb_fd);
			wb_fd = -1;
		}
	}
	wb_pending = true;
	pthread_cond_signal(&wb_cond);
	pthread_mutex_unlock(&wb_lock);
}

void
plat_writeback_stop(void)
{
	pthread_mutex_lock(&wb_lock);
	if (!wb_running) {
		pthread_mutex_unlock(&wb_lock);
		return;
	}
	wb_quit = true;
	pthread_cond_signal(&wb_cond);
	pthread_mutex_unlock(&wb_lock);
	pthread_join(wb_thread, NULL);
	close(wb_fd);
	wb_fd = -1;
	wb_running = false;
}

struct plat_thread {
	pthread_t id;
	void (*fn)(void *);
	void *arg;
};

struct plat_lock {
	pthread_mutex_t m;
	pthread_cond_t c;
};

static void *
plat_thread_main(void *arg)
{
	struct plat_thread *t = arg;

	t->fn(t->arg);
	return NULL;
}

struct plat_thread *
plat_thread_start(void (*fn)(void *), void *arg)
{
	struct plat_thread *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->id, NULL, plat_thread_main, t) != 0) {
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
	pthread_join(t->id, NULL);
	free(t);
}

struct plat_lock *
plat_lock_new(void)
{
	struct plat_lock *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	pthread_mutex_init(&l->m, NULL);
	pthread_cond_init(&l->c, NULL);
	return l;
}

void
plat_lock_free(struct plat_lock *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->m);
	pthread_cond_destroy(&l->c);
	free(l);
}

void
plat_lock_acquire(struct plat_lock *l)
{
	pthread_mutex_lock(&l->m);
}

void
plat_lock_release(struct plat_lock *l)
{
	pthread_mutex_unlock(&l->m);
}

void
plat_lock_wait(struct plat_lock *l)
{
	pthread_cond_wait(&l->c, &l->m);
}

void
plat_lock_wake(struct plat_lock *l)
{
	pthread_cond_broadcast(&l->c);
}

/* An ELF file carries no signature after the data appended to it. */
bool
plat_payload_end(FILE *fp, const char *path, uint64_t file_size,
    uint64_t *end, unsigned *padding, struct es_err *e)
{
	(void)fp;
	(void)path;
	(void)e;
	*end = file_size;
	*padding = 0;
	return true;
}

void
plat_fault_stop(void)
{
	raise(SIGSTOP);
}

void
plat_fault_crash(void)
{
	raise(SIGKILL);
}
