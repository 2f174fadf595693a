#!/usr/bin/env bash
# The html step shows libxml2 only the attributes it reads (read_attr in
# plugins/html/html.c; bound_strip_raw leaves out the rest): an attribute
# read anywhere in the step (attr, prop, xmlGetProp, xmlHasProp... with a
# literal name) and missing from that list would read as absent on every
# page, silently.
. "$(dirname "$0")/lib.sh"
list=$(sed -n '/^static int read_attr(/,/^}/p' "$SRC/plugins/html/html.c")
[ -n "$list" ] && ok || bad "read_attr not found in plugins/html/html.c"
names=$(grep -ohE '(attr|prop|Prop)\([^;]*"[A-Za-z:_.-]+"' "$SRC"/plugins/html/*.c | grep -oE '"[A-Za-z:_.-]+"' | sort -u)
[ -n "$names" ] && ok || bad "no attribute reads found: the pattern is out of date"
for name in $names; do
    case "$list" in
    *"$name"*) ok ;;
    *) bad "plugins/html reads attribute $name, which read_attr does not keep" ;;
    esac
done
finish
