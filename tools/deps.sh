#!/bin/sh
# Install the Debian packages pcs builds and tests with, if any are missing
# (or, given package names, those: fuzz/deps.sh does so).  Runs apt-get when
# it can (root, or sudo without a password); otherwise it prints the exact
# command and stops.
PKGS="build-essential libcsv-dev libjansson-dev libgsl-dev bats bats-support bats-assert mandoc cppcheck valgrind time"
[ $# -gt 0 ] && PKGS="$*"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "pcs: missing Debian packages:$missing" >&2
	echo "pcs: run: sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "pcs: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null </dev/null || exit 1
# shellcheck disable=SC2086 # $sudo and $cmd are words to split
$sudo $cmd </dev/null || exit 1
