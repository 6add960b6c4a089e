#!/bin/sh
# Every global symbol libpcs.a defines starts with pcs_ (STYLE.md habit 2).
cd "$(dirname "$0")/.." || exit 1
echo "1..1"
# AddressSanitizer adds an __odr_asan.NAME marker for each global it
# instruments: the name after the marker is what counts
bad=$(nm -g --defined-only lib/libpcs.a |
	awk 'NF == 3 { s = $3; sub(/^__odr_asan\./, "", s); if (s !~ /^pcs_/) print $3 }')
if [ -z "$bad" ]; then
	echo "ok 1 - libpcs.a exports only pcs_ symbols"
else
	echo "not ok 1 - libpcs.a exports symbols without the pcs_ prefix"
	echo "$bad" | sed 's/^/# /'
	exit 1
fi
