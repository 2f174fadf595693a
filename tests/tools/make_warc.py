#!/usr/bin/env python3
"""make_warc.py OUT.warc[.gz|.zst] PAGES_DIR [--truncate] [--whole-gzip] [--version 1.0|1.1]

Writes a WARC file of the .html pages in PAGES_DIR as a crawler would have
fetched them from http://pages.example/<name>: a warcinfo record, then per
page a request and a response record.  The responses vary the way servers
do: every third body is sent with Transfer-Encoding: chunked, every second
with Content-Encoding: gzip, and the charset of legacy pages is not in the
header.  Then a 404, a revisit, a metadata record and an image response,
which a reader must skip.  --truncate cuts the last record short.  .gz
files get one gzip member per record (--whole-gzip: one for the file)."""
import gzip
import io
import os
import subprocess
import sys
import uuid


def record(kind, uri, ctype, payload, version, extra=()):
    rid = uuid.uuid5(uuid.NAMESPACE_URL, kind + uri)
    head = [f"WARC/{version}", f"WARC-Type: {kind}", f"WARC-Record-ID: <urn:uuid:{rid}>",
            "WARC-Date: 2025-11-03T08:15:00Z"]
    if uri:
        head.append(f"WARC-Target-URI: {uri}")
    head += list(extra)
    head += [f"Content-Type: {ctype}", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload + b"\r\n\r\n"


def http(status, reason, ctype, body, chunked=False, gz=False):
    headers = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}", "Server: test"]
    if gz:
        body = gzip.compress(body)
        headers.append("Content-Encoding: gzip")
    if chunked:
        out = b""
        for i in range(0, len(body), 100):
            piece = body[i:i + 100]
            out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        body = out + b"0\r\n\r\n"
        headers.append("Transfer-Encoding: chunked")
    else:
        headers.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def main():
    out, pages = sys.argv[1], sys.argv[2]
    version = sys.argv[sys.argv.index("--version") + 1] if "--version" in sys.argv else "1.1"
    recs = [record("warcinfo", "", "application/warc-fields", b"software: make_warc.py\r\n", version)]
    names = sorted(n for n in os.listdir(pages) if n.endswith(".html"))
    for i, name in enumerate(names):
        uri = f"http://pages.example/{name}"
        body = open(os.path.join(pages, name), "rb").read()
        recs.append(record("request", uri, "application/http; msgtype=request",
                           f"GET /{name} HTTP/1.1\r\nHost: pages.example\r\n\r\n".encode(), version))
        recs.append(record("response", uri, "application/http; msgtype=response",
                           http(200, "OK", "text/html", body, chunked=i % 3 == 0, gz=i % 2 == 1), version))
    recs.append(record("response", "http://pages.example/gone.html", "application/http; msgtype=response",
                       http(404, "Not Found", "text/html", b"<html><body><p>Not here.</p></body></html>"), version))
    recs.append(record("revisit", f"http://pages.example/{names[0]}", "application/http; msgtype=response",
                       b"HTTP/1.1 200 OK\r\n\r\n", version,
                       ["WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"]))
    recs.append(record("metadata", f"http://pages.example/{names[0]}", "application/warc-fields",
                       b"via: test\r\n", version))
    recs.append(record("response", "http://pages.example/logo.png", "application/http; msgtype=response",
                       http(200, "OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(40)), version))
    if "--truncate" in sys.argv:  # inside the last record's payload
        recs[-1] = recs[-1][: len(recs[-1]) - 30]
    if out.endswith(".gz"):
        data = gzip.compress(b"".join(recs)) if "--whole-gzip" in sys.argv else b"".join(gzip.compress(r) for r in recs)
    elif out.endswith(".zst"):
        data = subprocess.run(["zstd", "-q", "-c"], input=b"".join(recs), stdout=subprocess.PIPE, check=True).stdout
    else:
        data = b"".join(recs)
    open(out, "wb").write(data)


main()
