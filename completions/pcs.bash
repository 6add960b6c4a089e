# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for the pcs tools (pcs-forecast, pcs-risk, pcs-shadow-plan,
# pcs-route-weights, pcs-replay, pcs-retrain).
#
# One file serves every tool: each tool has a _pcs_TOOL function that knows
# its options and the values they take, and a complete line at the end.
# The options that every tool shares are completed by _pcs_common.  Works
# with or without the bash-completion package.

# Offer the words of $1 that start with $cur.
_pcs_reply() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

# Offer the words of $1 as the next item of the comma-separated list in
# $cur, after the items already there.
_pcs_reply_list() {
	local done=
	case $cur in
	*,*) done=${cur%,*}, ;;
	esac
	mapfile -t COMPREPLY < <(compgen -P "$done" -W "$1" -- "${cur##*,}")
	compopt -o nospace 2>/dev/null
}

# Offer file names as the next item of the comma-separated list in $cur
# (-m A.json,B.json, --ab A.json,B.json).
_pcs_file_list() {
	local done=
	case $cur in
	*,*) done=${cur%,*}, ;;
	esac
	mapfile -t COMPREPLY < <(compgen -P "$done" -f -- "${cur##*,}")
}

# Offer file names.
_pcs_files() {
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

# Offer the options of $1 that start with $cur; an option that ends in "="
# takes a value, so no space is put after it.
_pcs_options() {
	_pcs_reply "$1"
	if [ "${#COMPREPLY[@]}" -eq 1 ] && [ "${COMPREPLY[0]%=}" != "${COMPREPLY[0]}" ]; then
		compopt -o nospace 2>/dev/null
	fi
}

# Set cur to the word being completed and opt to the word before it, the
# option whose value cur may be; bash splits --opt=value into three words.
_pcs_words() {
	local prev=
	cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" -gt 0 ]; then
		prev=${COMP_WORDS[COMP_CWORD-1]}
	fi
	opt=$prev
	if [ "$cur" = = ]; then
		cur=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
		opt=${COMP_WORDS[COMP_CWORD-2]}
	fi
}

# Options of every tool (pcs(7), Conventions).
_pcs_common_options='-h --help -V --version -i --input-format= -o
    --output-format= --epoch --max-keys= --no-header --skip-bad'

# Complete the value of an option that every tool shares; fail when opt is
# not one of them.
_pcs_common() {
	case $opt in
	-i | --input-format | -o | --output-format)
		_pcs_reply 'csv ndjson'
		;;
	--max-keys)
		_pcs_reply '100000 1000000 0'
		;;
	*)
		return 1
		;;
	esac
}

# The values of the options pcs-forecast and pcs-retrain share for reading
# a history: 0 when $opt is one of them.
_pcs_history_values() {
	case $opt in
	-j | --jobs) _pcs_reply '1 2 4 8' ;;
	--step) _pcs_reply '1m 5m 15m 1h' ;;
	--window) _pcs_reply '1w 2w 4w 8w' ;;
	*) return 1 ;;
	esac
}

_pcs_forecast() {
	local cur opt
	COMPREPLY=()
	_pcs_words
	_pcs_common && return
	_pcs_history_values && return
	case $opt in
	-H | --horizons)
		_pcs_reply '5m,15m,30m 1h..48h 1h..24h/1h'
		return
		;;
	-q | --quantiles)
		_pcs_reply '0.5,0.9,0.95,0.99 0.025,0.5,0.975'
		return
		;;
	--model)
		_pcs_reply 'auto ensemble ets mstl reg snaive'
		return
		;;
	-m | --model-file)
		_pcs_file_list
		return
		;;
	-e | --events)
		_pcs_files
		return
		;;
	--transform)
		_pcs_reply 'none log boxcox'
		return
		;;
	--arm-split)
		_pcs_reply '0.1 0.2 0.5'
		return
		;;
	--shard)
		_pcs_reply '1/2 2/2 1/4 2/4 3/4 4/4'
		return
		;;
	--anomaly-threshold)
		_pcs_reply '0.999 0.9995 0.9999'
		return
		;;
	esac
	case $cur in
	-?*)
		_pcs_options "$_pcs_common_options -e --events= -H --horizons= -j --jobs= -m
		    --model-file= -q --quantiles= --anomaly-threshold= --arm-split=
		    --model= --no-onset --score --shard= --step= --strict --sum-duplicates
		    --transform= --window="
		;;
	*)
		_pcs_files
		;;
	esac
}

_pcs_risk() {
	local cur opt
	COMPREPLY=()
	_pcs_words
	_pcs_common && return
	case $opt in
	-c | --capacity)
		_pcs_files
		return
		;;
	--cuts)
		_pcs_reply '0.05,0.2,0.5 0.01,0.1,0.3'
		return
		;;
	--util-limit)
		_pcs_reply '1 0.9 0.8'
		return
		;;
	esac
	case $cur in
	-?*)
		_pcs_options "$_pcs_common_options -c --capacity= --cuts= --current
		    --no-derate --util-limit="
		;;
	*)
		_pcs_files
		;;
	esac
}

# The values of the shadow planner's options (pcs-shadow-plan, pcs-replay);
# status 0 when the option $opt is one of them.
_pcs_shadow_values() {
	case $opt in
	--activate-on) _pcs_reply 'p50 p99' ;;
	--warm-at) _pcs_reply '0.05 0.1 0.2' ;;
	--release-below) _pcs_reply '0.01 0.02 0.05' ;;
	--reserve) _pcs_reply '0 0.1 0.2 0.3' ;;
	--activate-within) _pcs_reply '0 5m 15m 30m' ;;
	--cooldown) _pcs_reply '5m 10m 30m' ;;
	--min-dwell) _pcs_reply '1m 5m 15m' ;;
	--drain) _pcs_reply '1m 2m 5m' ;;
	*) return 1 ;;
	esac
}

_pcs_shadow_plan() {
	local cur opt
	COMPREPLY=()
	_pcs_words
	_pcs_common && return
	_pcs_shadow_values && return
	case $opt in
	-t | --topology | --state)
		_pcs_files
		return
		;;
	-f | --format)
		_pcs_reply 'plan kubectl aws-asg'
		return
		;;
	--wait)
		_pcs_reply '10s 30s 1m'
		return
		;;
	--now)
		_pcs_reply "$(date +%s 2>/dev/null)"
		return
		;;
	esac
	case $cur in
	-?*)
		_pcs_options "$_pcs_common_options -f --format= -t --topology=
		    --activate-on= --activate-within= --cooldown= --drain= --dry-run
		    --min-dwell= --now= --release-below= --reserve= --state= --summary
		    --wait= --warm-at="
		;;
	*)
		_pcs_files
		;;
	esac
}

_pcs_route_weights() {
	local cur opt
	COMPREPLY=()
	_pcs_words
	_pcs_common && return
	case $opt in
	--state | --plan)
		_pcs_files
		return
		;;
	-f | --format)
		_pcs_reply 'csv ndjson envoy-eds route53 haproxy'
		return
		;;
	--wait)
		_pcs_reply '5s 10s 30s'
		return
		;;
	--pick)
		_pcs_reply '1 10 100 1000'
		return
		;;
	--seed)
		_pcs_reply '1 42'
		return
		;;
	--capacity-weight)
		_pcs_reply '0 0.25 0.5 0.75 1'
		return
		;;
	--latency-power)
		_pcs_reply '0 0.5 1 2'
		return
		;;
	--shadow-bonus)
		_pcs_reply '0 0.1 0.2 0.3'
		return
		;;
	--latency-tau)
		_pcs_reply '10s 30s 1m'
		return
		;;
	--max-step)
		_pcs_reply '0.05 0.1 0.2 1'
		return
		;;
	--window)
		_pcs_reply '30s 60s 2m 5m'
		return
		;;
	--min-requests)
		_pcs_reply '10 20 100'
		return
		;;
	--error-threshold | --slow-threshold)
		_pcs_reply '0.25 0.5 0.75'
		return
		;;
	--slow-ms)
		_pcs_reply '250 500 1000 2000'
		return
		;;
	--sleep)
		_pcs_reply '10s 30s 1m'
		return
		;;
	--max-sleep)
		_pcs_reply '1m 5m 10m'
		return
		;;
	--probe-share)
		_pcs_reply '0.01 0.05 0.1'
		return
		;;
	--probe-successes)
		_pcs_reply '1 3 5'
		return
		;;
	--max-ejection)
		_pcs_reply '0.1 0.25 0.5 1'
		return
		;;
	--overprovisioning)
		_pcs_reply '100 140 200'
		return
		;;
	--r53-name)
		return
		;;
	--r53-type)
		_pcs_reply 'CNAME A AAAA'
		return
		;;
	--r53-ttl)
		_pcs_reply '30 60 300'
		return
		;;
	esac
	case $cur in
	-?*)
		_pcs_options "$_pcs_common_options -f --format= --capacity-weight=
		    --each-tick --error-threshold= --latency-power= --latency-tau=
		    --max-ejection= --max-sleep= --max-step= --min-requests=
		    --overprovisioning= --peak-ewma --pick= --plan= --probe-share=
		    --probe-successes= --r53-name= --r53-ttl= --r53-type= --seed=
		    --shadow-bonus= --sleep= --slow-ms= --slow-threshold= --state=
		    --wait= --window="
		;;
	*)
		_pcs_files
		;;
	esac
}

_pcs_replay() {
	local cur opt
	COMPREPLY=()
	_pcs_words
	_pcs_common && return
	_pcs_shadow_values && return
	case $opt in
	-t | --topology | --timeline | --actions | --plot)
		_pcs_files
		return
		;;
	-p | --policy)
		_pcs_reply_list 'static reactive predictive-scale predictive oracle'
		return
		;;
	-H | --horizons)
		_pcs_reply '5m,15m,30m 5m..1h 15m,1h'
		return
		;;
	-q | --quantiles)
		_pcs_reply '0.5,0.9,0.95,0.99 0.5,0.99'
		return
		;;
	--model)
		_pcs_reply 'auto ensemble ets mstl reg snaive'
		return
		;;
	--warmup)
		_pcs_reply '1d 2d 7d'
		return
		;;
	--refit)
		_pcs_reply '0 1h 6h 1d'
		return
		;;
	--window)
		_pcs_reply '1w 2w 4w 8w'
		return
		;;
	--step)
		_pcs_reply '1m 5m 15m 1h'
		return
		;;
	--hpa-target)
		_pcs_reply '0.5 0.6 0.7 0.8'
		return
		;;
	--hpa-tolerance)
		_pcs_reply '0 0.05 0.1'
		return
		;;
	--stabilization)
		_pcs_reply '0 1m 5m 10m'
		return
		;;
	--min-replicas)
		_pcs_reply '0 1 2'
		return
		;;
	--buffer)
		_pcs_reply '0 5m 10m 15m'
		return
		;;
	--provision-level)
		_pcs_reply '0 0.95 0.99'
		return
		;;
	--provision-target)
		_pcs_reply '0.8 0.9 1'
		return
		;;
	--provision-hold)
		_pcs_reply 'boot 0 1m 3m'
		return
		;;
	--provision-budget)
		_pcs_reply '0 1.1 1.15 1.2'
		return
		;;
	--slo-drop)
		_pcs_reply '0 0.001 0.01'
		return
		;;
	--shadow-bonus)
		_pcs_reply '0 0.1 0.2 0.3'
		return
		;;
	--fail | --plot-range)
		return
		;;
	esac
	case $cur in
	-?*)
		_pcs_options "$_pcs_common_options -H --horizons= -p --policy= -q
		    --quantiles= -t --topology= --actions= --activate-on=
		    --activate-within= --auto-topology --buffer= --cooldown= --drain=
		    --fail= --hpa-target= --hpa-tolerance= --min-dwell= --min-replicas=
		    --model= --no-current --plot= --plot-range= --pretty
		    --provision-budget= --provision-hold= --provision-level=
		    --provision-target= --refit=
		    --release-below= --reserve= --shadow-bonus= --slo-drop=
		    --stabilization= --step= --timeline= --warm-at= --warmup= --window="
		;;
	*)
		_pcs_files
		;;
	esac
}

_pcs_retrain() {
	local cur opt
	COMPREPLY=()
	_pcs_words
	_pcs_common && return
	_pcs_history_values && return
	case $opt in
	--report | --out | --update | --ab-log | --drift)
		_pcs_files
		return
		;;
	--ab)
		_pcs_file_list
		return
		;;
	-H | --horizons)
		_pcs_reply '5m,15m,30m 1h..48h 1h..24h/1h'
		return
		;;
	-q | --quantiles)
		_pcs_reply '0.025,0.1,0.5,0.9,0.975 0.025,0.5,0.975'
		return
		;;
	--models)
		_pcs_reply_list 'snaive ets'
		return
		;;
	--seasons)
		_pcs_reply_list 'auto none daily weekly daily+weekly'
		return
		;;
	--trends)
		_pcs_reply_list 'damped linear none'
		return
		;;
	--transforms)
		_pcs_reply_list 'none log boxcox'
		return
		;;
	--windows)
		_pcs_reply_list 'default 1d 2d 1w'
		return
		;;
	--quantile-methods)
		_pcs_reply_list 'conformal flat normal'
		return
		;;
	--criterion)
		_pcs_reply 'mase smape pinball msis'
		return
		;;
	--origins)
		_pcs_reply '50 100 200'
		return
		;;
	--every)
		_pcs_reply '5m 15m 1h'
		return
		;;
	--alpha)
		_pcs_reply '0.01 0.05 0.1'
		return
		;;
	--drift-ratio)
		_pcs_reply '1.25 1.5 2'
		return
		;;
	--min-samples)
		_pcs_reply '20 50 100'
		return
		;;
	--name | --arms)
		return
		;;
	esac
	case $cur in
	-?*)
		_pcs_options "$_pcs_common_options -H --horizons= -j --jobs= -q
		    --quantiles= --ab= --ab-log= --alpha= --arms= --capacity
		    --criterion= --drift= --drift-ratio= --every= --global
		    --min-samples= --models= --name= --origins= --out=
		    --quantile-methods= --report= --seasons= --step=
		    --sum-duplicates --transforms= --trends= --update= --window=
		    --windows="
		;;
	*)
		_pcs_files
		;;
	esac
}

complete -F _pcs_forecast pcs-forecast
complete -F _pcs_risk pcs-risk
complete -F _pcs_shadow_plan pcs-shadow-plan
complete -F _pcs_route_weights pcs-route-weights
complete -F _pcs_replay pcs-replay
complete -F _pcs_retrain pcs-retrain
