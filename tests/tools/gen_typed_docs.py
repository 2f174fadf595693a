#!/usr/bin/env python3
"""gen_typed_docs.py FILE N: N JSONL documents for the Parquet tests, with
metadata of every JSON type and the gaps a typed column must hold: n (int,
missing in every 4th), score (double; null in every 5th, a whole number in
every 6th), flag (bool, missing in every 7th), tags (a list), nested (an
object with a list holding a null), lang (a string); texts in Cyrillic with
an accent, a CJK character and an emoji."""
import json
import sys

path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w", encoding="utf-8") as f:
    for i in range(n):
        d = {"id": f"d{i:03}", "text": f"Документ {i}: " + "текст " * (i % 40) + "\u00e9\u4e2d😀",
             "n": i * 1000003 - 5, "score": i / 7, "flag": i % 3 == 0, "tags": ["a", str(i)],
             "nested": {"k": i, "l": [1, None]}, "lang": "bg" if i % 2 else "uk"}
        if i % 4 == 0:
            del d["n"]
        if i % 5 == 0:
            d["score"] = None
        if i % 6 == 0:
            d["score"] = 2  # an integer in a double column is a number
        if i % 7 == 0:
            del d["flag"]
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
