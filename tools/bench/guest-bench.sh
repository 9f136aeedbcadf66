# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tools/bench/run.sh, run by the lane's /init once per
# target with the target loaded: "sh /lane/script <kvm|kvmod>".  run.sh
# prepends the settings:
#   BENCH_SCALE       kvmbench -s for the timed round
#   BENCH_EXIT_SCALE  kvmbench -s for the exit-counting pass (0: none)
#   BENCH_TIMEOUT     seconds allowed for one kvmbench run
# Every output line is "bench-out <target> <round> <kvmbench line>"; the
# round counts this target's rounds in this boot.

t=$1
bin=/lane/suites/bench/kvmbench
tr=/sys/kernel/debug/tracing
out=/tmp/bench.out

round=$(cat "/tmp/bench-round.$t" 2>/dev/null || echo 0)
round=$((round + 1))
echo "$round" >"/tmp/bench-round.$t"

# Prefix stdin with this target and round.
emit() {
	sed "s/^/bench-out $t $round /"
}

if [ "$round" = 1 ] && [ ! -f /tmp/bench-host ]; then
	: >/tmp/bench-host
	cs=/sys/devices/system/clocksource/clocksource0/current_clocksource
	echo "bench-host $(uname -r) cpus $(nproc) clock $(cat "$cs")"
fi

# Untimed pass, first round of each target only: VM exits per operation,
# counted by a kprobe on the exit handler (kvm-amd and kvmod both call
# theirs svm_handle_exit).  The kprobe slows exits, so no times from here.
if [ "$round" = 1 ] && [ "${BENCH_EXIT_SCALE:-0}" != 0 ]; then
	mod=kvmod
	[ "$t" = kvm ] && mod=kvm_amd
	if echo "p:bench_exit $mod:svm_handle_exit" >>"$tr/kprobe_events" &&
	    echo 1 >"$tr/events/kprobes/bench_exit/enable"; then
		timeout "$BENCH_TIMEOUT" "$bin" -x -s "$BENCH_EXIT_SCALE" \
			>"$out" 2>&1
		echo "bench-out $t $round exit-pass-status $?"
		grep '^exits ' "$out" | emit
		echo 0 >"$tr/events/kprobes/bench_exit/enable"
		echo "-:bench_exit" >>"$tr/kprobe_events"
	else
		echo "bench-out $t $round exit-pass-status no-kprobe"
	fi
fi

timeout "$BENCH_TIMEOUT" "$bin" -s "$BENCH_SCALE" >"$out" 2>&1
rc=$?
emit <"$out"
echo "bench-out $t $round status $rc"
