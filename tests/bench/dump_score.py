#!/usr/bin/env python3
"""dump_score.py EVALDATA.json NAME=TEXTS.jsonl... [--drops NAME=dropped.jsonl]... [--worse-than NAME]

Scores each run's texts against web-dev's labelled segments as html_score.py
does (a `with` segment found: true positive, a `without` one found: false
positive; P, R, F1 over all segments), and counts the real articles a run
dropped, by reason: every labelled page is a real article, so any drop of
one is a false drop.  A page a run dropped scores as an empty text.

TEXTS.jsonl: {"id" or "file": <page file name>, "text": ...} per line.
--drops NAME=dropped.jsonl: the run's dropped.jsonl ({"id", "reason"}).
--rules NAME=annotated.jsonl DESCRIBE.txt: each quality rule alone: how many
labelled pages it would drop, from the values quality's annotate: true wrote
(metadata.quality) and the thresholds `convert --describe quality` prints.
--worse-than NAME: also list the pages where NAME's F1 beats the first
run's by 0.5 or more (the work list), with both scores."""
import collections
import json
import re
import sys

ws = re.compile(r"\s+")


def norm(s):
    return ws.sub(" ", s).strip()


def base(name):
    return name.rsplit("/", 1)[-1]


def load(path):
    texts = {}
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):  # traf_extract.py's {"<name>": {"articleBody": text}}
            for name, v in json.load(f).items():
                texts[name + ".html"] = norm(v.get("articleBody") or "")
            return texts
        for line in f:
            d = json.loads(line)
            texts[base(d.get("file") or d["id"])] = norm(d["text"])
    return texts


def counts(item, text):
    tp = sum(norm(s) in text for s in item.get("with", []))
    fp = sum(norm(s) in text for s in item.get("without", []))
    return tp, len(item.get("with", [])) - tp, fp


def f1(tp, fn, fp):
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def thresholds(describe):
    """{rule: (signal, is_max, threshold)} of the rules on by default."""
    out = {}
    for line in open(describe, encoding="utf-8"):
        m = re.match(r"\s+(min|max)_(\S+)\s+\S+\s+default: (\S+)", line)
        if not m or m.group(2) == "words" and m.group(1) == "max":
            continue
        v = float(m.group(3))
        if v == -1 or (m.group(1) == "max" and v == 0):
            continue  # off
        out[m.group(1) + "_" + m.group(2)] = (m.group(2), m.group(1) == "max", v)
    return out


def rule_drops(labelled, path, describe):
    rules = thresholds(describe)
    n = collections.Counter()
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        if base(d["id"]) not in labelled:
            continue
        q = d["metadata"]["quality"]
        for key, (sig, is_max, thr) in rules.items():
            v = q.get(sig)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and (v > thr if is_max else v < thr):
                n[key] += 1
        n.update(k for k, v in q.items() if v is True and k != "curly_bracket")  # C4's phrases
    return ", ".join(f"{k} {c}" for k, c in n.most_common()) or "none"


def main():
    args = sys.argv[1:]
    evald = json.load(open(args.pop(0), encoding="utf-8"))
    runs, drops, worse, rules = [], {}, None, []
    while args:
        a = args.pop(0)
        if a == "--drops":
            name, path = args.pop(0).split("=", 1)
            drops[name] = [json.loads(line) for line in open(path, encoding="utf-8")]
        elif a == "--rules":
            name, path = args.pop(0).split("=", 1)
            rules.append((name, path, args.pop(0)))
        elif a == "--worse-than":
            worse = args.pop(0)
        else:
            name, path = a.split("=", 1)
            runs.append((name, load(path)))
    labelled = {item["file"] for item in evald.values()}
    width = max(len(n) for n, _ in runs)
    per_page = {}
    for name, texts in runs:
        dropped = {base(d["id"]) for d in drops.get(name, [])}
        tp = fn = fp = 0
        pages = {}
        for item in evald.values():
            text = "" if item["file"] in dropped else texts.get(item["file"], "")
            c = counts(item, text)
            pages[item["file"]] = c
            tp, fn, fp = tp + c[0], fn + c[1], fp + c[2]
        per_page[name] = pages
        p = tp / (tp + fp) if tp + fp else 0
        r = tp / (tp + fn) if tp + fn else 0
        line = f"{name:<{width}}  F1 {f1(tp, fn, fp):.3f} (P {p:.3f}, R {r:.3f})"
        if name in drops:
            why = collections.Counter(d["reason"] for d in drops[name] if base(d["id"]) in labelled)
            line += f"; real articles dropped: {sum(why.values())}"
            if why:
                line += " (" + ", ".join(f"{n} {k}" for k, n in why.most_common()) + ")"
        print(line)
    for name, path, describe in rules:
        print(f"{name}: each quality rule alone, real articles it drops: {rule_drops(labelled, path, describe)}")
    if worse:
        first = runs[0][0]
        rows = []
        for page, c in per_page[first].items():
            ours, theirs = f1(*c), f1(*per_page[worse][page])
            if theirs - ours >= 0.5:
                rows.append((theirs - ours, page, ours, theirs))
        print(f"pages where {worse} beats {first} by 0.5 F1 or more: {len(rows)}")
        for d, page, ours, theirs in sorted(rows, reverse=True):
            print(f"  {page}: {ours:.2f} vs {theirs:.2f}")


if __name__ == "__main__":
    main()
