#!/bin/sh
# wrk (the load generator) and Virtuoso 7 (a baseline) from Debian, when we can install them.
# Without them `make bench` still runs: it uses a slower Python load generator and skips
# Virtuoso, and says so in its table.
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v virtuoso-t >/dev/null 2>&1 || missing="$missing virtuoso-opensource"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing \
        || echo "bench: could not install$missing; the benchmark will skip or replace them"
else
    echo "bench: not root (or no apt-get): install$missing yourself for the full comparison"
fi
exit 0
