# Shared by the opt-in suites on real data (make check-data): where the data
# and the binaries are, and the per-minute traces as metrics streams.

setup_file() {
	export DATA=${PCS_DATA:-$BATS_TEST_DIRNAME/../../../shared/data}
	export PATH=$BATS_TEST_DIRNAME/../../bin:$PATH
	export TESTDATA=$BATS_TEST_DIRNAME/../../testdata
	export WORK=$BATS_FILE_TMPDIR
}

setup() {
	[ -d "$DATA" ] || skip "no $DATA"
}

# nasa_metrics OUT: the NASA HTTP 1995 trace (requests per minute, local
# time at -04:00) as a metrics stream of requests per second.
nasa_metrics() {
	awk -F, 'NR == 1 { print "ts,group,rps"; next }
	         { sub(/ /, "T", $1); print $1 "-04:00,nasa," $2 / 60 }' \
		"$DATA/traces/nasa_http_1995_per_minute.csv" >"$1"
}

# twitter_metrics OUT: the Twitter stream 2021 trace (per minute, rps).
twitter_metrics() {
	awk -F, 'NR == 1 { print "ts,group,rps"; next } { print $1 ",twitter," $2 }' \
		"$DATA/traces/twitter_stream_2021_per_minute.csv" >"$1"
}
