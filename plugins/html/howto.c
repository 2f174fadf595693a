/* howto.c -- see howto.h. */
#include "howto.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "ldwalk.h"

static int is_block(const xmlNode *n)
{
    static const char *const blocks[] = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6",
                                         "ul", "ol", "blockquote", "tr", "section", NULL};
    for (const char *const *b = blocks; *b; b++)
        if (!strcmp((const char *)n->name, *b))
            return 1;
    return 0;
}

/* A paragraph break before the next word (none at the start). */
static void part(cv_buf *out, size_t start, int *brk)
{
    *brk = out->len > start;
}

/* The text under n, spaces collapsed, blocks a paragraph apart. */
static void text_of(const xmlNode *n, cv_buf *out, size_t start, int *brk, int *space)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content) {
            for (const unsigned char *p = n->content; *p; p++) {
                int blank = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '\f';
                int nbsp = *p == 0xC2 && p[1] == 0xA0;
                if (blank || nbsp) {
                    *space = out->len > start;
                    p += nbsp;
                    continue;
                }
                if (*brk)
                    buf_add(out, "\n\n", 2);
                else if (*space)
                    buf_addc(out, ' ');
                *brk = *space = 0;
                buf_addc(out, (char)*p);
            }
        } else if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "script") &&
                   strcmp((const char *)n->name, "style")) {
            int block = is_block(n);
            if (block)
                part(out, start, brk);
            text_of(n->children, out, start, brk, space);
            if (block)
                part(out, start, brk);
        }
    }
}

/* A string of the data, read as HTML, as a paragraph of out. */
static void add_html(cv_buf *out, size_t start, const char *s)
{
    htmlDocPtr d = htmlReadMemory(s, (int)strnlen(s, 1u << 30), NULL, "utf-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!d)
        return;
    int brk = out->len > start, space = 0;
    text_of(xmlDocGetRootElement(d), out, start, &brk, &space);
    xmlFreeDoc(d);
}

/* Every "text" string under v (a step, a section of steps, a direction). */
static void step_texts(json_t *v, cv_buf *out, size_t start, int depth)
{
    if (depth > LD_MAX_DEPTH)
        return;
    if (json_is_string(v) && depth <= 2) { /* a step given as a bare string, not a string of a step's */
        add_html(out, start, json_string_value(v));
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            step_texts(json_array_get(v, i), out, start, depth + 1);
    } else if (json_is_object(v)) {
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val) {
            if (!strcmp(key, "text") && json_is_string(val))
                add_html(out, start, json_string_value(val));
            else if (json_is_array(val) || json_is_object(val))
                step_texts(val, out, start, depth + 1);
        }
    }
}

static int is_howto(json_t *v)
{
    json_t *t = json_object_get(v, "@type");
    if (json_is_string(t))
        return !strcmp(json_string_value(t), "HowTo");
    for (size_t i = 0; json_is_array(t) && i < json_array_size(t); i++)
        if (json_is_string(json_array_get(t, i)) && !strcmp(json_string_value(json_array_get(t, i)), "HowTo"))
            return 1;
    return 0;
}

/* The first HowTo with text: its description and steps into out (a
 * cv_buf); one without text is passed over, and so is what it holds. */
static int visit_howto(json_t *v, void *ctx)
{
    cv_buf *out = ctx;
    if (!is_howto(v))
        return LD_DESCEND;
    size_t start = out->len;
    json_t *d = json_object_get(v, "description");
    if (json_is_string(d))
        add_html(out, start, json_string_value(d));
    step_texts(json_object_get(v, "step"), out, start, 1);
    return out->len > start ? LD_STOP : LD_SKIP;
}

int howto_text(json_t *v, cv_buf *out) { return ld_walk(v, visit_howto, out); }
