#!/bin/sh
# Lint every man page with mandoc; one TAP test per page.
cd "$(dirname "$0")/.." || exit 1
set -- man/*.[1-9]
echo "1..$#"
i=0
rc=0
for m in "$@"; do
	i=$((i + 1))
	out=$(mandoc -Tlint -W warning "$m" 2>&1)
	if [ -z "$out" ]; then
		echo "ok $i - mandoc -Tlint $m"
	else
		echo "not ok $i - mandoc -Tlint $m"
		echo "$out" | sed 's/^/# /'
		rc=1
	fi
done
exit $rc
