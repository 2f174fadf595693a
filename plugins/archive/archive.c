/* archive.c -- reader: every member of a tar/zip/7z/... archive (or every file
 * under a folder) as one document, through libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "charset.h"
#include "convert/plugin.h"
#include "util.h"

typedef struct archive_opts {
    const char *path, *invalid_utf8;
    cv_strlist include, exclude;
    int64_t max_doc_bytes, max_members, max_total_bytes;
} archive_opts;

static const cv_optmap archive_optmap[] = {
    {.key = "path", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(archive_opts, path),
     .help = "archive file (any format and compression libarchive reads), a folder, or one file that `include` names"},
    {.key = "include", .type = CV_OPT_LIST, .default_value = "['*']", .offset = offsetof(archive_opts, include),
     .help = "glob(s) a member path must match (fnmatch; * also matches /)"},
    {.key = "exclude", .type = CV_OPT_LIST, .default_value = "[]", .offset = offsetof(archive_opts, exclude),
     .help = "glob(s) of member paths to skip"},
    {.key = "invalid_utf8", .type = CV_OPT_STRING, .default_value = "repair",
     .offset = offsetof(archive_opts, invalid_utf8), .choices = "repair|drop",
     .help = "text that is not UTF-8: 'repair' (U+FFFD per bad byte) or 'drop' (reason archive:invalid_utf8)"},
    {.key = "max_doc_bytes", .type = CV_OPT_SIZE, .default_value = "64M",
     .offset = offsetof(archive_opts, max_doc_bytes),
     .help = "larger members are dropped unread (reason archive:max_doc_bytes)"},
    {.key = "max_members", .type = CV_OPT_INT, .default_value = "100000000",
     .offset = offsetof(archive_opts, max_members),
     .help = "stop with an error after this many members (0: no limit)"},
    {.key = "max_total_bytes", .type = CV_OPT_SIZE, .default_value = "1T",
     .offset = offsetof(archive_opts, max_total_bytes),
     .help = "stop with an error after this many uncompressed bytes (0: no limit); bounds archive bombs"},
    {0},
};

typedef struct reader {
    const cv_host *host;
    cv_ctx *ctx;
    struct archive *a;
    int disk; /* reading a folder */
    const char *single; /* not an archive: the file itself, named so, is the one document */
    size_t root_len; /* folder mode: strip "<path>/" from entry names */
    unsigned flags; /* CV_TEXT_REPAIR or 0 */
    archive_opts o;
    uint64_t members, total;
    int64_t file_size; /* for progress: compressed bytes read of this many */
    cv_buf html;       /* a web page's bytes decoded to UTF-8 */
} reader;

static int matches_any(const cv_strlist *globs, const char *name);

static void archive_destroy(void *p)
{
    reader *r = p;
    if (r->a)
        archive_read_free(r->a);
    buf_free(&r->html);
    free(r);
}

static void *archive_create(const cv_host *host, cv_ctx *ctx)
{
    reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->host = host;
    r->ctx = ctx;
    host->opt_load(ctx, &r->o);
    r->flags = strcmp(r->o.invalid_utf8, "repair") ? 0 : CV_TEXT_REPAIR; /* the core checks and repairs, on a worker */
    struct stat st;
    if (stat(r->o.path, &st) < 0) {
        host->error(ctx, "cannot open '%s': no such file or folder", r->o.path);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        r->disk = 1;
        r->a = archive_read_disk_new();
        archive_read_disk_set_symlink_physical(r->a); /* never follow links out of the folder */
        archive_read_disk_set_standard_lookup(r->a);
        if (archive_read_disk_open(r->a, r->o.path) != ARCHIVE_OK)
            goto lib_fail;
        r->root_len = strlen(r->o.path);
        while (r->root_len > 1 && r->o.path[r->root_len - 1] == '/')
            r->root_len--;
    } else {
        r->file_size = st.st_size;
        r->a = archive_read_new();
        archive_read_support_filter_all(r->a);
        archive_read_support_format_all(r->a);
        /* -i with a glob of pages and include: ["*.html"]: a file the patterns
         * name is a document when it is no archive (libarchive's raw format
         * bids last, so archives stay archives); compressed ones too. */
        const char *base = strrchr(r->o.path, '/') ? strrchr(r->o.path, '/') + 1 : r->o.path;
        if (host->opt_is_set(ctx, "include") && matches_any(&r->o.include, base) && !matches_any(&r->o.exclude, base)) {
            archive_read_support_format_raw(r->a);
            r->single = base;
        }
        if (archive_read_open_filename(r->a, r->o.path, 1 << 16) != ARCHIVE_OK)
            goto lib_fail;
    }
    return r;
lib_fail:
    host->error(ctx, "cannot read '%s': %s", r->o.path, archive_error_string(r->a));
fail:
    archive_destroy(r);
    return NULL;
}

static int matches_any(const cv_strlist *globs, const char *name)
{
    for (size_t i = 0; i < globs->n; i++)
        if (fnmatch(globs->items[i], name, 0) == 0)
            return 1;
    return 0;
}

static const char *entry_kind(mode_t type)
{
    switch (type) {
    case AE_IFDIR: return "skipped:directory";
    case AE_IFLNK: return "skipped:symlink";
    case AE_IFCHR:
    case AE_IFBLK: return "skipped:device";
    case AE_IFIFO: return "skipped:fifo";
    case AE_IFSOCK: return "skipped:socket";
    default: return "skipped:other";
    }
}

/* Read the member's data straight into the document (hint: the size the
 * header gives, 0 if none).  0: read, 1: larger than max_doc_bytes (the
 * rest is read and counted, not stored), -1: a broken archive. */
static int read_data(reader *r, cv_doc *doc, size_t hint)
{
    const cv_host *h = r->host;
    size_t len = 0, room = hint ? hint + 1 : 65536; /* + 1: the end shows as a read of 0, not a full buffer */
    char *p = h->doc_text_room(doc, room, r->flags), chunk[65536];
    int big = 0;
    for (;;) {
        if (!p) {
            h->error(r->ctx, "'%s': out of memory for a member of %zu bytes", r->o.path, room);
            return -1;
        }
        la_ssize_t n = big ? archive_read_data(r->a, chunk, sizeof chunk)
                           : archive_read_data(r->a, p + len, room - len);
        if (n < 0) {
            h->error(r->ctx, "'%s': %s", r->o.path, archive_error_string(r->a));
            return -1;
        }
        if (n == 0)
            break;
        r->total += (uint64_t)n;
        if (r->o.max_total_bytes > 0 && r->total > (uint64_t)r->o.max_total_bytes) {
            h->error(r->ctx, "'%s': more than max_total_bytes (%lld) uncompressed; raise it if this is real", r->o.path,
                     (long long)r->o.max_total_bytes);
            return -1;
        }
        len += (size_t)n;
        if (r->o.max_doc_bytes > 0 && len > (size_t)r->o.max_doc_bytes)
            big = 1; /* keep counting, stop storing */
        else if (len == room)
            p = h->doc_text_room(doc, room *= 2, r->flags);
    }
    h->doc_text_room(doc, big ? 0 : len, r->flags); /* shrinking never fails */
    return big;
}

static int is_html(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".xhtml"));
}

static cv_status archive_next(void *p, cv_doc *doc)
{
    reader *r = p;
    const cv_host *h = r->host;
    struct archive_entry *e;
    for (;;) {
        int rc = archive_read_next_header(r->a, &e);
        if (rc == ARCHIVE_EOF)
            return CV_END;
        if (rc == ARCHIVE_WARN)
            h->log(r->ctx, CV_LOG_WARN, "'%s': %s", r->o.path, archive_error_string(r->a));
        else if (rc != ARCHIVE_OK) {
            h->error(r->ctx, "'%s' is damaged or not an archive: %s", r->o.path, archive_error_string(r->a));
            return CV_ERROR;
        }
        if (r->disk)
            archive_read_disk_descend(r->a);
        if (r->single && archive_format(r->a) == ARCHIVE_FORMAT_RAW)
            archive_entry_set_pathname(e, r->single);
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        if (!name)
            name = "";
        if (r->disk && !strncmp(name, r->o.path, r->root_len))
            name += r->root_len + (name[r->root_len] == '/');
        while (!r->disk && name[0] == '.' && name[1] == '/')
            name += 2;
        if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
            h->count(r->ctx, archive_entry_hardlink(e) ? "skipped:hardlink" : entry_kind(archive_entry_filetype(e)), 1);
            continue;
        }
        if (!name[0] || !matches_any(&r->o.include, name) || matches_any(&r->o.exclude, name)) {
            h->count(r->ctx, "skipped:not_included", 1);
            continue;
        }
        if (r->o.max_members > 0 && ++r->members > (uint64_t)r->o.max_members) {
            h->error(r->ctx, "'%s' has more than max_members (%lld) documents; raise it if this is real", r->o.path,
                     (long long)r->o.max_members);
            return CV_ERROR;
        }
        h->doc_set_id(doc, name);
        if (r->file_size > 0)
            h->progress(r->ctx, (uint64_t)archive_filter_bytes(r->a, -1), (uint64_t)r->file_size);
        const char *base = strrchr(r->o.path, '/');
        h->meta_set_string(doc, "source", base && base[1] ? base + 1 : r->o.path); /* stable across machines */
        if (r->o.max_doc_bytes > 0 && archive_entry_size_is_set(e) && archive_entry_size(e) > r->o.max_doc_bytes) {
            h->meta_set_int(doc, "size", archive_entry_size(e));
            if (!r->disk) /* read_disk moves on by itself and refuses the call */
                archive_read_data_skip(r->a);
            h->doc_drop(doc, "max_doc_bytes", NULL);
            return CV_DROP;
        }
        /* A header's size is a hint: room for it up front, within reason. */
        int64_t hint = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        int got = read_data(r, doc, hint > 0 && hint < (16 << 20) ? (size_t)hint : 0);
        if (got < 0)
            return CV_ERROR;
        if (got > 0) { /* the header did not give the size, the data did */
            h->doc_drop(doc, "max_doc_bytes", NULL);
            return CV_DROP;
        }
        size_t len;
        const char *data = h->doc_text(doc, &len);
        h->meta_set_int(doc, "size", (int64_t)len);
        if (is_html(name)) { /* saved pages come in any charset: decode them as a browser would */
            const char *used, *how;
            charset_decode(data, len, NULL, 1, &r->html, &used, &how);
            char *room = h->doc_text_room(doc, r->html.len, r->flags);
            if (!room) {
                h->error(r->ctx, "'%s': out of memory", r->o.path);
                return CV_ERROR;
            }
            memcpy(room, r->html.p ? r->html.p : "", r->html.len);
            h->meta_set_string(doc, "content_type", "text/html");
            h->meta_set_string(doc, "charset", used);
        }
        return CV_OK;
    }
}

static const cv_plugin archive_reader = {
    CV_PLUGIN_HEADER,
    .name = "archive",
    .kind = CV_READER,
    .version = "1.1.0",
    .description = "Reads archive members (tar, tar.gz, tar.zst, zip, 7z, ...) or a folder's files as documents",
    .optmap = archive_optmap,
    .create = archive_create,
    .destroy = archive_destroy,
    .next = archive_next,
};

CONVERT_PLUGINS(&archive_reader)
