#!/usr/bin/env python3
"""readability_peer.py HTML_DIR OUT.jsonl: readability-lxml (Debian's
python3-readability) on every page of HTML_DIR, on one core, as the peer of
convert's html step.  Writes {"file", "text"} per page and prints the
seconds spent in parsing and extraction (reading the files excluded)."""
import json
import os
import sys
import time

import lxml.html
from readability import Document

folder, out = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(folder) if n.endswith((".html", ".htm")))
pages = [(n, open(os.path.join(folder, n), "rb").read()) for n in names]
spent = 0.0
with open(out, "w", encoding="utf-8") as f:
    for name, raw in pages:
        t0 = time.perf_counter()
        try:
            summary = Document(raw).summary(html_partial=True)
            text = lxml.html.fromstring(summary).text_content() if summary.strip() else ""
        except Exception:  # readability gives up on some pages; they count as empty
            text = ""
        spent += time.perf_counter() - t0
        f.write(json.dumps({"file": name, "text": text}, ensure_ascii=False) + "\n")
print(f"{spent:.3f}")
