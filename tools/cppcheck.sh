#!/bin/sh
# Static analysis with cppcheck, printed as one TAP test.  The configuration:
# - checks: warning, portability and performance (style is left to review);
# - C11, our include directories, jansson's header (its iteration macros),
#   and the POSIX library description;
# - --inline-suppr: a false positive is silenced next to its line, with the
#   reason; the suppressions below are whole classes that do not apply here:
#   readdirCalled: readdir_r(3) is deprecated, and each DIR is ours alone.
# Any finding fails the test and is printed.
cd "$(dirname "$0")/.." || exit 1
echo "1..1"
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "ok 1 - cppcheck # SKIP cppcheck is not installed"
	exit 0
fi
out=$(cppcheck -q --std=c11 --enable=warning,portability,performance --inline-suppr \
	--error-exitcode=1 --library=posix --include=/usr/include/jansson.h \
	--suppress=readdirCalled --suppress=missingIncludeSystem \
	-Ilib -Icmd -Ifuzz -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPCS_VERSION='"0"' \
	lib cmd tests/unit fuzz 2>&1)
status=$?
if [ $status -eq 0 ] && [ -z "$out" ]; then
	echo "ok 1 - cppcheck: lib, cmd, tests/unit and fuzz are clean"
else
	echo "not ok 1 - cppcheck found problems"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
