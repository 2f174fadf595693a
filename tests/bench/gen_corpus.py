#!/usr/bin/env python3
"""Make a synthetic scraped-news corpus for the benchmark.

usage: gen_corpus.py SIZE OUT.tar.gz [--seeds DIR] [--seed N]

SIZE like 100M or 1G (uncompressed text).  Pages are built from the seed
pages' sentences with variation (shuffled clauses, numbers, names) and the
debris scraping leaves (menus, datelines, teasers, share and comment
widgets, related-story lists), so every pipeline step has work to do and
only a few pages are near duplicates."""
import argparse, io, os, random, re, tarfile, time

DEBRIS_TOP = [["Начало", "Новини", "Политика", "Спорт", "Култура"], ["Головна", "Новини", "Економіка", "Світ"],
              ["Главная", "Новости", "Экономика", "Спорт"], ["Home", "World", "Business", "Sport"]]
TEASERS = ["Още: {s}", "Читайте також: {s}", "Читайте также: {s}", "Read more: {s}"]
WIDGETS = ["Сподели:", "Коментари ({n})", "Поділитися", "Комментарии ({n})", "Share"]
DATELINES = ["{d:02d} септември 2023, 01:12 часа • {n} | прочитания", "{h:02d}:{m:02d} - {d:02d}.04.2025",
             "Понеділок, {d} березня 2024, {h:02d}:{m:02d}", "{h:02d}:{m:02d}, {d} марта 2024",
             "March {d}, 2024 {h}:{m:02d} AM GMT+1"]


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def sentences(seed_dir):
    out = []
    for name in sorted(os.listdir(seed_dir)):
        if name.endswith(".txt"):
            text = open(os.path.join(seed_dir, name), encoding="utf-8").read()
            out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6 and s.strip()[-1:] in ".!?"]
    return out


def vary(rng, s):
    words = s.split()
    for _ in range(rng.randint(1, 3)):  # small edits keep pages distinct
        i = rng.randrange(len(words))
        words[i] = rng.choice([words[i], str(rng.randint(2, 9999)), words[rng.randrange(len(words))]])
    return " ".join(words)


def page(rng, pool):
    lines = rng.choice(DEBRIS_TOP)[:]
    lines.append(rng.choice(DATELINES).format(d=rng.randint(1, 28), h=rng.randint(0, 23), m=rng.randint(0, 59),
                                                n=rng.randint(100, 99999)))
    lines.append(vary(rng, rng.choice(pool)).rstrip("."))  # headline
    for p in range(rng.randint(4, 14)):
        lines.append(" ".join(vary(rng, rng.choice(pool)) for _ in range(rng.randint(1, 4))))
        if rng.random() < 0.25:
            lines.append(rng.choice(TEASERS).format(s=vary(rng, rng.choice(pool)).rstrip(".")))
    lines.append(rng.choice(WIDGETS).format(n=rng.randint(0, 50)))
    for _ in range(rng.randint(0, 6)):  # related stories
        lines += [vary(rng, rng.choice(pool)).rstrip("."), f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} - 04.04.2025"]
    return "\n\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("size")
    ap.add_argument("out")
    ap.add_argument("--seeds", default=os.path.join(os.path.dirname(__file__), "../../seeds"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng, pool, target = random.Random(a.seed), sentences(a.seeds), parse_size(a.size)
    written, n, t0 = 0, 0, time.time()
    with tarfile.open(a.out, "w:gz", compresslevel=6) as tar:
        while written < target:
            data = page(rng, pool).encode("utf-8")
            info = tarfile.TarInfo(f"pages/{n // 1000:05d}/{n:08d}.txt")
            info.size, info.mtime = len(data), 1700000000
            tar.addfile(info, io.BytesIO(data))
            written += len(data)
            n += 1
    print(f"{n} pages, {written / 1e6:.1f} MB text -> {a.out} ({os.path.getsize(a.out) / 1e6:.1f} MB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
