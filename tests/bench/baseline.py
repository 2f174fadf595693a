#!/usr/bin/env python3
"""The straightforward Python version of convert's default pipeline, standard
library only, as the benchmark's baseline.

usage: baseline.py CORPUS.tar.gz OUTDIR [--limit-mb N] [--config-dir DIR]

Steps, as in config/example.yaml: NFC normalisation and white space; the
boilerplate rules from config/boilerplate/*.yaml (read with a small parser for
their simple shape) plus the same structural heuristics; the quality filters;
exact and MinHash/LSH near-duplicate removal; regex sentence and token
splitting; gazetteer NER; hash splits; JSONL out.  Language identification
is left out (no standard-library equivalent), which flatters the baseline.
--limit-mb stops after that many MB of input text; the rate is what counts.
Prints one line: docs, MB, seconds."""
import argparse, glob, hashlib, json, os, re, sys, tarfile, time, unicodedata, warnings

warnings.filterwarnings("ignore", category=FutureWarning)  # [[ in the rules is fine for PCRE2 and re


def load_rules(folder):
    rules = []
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        cur = None
        for line in open(path, encoding="utf-8"):
            m = re.match(r"\s*-\s*name:\s*(\S+)", line)
            if m:
                cur = {"name": m.group(1), "action": "line", "case": "", "previous": False}
                rules.append(cur)
                continue
            m = re.match(r"\s+(pattern|action|case|previous):\s*'?(.*?)'?\s*$", line)
            if m and cur is not None:
                cur[m.group(1)] = m.group(2)
    out = []
    for r in rules:
        flags = 0 if r["case"] == "sensitive" else re.IGNORECASE
        pat = r["pattern"].replace("\\p{L}", "[^\\W\\d_]").replace("\\p{N}", "\\d").replace("\\p{Lu}", "[A-ZА-ЯІЇЄҐ]")
        out.append((r["name"], r["action"], re.compile(pat, flags), r["previous"] == "true"))
    return out


def load_gazetteer(path):
    ents, label = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"  (\w+):\s*$", line)
        if m:
            label = m.group(1)
            continue
        m = re.match(r"    - (.+?)\s*$", line)
        if m and label and not line.strip().startswith("- {"):
            ents[tuple(m.group(1).split())] = label
        if line.startswith("inflect:"):
            break
    return ents


def normalize(text):
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf"))
    lines, blank = [], 1
    for line in text.split("\n"):
        line = re.sub(r"\s+", " ", line).strip()
        if not line:
            blank += 1
            if blank > 1:
                continue
        else:
            blank = 0
        lines.append(line)
    return "\n".join(lines).strip("\n")


def words(s):
    return [w for w in s.split() if re.search(r"\w", w)]


def ends_sentence(s):
    return re.search(r"[.!?…][\"')\]»”“’]*\s*$", s) is not None


def is_para(s):
    return (ends_sentence(s) and len(words(s)) >= 8) or (len(s) >= 200 and re.search(r"[.!?] [A-ZА-ЯІЇЄҐ]", s))


def boilerplate(text, rules):
    lines = [l for l in text.split("\n") if l.strip()]
    why, kept_chars, block = [None] * len(lines), 0, 0
    for i, l in enumerate(lines):
        if block and not is_para(l):
            why[i], block = "block", block - 1
            continue
        block = 0
        for name, action, rx, prev in rules:
            m = rx.search(lines[i])
            if not m:
                continue
            if action == "strip":
                lines[i] = (lines[i][:m.start()] + lines[i][m.end():]).strip()
                if not lines[i]:
                    why[i] = name
                continue
            why[i] = name
            if action == "cut" and kept_chars >= 200:
                for j in range(i + 1, len(lines)):
                    why[j] = name
            if action == "block":
                block = 12
            if prev and i and not why[i - 1] and not is_para(lines[i - 1]) and len(words(lines[i - 1])) <= 12:
                why[i - 1] = name
            break
        if why[i] == "cut":
            break
        if not why[i] and is_para(lines[i]):
            kept_chars += len(lines[i])
    seen = set()
    for i, l in enumerate(lines):
        if why[i]:
            continue
        w = words(l)
        if w and len(w) <= 10 and not is_para(l) and sum(1 for x in w if not re.search(r"[^\W\d_]", x)) >= 0.4 * len(w):
            why[i] = "numeric"
        elif l in seen:
            why[i] = "repeated"
        seen.add(l)
    paras = [i for i, l in enumerate(lines) if not why[i] and is_para(l)]
    if paras:
        lead = [i for i in range(paras[0]) if not why[i]]
        head = max(lead, key=lambda i: len(words(lines[i])), default=None)
        for i in lead:
            if i != head or len(words(lines[i])) < 4:
                why[i] = "lead"
        for i in range(paras[-1] + 1, len(lines)):
            why[i] = why[i] or "tail"
    return "\n\n".join(l for i, l in enumerate(lines) if not why[i])


def quality(text):
    end = len(text)
    if text and not ends_sentence(text):
        m = None
        for m in re.finditer(r"[.!?…][\"')\]»”“’]*(?=\s|$)", text):
            pass
        if m:
            text = text[:m.end()]
    w = words(text)
    if len(w) < 50:
        return None, "min_words"
    mean = sum(len(x) for x in w) / len(w)
    if not 3 <= mean <= 10:
        return None, "mean_word_length"
    lines = [l for l in text.split("\n") if l]
    if sum(ends_sentence(l) for l in lines) < 0.5 * len(lines):
        return None, "terminal"
    del end
    return text, None


PERMS = [((h * 2 + 1) & (2**64 - 1), (h >> 7) & (2**64 - 1)) for h in
         (int.from_bytes(hashlib.sha256(str(i).encode()).digest()[:8], "little") for i in range(128))]


def minhash(ws, n=5):
    shingles = {hash(tuple(ws[i:i + n])) & (2**64 - 1) for i in range(max(1, len(ws) - n + 1))}
    return [min(((a * x + b) & (2**64 - 1)) >> 32 for x in shingles) for a, b in PERMS], len(shingles)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--limit-mb", type=float, default=50)
    ap.add_argument("--config-dir", default=os.path.join(os.path.dirname(__file__), "../../config"))
    a = ap.parse_args()
    rules = load_rules(os.path.join(a.config_dir, "boilerplate"))
    gaz = load_gazetteer(os.path.join(a.config_dir, "ner/gazetteer.yaml"))
    maxlen = max(len(k) for k in gaz)
    os.makedirs(a.out, exist_ok=True)
    outs = {s: open(os.path.join(a.out, s + ".jsonl"), "w", encoding="utf-8") for s in ("train", "validation", "test")}
    exact, bands, sigs = set(), {}, []
    t0, nbytes, ndocs = time.time(), 0, 0
    with tarfile.open(a.corpus, "r:*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            raw = tar.extractfile(member).read()
            nbytes += len(raw)
            ndocs += 1
            text = boilerplate(normalize(raw.decode("utf-8", "replace")), rules)
            text, why = quality(text)
            if text is not None:
                ws = [w.casefold() for w in re.findall(r"\w+", text)]
                h = hashlib.md5(" ".join(ws).encode()).digest()
                if h in exact:
                    text = None
                else:
                    sig, size = minhash(ws)
                    dup = False
                    for b in range(64):
                        for other in bands.get((b, tuple(sig[2 * b:2 * b + 2])), ()):
                            osig, osize = sigs[other]
                            j = sum(x == y for x, y in zip(sig, osig)) / 128
                            if j * (size + osize) / (1 + j) / min(size, osize) >= 0.6:
                                dup = True
                                break
                        if dup:
                            break
                    if dup:
                        text = None
                    else:
                        exact.add(h)
                        sigs.append((sig, size))
                        for b in range(64):
                            bands.setdefault((b, tuple(sig[2 * b:2 * b + 2])), []).append(len(sigs) - 1)
            if text is not None:
                sents = [s for p in text.split("\n\n") for s in re.split(r"(?<=[.!?…])\s+(?=[A-ZА-ЯІЇЄҐ\"„«])", p)]
                toks = [re.findall(r"\w+(?:[-'’]\w+)*|\d+(?:[.,:]\d+)*|[^\w\s]", s) for s in sents]
                ents = []
                for ts in toks:
                    i = 0
                    while i < len(ts):
                        for n in range(min(maxlen, len(ts) - i), 0, -1):
                            if tuple(ts[i:i + n]) in gaz:
                                ents.append({"text": " ".join(ts[i:i + n]), "label": gaz[tuple(ts[i:i + n])]})
                                i += n - 1
                                break
                        i += 1
                u = int.from_bytes(hashlib.sha1(member.name.encode()).digest()[:8], "little") / 2**64
                split = "train" if u < 0.8 else "validation" if u < 0.9 else "test"
                outs[split].write(json.dumps({"id": member.name, "text": text, "source": os.path.basename(a.corpus),
                                              "metadata": {"entities": ents, "split": split,
                                                           "tokens": sum(map(len, toks))}}, ensure_ascii=False) + "\n")
            if nbytes >= a.limit_mb * 1e6:
                break
    for f in outs.values():
        f.close()
    print(f"{ndocs} {nbytes / 1e6:.3f} {time.time() - t0:.3f}")


if __name__ == "__main__":
    main()
