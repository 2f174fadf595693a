#!/usr/bin/env python3
"""Write a news-like corpus with planted duplicates, split over several files.

usage: gen_dups.py OUTDIR FILES SIZE [--seed N] [--exact F] [--near F] [--template F]

FILES .jsonl.gz files of SIZE bytes of text in all (100K, 20M, 1G).  A share
--exact of the documents are copies of an earlier one (changed in case and
spacing only, so only the word-level exact hash finds them), --near are
edited or cut copies, and --template are pages of one shared layout (they
fill LSH buckets past max_bucket).  Copies are placed anywhere after their
original: in the same file or in another, so whichever way a run is sharded,
some pairs cross shards.  Deterministic for a given --seed."""
import argparse, gzip, json, os, random

WORDS = ("time year people way day man thing woman life child world school state family student group country "
         "problem hand part place case week company system program question work government number night point "
         "home water room mother area money story fact month lot right study book eye job word business issue side "
         "kind head house service friend father power hour game line end member law car city community name "
         "president team minute idea kid body information back parent face others level office door health person "
         "art war history party result change morning reason research girl guy moment air teacher force education "
         "вода град човек година ден живот свят държава народ власт закон съд министър партия избори бюджет").split()


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def sentence(rng):
    w = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    w.append(str(rng.randint(1, 99999)))
    rng.shuffle(w)
    return " ".join(w).capitalize() + "."


def article(rng):
    return "\n\n".join(" ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(3, 9)))


def exact_copy(rng, text):
    words = text.split(" ")
    return "  ".join(w.upper() if rng.random() < 0.2 else w for w in words)


def near_copy(rng, text):
    words = text.split(" ")
    if rng.random() < 0.5:  # a few words edited
        for _ in range(max(1, len(words) // 60)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        return " ".join(words)
    return " ".join(words[: int(len(words) * rng.uniform(0.7, 0.9))])  # a cut copy (containment)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("files", type=int)
    ap.add_argument("size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--exact", type=float, default=0.04)
    ap.add_argument("--near", type=float, default=0.04)
    ap.add_argument("--template", type=float, default=0.02)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    total, budget, docs = 0, parse_size(a.size), []
    layout = article(rng)
    while total < budget:
        r = rng.random()
        if docs and r < a.exact:
            text = exact_copy(rng, rng.choice(docs))
        elif docs and r < a.exact + a.near:
            text = near_copy(rng, rng.choice(docs))
        elif r < a.exact + a.near + a.template:
            text = layout + "\n\n" + sentence(rng)
        else:
            text = article(rng)
        docs.append(text)
        total += len(text.encode())
    os.makedirs(a.outdir, exist_ok=True)
    per = (len(docs) + a.files - 1) // a.files
    for f in range(a.files):
        with gzip.open(os.path.join(a.outdir, f"part-{f:03d}.jsonl.gz"), "wt", encoding="utf-8", compresslevel=1) as out:
            for i in range(f * per, min(len(docs), (f + 1) * per)):
                out.write(json.dumps({"id": f"doc-{i:07d}", "text": docs[i]}, ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents, {total} bytes, {a.files} files")


if __name__ == "__main__":
    main()
