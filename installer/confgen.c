#include "confgen.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CONFGEN_XML_DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define CONFGEN_COMMENT		"<!-- Written by engine-setup. -->\n"
#define CONFGEN_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

/* Copy s with every byte sequence that an XML 1.0 document cannot carry
 * replaced by U+FFFD: invalid or overlong UTF-8, surrogates, U+FFFE, U+FFFF
 * and control characters other than tab, newline and carriage return (XML
 * 1.0, 2.2 "Characters"). Names and certificates come from the network. */
static char *
confgen_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	struct sbuf b;
	unsigned long cp;
	size_t n, i;

	sbuf_init(&b);
	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 && *p != '\t' && *p != '\n' &&
			    *p != '\r')
				sbuf_add(&b, CONFGEN_REPLACEMENT);
			else
				sbuf_addn(&b, (const char *)p, 1);
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 2;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 3;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 4;
			cp = *p & 0x07;
		} else {
			sbuf_add(&b, CONFGEN_REPLACEMENT);
			p++;
			continue;
		}
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		if (i < n || (n == 3 && cp < 0x800) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp == 0xfffe || cp == 0xffff) {
			sbuf_add(&b, CONFGEN_REPLACEMENT);
			p++;
			continue;
		}
		sbuf_addn(&b, (const char *)p, n);
		p += n;
	}
	return sbuf_detach(&b);
}

/* Append ` name="value"`, the value cleaned and escaped. */
static void
confgen_attr(struct sbuf *b, const char *name, const char *value)
{
	char *clean = confgen_clean(value);

	sbuf_addf(b, " %s=\"", name);
	sbuf_add_xml(b, clean);
	sbuf_add(b, "\"");
	free(clean);
}

static void
confgen_attr_uint(struct sbuf *b, const char *name, unsigned value)
{
	sbuf_addf(b, " %s=\"%u\"", name, value);
}

/* Append a text node, cleaned and escaped, with its line breaks kept as
 * they are so that a PEM block stays readable. */
static void
confgen_text(struct sbuf *b, const char *text)
{
	char *clean = confgen_clean(text);
	char *line = clean, *nl;

	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		sbuf_add_xml(b, line);
		sbuf_add(b, "\n");
		line = nl + 1;
	}
	sbuf_add_xml(b, line);
	free(clean);
}

char *
confgen_nse_xml(const struct confgen_engine *c)
{
	struct sbuf b;
	bool listen;

	listen = c->communication != NULL &&
	    strcmp(c->communication, "console-to-engine") == 0;

	sbuf_init(&b);
	sbuf_add(&b, CONFGEN_XML_DECL CONFGEN_COMMENT);
	sbuf_add(&b, "<NSEConfig");
	confgen_attr(&b, "version", c->version);
	sbuf_add(&b, ">\n");

	sbuf_add(&b, "  <Engine");
	confgen_attr(&b, "id", c->id);
	confgen_attr(&b, "name", c->name);
	confgen_attr(&b, "communication", c->communication);
	sbuf_add(&b, "/>\n");

	sbuf_add(&b, "  <Listener");
	confgen_attr(&b, "enabled", listen ? "1" : "0");
	confgen_attr_uint(&b, "port", c->port);
	sbuf_add(&b, "/>\n");

	sbuf_add(&b, "  <Certificate");
	confgen_attr(&b, "key", "nse/conf/nse.key");
	confgen_attr(&b, "cert", "nse/conf/nse.crt");
	sbuf_add(&b, "/>\n");

	sbuf_add(&b, "</NSEConfig>\n");
	return sbuf_detach(&b);
}

char *
confgen_consoles_xml_empty(void)
{
	return xstrdup(CONFGEN_XML_DECL "<Consoles>\n</Consoles>\n");
}

char *
confgen_consoles_entry(const struct confgen_console_entry *c)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "  <console");
	confgen_attr_uint(&b, "id", c->id);
	confgen_attr(&b, "enabled", c->enabled ? "1" : "0");
	confgen_attr(&b, "connectTo", c->connect_to ? "1" : "0");
	confgen_attr(&b, "name", c->name);
	confgen_attr(&b, "lastAddress", c->last_address);
	confgen_attr_uint(&b, "port", c->port);
	confgen_attr(&b, "consoleId", c->console_id);
	confgen_attr(&b, "spki", c->spki);
	sbuf_add(&b, ">\n    <cert>");
	confgen_text(&b, c->cert_pem);
	sbuf_add(&b, "</cert>\n  </console>\n");
	return sbuf_detach(&b);
}

char *
confgen_nsc_xml(const struct confgen_console *c)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, CONFGEN_XML_DECL CONFGEN_COMMENT);
	sbuf_add(&b, "<NSCConfig");
	confgen_attr(&b, "version", c->version);
	sbuf_add(&b, ">\n");
	sbuf_add(&b, "  <WebServer");
	confgen_attr_uint(&b, "port", c->web_port);
	sbuf_add(&b, "/>\n");
	sbuf_add(&b, "  <UserDatabase");
	confgen_attr(&b, "file", "nsc/conf/userdb.xml");
	sbuf_add(&b, "/>\n");
	sbuf_add(&b, "</NSCConfig>\n");
	return sbuf_detach(&b);
}

char *
confgen_userdb_xml(const struct confgen_console *c)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, CONFGEN_XML_DECL CONFGEN_COMMENT);
	sbuf_add(&b, "<Users>\n");
	sbuf_add(&b, "  <User");
	confgen_attr(&b, "name", c->admin_user);
	confgen_attr(&b, "role", "global-admin");
	confgen_attr(&b, "passwordHash", c->admin_hash);
	sbuf_add(&b, "/>\n");
	sbuf_add(&b, "</Users>\n");
	return sbuf_detach(&b);
}
