#!/usr/bin/env python3
"""check_card.py OUTDIR: the dataset card OUTDIR/README.md against the Hub's
format and against what the run wrote.

Front matter: YAML between the first two '---' lines; pretty_name a string;
language a list of codes (ISO 639 or BCP 47 shaped); task_categories and
size_categories from the Hub's lists; configs a list of {config_name,
data_files: [{split, path}]} with split names the Hub accepts, exactly one
default (or only one config), every path an existing file under OUTDIR.
Against the run: the languages and the per-split document counts are those of
report.json, and the JSONL files' rows add up to them.  Prints 'ok' or raises."""
import json
import os
import re
import sys

import yaml

SIZE = ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B", "1B<n<10B",
        "10B<n<100B", "100B<n<1T", "n>1T"]
TASKS = {"text-generation", "token-classification", "text-classification", "fill-mask", "translation",
         "summarization", "question-answering", "feature-extraction", "sentence-similarity"}
SPLIT = re.compile(r"^\w+(\.\w+)*$")  # the Hub's rule for split names
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

out = sys.argv[1]
text = open(os.path.join(out, "README.md"), encoding="utf-8").read()
assert text.startswith("---\n"), "no front matter"
front, body = text[4:].split("\n---\n", 1)
meta = yaml.safe_load(front)
report = json.load(open(os.path.join(out, "report.json")))

assert isinstance(meta["pretty_name"], str) and meta["pretty_name"], meta.get("pretty_name")
langs = meta.get("language", [])
assert all(isinstance(l, str) and LANG.match(l) for l in langs), langs
assert sorted(langs) == sorted(k for k in report["written_by_lang"] if k != "und"), (langs, report["written_by_lang"])
assert set(meta["task_categories"]) <= TASKS, meta["task_categories"]
assert len(meta["size_categories"]) == 1 and meta["size_categories"][0] in SIZE, meta["size_categories"]
configs = meta["configs"]
assert isinstance(configs, list) and configs
names = [c["config_name"] for c in configs]
assert len(set(names)) == len(names), names
defaults = [c for c in configs if c.get("default")]
assert len(defaults) == 1 or (len(configs) == 1 and not defaults), defaults
for c in configs:
    assert set(c) <= {"config_name", "data_files", "default"}, c
    for f in c["data_files"]:
        assert set(f) == {"split", "path"}, f
        assert SPLIT.match(f["split"]), f["split"]
        paths = f["path"] if isinstance(f["path"], list) else [f["path"]]
        for p in paths:
            assert not p.startswith("/") and ".." not in p.split("/"), p
            assert os.path.isfile(os.path.join(out, p)), p
        if c["config_name"].startswith("jsonl"):
            rows = sum(1 for p in paths for _ in open(os.path.join(out, p), encoding="utf-8"))
            assert rows == report["written_by_split"][f["split"]]["documents"], (f, rows)
for split, v in report["written_by_split"].items():
    assert f"| {split} | {v['documents']} | {v['bytes']} |" in body, split
for reason, n in report["dropped_by_reason"].items():
    assert f"| `{reason}` | {n} |" in body, reason
print("ok")
