# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash disable=SC2317
#
# The debug lane's steps in the emulated host: staged by lane.sh as
# /lane/hooks/hooks.sh and sourced by /init (tools/lanes/guest/init), whose
# say, case_result and kmsg it uses.  Reports go to ttyS1 like the tests'.

KUNIT_DIR=/sys/kernel/debug/kunit
KMEMLEAK=/sys/kernel/debug/kmemleak

# One suite's debugfs results as a program of its own: the cases (KTAP,
# indented one level) become TAP lines; the suite line decides the exit
# status, so a failure outside any case still fails.
kunit_suite() {
	local suite=$1 rc=0

	say prog-begin kunit "$suite"
	awk '
		/^    (not )?ok [0-9]+ |^    1\.\.[0-9]+$/ { print substr($0, 5); next }
		/^    (KTAP version|# Subtest:)/ { next }
		/^    / { line = $0; sub(/^ *(# )?/, "", line); print "# " line }
	' "$KUNIT_DIR/$suite/results"
	grep -q "^ok 1 $suite\$" "$KUNIT_DIR/$suite/results" || rc=1
	say prog-end "$rc"
}

# KUnit runs a module's suites while insmod loads it; their results stay in
# debugfs until rmmod.  The suites are the directories insmod added.
lane_hook_begin() {
	local dir suite n=0

	[ -f /lane/hooks/kvmod_kunit.ko ] || return 0
	say target kunit
	kmsg "kunit: load kvmod_kunit.ko"
	ls "$KUNIT_DIR" >/tmp/kunit.before 2>/dev/null
	if ! insmod /lane/hooks/kvmod_kunit.ko; then
		case_result fail "insmod kvmod_kunit.ko"
		return
	fi
	case_result ok "insmod kvmod_kunit.ko"
	for dir in "$KUNIT_DIR"/*/; do
		suite=$(basename "$dir")
		! grep -qx "$suite" /tmp/kunit.before || continue
		kunit_suite "$suite"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || case_result fail "kvmod_kunit.ko registered no suite"
	if rmmod kvmod_kunit; then
		case_result ok "rmmod kvmod_kunit"
	else
		case_result fail "rmmod kvmod_kunit"
	fi
}

# One scan of all memory (seconds to minutes under TCG), in the background
# so that the host's watchdog keeps seeing progress.
kmemleak_scan_once() {
	local when=$1 pid rc=0

	echo scan >"$KMEMLEAK" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		SCAN_SECS=$((SCAN_SECS + 1))
		[ $((SCAN_SECS % 30)) -ne 0 ] ||
			say progress "kmemleak scan $when: ${SCAN_SECS}s"
	done
	wait "$pid" || rc=$?
	return $rc
}

# kmemleak_check WHEN: report every object kmemleak finds unreferenced.
# Two scans: kmemleak holds back an object whose contents changed since
# the scan before (its first scan always counts as a change), so a leak
# shows only at the second scan after it happened.  Reported leaks are
# cleared, so the next check shows only new ones.
kmemleak_check() {
	local when=$1 n

	SCAN_SECS=0
	kmsg "kmemleak scan $when"
	if [ ! -w "$KMEMLEAK" ]; then
		case_result fail "kmemleak scan $when: no $KMEMLEAK"
		return
	fi
	if ! kmemleak_scan_once "$when" || ! kmemleak_scan_once "$when"; then
		case_result fail "kmemleak scan $when: the scan failed"
		return
	fi
	cat "$KMEMLEAK" >/tmp/kmemleak.report
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.report)
	if [ "$n" -eq 0 ]; then
		case_result ok "kmemleak scan $when (${SCAN_SECS}s): no leak"
	else
		case_result fail "kmemleak scan $when: $n unreferenced object(s)"
		cat /tmp/kmemleak.report
		echo clear >"$KMEMLEAK"
	fi
}

lane_hook_tested() {
	kmemleak_check "after $1's tests"
}

# lockdep switches itself off for good after its first report or a taint
# such as KASAN's; then it would stay silent about everything after.
lockdep_check() {
	if grep -q '^ *debug_locks: *1$' /proc/lockdep_stats 2>/dev/null; then
		case_result ok "lockdep still checking"
	else
		case_result fail "lockdep switched off: $(grep debug_locks \
			/proc/lockdep_stats 2>&1)"
	fi
}

lane_hook_unloaded() {
	kmemleak_check "after rmmod $1"
	lockdep_check
}
