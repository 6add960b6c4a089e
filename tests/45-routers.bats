#!/usr/bin/env bats
# pcs-route-weights -f haproxy, route53 and envoy-eds against the real
# things: a running HAProxy fed the commands through its admin socket and
# read back; each Route 53 change batch validated against the
# ChangeResourceRecordSets input shape of botocore's service model; the
# Envoy ClusterLoadAssignment checked field by field against Envoy's API
# (there is no Envoy in Debian 12).  The router weights are compared with
# the weights stream of the same input, scaled as pcs-route-weights(1)
# says: 256 a group for HAProxy, 255 for Route 53, 1000 for Envoy.
#
# As root, the HAProxy and Route 53 tests install what they need from
# Debian (haproxy, socat, python3-botocore) when it is missing; a test
# that cannot have its router skips, saying why.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

setup_file() {
	[ -x "$PCS_BIN/pcs-route-weights" ] || {
		echo "no executable pcs-route-weights in PCS_BIN=$PCS_BIN (run make)" >&2
		return 1
	}
}

# Debian's python3, where python3-botocore installs
PY=/usr/bin/python3

teardown() {
	if [ -n "${HAP:-}" ] && [ -s "$HAP/haproxy.pid" ]; then
		# shellcheck disable=SC2046  # one pid a line
		kill $(cat "$HAP/haproxy.pid") 2>/dev/null || true
	fi
}

# --- helpers -------------------------------------------------------------

# apt_install PACKAGE...: install Debian packages as root, or skip saying why
apt_install() {
	local log=$BATS_TEST_TMPDIR/apt.log

	[ "$(id -u)" -eq 0 ] || skip "$* not installed, and not root to install them"
	command -v apt-get >/dev/null || skip "$* not installed, and no apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y "$@" >"$log" 2>&1 && return 0
	# an empty or old package list: update it once and try again
	{ apt-get update && apt-get install -y "$@"; } >>"$log" 2>&1 ||
		skip "apt-get install -y $* failed: $(tail -n 1 "$log")"
}

# need_haproxy: haproxy and socat, installed if need be
need_haproxy() {
	if ! command -v haproxy >/dev/null || ! command -v socat >/dev/null; then
		apt_install haproxy socat
		if ! command -v haproxy >/dev/null || ! command -v socat >/dev/null; then
			skip "haproxy or socat still missing after apt-get"
		fi
	fi
}

# need_botocore: botocore importable by Debian's python3, installed if need be
need_botocore() {
	[ -x "$PY" ] || skip "no $PY"
	"$PY" -c 'import botocore.session, botocore.validate' 2>/dev/null && return 0
	apt_install python3-botocore
	"$PY" -c 'import botocore.session, botocore.validate' 2>/dev/null ||
		skip "$PY cannot import botocore after apt-get install python3-botocore"
}

# start_haproxy BACKEND SERVER...
# Write a minimal configuration in $HAP with backend BACKEND and one server
# per SERVER at 127.0.0.1:20001... (nothing listens there; no health
# checks) and an admin stats socket $HAP/admin.sock, start haproxy as a
# daemon (stopped by teardown) and wait for the socket.
start_haproxy() {
	local be=$1 port=20000 sv

	shift
	HAP=$BATS_TEST_TMPDIR/hap
	# a unix socket path must fit in 108 bytes
	((${#HAP} < 90)) || HAP=$(mktemp -d /tmp/pcs-hap.XXXXXX)
	mkdir -p "$HAP"
	{
		printf 'global\n\tstats socket %s/admin.sock mode 600 level admin\n' "$HAP"
		printf 'defaults\n\tmode tcp\n\ttimeout connect 1s\n\ttimeout client 1s\n\ttimeout server 1s\n'
		printf 'backend %s\n' "$be"
		for sv; do
			printf '\tserver %s 127.0.0.1:%d\n' "$sv" $((++port))
		done
	} >"$HAP/haproxy.cfg"
	haproxy -c -f "$HAP/haproxy.cfg" >"$HAP/check.log" 2>&1 ||
		skip "haproxy rejects the test configuration: $(tail -n 1 "$HAP/check.log")"
	haproxy -f "$HAP/haproxy.cfg" -D -p "$HAP/haproxy.pid" >"$HAP/start.log" 2>&1 ||
		skip "haproxy does not start: $(tail -n 1 "$HAP/start.log")"
	for _ in $(seq 100); do
		[ -S "$HAP/admin.sock" ] && return 0
		sleep 0.05
	done
	skip "haproxy started but made no admin socket"
}

# admin COMMAND: one command on the admin socket; its answer on stdout
admin() {
	printf '%s\n' "$1" | socat stdio "unix-connect:$HAP/admin.sock"
}

# send FILE: the lines of FILE to the admin socket one by one; a command
# that HAProxy answers with anything but an empty line fails the test
send() {
	local line answer

	while IFS= read -r line; do
		answer=$(admin "$line") || fail "socat failed on: $line"
		[ -z "${answer//[[:space:]]/}" ] || fail "haproxy answered '$answer' to: $line"
	done <"$1"
}

# servers BACKEND: "server admin_state weight" for each server of BACKEND,
# from `show servers state` (srv_admin_state bit 0x01 is maintenance set
# from the admin socket; srv_uweight the weight set there)
servers() {
	admin "show servers state $1" |
		awk -v be="$1" '$1 !~ /^#/ && NF > 8 && $2 == be { print $4, $7, $8 }'
}

# compare_haproxy WEIGHTS HAPROXY BACKEND
# The servers of BACKEND in the running HAProxy against a weights CSV (one
# tick, no header): an open breaker is in maintenance; any other POP is
# ready with exactly the weight of the -f haproxy commands HAPROXY, and
# that weight is the POP's share of 256, rounded (|w - 256 share| < 1); the
# ready weights add up to 256.
compare_haproxy() {
	servers "$3" >"$BATS_TEST_TMPDIR/servers"
	run awk -F'[ ,/]' '
		FILENAME == ARGV[1] { state[$1] = $2; weight[$1] = $3; next }
		FILENAME == ARGV[2] {
			if ($1 == "set" && $5 == "state") sent_state[$4] = $6
			if ($1 == "set" && $5 == "weight") sent_weight[$4] = $6
			next
		}
		{ pop = $3; share[pop] = $5; breaker[pop] = $6; n++ }
		END {
			for (pop in share) {
				if (!(pop in state)) { print pop ": not in haproxy"; bad = 1; continue }
				maint = state[pop] % 2 == 1
				if (breaker[pop] == "open") {
					if (!maint) { print pop ": breaker open, haproxy admin state " state[pop]; bad = 1 }
					if (sent_state[pop] != "maint") { print pop ": open, but no state maint sent"; bad = 1 }
					continue
				}
				if (maint) { print pop ": " breaker[pop] ", but in maintenance"; bad = 1 }
				if (weight[pop] != sent_weight[pop]) { print pop ": haproxy weight " weight[pop] ", sent " sent_weight[pop]; bad = 1 }
				d = weight[pop] - 256 * share[pop]
				if (d >= 1 || d <= -1) { print pop ": weight " weight[pop] " for share " share[pop]; bad = 1 }
				total += weight[pop]
			}
			if (total != 256) { print "ready weights add up to " total; bad = 1 }
			exit bad
		}' "$BATS_TEST_TMPDIR/servers" "$2" "$1"
	[ "$status" -eq 0 ] || fail "$(printf '%s\n' "$output" "haproxy:" "$(cat "$BATS_TEST_TMPDIR/servers")" "weights:" "$(cat "$1")")"
}

# split_ticks SCENARIO: testdata/route/SCENARIO/health.csv as one file per
# tick, $BATS_TEST_TMPDIR/tick-001.csv ..., each with the header
split_ticks() {
	awk -F, -v dir="$BATS_TEST_TMPDIR" '
		NR == 1 { header = $0; next }
		$1 != ts {
			if (f != "") close(f)
			ts = $1; f = sprintf("%s/tick-%03d.csv", dir, ++n); print header >f
		}
		{ print >f }' "testdata/route/$1/health.csv"
}

# validate_route53 BATCHES [WEIGHTS]
# Each line of BATCHES, a change batch, as {"HostedZoneId": "Z123",
# "ChangeBatch": batch} against the input shape of Route 53's
# ChangeResourceRecordSets in botocore's service model: botocore's
# ParamValidator (types, required members, unknown members, minimums), and,
# since botocore leaves them to the service, the model's maximums, lengths
# and enums.  Then the batch is a set of weighted records: one name and
# type, distinct set identifiers, weights adding up to 255 (or all 0).
# With WEIGHTS (a weights CSV of the same ticks, no header), each Weight is
# the POP's share of 255, rounded, and 0 for an open breaker.
validate_route53() {
	run "$PY" - "$@" <<'EOF'
import csv, json, sys
import botocore.session, botocore.validate

shape = botocore.session.get_session().get_service_model("route53") \
    .operation_model("ChangeResourceRecordSets").input_shape
validator = botocore.validate.ParamValidator()

def limits(value, shape, path, errors):
    meta = shape.metadata
    t = shape.type_name
    if t == "structure":
        for k, v in value.items():
            if k in shape.members:
                limits(v, shape.members[k], path + "." + k, errors)
    elif t == "list":
        if "max" in meta and len(value) > meta["max"]:
            errors.append("%s: %d items, at most %d" % (path, len(value), meta["max"]))
        for i, v in enumerate(value):
            limits(v, shape.member, "%s[%d]" % (path, i), errors)
    elif t == "string":
        if "max" in meta and len(value) > meta["max"]:
            errors.append("%s: %d characters, at most %d" % (path, len(value), meta["max"]))
        if shape.enum and value not in shape.enum:
            errors.append("%s: %r is not one of the enum" % (path, value))
    elif t in ("integer", "long"):
        if "max" in meta and value > meta["max"]:
            errors.append("%s: %d above the maximum %d" % (path, value, meta["max"]))

def check(batch, where):
    params = {"HostedZoneId": "Z123", "ChangeBatch": batch}
    report = validator.validate(params, shape)
    errors = [report.generate_report()] if report.has_errors() else []
    if not errors:
        limits(params, shape, "", errors)
    if not errors:
        rrs = [c["ResourceRecordSet"] for c in batch["Changes"]]
        if len({(r["Name"], r["Type"]) for r in rrs}) != 1:
            errors.append("not one weighted set: %s" % sorted({(r["Name"], r["Type"]) for r in rrs}))
        ids = [r["SetIdentifier"] for r in rrs]
        if len(set(ids)) != len(ids):
            errors.append("repeated SetIdentifier: %s" % ids)
        total = sum(r["Weight"] for r in rrs)
        if total not in (0, 255):
            errors.append("weights add up to %d" % total)
    for e in errors:
        print("%s: %s" % (where, e))
    return not errors

batches = [json.loads(line) for line in open(sys.argv[1])]
ok = all(check(b, "batch %d" % (i + 1)) for i, b in enumerate(batches))
if len(sys.argv) > 2:
    # the weights stream: group, ts -> {pop: (share, breaker)}, in order
    ticks = {}
    for row in csv.reader(open(sys.argv[2])):
        ticks.setdefault((row[1], row[0]), {})[row[2]] = (float(row[4]), row[5])
    if len(ticks) != len(batches):
        print("%d batches for %d group ticks" % (len(batches), len(ticks)))
        ok = False
    for b, (key, pops) in zip(batches, ticks.items()):
        group, ts = key
        if b.get("Comment") != "pcs-route-weights %s %s" % (group, ts):
            print("%s %s: comment %r" % (group, ts, b.get("Comment")))
            ok = False
        got = {c["ResourceRecordSet"]["SetIdentifier"]: c["ResourceRecordSet"]["Weight"] for c in b["Changes"]}
        if set(got) != set(pops):
            print("%s %s: records %s, POPs %s" % (group, ts, sorted(got), sorted(pops)))
            ok = False
        for pop, (share, breaker) in pops.items():
            w = got.get(pop)
            if w is None or abs(w - 255 * share) >= 1 or (breaker == "open" and w != 0):
                print("%s %s %s: Weight %s for share %s (%s)" % (group, ts, pop, w, share, breaker))
                ok = False
print("%d batches" % len(batches))
sys.exit(0 if ok else 1)
EOF
}

# validate_envoy RESOURCES [WEIGHTS]
# Each line of RESOURCES, a ClusterLoadAssignment, field by field against
# Envoy's API (envoy.config.endpoint.v3): known fields only, cluster_name,
# endpoints[].locality, lb_endpoints[].endpoint.address.socket_address
# .{address,port_value}, health_status in the HealthStatus enum,
# load_balancing_weight a whole number >= 1, priority a whole number,
# priorities from 0 without a gap, policy.overprovisioning_factor >= 1.
# With WEIGHTS (a weights CSV of the same ticks, no header): one locality
# per POP, its weight the POP's weight of 1000, or 1 and UNHEALTHY when it
# is 0; an open breaker UNHEALTHY.
validate_envoy() {
	run python3 - "$@" <<'EOF'
import csv, json, sys

CLA = {"cluster_name", "endpoints", "named_endpoints", "policy"}
LOCALITY_LB = {"locality", "metadata", "lb_endpoints", "leds_cluster_locality_config",
               "load_balancing_weight", "priority", "proximity"}
LOCALITY = {"region", "zone", "sub_zone"}
LB_ENDPOINT = {"endpoint", "endpoint_name", "health_status", "metadata", "load_balancing_weight"}
ENDPOINT = {"address", "health_check_config", "hostname", "additional_addresses"}
ADDRESS = {"socket_address", "pipe", "envoy_internal_address"}
SOCKET = {"protocol", "address", "port_value", "named_port", "resolver_name", "ipv4_compat"}
POLICY = {"drop_overloads", "overprovisioning_factor", "endpoint_stale_after", "weighted_priority_health"}
HEALTH = {"UNKNOWN", "HEALTHY", "UNHEALTHY", "DRAINING", "TIMEOUT", "DEGRADED"}
U32 = 2 ** 32 - 1

def whole(v):
    return isinstance(v, int) and not isinstance(v, bool)

def check(cla, where):
    e = []
    def need(cond, msg):
        if not cond:
            e.append(msg)
    def keys(obj, allowed, what):
        need(isinstance(obj, dict), "%s: not an object" % what)
        if isinstance(obj, dict):
            extra = set(obj) - allowed
            need(not extra, "%s: unknown fields %s" % (what, sorted(extra)))
    keys(cla, CLA, "ClusterLoadAssignment")
    need(isinstance(cla.get("cluster_name"), str) and cla["cluster_name"], "cluster_name: not a non-empty string")
    eps = cla.get("endpoints")
    need(isinstance(eps, list) and eps, "endpoints: not a non-empty list")
    prios = set()
    for i, lle in enumerate(eps or []):
        w = "endpoints[%d]" % i
        keys(lle, LOCALITY_LB, w)
        loc = lle.get("locality")
        keys(loc, LOCALITY, w + ".locality")
        for k, v in (loc or {}).items():
            need(isinstance(v, str), "%s.locality.%s: not a string" % (w, k))
        lw = lle.get("load_balancing_weight")
        need(whole(lw) and 1 <= lw <= U32, "%s.load_balancing_weight: %r, want a whole number >= 1" % (w, lw))
        p = lle.get("priority", 0)
        need(whole(p) and 0 <= p <= U32, "%s.priority: %r" % (w, p))
        prios.add(p)
        lbs = lle.get("lb_endpoints")
        need(isinstance(lbs, list) and lbs, w + ".lb_endpoints: not a non-empty list")
        for j, lb in enumerate(lbs or []):
            v = "%s.lb_endpoints[%d]" % (w, j)
            keys(lb, LB_ENDPOINT, v)
            keys(lb.get("endpoint"), ENDPOINT, v + ".endpoint")
            addr = (lb.get("endpoint") or {}).get("address")
            keys(addr, ADDRESS, v + ".endpoint.address")
            sa = (addr or {}).get("socket_address")
            keys(sa, SOCKET, v + ".endpoint.address.socket_address")
            sa = sa or {}
            need(isinstance(sa.get("address"), str) and sa.get("address"), v + ": socket_address.address not a non-empty string")
            need(whole(sa.get("port_value")) and 0 <= sa["port_value"] <= 65535,
                 "%s: socket_address.port_value %r" % (v, sa.get("port_value")))
            need(lb.get("health_status", "UNKNOWN") in HEALTH, "%s.health_status: %r" % (v, lb.get("health_status")))
    need(prios == set(range(len(prios))), "priorities %s do not run from 0 without a gap" % sorted(prios))
    total = {}
    for lle in eps or []:
        if whole(lle.get("load_balancing_weight")):
            total[lle.get("priority", 0)] = total.get(lle.get("priority", 0), 0) + lle["load_balancing_weight"]
    need(all(t <= U32 for t in total.values()), "locality weights of a priority add up past 2^32-1")
    pol = cla.get("policy", {})
    keys(pol, POLICY, "policy")
    of = pol.get("overprovisioning_factor")
    need(whole(of) and 1 <= of <= U32, "policy.overprovisioning_factor: %r" % of)
    for m in e:
        print("%s: %s" % (where, m))
    return not e

res = [json.loads(line) for line in open(sys.argv[1])]
ok = all([check(c, "resource %d" % (i + 1)) for i, c in enumerate(res)])
if len(sys.argv) > 2:
    ticks = {}
    for row in csv.reader(open(sys.argv[2])):
        ticks.setdefault((row[1], row[0]), {})[row[2]] = (int(row[3]), row[5])
    if len(ticks) != len(res):
        print("%d resources for %d group ticks" % (len(res), len(ticks)))
        ok = False
    for c, (key, pops) in zip(res, ticks.items()):
        group, ts = key
        if c.get("cluster_name") != group:
            print("%s %s: cluster_name %r" % (group, ts, c.get("cluster_name")))
            ok = False
        got = {lle["locality"].get("zone"): lle for lle in c.get("endpoints", [])}
        if set(got) != set(pops):
            print("%s %s: localities %s, POPs %s" % (group, ts, sorted(got), sorted(pops)))
            ok = False
            continue
        for pop, (weight, breaker) in pops.items():
            lle = got[pop]
            hs = lle["lb_endpoints"][0].get("health_status")
            want = weight if weight > 0 else 1
            if lle["load_balancing_weight"] != want:
                print("%s %s %s: locality weight %s, weight %d" % (group, ts, pop, lle["load_balancing_weight"], weight))
                ok = False
            if (weight == 0 or breaker == "open") and hs != "UNHEALTHY":
                print("%s %s %s: %s with weight %d (%s)" % (group, ts, pop, hs, weight, breaker))
                ok = False
            if weight > 0 and breaker != "open" and hs != "HEALTHY":
                # Envoy sends a DEGRADED host nothing while enough others are healthy
                print("%s %s %s: %s with weight %d (%s): Envoy would not send it its share" % (group, ts, pop, hs, weight, breaker))
                ok = False
print("%d resources" % len(res))
sys.exit(0 if ok else 1)
EOF
}

# --- (a) HAProxy ----------------------------------------------------------------

@test "haproxy: the commands for testdata/health.csv applied through the admin socket; the weights read back are the CSV's, scaled to 256" {
	need_haproxy
	start_haproxy web ams fra iad par
	pcs-route-weights -f haproxy testdata/health.csv >"$BATS_TEST_TMPDIR/cmds"
	pcs-route-weights --no-header testdata/health.csv >"$BATS_TEST_TMPDIR/w.csv"
	send "$BATS_TEST_TMPDIR/cmds"
	compare_haproxy "$BATS_TEST_TMPDIR/w.csv" "$BATS_TEST_TMPDIR/cmds" web
	# and one server asked directly: par, the active shadow, 0.316 of 256
	run admin 'get weight web/par'
	assert_line --index 0 '81 (initial 1)'
}

@test "haproxy: an open breaker's server goes to maintenance, the others share 256" {
	need_haproxy
	start_haproxy web a b c
	pcs-route-weights -f haproxy testdata/route/failing/health.csv >"$BATS_TEST_TMPDIR/cmds"
	pcs-route-weights --no-header testdata/route/failing/health.csv >"$BATS_TEST_TMPDIR/w.csv"
	send "$BATS_TEST_TMPDIR/cmds"
	compare_haproxy "$BATS_TEST_TMPDIR/w.csv" "$BATS_TEST_TMPDIR/cmds" web
	run servers web
	assert_output "$(printf '%s\n' 'a 0 128' 'b 1 1' 'c 0 128')"
	# the comparison catches a weight HAProxy holds but was not sent
	admin 'set server web/a weight 100' >/dev/null
	run compare_haproxy "$BATS_TEST_TMPDIR/w.csv" "$BATS_TEST_TMPDIR/cmds" web
	assert_failure
	assert_output --partial 'a: haproxy weight 100, sent 128'
}

@test "haproxy: the recovery run by run: maint while open, ready with the probe weight while half_open, ready again when closed" {
	local f n i ticks
	need_haproxy
	start_haproxy web a b c
	split_ticks recovery
	ticks=("$BATS_TEST_TMPDIR"/tick-*.csv)
	n=${#ticks[@]}
	: >"$BATS_TEST_TMPDIR/b-states"
	for ((i = 1; i <= n; i++)); do
		f=$(printf '%s/tick-%03d.csv' "$BATS_TEST_TMPDIR" "$i")
		pcs-route-weights -f haproxy --state "$BATS_TEST_TMPDIR/hap.json" "$f" >"$BATS_TEST_TMPDIR/cmds" ||
			fail "run $i -f haproxy failed"
		pcs-route-weights --no-header --state "$BATS_TEST_TMPDIR/csv.json" "$f" >"$BATS_TEST_TMPDIR/w.csv" ||
			fail "run $i failed"
		send "$BATS_TEST_TMPDIR/cmds"
		compare_haproxy "$BATS_TEST_TMPDIR/w.csv" "$BATS_TEST_TMPDIR/cmds" web
		servers web | awk '$1 == "b" { print ($2 % 2 ? "maint" : "ready"), $3 }' >>"$BATS_TEST_TMPDIR/b-states"
	done
	# b: ready 85 (1/3 of 256) x6, falling with its errors, then maint while
	# open, 13 (0.05 of 256) while half_open, and back up
	run sh -c "cut -d' ' -f1 '$BATS_TEST_TMPDIR/b-states' | uniq -c | awk '{ print \$1, \$2 }'"
	assert_output "$(printf '%s\n' '9 ready' '3 maint' '14 ready')"
	run sed -n '13,16p' "$BATS_TEST_TMPDIR/b-states"
	assert_output "$(printf '%s\n' 'ready 13' 'ready 13' 'ready 13' 'ready 38')"
}

@test "haproxy: the backend and server columns name HAProxy's own backend and servers" {
	need_haproxy
	start_haproxy be_edge srv_fra srv_par
	printf '%s\n' 'ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,backend,server' \
		'2026-11-25T00:00:00Z,web,fra,600,0,40,0,be_edge,srv_fra' \
		'2026-11-25T00:00:00Z,web,par,200,0,40,0,be_edge,srv_par' >"$BATS_TEST_TMPDIR/h.csv"
	pcs-route-weights -f haproxy "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/cmds"
	send "$BATS_TEST_TMPDIR/cmds"
	# capacity 3:1, all headroom: shares 0.75 and 0.25
	run servers be_edge
	assert_output "$(printf '%s\n' 'srv_fra 0 192' 'srv_par 0 64')"
}

@test "haproxy: the commands are refused for a server HAProxy does not have (so send can fail)" {
	need_haproxy
	start_haproxy web a b
	run admin 'set server web/zzz weight 10'
	refute_output ''
	printf 'set server web/zzz weight 10\n' >"$BATS_TEST_TMPDIR/cmds"
	run send "$BATS_TEST_TMPDIR/cmds"
	assert_failure
}

# --- (b) Route 53 ---------------------------------------------------------------

@test "route53: every change batch of the recovery, tick by tick, fits ChangeResourceRecordSets (botocore) and the weights stream" {
	need_botocore
	pcs-route-weights -f route53 --each-tick testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/b.ndjson"
	pcs-route-weights --each-tick --no-header testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/w.csv"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/w.csv"
	assert_success
	assert_output '26 batches'
}

@test "route53: testdata/health.csv, and with --r53-name, --r53-type A, --r53-ttl 0 and the record columns" {
	need_botocore
	pcs-route-weights -f route53 --each-tick testdata/health.csv >"$BATS_TEST_TMPDIR/b.ndjson"
	pcs-route-weights --each-tick --no-header testdata/health.csv >"$BATS_TEST_TMPDIR/w.csv"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/w.csv"
	assert_success
	assert_output '30 batches'
	pcs-route-weights -f route53 --r53-name www.example.com. --r53-type A --r53-ttl 0 testdata/health.csv \
		>"$BATS_TEST_TMPDIR/b.ndjson"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_success
	printf '%s\n' 'ts,group,pop,capacity_rps,latency_ms,error_rate,record_name,record_type,record_value' \
		'2026-11-25T00:00:00Z,web,fra,500,40,0,www.example.com.,AAAA,2001:db8::1' \
		'2026-11-25T00:00:00Z,web,par,500,40,0,www.example.com.,AAAA,2001:db8::2' >"$BATS_TEST_TMPDIR/h.csv"
	pcs-route-weights -f route53 "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/b.ndjson"
	pcs-route-weights --no-header "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/w.csv"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/w.csv"
	assert_success
}

@test "route53: the validator fails broken batches: Weight 300 (above the model's 255), Weight -1, no Action, Type BOGUS" {
	need_botocore
	local good
	good=$(pcs-route-weights -f route53 testdata/route/failing/health.csv)
	printf '%s\n' "$good" >"$BATS_TEST_TMPDIR/good.ndjson"
	validate_route53 "$BATS_TEST_TMPDIR/good.ndjson"
	assert_success
	# botocore's ParamValidator checks minimums only; the maximum comes from the model
	printf '%s\n' "${good/\"Weight\":128/\"Weight\":300}" >"$BATS_TEST_TMPDIR/b.ndjson"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_failure
	assert_line --index 0 --partial 'Weight: 300 above the maximum 255'
	printf '%s\n' "${good/\"Weight\":0/\"Weight\":-1}" >"$BATS_TEST_TMPDIR/b.ndjson"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_failure
	assert_line --index 0 --partial 'valid min value: 0'
	printf '%s\n' "${good/\"Action\":\"UPSERT\",/}" >"$BATS_TEST_TMPDIR/b.ndjson"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_failure
	assert_line --index 0 --partial 'Missing required parameter'
	printf '%s\n' "${good//\"CNAME\"/\"BOGUS\"}" >"$BATS_TEST_TMPDIR/b.ndjson"
	validate_route53 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_failure
	assert_line --index 0 --partial "'BOGUS' is not one of the enum"
}

# --- (c) Envoy EDS ----------------------------------------------------------------

@test "envoy-eds: every ClusterLoadAssignment of the recovery, tick by tick, is a valid resource matching the weights stream" {
	command -v python3 >/dev/null || skip "no python3"
	pcs-route-weights -f envoy-eds --each-tick testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/e.ndjson"
	pcs-route-weights --each-tick --no-header testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/w.csv"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson" "$BATS_TEST_TMPDIR/w.csv"
	assert_success
	assert_output '26 resources'
}

@test "envoy-eds: testdata/health.csv, with the address and port columns and --overprovisioning 100" {
	command -v python3 >/dev/null || skip "no python3"
	pcs-route-weights -f envoy-eds --each-tick testdata/health.csv >"$BATS_TEST_TMPDIR/e.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson"
	assert_success
	assert_output '30 resources'
	printf '%s\n' 'ts,group,pop,capacity_rps,latency_ms,error_rate,address,port' \
		'2026-11-25T00:00:00Z,web,fra,500,40,0,10.0.0.1,8443' \
		'2026-11-25T00:00:00Z,web,par,500,40,0,par.example.net,' >"$BATS_TEST_TMPDIR/h.csv"
	pcs-route-weights -f envoy-eds --overprovisioning 100 "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/e.ndjson"
	pcs-route-weights --no-header "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/w.csv"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson" "$BATS_TEST_TMPDIR/w.csv"
	assert_success
	run jq -c '[.policy.overprovisioning_factor, [.endpoints[].lb_endpoints[0].endpoint.address.socket_address | [.address, .port_value]]]' \
		"$BATS_TEST_TMPDIR/e.ndjson"
	assert_output '[100,[["10.0.0.1",8443],["par.example.net",80]]]'
}

@test "envoy-eds: an active shadow's locality stays in priority 0, so that Envoy gives it the share the weights say" {
	# Envoy sends a lower priority (1) traffic only when priority 0 falls
	# below 100/overprovisioning_factor healthy: par, the active shadow with
	# a third of the traffic of testdata/health.csv, would get none
	command -v jq >/dev/null || skip "no jq"
	run --separate-stderr sh -c 'pcs-route-weights -f envoy-eds testdata/health.csv |
		jq -c "[.endpoints[] | [.locality.zone, .load_balancing_weight, .priority]]"'
	assert_success
	assert_output '[["ams",250,0],["fra",54,0],["iad",380,0],["par",316,0]]'
}

@test "envoy-eds: the validator fails broken resources: weight 0, health OK, a port of 70000, a stray field, priorities 0 and 2" {
	command -v python3 >/dev/null || skip "no python3"
	local good
	good=$(pcs-route-weights -f envoy-eds testdata/route/failing/health.csv)
	printf '%s\n' "$good" >"$BATS_TEST_TMPDIR/good.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/good.ndjson"
	assert_success
	printf '%s\n' "${good/\"load_balancing_weight\":1,/\"load_balancing_weight\":0,}" >"$BATS_TEST_TMPDIR/e.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson"
	assert_failure
	assert_line --index 0 --partial 'load_balancing_weight: 0, want a whole number >= 1'
	printf '%s\n' "${good/\"UNHEALTHY\"/\"OK\"}" >"$BATS_TEST_TMPDIR/e.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson"
	assert_failure
	assert_line --index 0 --partial "health_status: 'OK'"
	printf '%s\n' "${good/\"port_value\":80/\"port_value\":70000}" >"$BATS_TEST_TMPDIR/e.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson"
	assert_failure
	assert_line --index 0 --partial 'port_value 70000'
	printf '%s\n' "${good/\"priority\":0\}/\"priority\":0,\"weight\":3\}}" >"$BATS_TEST_TMPDIR/e.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson"
	assert_failure
	assert_line --index 0 --partial "unknown fields ['weight']"
	printf '%s\n' "${good/\"priority\":0/\"priority\":2}" >"$BATS_TEST_TMPDIR/e.ndjson"
	validate_envoy "$BATS_TEST_TMPDIR/e.ndjson"
	assert_failure
	assert_line --index 0 --partial 'do not run from 0 without a gap'
}
