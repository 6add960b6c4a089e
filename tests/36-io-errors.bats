#!/usr/bin/env bats
# Output that cannot be written and files that must not be trusted, for all
# six tools (cmd/cli.h, lib/pcs_state.h, the EXIT STATUS and FILES of each
# manual page):
#
# - standard output on a full disk (/dev/full) or closed (>&-): status 1 and
#   "write error: ..." on stderr, and no state written; a closed pipe
#   (EPIPE, as head(1) leaves it): a quiet status 0, and no state written;
# - a state or model file in a directory that does not exist or cannot be
#   written: status 1 naming the path;
# - state, lock and model files made with mode 0600 whatever the umask, the
#   temporary file made in the target's own directory (strace(1));
# - a symbolic link planted at a state, lock or model path is not followed:
#   reads refuse it ("is a symbolic link (refused)"), pcs-retrain --out
#   replaces it with a regular file by rename(2); either way the link's
#   target keeps its content and mode;
# - a directory given as a state, model or input file.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

TOOLS="forecast risk plan route replay retrain"

setup_file() {
	local t

	for t in pcs-forecast pcs-risk pcs-shadow-plan pcs-route-weights pcs-replay pcs-retrain; do
		[ -x "$PCS_BIN/$t" ] || {
			echo "no executable $t in PCS_BIN=$PCS_BIN (run make)" >&2
			return 1
		}
	done
	head -n 1001 "$TESTDATA/metrics.csv" >"$BATS_FILE_TMPDIR/history.csv"
	SOURCE_DATE_EPOCH=1795564800 pcs-retrain --models snaive --origins 20 \
		"$BATS_FILE_TMPDIR/history.csv" >"$BATS_FILE_TMPDIR/model.json" 2>/dev/null
}

# tool_cmd NAME DIR: sets cmd to a run of tool NAME that writes rows on
# stdout, with its state (plan, route) in DIR
tool_cmd() {
	case $1 in
	forecast) cmd=(pcs-forecast -H 5m testdata/forecast/small.csv) ;;
	risk) cmd=(pcs-risk -c testdata/capacity.csv testdata/golden/forecast-default.csv) ;;
	plan) cmd=(pcs-shadow-plan -t testdata/plan/topology.csv --state "$2/state.json"
		testdata/plan/capped/step-01.csv) ;;
	route) cmd=(pcs-route-weights --state "$2/state.json" testdata/route/failing/health.csv) ;;
	replay) cmd=(pcs-replay -t testdata/topology.csv testdata/metrics.csv) ;;
	retrain) cmd=(pcs-retrain --models snaive --origins 20 "$BATS_FILE_TMPDIR/history.csv") ;;
	esac
}

# the commands with stdout redirected, for `run`
to_full() { "$@" >/dev/full; }
closed_stdout() { "$@" >&-; }
closed_stdin() { "$@" <&-; }
closed_stderr() { "$@" 2>&-; }
# a pipe whose reader is gone before the first write: EPIPE, every time
# (a FIFO opened for reading and writing, then for writing, then the
# reading end closed; by exec, as a redirection of a command would keep a
# copy of the reading end in the shell to restore it)
to_broken_pipe() {
	local fifo=$BATS_TEST_TMPDIR/fifo

	[ -p "$fifo" ] || mkfifo "$fifo"
	(
		# shellcheck disable=SC2094  # both ends of one FIFO, on purpose
		exec 4<>"$fifo" 5>"$fifo" 4<&-
		exec "$@" >&5
	)
}

# assert_no_state DIR: the run left no state in DIR, and nothing in the lock
assert_no_state() {
	[ ! -e "$1/state.json" ] || fail "the state was written: $(head -c 200 "$1/state.json")"
	[ ! -s "$1/state.json.lock" ] || fail "the lock file has content: $(head -c 200 "$1/state.json.lock")"
}

# mode FILE: its permission bits in octal
mode() {
	stat -c %a "$1"
}

# as_user CMD ...: CMD as an unprivileged user, for the tests of directories
# that cannot be written (root may write anywhere): nobody, via setpriv(1),
# when the tests run as root
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

# shared_dir: sets dir to a new directory that as_user can reach (under
# /tmp, mode 755; BATS_TEST_TMPDIR is root's alone), removed by teardown
shared_dir() {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "running as root, and no setpriv(1) to run as another user"
		as_user test -x "$PCS_BIN/pcs-forecast" || skip "nobody cannot run $PCS_BIN/pcs-forecast"
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcs-io.XXXXXX")
	chmod 755 "$dir"
	echo "$dir" >"$BATS_TEST_TMPDIR/shared"
}

teardown() {
	if [ -f "$BATS_TEST_TMPDIR/shared" ]; then
		chmod -R u+w "$(cat "$BATS_TEST_TMPDIR/shared")"
		rm -rf "$(cat "$BATS_TEST_TMPDIR/shared")"
	fi
}

# --- standard output -------------------------------------------------------

@test "stdout on a full disk: every tool exits 1 saying 'write error: No space left on device', and writes no state" {
	local t
	local -a cmd

	for t in $TOOLS; do
		mkdir "$BATS_TEST_TMPDIR/$t"
		tool_cmd "$t" "$BATS_TEST_TMPDIR/$t"
		run --separate-stderr to_full "${cmd[@]}"
		[ "$status" -eq 1 ] || fail "$t: status $status"
		assert_equal "$stderr" "${cmd[0]}: write error: No space left on device"
		assert_no_state "$BATS_TEST_TMPDIR/$t"
	done
}

@test "stdout closed (>&-): every tool exits 1 saying 'write error: Bad file descriptor', and writes no state" {
	local t
	local -a cmd

	for t in $TOOLS; do
		mkdir "$BATS_TEST_TMPDIR/$t"
		tool_cmd "$t" "$BATS_TEST_TMPDIR/$t"
		run --separate-stderr closed_stdout "${cmd[@]}"
		[ "$status" -eq 1 ] || fail "$t: status $status"
		assert_equal "$stderr" "${cmd[0]}: write error: Bad file descriptor"
		# before cli_init held descriptor 1, the lock file took its place and
		# the plan went into it
		assert_no_state "$BATS_TEST_TMPDIR/$t"
	done
}

@test "stdout a pipe whose reader is gone (EPIPE): every tool ends quietly with status 0, and writes no state" {
	local t
	local -a cmd

	for t in $TOOLS; do
		mkdir "$BATS_TEST_TMPDIR/$t"
		tool_cmd "$t" "$BATS_TEST_TMPDIR/$t"
		run --separate-stderr to_broken_pipe "${cmd[@]}"
		[ "$status" -eq 0 ] || fail "$t: status $status: $stderr"
		assert_equal "$stderr" ""
		assert_no_state "$BATS_TEST_TMPDIR/$t"
	done
}

@test "--help and --version on a full disk or a closed stdout: status 1 and a write error" {
	local t

	for t in pcs-forecast pcs-risk pcs-shadow-plan pcs-route-weights pcs-replay pcs-retrain; do
		run --separate-stderr to_full "$t" --help
		[ "$status" -eq 1 ] || fail "$t --help >/dev/full: status $status"
		assert_equal "$stderr" "$t: write error: No space left on device"
		run --separate-stderr closed_stdout "$t" --version
		[ "$status" -eq 1 ] || fail "$t --version >&-: status $status"
		assert_equal "$stderr" "$t: write error: Bad file descriptor"
	done
}

@test "the files of pcs-replay --timeline and --actions, and of pcs-retrain --report, on a full disk: status 1" {
	run --separate-stderr pcs-replay -t testdata/topology.csv --timeline /dev/full testdata/metrics.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-replay: /dev/full: No space left on device"
	run --separate-stderr pcs-replay -t testdata/topology.csv --actions /dev/full testdata/metrics.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-replay: /dev/full: No space left on device"
	run --separate-stderr pcs-retrain --models snaive --origins 20 --report /dev/full \
		--out "$BATS_TEST_TMPDIR/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: write error: No space left on device"
	[ ! -e "$BATS_TEST_TMPDIR/m.json" ] || fail "the model file was written after the report failed"
}

@test "pcs-retrain --out with stdout closed writes the model file and exits 0: it has nothing for stdout" {
	run --separate-stderr closed_stdout pcs-retrain --models snaive --origins 20 \
		--out "$BATS_TEST_TMPDIR/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_success
	assert_equal "$stderr" ""
	SOURCE_DATE_EPOCH=1795564800 run --separate-stderr closed_stdout pcs-retrain --models snaive \
		--origins 20 --out "$BATS_TEST_TMPDIR/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_success
	assert_file_equal "$BATS_FILE_TMPDIR/model.json" "$BATS_TEST_TMPDIR/m.json"
	[ ! -s "$BATS_TEST_TMPDIR/m.json.lock" ] || fail "the lock file has content"
}

@test "stdin closed (<&-): reading - fails with 'read error: Bad file descriptor', and the state's lock is not read as the stream" {
	local d=$BATS_TEST_TMPDIR

	run --separate-stderr closed_stdin pcs-forecast -H 5m
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: <stdin>: read error: Bad file descriptor"
	# the lock file would otherwise be descriptor 0, an empty risk stream:
	# a plan of holds, and the state saved
	run --separate-stderr closed_stdin pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/state.json"
	assert_failure 1
	assert_regex "$stderr" "^pcs-shadow-plan: <stdin>: read error: Bad file descriptor"
	assert_no_state "$d"
	run --separate-stderr closed_stdin pcs-route-weights --state "$d/state.json"
	assert_failure 1
	assert_regex "$stderr" "^pcs-route-weights: <stdin>: read error: Bad file descriptor"
	assert_no_state "$d"
}

@test "stderr closed (2>&-): the status stays, and messages do not land in the lock file" {
	# valgrind itself cannot start without a standard error
	[ "${PCS_VALGRIND:-0}" != 1 ] || skip "not under valgrind"
	local d=$BATS_TEST_TMPDIR

	run closed_stderr pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/state.json" \
		testdata/bad/plan-risk-risk-negative.csv
	assert_failure 1
	assert_output ""
	assert_no_state "$d"
	run closed_stderr pcs-route-weights --state "$d/state.json" testdata/bad/route-health-too-few-fields.csv
	assert_failure 1
	assert_no_state "$d"
}

# --- where state and model files go ------------------------------------------

@test "a state or model file in a directory that does not exist: status 1 naming the path, nothing made" {
	local no=$BATS_TEST_TMPDIR/no

	run --separate-stderr pcs-shadow-plan -t testdata/plan/topology.csv --state "$no/state.json" \
		testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-shadow-plan: $no/state\.json[^:]*: No such file or directory\$"
	run --separate-stderr pcs-route-weights --state "$no/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-route-weights: $no/state\.json[^:]*: No such file or directory\$"
	run --separate-stderr pcs-retrain --models snaive --origins 20 --out "$no/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_regex "$stderr" "^pcs-retrain: $no/m\.json[^:]*: No such file or directory\$"
	run --separate-stderr pcs-retrain --update "$no/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $no/m.json: No such file or directory"
	run --separate-stderr pcs-forecast -m "$no/m.json" testdata/forecast/small.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $no/m.json: No such file or directory"
	[ ! -e "$no" ] || fail "the directory was made"
}

@test "a state or model file in a directory that cannot be written: status 1 naming the path, nothing changed" {
	local dir t

	shared_dir
	cp testdata/plan/topology.csv testdata/plan/capped/step-01.csv testdata/route/failing/health.csv \
		"$BATS_FILE_TMPDIR/history.csv" "$BATS_FILE_TMPDIR/model.json" "$dir/"
	mkdir "$dir/ro"
	chmod 644 "$dir"/*.csv "$dir/model.json"
	chmod 555 "$dir/ro"
	cd "$dir" || return 1
	run --separate-stderr as_user pcs-shadow-plan -t topology.csv --state ro/state.json step-01.csv
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-shadow-plan: ro/state\.json[^:]*: Permission denied\$"
	run --separate-stderr as_user pcs-route-weights --state ro/state.json health.csv
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-route-weights: ro/state\.json[^:]*: Permission denied\$"
	run --separate-stderr as_user pcs-retrain --models snaive --origins 20 --out ro/m.json history.csv
	assert_failure 1
	assert_regex "$stderr" "^pcs-retrain: ro/m\.json[^:]*: Permission denied\$"
	# a model file that may be written, in a directory that may not
	chmod 755 "$dir/ro"
	cp model.json ro/m.json
	chmod 666 ro/m.json
	chmod 555 "$dir/ro"
	run --separate-stderr as_user pcs-retrain --models snaive --update ro/m.json history.csv
	assert_failure 1
	assert_regex "$stderr" "^pcs-retrain: ro/m\.json[^:]*: Permission denied\$"
	cmp -s ro/m.json model.json || fail "--update changed the model file"
	run ls -A ro
	assert_output m.json
	# and when the lock is there already, the temporary file is refused
	chmod 755 "$dir/ro"
	touch ro/state.json.lock
	chmod 666 ro/state.json.lock
	chmod 555 "$dir/ro"
	run --separate-stderr as_user pcs-route-weights --state ro/state.json health.csv
	assert_failure 1
	assert_regex "$stderr" "^pcs-route-weights: ro/state\.json[^:]*: Permission denied\$"
	run ls -A ro
	assert_output "$(printf 'm.json\nstate.json.lock')"
}

@test "state, lock and model files have mode 0600, under umask 000, 022 and 077" {
	local u d

	for u in 000 022 077; do
		d=$BATS_TEST_TMPDIR/$u
		mkdir "$d"
		(
			umask "$u"
			pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/plan.json" \
				testdata/plan/capped/step-01.csv >/dev/null &&
				pcs-route-weights --state "$d/route.json" testdata/route/failing/health.csv >/dev/null &&
				pcs-retrain --models snaive --origins 20 --out "$d/m.json" "$BATS_FILE_TMPDIR/history.csv" &&
				pcs-retrain --models snaive --update "$d/m.json" testdata/metrics.csv 2>/dev/null
		) || fail "umask $u: a run failed"
		for f in plan.json plan.json.lock route.json route.json.lock m.json m.json.lock; do
			[ "$(mode "$d/$f")" = 600 ] || fail "umask $u: $f has mode $(mode "$d/$f")"
		done
	done
}

# trace_writes DIR CMD ...: CMD under strace(1); prints every path it
# creates (O_CREAT) and both paths of every rename, one a line
trace_writes() {
	local dir=$1 out=$BATS_TEST_TMPDIR/trace

	shift
	strace -f -qq -o "$out" -e trace=open,openat,creat,rename,renameat,renameat2,link,linkat,symlink,symlinkat \
		"$@" >/dev/null 2>&1 || fail "$* failed under strace"
	awk '/O_CREAT|creat\(|link/ { match($0, /"[^"]*"/); print substr($0, RSTART + 1, RLENGTH - 2) }
	/rename/ { n = split($0, q, "\""); print q[2]; print q[4] }' "$out"
}

@test "the temporary file is made in the target's directory, with O_EXCL and mode 0600, and renamed over the target (strace)" {
	# under valgrind strace would trace valgrind's own files too, and the
	# sanitizers' leak check cannot ptrace a process strace already does
	[ "${PCS_VALGRIND:-0}" != 1 ] || skip "not under valgrind"
	! sanitized_build || skip "not in a sanitizer build"
	command -v strace >/dev/null || skip "no strace(1)"
	strace -qq -o /dev/null true 2>/dev/null || skip "strace(1) cannot trace here"
	local d=$BATS_TEST_TMPDIR/target w p n

	mkdir "$d"
	for w in plan route out update; do
		case $w in
		plan) set -- pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/$w.json" \
			testdata/plan/capped/step-01.csv ;;
		route) set -- pcs-route-weights --state "$d/$w.json" testdata/route/failing/health.csv ;;
		out) set -- pcs-retrain --models snaive --origins 20 --out "$d/$w.json" "$BATS_FILE_TMPDIR/history.csv" ;;
		update)
			cp "$BATS_FILE_TMPDIR/model.json" "$d/$w.json"
			set -- pcs-retrain --models snaive --update "$d/$w.json" testdata/metrics.csv
			;;
		esac
		n=0
		while read -r p; do
			n=$((n + 1))
			case $p in
			"$d/$w.json" | "$d/$w.json.lock") ;;
			"$d/$w.json.pcs-tmp."??????) ;;
			*) fail "$w: a file made or renamed outside the target's directory: $p" ;;
			esac
		done < <(trace_writes "$d" "$@")
		# the lock, the temporary file, and its rename over the target
		[ "$n" -eq 4 ] || fail "$w: $n paths made or renamed, want 4: $(trace_writes "$d" "$@")"
		grep -Eq "\"$d/$w\\.json\\.pcs-tmp\\.[A-Za-z0-9]{6}\", O_RDWR\\|O_CREAT\\|O_EXCL[^,]*, 0600\\) = [0-9]+" \
			"$BATS_TEST_TMPDIR/trace" || fail "$w: no temporary file made with O_EXCL and mode 0600: $(grep pcs-tmp "$BATS_TEST_TMPDIR/trace")"
		grep -Eq "rename(at2?)?\\(.*\"$d/$w\\.json\\.pcs-tmp\\.[A-Za-z0-9]{6}\",.*\"$d/$w\\.json\"" \
			"$BATS_TEST_TMPDIR/trace" || fail "$w: the temporary file is not renamed over the target"
	done
}

# --- symbolic links ----------------------------------------------------------

# plant LINK: a symbolic link at LINK to $BATS_TEST_TMPDIR/target, a file
# with known content and mode 0640
plant() {
	printf 'not yours\n' >"$BATS_TEST_TMPDIR/target"
	chmod 640 "$BATS_TEST_TMPDIR/target"
	ln -sfn "$BATS_TEST_TMPDIR/target" "$1"
}

# assert_target_untouched: the link's target kept its content and mode
assert_target_untouched() {
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" "not yours"
	assert_equal "$(mode "$BATS_TEST_TMPDIR/target")" 640
}

@test "a symbolic link at the state path is refused, and its target left as it was" {
	local d=$BATS_TEST_TMPDIR/s

	mkdir "$d"
	plant "$d/state.json"
	run --separate-stderr pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/state.json" \
		testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $d/state.json: is a symbolic link (refused)"
	assert_target_untouched
	[ -L "$d/state.json" ] || fail "the link was replaced"
	run --separate-stderr pcs-shadow-plan --dry-run -t testdata/plan/topology.csv --state "$d/state.json" \
		testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-shadow-plan: $d/state.json: is a symbolic link (refused)"
	run --separate-stderr pcs-route-weights --state "$d/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $d/state.json: is a symbolic link (refused)"
	assert_target_untouched
	[ -L "$d/state.json" ] || fail "the link was replaced"
}

@test "a dangling symbolic link at the state path is refused: nothing is made where it points" {
	local d=$BATS_TEST_TMPDIR/s

	mkdir "$d"
	ln -s "$BATS_TEST_TMPDIR/made" "$d/state.json"
	run --separate-stderr pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/state.json" \
		testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-shadow-plan: $d/state.json: is a symbolic link (refused)"
	run --separate-stderr pcs-route-weights --state "$d/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: $d/state.json: is a symbolic link (refused)"
	[ ! -e "$BATS_TEST_TMPDIR/made" ] || fail "a file was made through the link"
	# the same at the lock path, where the lock would be created
	rm "$d/state.json" "$d/state.json.lock"
	ln -s "$BATS_TEST_TMPDIR/made" "$d/state.json.lock"
	run --separate-stderr pcs-route-weights --state "$d/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: $d/state.json.lock: is a symbolic link (refused)"
	[ ! -e "$BATS_TEST_TMPDIR/made" ] || fail "a lock file was made through the link"
}

@test "a symbolic link at the lock path is refused by every writer, and its target left as it was" {
	local d=$BATS_TEST_TMPDIR/s

	mkdir "$d"
	plant "$d/state.json.lock"
	run --separate-stderr pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/state.json" \
		testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $d/state.json.lock: is a symbolic link (refused)"
	run --separate-stderr pcs-route-weights --state "$d/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $d/state.json.lock: is a symbolic link (refused)"
	[ ! -e "$d/state.json" ] || fail "the state was written"
	plant "$d/m.json.lock"
	run --separate-stderr pcs-retrain --models snaive --origins 20 --out "$d/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $d/m.json.lock: is a symbolic link (refused)"
	[ ! -e "$d/m.json" ] || fail "the model file was written"
	assert_target_untouched
}

@test "a symbolic link at a model file is refused by its readers (-m, --update, --drift, --ab)" {
	local d=$BATS_TEST_TMPDIR/s

	mkdir "$d"
	cp "$BATS_FILE_TMPDIR/model.json" "$BATS_TEST_TMPDIR/target"
	chmod 640 "$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$d/m.json"
	run --separate-stderr pcs-forecast -m "$d/m.json" testdata/forecast/small.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-forecast: $d/m.json: is a symbolic link (refused)"
	run --separate-stderr pcs-retrain --update "$d/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $d/m.json: is a symbolic link (refused)"
	run --separate-stderr pcs-retrain --drift "$d/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $d/m.json: is a symbolic link (refused)"
	run --separate-stderr pcs-retrain --ab "$BATS_FILE_TMPDIR/model.json,$d/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $d/m.json: is a symbolic link (refused)"
	[ -L "$d/m.json" ] || fail "the link was replaced"
	cmp -s "$BATS_TEST_TMPDIR/target" "$BATS_FILE_TMPDIR/model.json" || fail "the link's target changed"
	assert_equal "$(mode "$BATS_TEST_TMPDIR/target")" 640
}

@test "pcs-retrain --out over a symbolic link replaces the link with the model file (rename(2) does not follow it)" {
	local d=$BATS_TEST_TMPDIR/s

	mkdir "$d"
	plant "$d/m.json"
	SOURCE_DATE_EPOCH=1795564800 run --separate-stderr pcs-retrain --models snaive --origins 20 \
		--out "$d/m.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_success
	[ ! -L "$d/m.json" ] || fail "the link is still there"
	assert_file_equal "$BATS_FILE_TMPDIR/model.json" "$d/m.json"
	assert_equal "$(mode "$d/m.json")" 600
	assert_target_untouched
}

# --- a directory where a file should be ----------------------------------------

@test "a directory given as a state or model file: status 1, 'Is a directory'" {
	local d=$BATS_TEST_TMPDIR

	mkdir "$d/dir.json"
	run --separate-stderr pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/dir.json" \
		testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $d/dir.json: Is a directory"
	run --separate-stderr pcs-route-weights --state "$d/dir.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $d/dir.json: Is a directory"
	run --separate-stderr pcs-forecast -m "$d/dir.json" testdata/forecast/small.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $d/dir.json: Is a directory"
	run --separate-stderr pcs-retrain --update "$d/dir.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $d/dir.json: Is a directory"
	run --separate-stderr pcs-retrain --models snaive --origins 20 --out "$d/dir.json" "$BATS_FILE_TMPDIR/history.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $d/dir.json: Is a directory"
	[ -d "$d/dir.json" ] || fail "the directory was replaced"
	run ls -A "$d/dir.json"
	assert_output ""
	shopt -s nullglob
	local tmps=("$d"/dir.json.pcs-tmp.*)
	[ "${#tmps[@]}" -eq 0 ] || fail "temporary files left: ${tmps[*]}"
}

@test "a directory given as an input or configuration file: status 1, 'read error: Is a directory'" {
	local d=$BATS_TEST_TMPDIR/dir.csv

	mkdir "$d"
	run --separate-stderr pcs-forecast "$d"
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $d: read error: Is a directory"
	run --separate-stderr pcs-risk -c "$d" testdata/golden/forecast-default.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: $d: read error: Is a directory"
	run --separate-stderr pcs-risk -c testdata/capacity.csv "$d"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "pcs-risk: $d: read error: Is a directory"
	run --separate-stderr pcs-shadow-plan -t "$d" testdata/plan/capped/step-01.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-shadow-plan: $d: read error: Is a directory"
	run --separate-stderr pcs-route-weights --plan "$d" testdata/route/failing/health.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: $d: read error: Is a directory"
	run --separate-stderr pcs-replay -t "$d" testdata/metrics.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-replay: $d: read error: Is a directory"
	run --separate-stderr pcs-retrain --capacity "$d"
	assert_failure 1
	assert_regex "$stderr" "^pcs-retrain: $d: read error: Is a directory"
}
