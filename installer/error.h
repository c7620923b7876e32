/* Error context: a result code plus the human message, kept on an object the
 * caller owns (as libarchive keeps it on the archive handle). */
#ifndef ES_ERROR_H
#define ES_ERROR_H

#include <stddef.h>

/* Exit codes, from ../shared/cli-contract.md ("Exit codes"). */
enum es_exit {
	ES_OK = 0,
	ES_EINTERNAL = 1,   /* internal error: rolled back */
	ES_EUSAGE = 2,      /* usage or answers error: unchanged */
	ES_EREQ = 3,        /* requirements not met: unchanged */
	ES_EPAIR = 4,       /* pairing failed */
	ES_ECANCEL = 5,     /* cancelled by the user or a signal: rolled back */
	ES_EINSTALL = 6,    /* installation failed: rolled back */
	ES_EEXISTS = 7,     /* already installed with other answers */
	ES_EBUSY = 8        /* another run is changing this host: unchanged */
};

#define ES_ERR_MSG_MAX 2048

struct es_err {
	int code;                   /* an enum es_exit value; 0 when no error */
	char msg[ES_ERR_MSG_MAX];   /* what happened, why, what to do next */
};

/* Record an error; the first one wins, later ones are appended as context. */
void err_set(struct es_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record an error that adds strerror(errnum) to the message. */
void err_sys(struct es_err *e, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void err_clear(struct es_err *e);
/* Make e's message read as sentences before it is shown: a full stop is
 * added to each line that ends without one (or without '!', '?', ':',
 * ',' or ';'), unless the line is indented or a "usage:" line, whose
 * last word may be typed as it stands. Messages are made without their
 * last full stop because one may be quoted inside another ("...: %s");
 * call this where a message is shown, never where it is made. Returns
 * e->msg. */
const char *err_sentence(struct es_err *e);

#endif
