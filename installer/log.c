#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "util.h"

static struct sbuf log_buf;
static FILE *log_fp;

bool
log_open(const char *path, struct es_err *e)
{
	if (path == NULL)
		return true;
	if (!plat_create_private(path, e))
		return false;
	log_fp = plat_fopen_regular(path, "a", e);
	if (log_fp == NULL)
		return false;
	return true;
}

void
log_msg(const char *fmt, ...)
{
	char stamp[32], line[4096];
	va_list ap;

	plat_utc_now(stamp, sizeof stamp);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	sbuf_addf(&log_buf, "%s %s\n", stamp, line);
	if (log_fp != NULL) {
		fprintf(log_fp, "%s %s\n", stamp, line);
		fflush(log_fp);
	}
}

const char *
log_text(void)
{
	return log_buf.s != NULL ? log_buf.s : "";
}

void
log_close(void)
{
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	sbuf_free(&log_buf);
}
