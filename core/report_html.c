/* report_html.c -- report.html: the report as one self-contained page.
 *
 * Charts are inline SVG drawn here, so the page needs no network and no
 * script: what was kept and dropped by reason, documents per language and
 * split, text length before and after the pipeline, each plugin's counters,
 * and throughput.  Everything comes from the report object, so a merge of
 * shard reports draws the same page. */
#include "report_html.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define put cv_sb_printf

#define CHART_W 720
#define BAR_H 22
#define LABEL_W 260
#define MAX_BARS 20

static void esc(cv_sb *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': put(b, "&amp;"); break;
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '"': put(b, "&quot;"); break;
        default: put(b, "%c", *s);
        }
    }
}

typedef struct bar {
    const char *label;
    long long value;
    const char *color;
} bar;

static int bar_desc(const void *a, const void *b)
{
    const bar *x = a, *y = b;
    return x->value < y->value ? 1 : x->value > y->value ? -1 : strcmp(x->label, y->label);
}

/* Horizontal bars, largest first; past MAX_BARS the rest add up to "other".
 * us: the values are microseconds, labelled as seconds. */
static void hbars_unit(cv_sb *b, const char *id, const char *title, bar *bars, size_t n, int sort, int us)
{
    if (sort)
        qsort(bars, n, sizeof *bars, bar_desc);
    long long other = 0;
    for (size_t i = MAX_BARS; i < n; i++)
        other += bars[i].value;
    size_t shown = n > MAX_BARS ? MAX_BARS : n, rows = shown + (n > MAX_BARS);
    long long max = 1;
    for (size_t i = 0; i < shown; i++)
        max = bars[i].value > max ? bars[i].value : max;
    max = other > max ? other : max;
    put(b, "<section><h2>");
    esc(b, title);
    put(b, "</h2>\n");
    if (!n) {
        put(b, "<p class=\"none\">nothing to show</p></section>\n");
        return;
    }
    int h = (int)rows * BAR_H + 8;
    put(b, "<svg class=\"chart\" data-chart=\"");
    esc(b, id);
    put(b, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", CHART_W, h, CHART_W, h);
    double span = CHART_W - LABEL_W - 90;
    for (size_t i = 0; i < rows; i++) {
        const char *label = i < shown ? bars[i].label : "other";
        long long v = i < shown ? bars[i].value : other;
        const char *color = i < shown && bars[i].color ? bars[i].color : "#4e79a7";
        int y = (int)i * BAR_H + 4;
        double w = span * (double)v / (double)max;
        put(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8, y + 15);
        esc(b, label);
        put(b, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", LABEL_W,
            y + 2, w < 1 && v ? 1.0 : w, BAR_H - 6, color);
        esc(b, label);
        if (us)
            put(b, ": %.3f s</title></rect><text x=\"%.1f\" y=\"%d\">%.3f s</text>\n", (double)v / 1e6,
                LABEL_W + w + 6, y + 15, (double)v / 1e6);
        else
            put(b, ": %lld</title></rect><text x=\"%.1f\" y=\"%d\">%lld</text>\n", v, LABEL_W + w + 6, y + 15, v);
    }
    put(b, "</svg></section>\n");
}

static void hbars(cv_sb *b, const char *id, const char *title, bar *bars, size_t n, int sort)
{
    hbars_unit(b, id, title, bars, n, sort, 0);
}

/* Where the time went: each step's seconds (in microseconds, as bars are
 * whole numbers), reading and writing with them. */
static void step_seconds(cv_sb *b, const json_t *steps)
{
    size_t n = json_object_size(steps), i = 0;
    bar *bars = calloc(n + 1, sizeof *bars);
    if (!bars)
        abort();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)steps, key, v) {
        const char *color = !strcmp(key, "read") ? "#9c9c9c" : !strcmp(key, "write") ? "#59a14f" : "#edc948";
        bars[i++] = (bar){key, (long long)(json_number_value(v) * 1e6 + 0.5), color};
    }
    hbars_unit(b, "step_seconds", "Where the time went (seconds in each step, summed over threads)", bars, n, 1, 1);
    free(bars);
}

static bar *object_bars(const json_t *obj, size_t *n, const char *color)
{
    *n = json_object_size(obj);
    bar *bars = calloc(*n + 1, sizeof *bars);
    if (!bars)
        abort();
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        json_t *docs = json_is_object(v) ? json_object_get(v, "documents") : v;
        bars[i++] = (bar){key, (long long)json_integer_value(docs), color};
    }
    return bars;
}

static void size_label(char *out, size_t cap, long long v)
{
    static const char *const units[] = {"", "K", "M", "G"};
    int u = 0;
    while (v >= 1024 && v % 1024 == 0 && u < 3) {
        v /= 1024;
        u++;
    }
    snprintf(out, cap, "%lld%s", v, units[u]);
}

/* Two series over the same power-of-two buckets, trimmed to the buckets used. */
static void histogram(cv_sb *b, const json_t *hist)
{
    const json_t *bounds = json_object_get(hist, "lower_bounds"), *rd = json_object_get(hist, "read"),
                 *wr = json_object_get(hist, "written");
    size_t n = json_array_size(bounds), lo = n, hi = 0;
    long long max = 1;
    for (size_t i = 0; i < n; i++) {
        long long a = (long long)json_integer_value(json_array_get(rd, i)),
                  c = (long long)json_integer_value(json_array_get(wr, i));
        if (a || c) {
            lo = i < lo ? i : lo;
            hi = i;
        }
        max = a > max ? a : max;
        max = c > max ? c : max;
    }
    put(b, "<section><h2>Text length before and after the pipeline (bytes, documents per bucket)</h2>\n");
    if (lo > hi) {
        put(b, "<p class=\"none\">nothing to show</p></section>\n");
        return;
    }
    size_t cols = hi - lo + 1;
    int plot_h = 180, top = 24, left = 50, colw = (CHART_W - left - 10) / (int)cols;
    colw = colw > 64 ? 64 : colw; /* a few buckets stay bars, not blocks */
    int h = top + plot_h + 40;
    put(b, "<svg class=\"chart\" data-chart=\"lengths\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
        CHART_W, h, CHART_W, h);
    put(b, "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"#9c9c9c\"/><text x=\"%d\" y=\"15\">read</text>"
           "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"#59a14f\"/><text x=\"%d\" y=\"15\">written</text>\n",
        left, left + 16, left + 70, left + 86);
    put(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", left, top + plot_h, CHART_W - 10,
        top + plot_h);
    put(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text><text x=\"%d\" y=\"%d\" "
           "text-anchor=\"end\">0</text>\n", left - 4, top + 10, max, left - 4, top + plot_h);
    for (size_t i = lo; i <= hi; i++) {
        int x = left + (int)(i - lo) * colw;
        long long a = (long long)json_integer_value(json_array_get(rd, i)),
                  c = (long long)json_integer_value(json_array_get(wr, i));
        double ha = plot_h * (double)a / (double)max, hc = plot_h * (double)c / (double)max;
        char from[16];
        size_label(from, sizeof from, (long long)json_integer_value(json_array_get(bounds, i)));
        int bw = colw / 2 - 2 > 1 ? colw / 2 - 2 : 1;
        put(b, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#9c9c9c\"><title>read, "
               "from %s: %lld</title></rect>",
            x + 2, top + plot_h - ha, bw, ha, from, a);
        put(b, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#59a14f\"><title>written, "
               "from %s: %lld</title></rect>",
            x + 2 + bw, top + plot_h - hc, bw, hc, from, c);
        put(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%s</text>\n", x + colw / 2,
            top + plot_h + 16, from);
    }
    put(b, "</svg></section>\n");
}

static void tile(cv_sb *b, const char *label, const char *fmt_value)
{
    put(b, "<div class=\"tile\"><div class=\"v\">%s</div><div class=\"l\">%s</div></div>", fmt_value, label);
}

char *cv_report_html(const json_t *rep)
{
    cv_sb b = {0};
    const json_t *pipe = json_object_get(rep, "pipeline");
    const char *config = json_string_value(json_object_get(pipe, "config"));
    long long read = (long long)json_integer_value(json_object_get(rep, "read")),
              written = (long long)json_integer_value(json_object_get(rep, "written")),
              dropped = (long long)json_integer_value(json_object_get(rep, "dropped"));
    put(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>convert report");
    if (config) {
        put(&b, ": ");
        esc(&b, config);
    }
    put(&b, "</title>\n<style>body{font:14px system-ui,sans-serif;margin:2em auto;max-width:760px;color:#222}"
            "h1{font-size:20px}h2{font-size:15px;margin:1.6em 0 .4em}svg text{font-size:12px;fill:#333}"
            ".tick{font-size:10px}.tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{border:1px solid #ddd;"
            "border-radius:6px;padding:8px 12px;min-width:90px}.v{font-size:18px;font-weight:600}.l{color:#666}"
            ".none{color:#888}code{background:#f4f4f4;padding:0 3px}</style></head><body>\n");
    put(&b, "<h1>convert report</h1>\n<p>");
    if (config) {
        put(&b, "Config <code>");
        esc(&b, config);
        put(&b, "</code>");
    }
    const char *input = json_string_value(json_object_get(pipe, "input"));
    if (input) {
        put(&b, ", input <code>");
        esc(&b, input);
        put(&b, "</code>");
    }
    put(&b, ", status <b>");
    esc(&b, json_string_value(json_object_get(rep, "status")) ? json_string_value(json_object_get(rep, "status")) : "?");
    put(&b, "</b>.</p>\n<div class=\"tiles\">");
    char v[64];
    snprintf(v, sizeof v, "%lld", read);
    tile(&b, "documents read", v);
    snprintf(v, sizeof v, "%lld", written);
    tile(&b, "written", v);
    snprintf(v, sizeof v, "%lld", dropped);
    tile(&b, "dropped", v);
    double mb = (double)json_integer_value(json_object_get(rep, "bytes_read")) / 1e6;
    snprintf(v, sizeof v, "%.2f", mb);
    tile(&b, "MB read", v);
    snprintf(v, sizeof v, "%.2f", json_number_value(json_object_get(rep, "seconds")));
    tile(&b, "seconds", v);
    snprintf(v, sizeof v, "%.1f", json_number_value(json_object_get(rep, "mb_per_second")));
    tile(&b, "MB/s", v);
    if (json_object_get(rep, "tokens")) {
        snprintf(v, sizeof v, "%lld", (long long)json_integer_value(json_object_get(rep, "tokens")));
        tile(&b, "tokens", v);
    }
    put(&b, "</div>\n");

    size_t n;
    bar *bars = object_bars(json_object_get(rep, "dropped_by_reason"), &n, "#e15759");
    bar *all = calloc(n + 2, sizeof *all);
    if (!all)
        abort();
    qsort(bars, n, sizeof *bars, bar_desc);
    all[0] = (bar){"written", written, "#59a14f"};
    memcpy(all + 1, bars, n * sizeof *bars);
    hbars(&b, "kept", "Documents kept and dropped, by reason", all, n + 1, 0);
    free(all);
    free(bars);
    bars = object_bars(json_object_get(rep, "written_by_lang"), &n, NULL);
    hbars(&b, "languages", "Documents written per language", bars, n, 1);
    free(bars);
    bars = object_bars(json_object_get(rep, "written_by_split"), &n, "#f28e2b");
    hbars(&b, "splits", "Documents written per split", bars, n, 1);
    free(bars);
    if (json_object_get(rep, "tokens")) {
        bars = object_bars(json_object_get(rep, "tokens_by_lang"), &n, "#76b7b2");
        hbars(&b, "tokens-lang", "Tokens written per language", bars, n, 1);
        free(bars);
        bars = object_bars(json_object_get(rep, "tokens_by_split"), &n, "#76b7b2");
        hbars(&b, "tokens-split", "Tokens written per split", bars, n, 1);
        free(bars);
    }
    histogram(&b, json_object_get(rep, "length_histogram"));
    step_seconds(&b, json_object_get(rep, "step_seconds"));

    const char *plugin;
    json_t *counters;
    json_object_foreach(json_object_get(rep, "counters"), plugin, counters) {
        char id[96], title[128];
        snprintf(id, sizeof id, "counters-%s", plugin);
        snprintf(title, sizeof title, "Counters of %s", plugin);
        bars = object_bars(counters, &n, "#76b7b2");
        hbars(&b, id, title, bars, n, 1);
        free(bars);
    }
    put(&b, "<p class=\"none\">Every number here is in <code>report.json</code>; every dropped document, with its "
            "reason, in <code>dropped.jsonl</code>.</p>\n</body></html>\n");
    return b.p;
}
