#!/usr/bin/env python3
"""read_tokens.py megatron|datatrove PREFIX

An independent reader of the tokens writer's files, written from the published
layouts (Megatron-LM's megatron/core/datasets/indexed_dataset.py: _IndexWriter;
datatrove's pipeline/tokens/tokenizer.py: TokenizedFile).  Prints one line of
ids per document and checks every header field and invariant on the way."""
import struct
import sys

DTYPES = {1: ("B", 1), 2: ("b", 1), 3: ("h", 2), 4: ("i", 4), 5: ("q", 8), 8: ("H", 2)}


def fail(msg):
    sys.exit(f"read_tokens: {msg}")


def megatron(prefix):
    idx = open(prefix + ".idx", "rb").read()
    data = open(prefix + ".bin", "rb").read()
    if idx[:9] != b"MMIDIDX\x00\x00":
        fail("bad magic")
    version, = struct.unpack_from("<Q", idx, 9)
    code = idx[17]
    seqs, docs = struct.unpack_from("<QQ", idx, 18)
    if version != 1 or code not in DTYPES:
        fail(f"version {version}, dtype code {code}")
    fmt, size = DTYPES[code]
    off = 34
    lengths = struct.unpack_from(f"<{seqs}i", idx, off)
    off += 4 * seqs
    pointers = struct.unpack_from(f"<{seqs}q", idx, off)
    off += 8 * seqs
    doc_index = struct.unpack_from(f"<{docs}q", idx, off)
    off += 8 * docs
    if off != len(idx):
        fail(f"{len(idx) - off} bytes after the document indices")
    if doc_index[0] != 0 or doc_index[-1] != seqs or list(doc_index) != sorted(doc_index):
        fail("document indices do not run from 0 to the sequence count")
    pos = 0
    for n, p in zip(lengths, pointers):
        if p != pos:
            fail(f"pointer {p}, expected {pos}")
        pos += n * size
    if pos != len(data):
        fail(f".bin has {len(data)} bytes, the index says {pos}")
    print(f"# dtype {code} sequences {seqs} documents {docs - 1}", file=sys.stderr)
    for d in range(docs - 1):
        ids = []
        for s in range(doc_index[d], doc_index[d + 1]):
            ids += struct.unpack_from(f"<{lengths[s]}{fmt}", data, pointers[s])
        print(" ".join(map(str, ids)))


def datatrove(prefix):
    data = open(prefix + ".ds", "rb").read()
    index = open(prefix + ".ds.index", "rb").read()
    meta = open(prefix + ".ds.metadata").read().split("\n")
    name, size = meta[0].rsplit("|", 1)
    size = int(size)
    if size not in (2, 4) or len(data) % size:
        fail(f"token size {size}, .ds of {len(data)} bytes")
    ends = struct.unpack(f"<{len(index) // 8}Q", index)
    total = len(data) // size
    if int(meta[1]) != total or (ends and ends[-1] != total) or list(ends) != sorted(ends):
        fail(f"metadata count {meta[1]}, {total} tokens, last end {ends[-1] if ends else None}")
    ids = struct.unpack(f"<{total}{'H' if size == 2 else 'I'}", data)
    print(f"# token size {size} documents {len(ends)} name {name} {meta[2]}", file=sys.stderr)
    start = 0
    for e in ends:
        print(" ".join(map(str, ids[start:e])))
        start = e


{"megatron": megatron, "datatrove": datatrove}[sys.argv[1]](sys.argv[2])
