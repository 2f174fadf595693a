#!/usr/bin/env python3
"""html_score.py EVALDATA.json TEXTS.jsonl [NAME]

Scores extracted texts against the web-dev set's labelled segments, the way
its README gives the metric: a `with` segment found in a page's text is a
true positive (missing: a false negative), a `without` segment found is a
false positive.  Precision, recall and F1 over all segments of all pages.
TEXTS.jsonl: {"file": <name in html/>, "text": ...} per line (a page with
no line has no text).  White space runs count as one space on both sides."""
import json
import re
import sys

ws = re.compile(r"\s+")


def norm(s):
    return ws.sub(" ", s).strip()


evald = json.load(open(sys.argv[1], encoding="utf-8"))
texts = {}
for line in open(sys.argv[2], encoding="utf-8"):
    d = json.loads(line)
    texts[d["file"]] = norm(d["text"])
tp = fn = fp = tn = 0
for url, item in evald.items():
    text = texts.get(item["file"], "")
    for seg in item.get("with", []):
        if norm(seg) in text:
            tp += 1
        else:
            fn += 1
    for seg in item.get("without", []):
        if norm(seg) in text:
            fp += 1
        else:
            tn += 1
p = tp / (tp + fp) if tp + fp else 0
r = tp / (tp + fn) if tp + fn else 0
f = 2 * p * r / (p + r) if p + r else 0
name = sys.argv[3] if len(sys.argv) > 3 else "extractor"
print(f"{name}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} ({len(evald)} pages, {tp + fn} with, {fp + tn} without)")
