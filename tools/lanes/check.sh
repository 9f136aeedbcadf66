#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make check': install what is missing, fetch the lane kernel, build
# kvmod.ko and the selftests, run every lane against kvmod and the real KVM,
# and close with the total "N passed, N failed, N skipped".
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

# run_lane NAME ARGS...: one boot; a lane that dies before counting is a
# failure of its own.
run_lane() {
	local name=$1 counts

	shift
	counts=$(mktemp)
	echo "== lane $name: run-lane.sh $*"
	"$LANES_DIR/run-lane.sh" --counts "$counts" "$@" || true
	if [[ -s $counts ]]; then
		add_counts "$counts"
	else
		echo "not ok - lane $name did not complete"
		FAILED=$((FAILED + 1))
	fi
	rm -f "$counts"
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
	run_lane npt --npt on --targets "kvmod kvm"
	echo "== all lanes ($((SECONDS - start))s)"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[[ $FAILED -eq 0 ]]
}

main "$@"
