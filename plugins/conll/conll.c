/* conll.c -- writer: token-level NER corpora from the segment and ner spans.
 *
 * dialect conllu: the 10 CoNLL-U columns, "# newdoc id", "# sent_id" and
 *   "# text" (the tokens joined by their spacing), NER tag and SpaceAfter=No
 *   in MISC, a blank line after each sentence.
 * dialect conll2003: "token POS chunk NER" with "_" for the unknown POS and
 *   chunk, "-DOCSTART- -X- O O" before each document, blank lines between
 *   sentences.
 * Tags are BIO (default) or BIOES.  A document without token spans is
 * counted (no_tokens) and contributes no lines. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/plugin.h"
#include "splitout.h"
#include "util.h"

typedef struct conll_opts {
    const char *dialect, *scheme, *path;
} conll_opts;

static const cv_optmap conll_optmap[] = {
    {.key = "dialect", .type = CV_OPT_STRING, .default_value = "conllu", .choices = "conllu|conll2003",
     .offset = offsetof(conll_opts, dialect), .help = "the columns: CoNLL-U's ten, or CoNLL-2003's four"},
    {.key = "scheme", .type = CV_OPT_STRING, .default_value = "BIO", .choices = "BIO|BIOES",
     .offset = offsetof(conll_opts, scheme), .help = "entity tags: B- and I-, or also E- and S-"},
    {.key = "path", .type = CV_OPT_STRING, .offset = offsetof(conll_opts, path),
     .help = "file name; default {split}.conllu or {split}.conll by dialect"},
    {0},
};

typedef struct conll {
    const cv_host *host;
    cv_ctx *ctx;
    conll_opts o;
    int u; /* conllu */
    int bioes;
    splitout outs;
    cv_buf out;
    cv_span *spans;
    size_t cap;
} conll;

static void conll_destroy(void *p)
{
    conll *c = p;
    splitout_free(&c->outs);
    buf_free(&c->out);
    free(c->spans);
    free(c);
}

static void *conll_create(const cv_host *h, cv_ctx *ctx)
{
    conll *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->host = h;
    c->ctx = ctx;
    h->opt_load(ctx, &c->o);
    c->u = !strcmp(c->o.dialect, "conllu");
    c->bioes = !strcmp(c->o.scheme, "BIOES");
    const char *path = c->o.path ? c->o.path : c->u ? "{split}.conllu" : "{split}.conll";
    c->outs = (splitout){.host = h, .ctx = ctx, .pattern = path};
    return c;
}

/* The tag of a token given the entity covering it (or none). */
static void tag(conll *c, const cv_span *tok, const cv_span *ent, char *buf, size_t size)
{
    if (!ent) {
        snprintf(buf, size, "O");
        return;
    }
    int first = tok->start == ent->start, last = tok->end == ent->end;
    char p = first ? 'B' : 'I';
    if (c->bioes)
        p = first && last ? 'S' : first ? 'B' : last ? 'E' : 'I';
    snprintf(buf, size, "%c-%s", p, ent->label ? ent->label : "MISC");
}

static void add_form(conll *c, const char *text, const cv_span *t)
{
    size_t n = t->end - t->start;
    const char *f = text + t->start;
    if (!memchr(f, '\t', n) && !memchr(f, '\n', n)) {
        buf_add(&c->out, f, n);
        return;
    }
    /* Forms never hold tabs or line breaks (tokens split on them), but stay safe. */
    for (size_t i = 0; i < n; i++)
        buf_addc(&c->out, f[i] == '\t' || f[i] == '\n' ? ' ' : f[i]);
}

typedef struct spans {
    cv_span *tok, *sent, *ent;
    size_t ntok, nsent, nent;
} spans;

/* One sentence: tokens [from, to).  `ei` is the entity cursor. */
static void sentence(conll *c, const char *text, const char *id, size_t no, const spans *sp, size_t from, size_t to,
                     size_t *ei)
{
    char num[48];
    if (c->u) {
        snprintf(num, sizeof num, "-%zu", no);
        buf_adds(&c->out, "# sent_id = ");
        buf_adds(&c->out, id);
        buf_adds(&c->out, num);
        buf_adds(&c->out, "\n# text = ");
        for (size_t i = from; i < to; i++) {
            add_form(c, text, &sp->tok[i]);
            if (i + 1 < to && !(sp->tok[i].flags & CV_SPAN_NO_SPACE_AFTER))
                buf_addc(&c->out, ' ');
        }
        buf_addc(&c->out, '\n');
    }
    for (size_t i = from; i < to; i++) {
        const cv_span *t = &sp->tok[i];
        while (*ei < sp->nent && sp->ent[*ei].end <= t->start)
            ++*ei;
        const cv_span *ent = *ei < sp->nent && sp->ent[*ei].start <= t->start && t->end <= sp->ent[*ei].end
                                 ? &sp->ent[*ei]
                                 : NULL;
        char tg[96];
        tag(c, t, ent, tg, sizeof tg);
        if (c->u) {
            buf_add_uint(&c->out, i - from + 1);
            buf_addc(&c->out, '\t');
            add_form(c, text, t);
            buf_adds(&c->out, "\t_\t_\t_\t_\t_\t_\t_\tNER=");
            buf_adds(&c->out, tg);
            if (t->flags & CV_SPAN_NO_SPACE_AFTER)
                buf_adds(&c->out, "|SpaceAfter=No");
        } else {
            add_form(c, text, t);
            buf_adds(&c->out, " _ _ ");
            buf_adds(&c->out, tg);
        }
        buf_addc(&c->out, '\n');
    }
    buf_addc(&c->out, '\n');
}

static cv_status conll_write(void *p, const cv_doc *doc)
{
    conll *c = p;
    const cv_host *h = c->host;
    size_t len, n = h->span_count(doc);
    const char *text = h->doc_text(doc, &len);
    if (3 * n > c->cap) {
        c->cap = 3 * n;
        c->spans = xrealloc(c->spans, c->cap * sizeof *c->spans);
    }
    /* Partition by type; each keeps the order in which it was added (by offset). */
    spans sp = {c->spans, c->spans + n, c->spans + 2 * n, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        cv_span s;
        h->span_get(doc, i, &s);
        if (s.type[0] == 't' && !strcmp(s.type, "token"))
            sp.tok[sp.ntok++] = s;
        else if (s.type[0] == 's' && !strcmp(s.type, "sentence"))
            sp.sent[sp.nsent++] = s;
        else if (s.type[0] == 'e' && !strcmp(s.type, "entity"))
            sp.ent[sp.nent++] = s;
    }
    if (sp.ntok == 0) {
        h->count(c->ctx, "no_tokens", 1);
        return CV_OK;
    }
    cv_out *out = splitout_get(&c->outs, doc, NULL);
    if (!out)
        return CV_ERROR;
    c->out.len = 0;
    const char *id = h->doc_id(doc);
    if (c->u) {
        buf_adds(&c->out, "# newdoc id = ");
        buf_adds(&c->out, id);
        buf_addc(&c->out, '\n');
    } else {
        buf_adds(&c->out, "-DOCSTART- -X- O O\n\n");
    }
    /* Group tokens by the sentence they start in; tokens after the last
     * sentence (or all, without sentences) form one more group. */
    size_t si = 0, ei = 0, from = 0, no = 0, group = 0;
    for (size_t i = 0; i < sp.ntok; i++) {
        while (si < sp.nsent && sp.sent[si].end <= sp.tok[i].start)
            si++;
        if (i > from && si != group) {
            sentence(c, text, id, ++no, &sp, from, i, &ei);
            from = i;
        }
        if (i == from)
            group = si;
    }
    sentence(c, text, id, ++no, &sp, from, sp.ntok, &ei);
    if (h->out_write(out, c->out.p, c->out.len) < 0) {
        h->error(c->ctx, "write failed");
        return CV_ERROR;
    }
    return CV_OK;
}

static const cv_plugin conll_writer = {
    CV_PLUGIN_HEADER,
    .name = "conll",
    .kind = CV_WRITER,
    .version = "1.0.0",
    .description = "Writes CoNLL-U or CoNLL-2003 NER files (BIO or BIOES) from token, sentence and entity spans",
    .optmap = conll_optmap,
    .create = conll_create,
    .destroy = conll_destroy,
    .write = conll_write,
};

CONVERT_PLUGINS(&conll_writer)
