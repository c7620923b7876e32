/* The embedded payload: a trailer at the end of the installer binary points
 * at a small uncompressed "meta" tar (manifest, licence) and the data
 * archive (tar + zstd) with the component trees. Layout: docs/payload.md. */
#ifndef ES_PAYLOAD_H
#define ES_PAYLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "manifest.h"
#include "record.h"

#define PAYLOAD_TRAILER_SIZE 128
#define PAYLOAD_MAGIC "ESPAYLD1"
#define PAYLOAD_META_MAX (4u << 20)   /* the meta archive is read whole */

struct payload_trailer {
	uint64_t meta_off, meta_len;
	uint64_t data_off, data_len;
	uint64_t data_files;      /* regular files in the data archive */
	uint64_t data_bytes;      /* their total uncompressed size */
	unsigned char meta_sha256[32];
	unsigned char data_sha256[32];
};

struct payload {
	char *path;               /* file holding the payload */
	uint64_t file_size;
	struct payload_trailer t;
};

/* Encode/decode the 128-byte little-endian trailer. */
void payload_trailer_encode(const struct payload_trailer *t,
    unsigned char out[PAYLOAD_TRAILER_SIZE]);
bool payload_trailer_decode(const unsigned char in[PAYLOAD_TRAILER_SIZE],
    struct payload_trailer *t);

/* Find the trailer in path (normally plat_self_exe()). */
bool payload_open(struct payload *p, const char *path, struct es_err *e);
/* Read and verify the meta archive: parses the manifest, returns the
 * licence text (caller frees; "" when the manifest names no licence). */
bool payload_read_meta(const struct payload *p, struct manifest *m,
    char **license, struct es_err *e);

/* Files of unselected components count as done when they are skipped, so
 * that the totals (from the trailer) are reached at the end. */
struct payload_progress {
	uint64_t bytes_done, bytes_total;   /* uncompressed bytes written */
	uint64_t files_done, files_total;
	const char *current;                /* path being written */
};
/* Return false to cancel the extraction. */
typedef bool (*payload_progress_fn)(const struct payload_progress *pr,
    void *arg);
/* Called for every entry written: rel is the path relative to dest with
 * '/' separators, type 'f' file, 'd' directory, 'l' symlink; sha256_hex is
 * the file's hash (NULL unless 'f'). */
typedef void (*payload_entry_fn)(const char *rel, char type, unsigned mode,
    const char *sha256_hex, void *arg);

struct payload_extract_opts {
	/* Existing empty folder, without ".." or symbolic links in its path:
	 * libarchive's secure mode refuses to write through any link. */
	const char *dest;
	const char *const *components;   /* archive top folders to take, NULL-ended */
	const struct manifest *manifest; /* config modes; may be NULL */
	payload_progress_fn progress;
	void *progress_arg;
	payload_entry_fn entry;
	void *entry_arg;
};

/* Stream the data archive into opts->dest in one pass: entries under a
 * selected top folder land in dest with that folder stripped; the SHA-256
 * of every byte read is checked at the end. Secure: no "..", no absolute
 * paths, no writing through symbolic links, and every entry passes
 * payload_tree_add() for the selected components together. On failure (error code
 * ES_EINSTALL, or ES_ECANCEL when progress returned false) dest may hold
 * partial output: the caller removes it. */
bool payload_extract(const struct payload *p,
    const struct payload_extract_opts *opts, struct es_err *e);

/* Hash the whole data archive again and compare it with the trailer (for
 * --payload-info), without extracting anything. */
bool payload_verify(const struct payload *p, struct es_err *e);

/* The longest archive entry path: plan.h keeps PLAN_PATH_RESERVE bytes of
 * PATH_MAX for it, the staging folder's longer name and two '/'. */
#define PAYLOAD_PATH_MAX 1000
#define PAYLOAD_NAME_MAX 255

/* NULL when path (an archive entry, '/' separators) is safe to extract on
 * every OS, else why not: absolute, "..", empty parts, '\\' or ':', longer
 * than PAYLOAD_PATH_MAX, a part longer than PAYLOAD_NAME_MAX. */
const char *payload_path_problem(const char *path);
/* True when a symbolic link at rel (relative to the folder extracted
 * into) pointing at target stays inside that folder by its text alone:
 * target is relative and its ".." never climb above the folder. Only a
 * first filter: "q/q/../../x" climbs out when q is a link to ".", so
 * payload_tree_add() also resolves the target through the tree. */
bool payload_link_inside(const char *rel, const char *target);

/* The folder inside install_dir that holds the install record: the
 * installer's own, never a payload's. */
#define PAYLOAD_RESERVED RECORD_DIR_REL

/* The names one installation gets from the payload, checked as its
 * entries arrive, in any order, so that what lands on disk is what the
 * entries say and stays inside install_dir (the attacks are named in
 * docs/security.md, "The payload"). mkpayload checks a tree with it, and
 * extraction checks again. */
struct payload_tree;

enum payload_tree_verdict {
	PAYLOAD_TREE_NEW,       /* write it */
	PAYLOAD_TREE_MERGED,    /* a folder another component already has */
	PAYLOAD_TREE_REFUSED    /* why says why */
};

struct payload_tree *payload_tree_new(void);
void payload_tree_free(struct payload_tree *t);
/* Add the entry rel (relative to install_dir, component folder stripped,
 * already passed by payload_path_problem()) of type 'f', 'd' or 'l'
 * (target: the link's text) from component src. Refused, with the reason
 * in why: the same name twice (a file, then a folder of that name or
 * entries inside it; only a folder that two components share is merged);
 * an entry inside a symbolic link; a link that leaves install_dir when
 * resolved from its folder, or that resolves through a name that is, or
 * later becomes, a link (only the last name of a target may be one); a
 * name in PAYLOAD_RESERVED. After a refusal the tree is of no further
 * use. */
enum payload_tree_verdict payload_tree_add(struct payload_tree *t,
    const char *rel, char type, const char *target, unsigned src, char *why,
    size_t whysz);

void payload_close(struct payload *p);

#endif
