#!/usr/bin/env python3
"""gen_many_members.py OUT.tar.gz N: a tar.gz of N two-byte members, fast."""
import gzip, sys
# ustar headers built by hand: tarfile's per-member objects are the slow part
out, n = sys.argv[1], int(sys.argv[2])
def header(name):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\0"; h[108:116] = b"0000000\0"; h[116:124] = b"0000000\0"
    h[124:136] = b"00000000002\0"; h[136:148] = b"14541740400\0"; h[156:157] = b"0"
    h[257:263] = b"ustar\0"; h[263:265] = b"00"
    h[148:156] = b"        "
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
body = b"x\n" + b"\0" * 510
with gzip.open(out, "wb", compresslevel=1) as f:
    for i in range(n):
        f.write(header(b"m/%07d.txt" % i) + body)
    f.write(b"\0" * 1024)
