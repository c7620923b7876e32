/* The sample engine's nse/conf/consoles.xml: read with expat, look up a
 * console by its key, append a new console the way the seed describes the
 * file (docs/payload.md, "The sample service program"). The installer's
 * installer/consoles.c edits the same file; this is an independent
 * implementation, as the real engine's is. */
#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#include <io.h>
#else
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#endif

#include "sample.h"

#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct consoles_parse {
	struct engine_consoles *c;
	XML_Parser xp;
	int depth;
};

static char *
dup_or_empty(const char *v)
{
	char *p = strdup(v != NULL ? v : "");

	if (p == NULL)
		abort();
	return p;
}

static void XMLCALL
consoles_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct consoles_parse *p = arg;
	struct engine_consoles *c = p->c;
	struct engine_console *en;
	const char *v[6] = { NULL };
	static const char *const keys[6] = { "id", "name", "lastAddress",
	    "port", "consoleId", "spki" };
	size_t i, k;

	p->depth++;
	if (p->depth == 1) {
		c->root_ok = strcmp(name, "Consoles") == 0;
		c->root_start = (long)XML_GetCurrentByteIndex(p->xp);
		c->root_count = XML_GetCurrentByteCount(p->xp);
		return;
	}
	if (p->depth != 2 || strcmp(name, "console") != 0)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap != 0 ? c->cap * 2 : 4;
		c->v = realloc(c->v, c->cap * sizeof *c->v);
		if (c->v == NULL)
			abort();
	}
	en = &c->v[c->n++];
	memset(en, 0, sizeof *en);
	for (i = 0; attr[i] != NULL && attr[i + 1] != NULL; i += 2) {
		for (k = 0; k < 6; k++)
			if (strcmp(attr[i], keys[k]) == 0)
				v[k] = attr[i + 1];
		if (strcmp(attr[i], "enabled") == 0)
			en->enabled = strcmp(attr[i + 1], "1") == 0;
		else if (strcmp(attr[i], "connectTo") == 0)
			en->connect_to = strcmp(attr[i + 1], "1") == 0;
	}
	en->id = dup_or_empty(v[0]);
	en->name = dup_or_empty(v[1]);
	en->last_address = dup_or_empty(v[2]);
	en->port = dup_or_empty(v[3]);
	en->console_id = dup_or_empty(v[4]);
	en->spki = dup_or_empty(v[5]);
}

static void XMLCALL
consoles_end(void *arg, const XML_Char *name)
{
	struct consoles_parse *p = arg;
	long at = (long)XML_GetCurrentByteIndex(p->xp);

	(void)name;
	/* An empty root (<Consoles/>) reports no bytes for its end. */
	if (p->depth == 1)
		p->c->root_close = XML_GetCurrentByteCount(p->xp) > 0 ? at : -1;
	p->depth--;
}

void
engine_consoles_free(struct engine_consoles *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].name);
		free(c->v[i].last_address);
		free(c->v[i].port);
		free(c->v[i].console_id);
		free(c->v[i].spki);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

bool
engine_consoles_parse(struct engine_consoles *c, const char *text,
    size_t len)
{
	struct consoles_parse p;
	bool ok;

	memset(c, 0, sizeof *c);
	c->root_close = -1;
	p.c = c;
	p.depth = 0;
	if ((p.xp = XML_ParserCreate("UTF-8")) == NULL)
		abort();
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, consoles_start, consoles_end);
	ok = len <= 0x7fffffff &&
	    XML_Parse(p.xp, text, (int)len, 1) == XML_STATUS_OK && c->root_ok;
	XML_ParserFree(p.xp);
	if (!ok)
		engine_consoles_free(c);
	return ok;
}

const struct engine_console *
engine_consoles_find(const struct engine_consoles *c, const char *hex)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strncmp(c->v[i].spki, "sha256:", 7) == 0 &&
		    strcasecmp(c->v[i].spki + 7, hex) == 0)
			return &c->v[i];
	return NULL;
}

/* The length of the UTF-8 sequence at p (at most n bytes), 0 when it is
 * not a well-formed one (overlong forms, surrogates and U+FFFE/U+FFFF
 * included: XML does not allow them). */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

char *
engine_xml_escape(char *out, size_t outsz, const char *text,
    bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t o = 0, n = strlen(text), k;
	const char *rep;
	char one[5];

	while (*p != '\0') {
		rep = NULL;
		k = 1;
		if (*p == '&')
			rep = "&amp;";
		else if (*p == '<')
			rep = "&lt;";
		else if (*p == '>')
			rep = "&gt;";
		else if (*p == '"')
			rep = "&quot;";
		else if (*p == '\'')
			rep = "&apos;";
		else if ((*p == '\n' && keep_newlines) ||
		    (*p >= 0x20 && *p != 0x7f && (k = utf8_len(p, n)) != 0)) {
			memcpy(one, p, k == 0 ? 1 : k);
			one[k == 0 ? 1 : k] = '\0';
			rep = one;
		} else {
			rep = "?";
		}
		if (k == 0)
			k = 1;
		if (o + strlen(rep) + 1 > outsz)
			break;
		memcpy(out + o, rep, strlen(rep));
		o += strlen(rep);
		p += k;
		n -= k;
	}
	out[o] = '\0';
	return out;
}

/* Write data to path through a temporary file in the same folder,
 * "<path>.tmp-<process id>": flushed to disk, the old file's mode kept
 * (Linux), renamed over it. Called under consoles.xml's lock, so a
 * temporary file of that name is a dead engine's (one with the same
 * process id, as pid 1 in a container is every time): it is removed
 * first (the name itself, never what a link there leads to), and logged.
 * False with why (whysz bytes) saying which step failed and the system's
 * reason (a full disk: "No space left on device"). */
static bool
write_atomic(const struct sample *s, const char *path, const char *data,
    size_t len, char *why, size_t whysz)
{
	char tmp[SAMPLE_PATH_MAX + 32];
	FILE *fp;
	bool ok;

#ifdef _WIN32
	wchar_t wtmp[SAMPLE_PATH_MAX + 32], wpath[SAMPLE_PATH_MAX];

	(void)s;
	snprintf(tmp, sizeof tmp, "%s.tmp-%lu", path,
	    (unsigned long)GetCurrentProcessId());
	if ((fp = sample_fopen(tmp, "wb")) == NULL) {
		snprintf(why, whysz, "cannot create %s: %s", tmp,
		    strerror(errno));
		return false;
	}
	ok = fwrite(data, 1, len, fp) == len && fflush(fp) == 0 &&
	    _commit(_fileno(fp)) == 0;
	if (!ok)
		snprintf(why, whysz, "cannot write %s: %s", tmp,
		    strerror(errno));
	if (fclose(fp) != 0 && ok) {
		snprintf(why, whysz, "cannot write %s: %s", tmp,
		    strerror(errno));
		ok = false;
	}
	if (ok && (MultiByteToWideChar(CP_UTF8, 0, tmp, -1, wtmp,
	    SAMPLE_PATH_MAX + 32) == 0 ||
	    MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath,
	    SAMPLE_PATH_MAX) == 0 ||
	    !MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING |
	    MOVEFILE_WRITE_THROUGH))) {
		snprintf(why, whysz, "cannot rename %s to %s (error %lu)", tmp,
		    path, (unsigned long)GetLastError());
		ok = false;
	}
	if (!ok && MultiByteToWideChar(CP_UTF8, 0, tmp, -1, wtmp,
	    SAMPLE_PATH_MAX + 32) != 0)
		(void)DeleteFileW(wtmp);
#else
	struct stat st;
	mode_t mode = 0640;
	int fd, err = 0;
	const char *step = "write";

	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	if (unlink(tmp) == 0) {
		sample_logl(s, "WARN", "Scan Engine removed %s, a temporary "
		    "file an engine with the same process id left when it "
		    "stopped while writing consoles.xml", tmp);
	} else if (errno != ENOENT) {
		snprintf(why, whysz, "cannot remove %s, a temporary file an "
		    "earlier engine left: %s", tmp, strerror(errno));
		return false;
	}
	/* O_EXCL: nothing there is followed or reused. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 || (fp = fdopen(fd, "wb")) == NULL) {
		snprintf(why, whysz, "cannot create %s: %s", tmp,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	ok = fchmod(fileno(fp), mode) == 0 &&
	    fwrite(data, 1, len, fp) == len && fflush(fp) == 0 &&
	    (step = "flush", fsync(fileno(fp)) == 0);
	if (!ok)
		err = errno;
	if (fclose(fp) != 0 && ok) {
		err = errno;
		ok = false;
	}
	if (ok && rename(tmp, path) != 0) {
		err = errno;
		step = "rename";
		ok = false;
	}
	if (!ok) {
		if (strcmp(step, "rename") == 0)
			snprintf(why, whysz, "cannot rename %s to %s: %s", tmp,
			    path, strerror(err));
		else
			snprintf(why, whysz, "cannot %s %s: %s", step, tmp,
			    strerror(err));
		(void)unlink(tmp);
	}
#endif
	return ok;
}

int
engine_consoles_lock(const struct sample *s, engine_lock *lk, char *why,
    size_t whysz)
{
	char path[SAMPLE_PATH_MAX + 8];
	long long until = sample_now_ms() + ENGINE_LOCK_WAIT_MS;

	*lk = ENGINE_NO_LOCK;
	snprintf(path, sizeof path, "%s.lock", s->e.consoles_path);
#ifdef _WIN32
	{
		wchar_t wpath[SAMPLE_PATH_MAX + 8];
		OVERLAPPED ov;
		HANDLE h;

		if (MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath,
		    SAMPLE_PATH_MAX + 8) == 0 ||
		    (h = CreateFileW(wpath, GENERIC_READ | GENERIC_WRITE,
		    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		    NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL)) ==
		    INVALID_HANDLE_VALUE) {
			snprintf(why, whysz, "cannot open %s (error %lu)",
			    path, (unsigned long)GetLastError());
			return -1;
		}
		for (;;) {
			memset(&ov, 0, sizeof ov);
			if (LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK |
			    LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov))
				break;
			if (sample_now_ms() >= until || sample_stopping()) {
				CloseHandle(h);
				snprintf(why, whysz, "%s stayed locked for 10 s",
				    path);
				return 0;
			}
			Sleep(50);
		}
		*lk = h;
	}
#else
	{
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);

		/* A folder or a symbolic link there (O_NOFOLLOW: ELOOP)
		 * stays one: waiting would never help. */
		if (fd < 0) {
			snprintf(why, whysz, "cannot open %s (%s)", path,
			    strerror(errno));
			return -1;
		}
		while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno != EWOULDBLOCK && errno != EINTR) {
				snprintf(why, whysz, "cannot lock %s (%s)",
				    path, strerror(errno));
				close(fd);
				return -1;
			}
			if (sample_now_ms() >= until || sample_stopping()) {
				close(fd);
				snprintf(why, whysz, "%s stayed locked for 10 s",
				    path);
				return 0;
			}
			nanosleep(&ts, NULL);
		}
		*lk = fd;
	}
#endif
	return 1;
}

void
engine_consoles_unlock(engine_lock lk)
{
	if (lk == ENGINE_NO_LOCK)
		return;
#ifdef _WIN32
	{
		OVERLAPPED ov;

		memset(&ov, 0, sizeof ov);
		UnlockFileEx(lk, 0, 1, 0, &ov);
		CloseHandle(lk);
	}
#else
	(void)flock(lk, LOCK_UN);
	close(lk);
#endif
}

int
engine_consoles_load(const struct sample *s, size_t max, char **text,
    size_t *len)
{
	FILE *fp;

	*len = 0;
	if ((*text = sample_read_file(s->e.consoles_path, max, len)) != NULL)
		return 1;
	/* Absent only when it cannot even be opened for that reason. */
	errno = 0;
	if ((fp = sample_fopen(s->e.consoles_path, "rb")) != NULL) {
		fclose(fp);
		return -1;
	}
	return errno == ENOENT ? 0 : -1;
}

/* Append to a growing buffer; aborts when out of memory. */
static void
buf_add(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (n > ((size_t)-1) / 4 - *len)
		abort();
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		if ((*b = realloc(*b, *cap)) == NULL)
			abort();
	}
	memcpy(*b + *len, s, n);
	*len += n;
	(*b)[*len] = '\0';
}

#define BUF_ADDS(s) buf_add(&out, &olen, &ocap, (s), strlen(s))

bool
engine_consoles_append(const struct sample *s, const char *text,
    size_t len, const struct engine_consoles *c, const char *name,
    const char *address, const char *console_id, const char *hex,
    const char *cert_pem, unsigned *id_out, char *why, size_t whysz)
{
	static const char empty[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Consoles>\n</Consoles>\n";
	char esc_name[2048], esc_addr[256], esc_id[2048], *el, *pem;
	char *out = NULL;
	size_t olen = 0, ocap = 0, i, pemsz = strlen(cert_pem) * 6 + 1;
	unsigned long maxid = 0, id;
	struct engine_consoles none;
	bool ok;

	if (text == NULL) {
		text = empty;
		len = strlen(empty);
		if (!engine_consoles_parse(&none, text, len))
			return false;
		c = &none;
	}
	for (i = 0; i < c->n; i++) {
		id = strtoul(c->v[i].id, NULL, 10);
		if (id > maxid)
			maxid = id;
	}
	*id_out = (unsigned)(maxid + 1);
	if ((pem = malloc(pemsz)) == NULL ||
	    (el = malloc(pemsz + 4096)) == NULL)
		abort();
	engine_xml_escape(pem, pemsz, cert_pem, true);
	snprintf(el, pemsz + 4096, "  <console id=\"%u\" enabled=\"0\" "
	    "connectTo=\"0\" name=\"%s\" lastAddress=\"%s\" port=\"%u\" "
	    "consoleId=\"%s\" spki=\"sha256:%s\">\n    <cert>%s</cert>\n"
	    "  </console>\n", *id_out,
	    engine_xml_escape(esc_name, sizeof esc_name, name, false),
	    engine_xml_escape(esc_addr, sizeof esc_addr, address, false),
	    s->port,
	    engine_xml_escape(esc_id, sizeof esc_id, console_id, false),
	    hex, pem);
	free(pem);
	if (c->root_close >= 0) {
		buf_add(&out, &olen, &ocap, text, (size_t)c->root_close);
		if (c->root_close > 0 && text[c->root_close - 1] != '\n')
			BUF_ADDS("\n");
		BUF_ADDS(el);
		buf_add(&out, &olen, &ocap, text + c->root_close,
		    len - (size_t)c->root_close);
	} else {
		/* <Consoles/>: opened up around the new element. */
		size_t end = (size_t)c->root_start + (size_t)c->root_count;

		buf_add(&out, &olen, &ocap, text, (size_t)c->root_start);
		BUF_ADDS("<Consoles>\n");
		BUF_ADDS(el);
		BUF_ADDS("</Consoles>");
		buf_add(&out, &olen, &ocap, text + end, len - end);
	}
	free(el);
	ok = write_atomic(s, s->e.consoles_path, out, olen, why, whysz);
	free(out);
	if (c == &none)
		engine_consoles_free(&none);
	return ok;
}
