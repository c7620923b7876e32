#include "error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void err_vappend(struct es_err *e, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
err_vappend(struct es_err *e, const char *fmt, va_list ap)
{
	size_t used = strlen(e->msg);

	if (used > 0 && used + 2 < sizeof e->msg) {
		e->msg[used++] = '\n';
		e->msg[used] = '\0';
	}
	if (used < sizeof e->msg)
		vsnprintf(e->msg + used, sizeof e->msg - used, fmt, ap);
}

void
err_set(struct es_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	if (e->code == 0)
		e->code = code;
	va_start(ap, fmt);
	err_vappend(e, fmt, ap);
	va_end(ap);
}

void
err_sys(struct es_err *e, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (e == NULL)
		return;
	if (e->code == 0)
		e->code = code;
	va_start(ap, fmt);
	err_vappend(e, fmt, ap);
	va_end(ap);
	used = strlen(e->msg);
	if (used < sizeof e->msg)
		snprintf(e->msg + used, sizeof e->msg - used, ": %s",
		    strerror(errnum));
}

void
err_clear(struct es_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

const char *
err_sentence(struct es_err *e)
{
	char out[ES_ERR_MSG_MAX], *line, *next, *end;
	size_t used = 0, n;

	for (line = e->msg; *line != '\0'; line = next) {
		end = line + strcspn(line, "\n");
		next = *end == '\n' ? end + 1 : end;
		while (end > line && isspace((unsigned char)end[-1]))
			end--;
		n = (size_t)(end - line);
		if (used + n + 3 > sizeof out) {
			/* No room for more than the words. */
			n = sizeof out - 1 - used;
			memcpy(out + used, line, n);
			used += n;
			break;
		}
		memcpy(out + used, line, n);
		used += n;
		if (n > 0 && !isspace((unsigned char)line[0]) &&
		    strncmp(line, "usage:", 6) != 0 &&
		    strchr(".!?:,;", end[-1]) == NULL)
			out[used++] = '.';
		if (*next != '\0' || (next > line && next[-1] == '\n'))
			out[used++] = '\n';
	}
	out[used] = '\0';
	memcpy(e->msg, out, used + 1);
	return e->msg;
}
