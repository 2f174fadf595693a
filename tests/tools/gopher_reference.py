#!/usr/bin/env python3
"""gopher_reference.py gen N OUT.jsonl | check OUT_DIR/train.jsonl

gen: N random texts built to repeat lines, paragraphs and n-grams, with
Unicode white space, runs of newlines and punctuation at word edges.
check: recomputes, from each written text, the values quality's annotate
mode wrote into metadata.quality, the way datatrove computes them (Gopher
repetition: paragraphs from re.split(r"\\n{2,}", text.strip()), lines from
re.split("\\n+", text), lengths in code points over len(text), top n-grams of
" ".join, repeated n-grams of "".join; FineWeb: non-blank lines of
text.split("\\n"); Gopher quality: splitlines()).  Words are split as the
plugin documents: whitespace chunks with their edge punctuation split off.
Prints 'ok N' or the first difference, and exits non-zero on one."""
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter


def is_punct(c):
    return c in string.punctuation if ord(c) < 128 else unicodedata.category(c).startswith("P")


def words(text):
    out = []
    for chunk in text.split():
        i = 0
        while i < len(chunk) and is_punct(chunk[i]):
            out.append(chunk[i])
            i += 1
        if i == len(chunk):
            continue
        j = len(chunk)
        while is_punct(chunk[j - 1]):
            j -= 1
        out.append(chunk[i:j])
        out.extend(chunk[j:])
    return out


def find_duplicates(x):
    seen, n, chars = set(), 0, 0
    for e in x:
        if e in seen:
            n += 1
            chars += len(e)
        else:
            seen.add(e)
    return n, chars


def top_gram(w, n):
    grams = [" ".join(w[i:i + n]) for i in range(len(w) - n + 1)]
    if not grams:
        return 0
    g, k = Counter(grams).most_common(1)[0]
    return len(g) * k


def all_dup(w, n):
    seen, rep, i = set(), 0, 0
    while i < len(w) - n + 1:
        g = "".join(w[i:i + n])
        if g in seen:
            rep += len(g)
            i += n
        else:
            seen.add(g)
            i += 1
    return rep


def expected(text):
    t = len(text)
    e = {}
    paras = re.split(r"\n{2,}", text.strip())
    d, c = find_duplicates(paras)
    e["dup_para_frac"], e["dup_para_char_frac"] = d / len(paras), c / t
    lines = re.split("\n+", text)
    d, c = find_duplicates(lines)
    e["dup_line_frac"], e["dup_line_char_frac"] = d / len(lines), c / t
    w = words(text)
    for n in (2, 3, 4):
        e[f"top_{n}_gram_char_frac"] = top_gram(w, n) / t
    for n in range(5, 11):
        e[f"dup_{n}_gram_char_frac"] = all_dup(w, n) / t
    fl = [l for l in text.split("\n") if l.strip() != ""]
    e["short_line_ratio"] = sum(len(l) <= 30 for l in fl) / len(fl) if fl else 0
    e["char_dup_ratio"] = find_duplicates(fl)[1] / len(text.replace("\n", "")) if text.replace("\n", "") else 0
    e["list_ratio"] = text.count("\n") / max(len(w), 1)
    sl = text.splitlines()
    e["bullet_line_fraction"] = sum(s.lstrip().startswith("•") or s.lstrip().startswith("-") for s in sl) / len(sl) if sl else 0
    e["ellipsis_line_fraction"] = sum(s.rstrip().endswith("...") or s.rstrip().endswith("…") for s in sl) / len(sl) if sl else 0
    return e


VOCAB = ["the", "river", "rose", "река", "поднялась", "вночі", "село", "і", "и", "water,", "(flood)", "«вода»",
         "—", "...", "…", "-", "•", "1,000", "U.S.", "don't", "«", "»", "!?", "x", "a", "ab", "b", "abb"]
SPACES = [" ", " ", " ", "  ", "\t", "\u00a0", "\u2003", "\u3000", "\x1c"]


def gen(rng):
    lines = []
    for _ in range(rng.randint(1, 12)):
        if lines and rng.random() < 0.3:
            lines.append(rng.choice(lines))  # a repeated line
            continue
        n = rng.randint(0, 14)
        line = "".join(rng.choice(VOCAB) + rng.choice(SPACES) for _ in range(n))
        if lines and rng.random() < 0.2:
            line += lines[-1]  # repeated n-grams across lines
        lines.append(line.rstrip(" ") if rng.random() < 0.7 else line)
    text = ""
    for line in lines:
        text += line + rng.choice(["\n", "\n", "\n\n", "\n\n\n", "\n \n"])
    if rng.random() < 0.5:
        text = text.rstrip("\n")
    if rng.random() < 0.2:
        text = rng.choice(["\n", " ", "\n\n"]) + text
    return text or "x"


def main():
    if sys.argv[1] == "gen":
        rng = random.Random(20261201)
        with open(sys.argv[3], "w", encoding="utf-8") as f:
            for i in range(int(sys.argv[2])):
                f.write(json.dumps({"id": f"r{i}", "text": gen(rng)}, ensure_ascii=False) + "\n")
        return 0
    n = 0
    for line in open(sys.argv[2], encoding="utf-8"):
        d = json.loads(line)
        got = d["metadata"]["quality"]
        for k, v in expected(d["text"]).items():
            if abs(got[k] - v) > 1e-12:
                print(f"{d['id']}: {k} = {got[k]!r}, datatrove's way {v!r}; text {d['text']!r}")
                return 1
        n += 1
    print(f"ok {n}")
    return 0


sys.exit(main())
