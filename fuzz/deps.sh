#!/bin/sh
# What the fuzz harnesses build with, beyond tools/deps.sh's packages:
# clang and its libFuzzer and sanitizer runtimes.  Installs them when it can
# (root, or sudo without a password), as tools/deps.sh does; otherwise says
# what to install and stops.
sh "$(dirname "$0")/../tools/deps.sh" || exit 1
cc=${FUZZ_CC:-clang}
have_fuzzer() {
	command -v "$cc" >/dev/null 2>&1 || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' |
		"$cc" -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1
}
have_fuzzer && exit 0
PKGS="clang libclang-rt-dev"
# Debian 12 names the runtime package after the clang version
if command -v apt-cache >/dev/null 2>&1; then
	v=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	[ -n "$v" ] && PKGS="clang libclang-rt-$v-dev"
fi
# shellcheck disable=SC2086 # a list of package names
sh "$(dirname "$0")/../tools/deps.sh" $PKGS || exit 1
have_fuzzer || { echo "pcs: $cc still cannot link -fsanitize=fuzzer" >&2; exit 1; }
