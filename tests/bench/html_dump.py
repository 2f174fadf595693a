#!/usr/bin/env python3
"""html_dump.py DIR OUT.jsonl

The text dump of every *.html page of DIR, as a crawl's WET file or the
seeds hold it: all visible text, one block element a line, no markup.  Text
inside script, style, template, noscript, svg and the head (but the title)
is not visible and is left out (a head left open ends at the first tag with
no place in it, and svg or math at a tag such as p or div, as a browser's
parser does); <br> also ends a line; runs of white space become one space.  One {"id": <file name>, "text": <dump>} per page.

The charset is the one declared in the first bytes (meta charset or
http-equiv), else UTF-8 when the bytes are valid UTF-8, else windows-1252:
what a browser would guess for these pages, near enough for a bench."""
import codecs
import html.parser
import json
import os
import re
import sys

BLOCK = set("""address article aside blockquote body br center dd details dialog dir div dl dt fieldset figcaption
figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend li main menu nav noframes
ol option p pre section select summary table tbody td tfoot th thead title tr ul""".split())
HIDDEN = {"script", "style", "template", "noscript", "svg", "head", "object", "embed", "canvas", "math"}
# A head left open ends, as in a browser, at the first tag that has no place in it.
HEAD_OK = {"title", "meta", "link", "style", "script", "base", "noscript", "template", "object", "basefont", "bgsound"}
# In svg or math, these tags end the foreign content (the HTML parsing spec's breakout list).
BREAKOUT = set("""b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing
menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var""".split())
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
WS = re.compile(r"\s+")
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


class Dumper(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.cur, self.hidden = [], [], []

    def flush(self):
        line = WS.sub(" ", "".join(self.cur)).strip()
        if line:
            self.lines.append(line)
        self.cur = []

    def handle_starttag(self, tag, attrs):
        if self.hidden == ["head"] and tag not in HEAD_OK:
            self.hidden = []
        for foreign in ("svg", "math"):
            if tag in BREAKOUT and foreign in self.hidden:
                del self.hidden[self.hidden.index(foreign):]
        if tag in BLOCK:
            self.flush()
        if tag == "title" and self.hidden == ["head"]:
            self.hidden.append(tag)  # the title is shown (as the tab's name): a line of its own
            return
        if tag in HIDDEN or self.hidden and tag not in VOID:
            self.hidden.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in self.hidden:  # close up to the matching tag: unclosed ones inside end with it
            while self.hidden and self.hidden.pop() != tag:
                pass
        if tag in BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.hidden or self.hidden[-1] == "title":
            self.cur.append(data)


def decode(raw):
    m = CHARSET.search(raw[:4096])
    if m:
        try:
            return raw.decode(codecs.lookup(m.group(1).decode("ascii")).name, errors="replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def dump(raw):
    d = Dumper()
    d.feed(decode(raw))
    d.close()
    d.flush()
    return "\n".join(d.lines)


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(out, "w", encoding="utf-8") as o:
        for name in sorted(os.listdir(src)):
            if name.endswith((".html", ".htm")):
                with open(os.path.join(src, name), "rb") as f:
                    o.write(json.dumps({"id": name, "text": dump(f.read())}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
