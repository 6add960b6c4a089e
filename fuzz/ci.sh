#!/bin/sh
# CI: build the fuzz harnesses (installing clang and libFuzzer when root,
# see fuzz/deps.sh) and fuzz each one briefly, FUZZ_SECONDS (20) each; fails
# on any crash, sanitizer report, leak, time-out or out-of-memory.  What a
# harness found is in fuzz/build/crashes/HARNESS/, its log in
# fuzz/build/logs/HARNESS.log.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}" </dev/null
