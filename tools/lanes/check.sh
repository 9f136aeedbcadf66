#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make check': install what is missing, fetch the lane kernel, build
# kvmod.ko and the selftests, run the host unit tests and every lane against
# kvmod and the real KVM, and close with the total
# "N passed, N failed, N skipped".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PASSED=0
FAILED=0
SKIPPED=0

add_counts() {
	local p f s

	read -r p f s <"$1"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + s))
}

# run_counted WHAT CMD ARGS...: a stage that writes "passed failed skipped"
# to the file named by --counts; one that dies before counting is a
# failure of its own.
run_counted() {
	local what=$1 counts

	shift
	counts=$(mktemp)
	"$@" --counts "$counts" || true
	if [[ -s $counts ]]; then
		add_counts "$counts"
	else
		echo "not ok - $what did not complete"
		FAILED=$((FAILED + 1))
	fi
	rm -f "$counts"
}

# run_lane NAME ARGS...: one boot of run-lane.sh.
run_lane() {
	local name=$1

	shift
	echo "== lane $name: run-lane.sh $*"
	run_counted "lane $name" "$LANES_DIR/run-lane.sh" "$@"
}

# Host unit tests: every tools/testing/<dir>/ (but selftests) whose Makefile
# has a 'check' target printing TAP.
run_unit_tests() {
	local dir out rc p f s

	for dir in "$REPO_DIR"/tools/testing/*/; do
		dir=${dir%/}
		[[ ${dir##*/} != selftests && -f $dir/Makefile ]] || continue
		grep -q '^check:' "$dir/Makefile" || continue
		echo "== unit tests: make -C ${dir#"$REPO_DIR"/} check"
		out=$(mktemp)
		rc=0
		make -s -C "$dir" check >"$out" 2>&1 || rc=$?
		p=$(grep -Ec '^ok [0-9]+' "$out" || true)
		s=$(grep -Ec '^ok [0-9]+.*# *[Ss][Kk][Ii][Pp]' "$out" || true)
		f=$(grep -Ec '^not ok [0-9]+' "$out" || true)
		grep -E '^not ok|^# ' "$out" || true
		if [[ $rc -ne 0 && $f -eq 0 ]]; then
			tail -n 20 "$out"
			echo "not ok - ${dir##*/}: make check exit status $rc"
			f=1
		fi
		echo "${dir##*/}: $((p - s)) passed, $f failed, $s skipped"
		PASSED=$((PASSED + p - s))
		FAILED=$((FAILED + f))
		SKIPPED=$((SKIPPED + s))
		rm -f "$out"
	done
}

# The upstream KVM selftests against tools/testing/selftests/upstream-kvm.expect:
# failures are regressions and dishonest skips (tools/lanes/upstream/run.sh).
run_upstream() {
	echo "== upstream KVM selftests"
	run_counted "upstream selftests" "$LANES_DIR/upstream/run.sh"
}

# The debug-kernel lane (tools/lanes/debug-kernel/lane.sh): kvmod's
# selftests and KUnit suites on our KASAN/lockdep/kmemleak kernel, which a
# fresh machine builds once (15-30 minutes) and caches.
run_debug_lane() {
	echo "== lane debug-kernel: debug-kernel/lane.sh"
	run_counted "lane debug-kernel" "$LANES_DIR/debug-kernel/lane.sh"
}

main() {
	local start=$SECONDS

	"$LANES_DIR/setup.sh"
	"$LANES_DIR/kernel.sh" >/dev/null
	if ! "$LANES_DIR/build.sh"; then
		echo "not ok - build"
		echo "0 passed, 1 failed"
		exit 1
	fi
	run_unit_tests
	run_lane npt --npt on --targets "kvmod kvm"
	run_upstream
	run_debug_lane
	echo "== all lanes ($((SECONDS - start))s)"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[[ $FAILED -eq 0 ]]
}

main "$@"
