#!/bin/sh
# Regenerate the golden outputs listed in testdata/golden/commands from the
# current binaries (bin/ of this checkout, or PCS_BIN).  Each command must exit
# 0 and write nothing on standard error; a golden is replaced only then.
# Review the diff before committing: a changed golden is a changed contract.
#
# usage: tests/make-goldens.sh        (`make goldens` runs it)

root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$root" || exit 1
PATH=${PCS_BIN:-$root/bin}:$PATH
LC_ALL=C
export PATH LC_ALL

dir=testdata/golden
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
set -f                         # the commands are split on blanks, never globbed
status=0 n=0
while read -r name cmd; do
	case $name in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086
	$cmd >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && ! [ -s "$tmp/err" ]; then
		mv "$tmp/out" "$dir/$name"
		n=$((n + 1))
	else
		echo "make-goldens: $name: '$cmd' exited $rc; golden kept:" >&2
		sed 's/^/	/' "$tmp/err" >&2
		status=1
	fi
done <"$dir/commands"
set +f
for f in "$dir"/*; do
	name=${f##*/}
	[ "$name" = commands ] && continue
	grep -q "^${name}[ 	]" "$dir/commands" ||
		echo "make-goldens: $f is not in $dir/commands; remove it?" >&2
done
echo "make-goldens: wrote $n goldens in $dir"
exit $status
