/*
 * convert/plugin.h -- the public plugin ABI of convert.
 *
 * A plugin is a shared object that exports one C function, convert_plugin(),
 * returning its descriptors one index at a time (most files hold one; the
 * jsonl plugin holds a reader and a writer).  The core never links plugins and
 * plugins never link the core: everything a plugin needs from the core comes
 * through the cv_host table handed to create().
 *
 * Compatibility promise
 *   - CONVERT_ABI_MAJOR changes only when an existing field, type or meaning
 *     changes.  The core refuses plugins built for another major.
 *   - CONVERT_ABI_MINOR grows when fields are appended to cv_plugin or cv_host.
 *     The core refuses a plugin whose minor is newer than its own (the plugin
 *     might rely on host functions the core does not have); older minors load.
 *   - Structs only ever grow at the end; struct_size tells how much of a struct
 *     the other side filled in, so both sides can check before they touch a
 *     field that was appended later.
 *
 * Ownership (who frees what)
 *   - Descriptors and option tables are static data of the plugin; the core
 *     never dlclose()s a plugin, so they live for the whole process.
 *   - The core owns every document.  A reader fills the cv_doc it is given; a
 *     step edits it in place through the host functions; a writer may only
 *     read it, and only during the write() call.
 *   - Every string passed *into* a host function is copied; the caller keeps
 *     ownership of its buffer.  (doc_text_room() is the one way to write into
 *     the document's own buffer instead.)
 *   - Every const char * *returned* by a host function is borrowed.  Option
 *     values (opt_string, opt_list_item) stay valid until destroy(); document
 *     strings (doc_id, doc_text, meta_get_string, span labels) until the
 *     document changes or the call returns, whichever comes first.  The one
 *     exception is meta_dump(), whose result the caller frees with host->free().
 *   - The instance returned by create() belongs to the plugin; the core calls
 *     destroy() exactly once for every instance whose create() succeeded and
 *     never for one whose create() returned NULL.
 *
 * Threads
 *   By default the core creates one instance per worker thread, so process()
 *   never runs concurrently on one instance and needs no locking.  A step that
 *   must see every document in input order (deduplication, say) sets
 *   CV_FLAG_SERIAL: it gets exactly one instance, called on one thread at a
 *   time, in input order, whatever -j says.  Readers and writers always have a
 *   single instance.  Readers, serial steps and writers are called from
 *   whichever worker holds the turn: successive calls may come from
 *   different threads (each after the previous one returned), so keep no
 *   thread-local state.
 *   A serial step's turns are the part of a run that -j cannot spread over
 *   cores; since ABI 1.1 such a step can move the work that needs no other
 *   document (a signature, a hash) into prepare(), which runs in parallel
 *   before the turn.  See cv_plugin.prepare.
 *   Likewise the read turn: since ABI 1.6 a reader can leave the parsing of
 *   what next() found to prepare(), which the workers run.
 */
#ifndef CONVERT_PLUGIN_H
#define CONVERT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CONVERT_ABI_MAJOR 1
#define CONVERT_ABI_MINOR 6

#if defined(__GNUC__)
#define CV_EXPORT __attribute__((visibility("default")))
#define CV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CV_EXPORT
#define CV_PRINTF(f, a)
#endif

/* Opaque handles owned by the core. */
typedef struct cv_doc cv_doc; /* one document */
typedef struct cv_ctx cv_ctx; /* one plugin instance's view of the core */
typedef struct cv_out cv_out; /* one output file, committed only by a successful run */

typedef enum cv_kind { CV_READER = 1, CV_STEP = 2, CV_WRITER = 3 } cv_kind;

/*
 * What a callback returns.
 *   reader next():     CV_OK (doc filled), CV_END (no more input), CV_DROP (a
 *                      document was read but rejected: call doc_drop() first),
 *                      CV_ERROR (input unreadable: the run fails).
 *   step process():    CV_OK (keep), CV_DROP (call doc_drop() first), CV_ERROR
 *                      (this document failed: it is dropped as error:<plugin>
 *                      and the run goes on unless on_error: abort).
 *   writer write() and finish(): CV_OK or CV_ERROR (the run fails).
 */
typedef enum cv_status { CV_OK = 0, CV_DROP = 1, CV_END = 2, CV_ERROR = -1 } cv_status;

/* Option types.  The core parses and checks values before create() runs. */
typedef enum cv_opt_type {
    CV_OPT_STRING = 1,
    CV_OPT_INT = 2,   /* 64-bit signed */
    CV_OPT_FLOAT = 3, /* double */
    CV_OPT_BOOL = 4,  /* true/false/yes/no/on/off */
    CV_OPT_LIST = 5,  /* a YAML sequence of strings (a single string is a list of one) */
    CV_OPT_SIZE = 6,  /* bytes; accepts 4096, 64K, 16M, 2G */
    CV_OPT_PATH = 7   /* a file the plugin reads: relative paths resolve against the config's folder */
} cv_opt_type;

typedef struct cv_option {
    const char *key;
    cv_opt_type type;
    const char *default_value; /* as it would be written in YAML; NULL: no default */
    int required;              /* non-zero: the config must set it */
    const char *help;          /* one line, shown by --describe */
} cv_option;                   /* tables end with an entry whose key is NULL */

/* ABI 1.5.  The option map: one table that declares each option and says
 * where its value lands in the plugin's own options struct, so that the core
 * reads, checks and documents every option from it and the plugin reads none
 * by hand (host->opt_load fills the struct).  A plugin sets cv_plugin.optmap
 * and leaves cv_plugin.options NULL.
 *
 * The field at `offset` has the type its option's type says:
 *   STRING, PATH  const char *   (NULL when unset without default)
 *   INT, SIZE     int64_t
 *   FLOAT         double
 *   BOOL          int
 *   LIST          cv_strlist
 * Strings and lists are borrowed from the core until destroy().  Like
 * cv_option, cv_optmap and cv_strlist are fixed for the whole of major 1. */
typedef struct cv_strlist {
    size_t n;
    const char *const *items;
} cv_strlist;

/* ABI 1.5.  Phased runs: a step that must see every shard's documents (a
 * dedup) runs as tasks, each a separate process, possibly on another node:
 *   sign     per shard:     reads the shard, writes what the later phases need
 *   pairs    per partition: }  work on what every sign task wrote,
 *   collect  per partition: }  partition by partition, no documents
 *   decide   once:          decides, for every shard
 *   apply    per shard:     the shard's documents again (handed on by its
 *                           sign task), applying the decisions
 *   merge    once:          the core's: reports and drop logs into one
 * A step flagged CV_FLAG_PHASED learns its task from host->phase_task().
 * Each task writes its files with host->out_open() into its own folder under
 * `work` (see docs/plugins.md), reads earlier tasks' files from there, and
 * declares which it reads whole in cv_plugin.phase_inputs, so that the core
 * checks their completion markers before the task starts. */
typedef enum cv_phase {
    CV_PHASE_NONE, /* an ordinary run: no phases */
    CV_PHASE_SIGN,
    CV_PHASE_PAIRS,
    CV_PHASE_COLLECT,
    CV_PHASE_DECIDE,
    CV_PHASE_APPLY,
    CV_PHASE_MERGE
} cv_phase;
/* The limits of a phased run (convert --phase-plan N prints them for job scripts). */
#define CV_PHASE_MAX_SHARDS 1000 /* decide writes a file per shard; a task writes at most 1024 */
#define CV_PHASE_MAX_PARTS 256   /* pairs and collect run min(shards, this) tasks */

typedef struct cv_phase_task {
    cv_phase phase;   /* CV_PHASE_NONE: an ordinary run, the rest is zero */
    const char *work; /* OUT/work, the folder every task's own folder is in; borrowed until destroy() */
    unsigned shard;   /* this task's number: its shard (sign, apply) or partition (pairs, collect); 0 for decide */
    unsigned shards;  /* N, the number of shards */
    unsigned parts;   /* the partitions: min(N, CV_PHASE_MAX_PARTS) */
    uint64_t memory;  /* bytes the task may hold for its sorts (--memory); past it, spill under work */
} cv_phase_task;

/* Which files of earlier tasks a task reads whole: tables end with an entry
 * whose phase is CV_PHASE_NONE. */
typedef struct cv_phase_input {
    cv_phase phase;    /* a task of this phase ... */
    cv_phase from;     /* ... reads files of tasks of this phase: */
    int own;           /* 1: only the task with its own number; 0: every one */
    const char *files; /* a glob of the file names, "{k}" standing for its own number; NULL: all */
} cv_phase_input;

typedef struct cv_optmap {
    const char *key;
    cv_opt_type type;
    const char *default_value; /* as it would be written in YAML; NULL: no default */
    int required;              /* non-zero: the config must set it */
    const char *help;          /* one line, shown by --describe */
    size_t offset;             /* offsetof(the plugin's options struct, the field) */
    const char *choices;       /* STRING: the allowed values, "a|b|c"; NULL: any */
    double min, max;           /* INT, SIZE, FLOAT: inclusive bounds, checked when min < max */
} cv_optmap;                   /* tables end with an entry whose key is NULL */

/* A span: a labelled byte range of the document's text.  cv_span and
 * cv_option are passed by pointer without a size, so they are fixed for the
 * whole of ABI major 1; a field added to either means a new major. */
typedef struct cv_span {
    size_t start, end; /* byte offsets into the text, end exclusive */
    const char *type;  /* "sentence", "token", "entity", or a plugin's own */
    const char *label; /* "PER", "LOC" ...; may be NULL */
    uint32_t flags;    /* CV_SPAN_* */
} cv_span;

#define CV_SPAN_NO_SPACE_AFTER 0x1u /* a token not followed by white space */

/* Descriptor flags. */
#define CV_FLAG_SERIAL 0x1u /* step: one instance, documents in input order */
/* ABI 1.5.  Step: also runs as the tasks of a phased run (convert --phase),
 * told its task by host->phase_task(); see cv_phase_task and docs/plugins.md. */
#define CV_FLAG_PHASED 0x2u

/* Flags of host->doc_text_room() (ABI 1.3). */
#define CV_TEXT_REPAIR 0x1u /* invalid UTF-8: each bad byte becomes U+FFFD (default: the document is dropped) */

typedef struct cv_host cv_host;

typedef struct cv_plugin {
    uint32_t abi_major; /* CONVERT_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor; /* CONVERT_ABI_MINOR the plugin was built with */
    size_t struct_size; /* sizeof(cv_plugin) the plugin was built with */

    const char *name;        /* as users write it in configs: [a-z0-9_-]+ */
    cv_kind kind;            /* names are unique per kind */
    const char *version;     /* the plugin's own version, e.g. "1.2.0" */
    const char *description; /* one line */
    const cv_option *options;
    uint32_t flags; /* CV_FLAG_* */

    /* Make an instance.  The options are checked already; read them through
     * the host with this ctx, which stays valid until destroy().  Return NULL
     * after host->error() on failure. */
    void *(*create)(const cv_host *host, cv_ctx *ctx);
    void (*destroy)(void *instance);

    cv_status (*next)(void *instance, cv_doc *doc);          /* readers */
    cv_status (*process)(void *instance, cv_doc *doc);       /* steps */
    cv_status (*write)(void *instance, const cv_doc *doc);   /* writers */
    cv_status (*finish)(void *instance);                     /* writers and steps; may be NULL */

    /* ABI 1.1.  Serial steps (ignored elsewhere); may be NULL.  Work on one
     * document that needs no other document, done by the worker holding it
     * before its serial turn, so that it runs in parallel.  It may run on
     * several threads at once, and while process() runs, on the one
     * instance: read what create() set up, change nothing in the instance.
     * It cannot fail (leave anything that can to process()) and changes
     * nothing in the document but its scratch: put the result there with
     * host->doc_set_scratch(), and let process() find it with
     * host->doc_scratch().  The core may skip prepare() (with one thread,
     * say), so process() must give the same result without it.
     * ABI 1.6.  Readers too: the part of reading one document that needs
     * nothing next() keeps (parsing the record next() put in the document),
     * run by the worker that takes the document, in parallel with next()
     * and with other prepare() calls.  The core always runs it, once, before
     * any step; doc_text_room() may be used, and the document's text, id and
     * metadata set, or the document dropped with doc_drop().  It reads only
     * what create() set up, never what next() changes. */
    void (*prepare)(const void *instance, cv_doc *doc);

    /* ABI 1.5.  The declared option map (see cv_optmap); NULL: the plugin
     * declares `options` instead and reads them with host->opt_*(). */
    const cv_optmap *optmap;

    /* ABI 1.5.  CV_FLAG_PHASED steps: the work files each task reads (see
     * cv_phase_input); NULL: none beyond what the core hands on. */
    const cv_phase_input *phase_inputs;
} cv_plugin;

/* How much of cv_plugin a 1.0 plugin has: every field before prepare. */
#define CV_PLUGIN_SIZE_1_0 offsetof(cv_plugin, prepare)

#define CV_PLUGIN_HEADER CONVERT_ABI_MAJOR, CONVERT_ABI_MINOR, sizeof(cv_plugin)

/* Functions the core gives every plugin.  Appended to, never reordered. */
struct cv_host {
    uint32_t abi_major, abi_minor;
    size_t struct_size;

    /* Memory for buffers that cross the ABI (meta_dump results). */
    void *(*alloc)(size_t size);
    void (*free)(void *p);

    /* Messages.  error() records why the current call failed; the core prints
     * it with the plugin's name and, where it has one, the document id. */
    void (*log)(cv_ctx *ctx, int level, const char *fmt, ...) CV_PRINTF(3, 4);
    void (*error)(cv_ctx *ctx, const char *fmt, ...) CV_PRINTF(2, 3);

    /* Options, typed as declared.  For an option not set and without default,
     * opt_string returns NULL, opt_list_len 0 and the numeric getters 0. */
    const char *(*opt_string)(cv_ctx *ctx, const char *key); /* STRING and PATH */
    int64_t (*opt_int)(cv_ctx *ctx, const char *key);        /* INT and SIZE */
    double (*opt_float)(cv_ctx *ctx, const char *key);
    int (*opt_bool)(cv_ctx *ctx, const char *key);
    size_t (*opt_list_len)(cv_ctx *ctx, const char *key);
    const char *(*opt_list_item)(cv_ctx *ctx, const char *key, size_t i);
    int (*opt_is_set)(cv_ctx *ctx, const char *key); /* set in the config, not by default */

    /* Report: add n to a counter shown under this plugin's name
     * (e.g. boilerplate's removed lines per rule). Thread-safe. */
    void (*count)(cv_ctx *ctx, const char *counter, uint64_t n);

    /* Outputs: a file under the run's output folder, written to a temp file
     * and renamed into place only when the whole run succeeds.  A name ending
     * in .gz or .zst is compressed.  Returns NULL after logging on failure. */
    cv_out *(*out_open)(cv_ctx *ctx, const char *relpath);
    int (*out_write)(cv_out *out, const void *data, size_t len); /* 0 ok, -1 error */

    /* The document. */
    const char *(*doc_id)(const cv_doc *doc);
    int (*doc_set_id)(cv_doc *doc, const char *id);
    /* The text is always valid UTF-8 (doc_set_text refuses anything else),
     * NUL-terminated, though it may hold NUL bytes before len. */
    const char *(*doc_text)(const cv_doc *doc, size_t *len);
    /* Replace the text (copied); -1 and no change when it is not valid UTF-8.
     * Drops every span: their offsets no longer hold. */
    int (*doc_set_text)(cv_doc *doc, const char *text, size_t len);
    void (*doc_drop)(cv_doc *doc, const char *reason, const char *detail);

    /* Metadata: a JSON object.  Keys are top-level names. */
    int (*meta_set_string)(cv_doc *doc, const char *key, const char *value);
    int (*meta_set_int)(cv_doc *doc, const char *key, int64_t value);
    int (*meta_set_float)(cv_doc *doc, const char *key, double value);
    int (*meta_set_bool)(cv_doc *doc, const char *key, int value);
    int (*meta_set_json)(cv_doc *doc, const char *key, const char *json); /* any JSON value */
    const char *(*meta_get_string)(const cv_doc *doc, const char *key);  /* NULL unless a string */
    char *(*meta_dump)(const cv_doc *doc, const char *key); /* JSON text of key (NULL: all); free() it */

    /* Spans, kept in the order added. */
    int (*span_add)(cv_doc *doc, const cv_span *span);
    size_t (*span_count)(const cv_doc *doc);
    int (*span_get)(const cv_doc *doc, size_t i, cv_span *out);

    /* Readers: how far through the input they are, in any unit (bytes of the
     * compressed file, say), and the total when known (0 when not).  Drives
     * the progress line's percentage and ETA. */
    void (*progress)(cv_ctx *ctx, uint64_t done, uint64_t total);

    /* ABI 1.1.  A document's scratch: one pointer that a serial step's
     * prepare() hands to its process().  The core calls free_fn(p) (free_fn
     * may be NULL) when the scratch is replaced, after that step's process()
     * returns, and when the document is freed; the scratch never outlives the
     * step that set it.  doc_scratch() returns NULL when there is none. */
    void (*doc_set_scratch)(cv_doc *doc, void *p, void (*free_fn)(void *p));
    void *(*doc_scratch)(const cv_doc *doc);

    /* ABI 1.2.  For the built-in plugins, whose tests run with the check on;
     * other plugins use doc_set_text().  doc_set_text without the UTF-8
     * check, for a step whose output is valid by construction: pieces of the
     * document's own text (cut on character boundaries) joined by ASCII, or
     * characters the step encoded itself (what the check costs:
     * docs/performance.md).  Passing anything else breaks the memory-safety
     * promise later plugins rely on (a regex engine told to skip its own
     * check may read out of bounds): it is a bug in the caller.  With
     * CONVERT_CHECK_TEXT=1 in the environment (the project's tests set it)
     * the host checks anyway, and an invalid text stops the process with a
     * message naming the step.  Returns 0. */
    int (*doc_set_text_unchecked)(cv_doc *doc, const char *text, size_t len);

    /* ABI 1.3.  Readers, inside next(): read a text straight into the
     * document and leave its UTF-8 check to the core.  doc_text_room() makes
     * the text len bytes long and returns them for the reader to fill; the
     * bytes that were there are kept, the rest must all be written before
     * next() returns.  Call it again to grow or shrink (to the real length
     * once the data is in, say); the returned pointer is valid until the next
     * call or until next() returns.  The core checks the text later, on a
     * worker, outside the read turn: reading is the one part that cannot run
     * on more cores (what it saves: docs/performance.md).
     * A text that is not valid UTF-8 is dropped as
     * <reader>:invalid_utf8, or with flags CV_TEXT_REPAIR has each bad byte
     * replaced by U+FFFD, counted as repaired:invalid_utf8_bytes under the
     * reader's name.  The flags of the last call count.  Returns NULL (and
     * changes nothing) when out of memory or called from anything but a
     * reader's next(). */
    char *(*doc_text_room)(cv_doc *doc, size_t len, unsigned flags);

    /* ABI 1.4.  The document's place in the whole input, the same in every
     * shard of a run and in every phase: an opaque key, only to compare
     * (a < b: a comes first in the input), never to take apart or to store
     * across runs with other inputs.  A step whose rule is "the first one
     * wins" compares these so that a sharded run decides as one run would. */
    uint64_t (*doc_order)(const cv_doc *doc);

    /* ABI 1.5.  Fill `conf`, the plugin's options struct, from its optmap:
     * each value at its offset, already parsed and checked (type, choices,
     * range, required) when the config was read.  Returns 0, or -1 when the
     * plugin declares no optmap. */
    int (*opt_load)(cv_ctx *ctx, void *conf);

    /* ABI 1.5.  CV_FLAG_PHASED steps: which task of a phased run this
     * instance is (phase CV_PHASE_NONE in an ordinary run).  Fills the first
     * `size` bytes of *task (pass sizeof *task: fields are only appended).
     * Returns 0, or -1 when the step is not flagged CV_FLAG_PHASED. */
    int (*phase_task)(cv_ctx *ctx, cv_phase_task *task, size_t size);
};

/* Log levels for host->log. */
#define CV_LOG_ERROR 0
#define CV_LOG_WARN 1
#define CV_LOG_INFO 2
#define CV_LOG_DEBUG 3

/* The one symbol a plugin exports: descriptor number `index`, or NULL past the last. */
#define CONVERT_PLUGIN_ENTRY "convert_plugin"
typedef const cv_plugin *(*cv_plugin_entry_fn)(unsigned index);

/* Convenience: CONVERT_PLUGINS(&my_reader, &my_writer) defines the entry. */
#define CONVERT_PLUGINS(...)                                                      \
    CV_EXPORT const cv_plugin *convert_plugin(unsigned index);                    \
    CV_EXPORT const cv_plugin *convert_plugin(unsigned index)                     \
    {                                                                             \
        static const cv_plugin *const all[] = {__VA_ARGS__, NULL};                \
        return index < sizeof all / sizeof all[0] ? all[index] : NULL;            \
    }

#ifdef __cplusplus
}
#endif
#endif
