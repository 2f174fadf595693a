#!/bin/sh
# Rebuild seeds/seeds.tar.gz from seeds/*.txt, byte-for-byte reproducibly
# (sorted names, fixed times and owners, gzip without a timestamp).
set -eu
cd "$(dirname "$0")"
tar --sort=name --mtime='2025-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner \
    --format=ustar -cf - ./*.txt | gzip -n -9 > seeds.tar.gz
