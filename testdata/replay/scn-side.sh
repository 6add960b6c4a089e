#!/bin/sh
# Run pcs-replay with --timeline or --actions (the first argument) into a
# temporary file and write that file instead of the summary, so that a
# golden in testdata/golden/commands can hold a side output.  The exit
# status and standard error are pcs-replay's.
#
# usage: sh testdata/replay/scn-side.sh --timeline|--actions [pcs-replay option ...] [file ...]

opt=${1:?usage: scn-side.sh --timeline|--actions [pcs-replay argument ...]}
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pcs-replay "$opt" "$tmp/side" "$@" >/dev/null || exit
cat "$tmp/side"
