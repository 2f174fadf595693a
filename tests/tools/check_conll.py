#!/usr/bin/env python3
"""Validate CoNLL files written by convert.

usage: check_conll.py conllu|conll2003 BIO|BIOES FILE...

CoNLL-U: every token line has 10 tab-separated columns, ids count 1, 2, 3...
within a sentence, each sentence has # sent_id and # text, and # text equals
the token forms joined by their spacing (SpaceAfter=No).  CoNLL-2003: four
space-separated columns, -DOCSTART- lines between documents.  Both: the tag
sequence of every sentence is well-formed BIO (or BIOES).
Exits non-zero and says where on the first problem."""
import sys


def tags_ok(tags, scheme):
    prev = "O"
    for i, t in enumerate(tags + ["O"]):
        p, _, label = t.partition("-")
        pp, _, plabel = prev.partition("-")
        inside = pp in ("B", "I")
        if scheme == "BIO":
            if p == "I" and not (inside and plabel == label):
                return f"I-{label} after {prev}"
        else:
            if p in ("I", "E") and not (inside and plabel == label):
                return f"{t} after {prev}"
            if inside and p not in ("I", "E"):
                return f"{prev} not closed before {t}"
        if p not in ("B", "I", "E", "S", "O") or (p != "O" and not label):
            return f"bad tag {t}"
        prev = t
    return None


def sentences(path, dialect):
    """Yield (line_number, comments, rows) per sentence."""
    comments, rows, start = {}, [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                if rows:
                    yield start, comments, rows
                comments, rows, start = {}, [], None
                continue
            if start is None:
                start = n
            if dialect == "conllu" and line.startswith("#"):
                key, _, value = line[1:].strip().partition(" = ")
                comments[key] = value
                continue
            if dialect == "conll2003" and line.startswith("-DOCSTART-"):
                if line != "-DOCSTART- -X- O O":
                    raise ValueError(f"{path}:{n}: bad DOCSTART line {line!r}")
                start = None
                continue
            rows.append((n, line))
    if rows:
        yield start, comments, rows


def check(path, dialect, scheme):
    count = 0
    for start, comments, rows in sentences(path, dialect):
        count += 1
        tags, text = [], ""
        for i, (n, line) in enumerate(rows, 1):
            if dialect == "conllu":
                cols = line.split("\t")
                if len(cols) != 10:
                    raise ValueError(f"{path}:{n}: {len(cols)} columns, not 10")
                if cols[0] != str(i):
                    raise ValueError(f"{path}:{n}: id {cols[0]}, expected {i}")
                misc = dict(kv.split("=", 1) for kv in cols[9].split("|") if "=" in kv)
                tags.append(misc.get("NER", "O"))
                text += cols[1] + ("" if misc.get("SpaceAfter") == "No" or i == len(rows) else " ")
            else:
                cols = line.split(" ")
                if len(cols) != 4:
                    raise ValueError(f"{path}:{n}: {len(cols)} columns, not 4")
                tags.append(cols[3])
        if dialect == "conllu":
            for key in ("sent_id", "text"):
                if key not in comments:
                    raise ValueError(f"{path}:{start}: sentence without # {key}")
            if comments["text"] != text:
                raise ValueError(f"{path}:{start}: # text {comments['text']!r} != tokens {text!r}")
        bad = tags_ok(tags, scheme)
        if bad:
            raise ValueError(f"{path}:{start}: {bad}")
    return count


def main():
    dialect, scheme, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    total = 0
    for path in files:
        try:
            total += check(path, dialect, scheme)
        except ValueError as e:
            print(f"invalid: {e}")
            return 1
    print(f"valid: {total} sentences in {len(files)} files")
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
