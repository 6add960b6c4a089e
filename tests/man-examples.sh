#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run the commands shown in the EXAMPLES section of each man page and report
# the results as TAP.
#
# usage: tests/man-examples.sh [PAGE ...]    (paths from the project root;
#        default man/*.[1-9])
#
# A line of a literal display (.Bd -literal ... .Ed) inside the EXAMPLES
# section that begins with "$ " is a command; the indented lines right after
# it continue it, as they would in a shell (a backslash at the end of a line,
# or an open quote).  Lines that follow unindented, such as sample output,
# are not run.  Each command runs from the project root with bin/ first on
# PATH, under bash with pipefail, standard input from /dev/null and standard
# output discarded, and passes when it exits 0 within 60 seconds.  A command that needs an optional tool (see optional_tools) that
# is not installed is reported as skipped.

set -u

optional_tools='jq parallel'
limit=60

root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
PATH=$root/bin:$PATH
export PATH

if [ $# -eq 0 ]; then
	set -- man/*.[1-9]
fi

# Print "page<TAB>command<NUL>" for every example command of the pages
# given, with the mdoc escapes of literal text undone.
extract() {
	awk '
	function unescape(s) {
		gsub(/\\&/, "", s)
		gsub(/\\-/, "-", s)
		gsub(/\\\(aq/, "\047", s)
		gsub(/\\\(dq/, "\"", s)
		gsub(/\\e/, "\\", s)
		return s
	}
	function flush() {
		if (cmd != "")
			printf "%s\t%s%c", page, cmd, 0
		cmd = ""
	}
	FNR == 1 {
		flush()
		page = FILENAME
		sub(/.*\//, "", page)
		insec = lit = 0
	}
	/^\.Sh[ \t]/ {
		flush()
		insec = ($0 ~ /^\.Sh[ \t]+"?EXAMPLES"?[ \t]*$/)
		next
	}
	!insec { next }
	/^\.Bd[ \t].*-literal/ { lit = 1; next }
	/^\.Ed/ { flush(); lit = 0; next }
	!lit { next }
	{
		line = unescape($0)
		if (cmd != "" && line ~ /^[ \t]/) {
			cmd = cmd "\n" line
			next
		}
		flush()
		if (substr(line, 1, 2) == "$ ")
			cmd = substr(line, 3)
	}
	END { flush() }
	' "$@"
}

pages=() cmds=()
while IFS=$'\t' read -r -d '' page cmd; do
	pages+=("$page")
	cmds+=("$cmd")
done < <(extract "$@")

n=${#cmds[@]}
if [ "$n" -eq 0 ]; then
	echo "1..0 # SKIP no example commands found"
	exit 0
fi
echo "1..$n"

err=$(mktemp) || exit 2
trap 'rm -f "$err"' EXIT

failed=0
for ((i = 0; i < n; i++)); do
	cmd=${cmds[i]}
	desc=${cmd//\\$'\n'/ }
	desc=$(printf '%s' "$desc" | tr -s '\n ' '  ')
	name="${pages[i]}: $desc"
	name=${name//#/\\#}
	missing=
	for tool in $optional_tools; do
		if [[ " $cmd " =~ [^[:alnum:]_-]${tool}[^[:alnum:]_-] ]] &&
		    ! command -v "$tool" >/dev/null 2>&1; then
			missing=$tool
			break
		fi
	done
	if [ -n "$missing" ]; then
		echo "ok $((i + 1)) - $name # SKIP $missing not installed"
		continue
	fi
	timeout "$limit" bash -o pipefail -c "$cmd" </dev/null >/dev/null 2>"$err"
	status=$?
	if [ "$status" -eq 0 ]; then
		echo "ok $((i + 1)) - $name"
	else
		failed=$((failed + 1))
		echo "not ok $((i + 1)) - $name"
		if [ "$status" -eq 124 ]; then
			echo "# timed out after ${limit}s"
		else
			echo "# exit status $status"
		fi
		sed 's/^/# /' "$err"
	fi
done

[ "$failed" -eq 0 ]
