#!/usr/bin/env python3
"""Texts for the classify tests, and the comparison with fastText's own CLI.

  train STYLE SEED N OUT        labelled lines for `fasttext supervised`; STYLE lid (__label__en)
                                or glot (__label__eng_Latn)
  docs SEED OUT.jsonl OUT.txt   documents (multilingual, long, short, empty, many lines) as JSONL,
                                and the same texts one per line as fastText's tools read them
  labelled SEED N OUT.jsonl     documents with metadata.kind (the language), for the writer's loop
  compare OUT.jsonl PRED KEY    the {label: prob} objects against `fasttext predict-prob` lines
  bench SEED N OUT.jsonl OUT.txt   N page-length documents (a few languages, many lines) for the benchmark
"""
import json
import random
import struct
import sys

WORDS = {
    "en": "the city council voted on tuesday to extend tram line airport project discussed decade everyone "
          "town weather rain people said would could market price school children".split(),
    "bg": "министерството на земеделието обяви че тази година реколтата от пшеница е с около десет процента "
          "по голяма фермерите са доволни държавата".split(),
    "uk": "міністерство аграрної політики повідомило що цього року врожай пшениці більший приблизно на десять "
          "відсотків фермери задоволені держава".split(),
    "ru": "министерство сельского хозяйства сообщило что в этом году урожай пшеницы больше примерно на десять "
          "процентов фермеры довольны государство".split(),
    "de": "der stadtrat hat am dienstag beschlossen die straßenbahnlinie zum flughafen zu verlängern ein projekt "
          "das seit jahren diskutiert wird".split(),
}
GLOT = {"en": "eng_Latn", "bg": "bul_Cyrl", "uk": "ukr_Cyrl", "ru": "rus_Cyrl", "de": "deu_Latn"}


def sentence(rng, lang, lo=3, hi=20):
    return " ".join(rng.choice(WORDS[lang]) for _ in range(rng.randint(lo, hi)))


def train(style, seed, n, out):
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            lang = rng.choice(sorted(WORDS))
            label = GLOT[lang] if style == "glot" else lang
            f.write("__label__%s %s\n" % (label, sentence(rng, lang)))


def docs(seed, out_jsonl, out_txt):
    rng = random.Random(seed)
    langs = sorted(WORDS)
    texts = ["", "x", " ", "\n", "\n\n\n", "the", "міністерство", "__label__en the city", "tab\tand\rcr the city",
             "nul\u0000byte the city", "émigré ünïcödé 😀 the city"]
    for _ in range(120):  # one language, a few lines
        lang = rng.choice(langs)
        texts.append("\n".join(sentence(rng, lang) for _ in range(rng.randint(1, 4))))
    for _ in range(40):  # mixed languages, so that the scores are not all near 1
        texts.append(" ".join(sentence(rng, rng.choice(langs), 1, 4) for _ in range(rng.randint(2, 6))))
    for _ in range(5):  # long
        texts.append(" ".join(sentence(rng, rng.choice(langs)) for _ in range(400)))
    for _ in range(5):  # many lines, blank ones among them
        texts.append("\n".join(sentence(rng, rng.choice(langs), 0, 5) for _ in range(300)))
    with open(out_jsonl, "w", encoding="utf-8") as j, open(out_txt, "w", encoding="utf-8") as t:
        for i, text in enumerate(texts):
            j.write(json.dumps({"id": "d%04d" % i, "text": text}, ensure_ascii=False) + "\n")
            t.write(text.replace("\n", " ") + "\n")


def bench(seed, n, out_jsonl, out_txt):
    rng = random.Random(seed)
    langs = sorted(WORDS)
    with open(out_jsonl, "w", encoding="utf-8") as j, open(out_txt, "w", encoding="utf-8") as t:
        for i in range(n):
            main = rng.choice(langs)
            lines = [sentence(rng, main if rng.random() < 0.9 else rng.choice(langs)) for _ in range(rng.randint(5, 60))]
            text = "\n".join(lines)
            j.write(json.dumps({"id": "b%06d" % i, "text": text}, ensure_ascii=False) + "\n")
            t.write(text.replace("\n", " ") + "\n")


def labelled(seed, n, out):
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            lang = rng.choice(sorted(WORDS))
            f.write(json.dumps({"id": "l%05d" % i, "text": "\n".join(sentence(rng, lang) for _ in range(2)),
                                "metadata": {"kind": lang}}, ensure_ascii=False) + "\n")


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def compare(out_jsonl, pred, key):
    """Every document's object, in input order, against the CLI's line: the
    same labels in the same order, each value (a float32 written in the
    fewest digits that read back as it) printed as C++ streams print it."""
    got = {}
    for line in open(out_jsonl, encoding="utf-8"):
        d = json.loads(line)
        got[d["id"]] = d["metadata"][key]
    lines = open(pred, encoding="utf-8").read().split("\n")[:-1]
    assert len(lines) == len(got), (len(lines), len(got))
    n = 0
    for i, want in enumerate(lines):
        obj = got["d%04d" % i]
        ours = " ".join("__label__%s %s" % (k, "%g" % f32(v)) for k, v in obj.items())
        assert ours == want, ("d%04d" % i, ours, want)
        n += len(obj)
    print("ok %d documents, %d probabilities" % (len(lines), n))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "train":
        train(args[0], int(args[1]), int(args[2]), args[3])
    elif cmd == "docs":
        docs(int(args[0]), args[1], args[2])
    elif cmd == "bench":
        bench(int(args[0]), int(args[1]), args[2], args[3])
    elif cmd == "labelled":
        labelled(int(args[0]), int(args[1]), args[2])
    elif cmd == "compare":
        compare(args[0], args[1], args[2])
    else:
        sys.exit(__doc__)
