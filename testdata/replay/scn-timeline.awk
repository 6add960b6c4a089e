# Check a pcs-replay --timeline (CSV with its header, --epoch) against the
# contract (pcs-replay(1), Timeline; lib/pcs_sim.h), for the topology it
# was replayed on:
#
#   awk -F, [-v step=60] [-v fail=POP@FROM..TO] -f scn-timeline.awk TOPOLOGY TIMELINE
#
# (FROM and TO in Unix seconds.)  Per row: 0 <= share <= 1, routed = demand
# x share, 0 <= served <= min(routed, capacity), dropped = routed - served,
# ready <= instances, capacity = ready x instance_rps unless failed, a failed
# POP has no capacity and serves nothing, and failed is set exactly in the
# failure window; a policy holds at most max_instances on a primary and
# max_instances - instances (active and warm) on a secondary; static holds
# the primaries' instances and nothing on secondaries.  Per tick, policy and
# group: every POP of the group once, in bytewise order; the shares sum to 1
# (or 0 when nothing is usable); served + dropped = demand x the shares' sum
# (demand left unrouted is on no row); every policy sees the same demand.
# The groups come one after another in bytewise order, and a group's ticks
# step apart.
#
# Prints each problem (exit 1), or else one line per policy of totals over
# the timeline, to compare with the summary:
#   policy ticks offered dropped instance_hours warm_hours cost
# where dropped is demand less what was served (the group's, per tick).

function near(a, b, tol) {
	return a - b <= tol && b - a <= tol
}

function bad(msg) {
	if (++nbad <= 20)
		print "line " FNR ": " msg
}

function flush_tick(   d) {
	if (key == "")
		return
	if (rows[key] != npop[kgroup])
		bad(key ": " rows[key] " POPs, the topology has " npop[kgroup])
	if (!near(sumshare, 1, 1e-6) && !near(sumshare, 0, 1e-6))
		bad(key ": shares sum to " sumshare)
	if (!near(sumsd, kdemand * sumshare, 1e-6 * (1 + kdemand)))
		bad(key ": served + dropped = " sumsd ", demand " kdemand " x shares " sumshare)
	d = (kdemand - sumserved) * step
	dropped[kpolicy] += d
	offered[kpolicy] += kdemand * step
	ticks[kpolicy]++
}

BEGIN {
	if (step == "")
		step = 60
	if (fail != "") {
		split(fail, f, /[@]|[.][.]/)
		fpop = f[1]
		ffrom = f[2] + 0
		fto = f[3] + 0
	}
}

# the topology
FNR == 1 && NR == 1 {
	for (i = 1; i <= NF; i++)
		tc[$i] = i
	next
}
NR == FNR {
	g = $tc["group"]
	p = $tc["pop"]
	npop[g]++
	primary[g, p] = $tc["role"] == "primary"
	irps[g, p] = $tc["instance_rps"]
	inst[g, p] = $tc["instances"]
	room[g, p] = primary[g, p] ? $tc["max_instances"] : $tc["max_instances"] - $tc["instances"]
	cph[g, p] = "cost_per_hour" in tc && $tc["cost_per_hour"] > 0 ? $tc["cost_per_hour"] : 1
	wcf[g, p] = "warm_cost_frac" in tc && $tc["warm_cost_frac"] != "" ? $tc["warm_cost_frac"] : 0.1
	next
}

# the timeline
FNR == 1 {
	if ($0 != "ts,policy,group,pop,demand,routed,capacity,served,dropped,share,instances,ready,warm,failed,breaker")
		bad("unexpected header: " $0)
	next
}
{
	ts = $1; pol = $2; g = $3; p = $4; dem = $5; routed = $6; cap = $7; served = $8
	drop = $9; share = $10; n = $11; ready = $12; warm = $13; failed = $14
	if (!((g, p) in irps)) {
		bad("POP " p " of group " g " is not in the topology")
		next
	}
	if (ts ":" pol ":" g != key) {
		flush_tick()
		key = ts ":" pol ":" g
		kts = ts; kpolicy = pol; kgroup = g; kdemand = dem
		sumshare = sumsd = sumserved = 0
		if ((pol, g) in last && ts != last[pol, g] + step)
			bad(key ": " ts - last[pol, g] " s after the tick before, not " step)
		if (g != lastgroup) {
			if (g in groupdone || (lastgroup != "" && g < lastgroup))
				bad(key ": group " g " after group " lastgroup)
			groupdone[lastgroup] = 1
			lastgroup = g
		}
		lastpop = ""
		last[pol, g] = ts
		if ((ts, g) in demand_at && demand_at[ts, g] != dem)
			bad(key ": demand " dem ", another policy saw " demand_at[ts, g])
		demand_at[ts, g] = dem
	}
	if (seen[ts, pol, g, p]++)
		bad(key ": POP " p " twice")
	else if (p <= lastpop)
		bad(key ": POP " p " after " lastpop)
	lastpop = p
	rows[key]++
	sumshare += share
	sumsd += served + drop
	sumserved += served
	if (share < 0 || share > 1 + 1e-9)
		bad(key " " p ": share " share)
	if (!near(routed, dem * share, 1e-6 * (1 + dem)))
		bad(key " " p ": routed " routed ", demand x share " dem * share)
	if (served < 0 || served > routed + 1e-6 * (1 + routed) || served > cap + 1e-6 * (1 + cap))
		bad(key " " p ": served " served " of routed " routed ", capacity " cap)
	if (!near(drop, routed - served, 1e-6 * (1 + routed)))
		bad(key " " p ": dropped " drop ", routed - served " routed - served)
	if (ready < 0 || ready > n || warm < 0)
		bad(key " " p ": instances " n ", ready " ready ", warm " warm)
	if (failed != 0 && failed != 1)
		bad(key " " p ": failed " failed)
	if (failed && (cap != 0 || served != 0))
		bad(key " " p ": failed, but capacity " cap " and served " served)
	if (!failed && !near(cap, ready * irps[g, p], 1e-6 * (1 + cap)))
		bad(key " " p ": capacity " cap ", ready x instance_rps " ready * irps[g, p])
	if (fail != "" && failed != (p == fpop && ts >= ffrom && ts < fto))
		bad(key " " p ": failed " failed " outside or inside the failure " fail)
	if (n + warm > room[g, p])
		bad(key " " p ": " n " + " warm " warm instances, room for " room[g, p])
	if (pol == "static" && (n != (primary[g, p] ? inst[g, p] : 0) || warm != 0))
		bad(key " " p ": static holds " n " (+" warm " warm)")
	ihours[pol] += n * step / 3600
	whours[pol] += warm * step / 3600
	cost[pol] += (n + warm * wcf[g, p]) * cph[g, p] * step / 3600
	if (!(pol in order))
		order[pol] = ++npol
}

END {
	flush_tick()
	if (nbad) {
		if (nbad > 20)
			print nbad - 20 " more"
		exit 1
	}
	for (pol in order)
		byorder[order[pol]] = pol
	for (i = 1; i <= npol; i++) {
		pol = byorder[i]
		printf "%s %d %.10g %.10g %.10g %.10g %.10g\n", pol, ticks[pol], offered[pol], dropped[pol],
			ihours[pol], whours[pol], cost[pol]
	}
}
