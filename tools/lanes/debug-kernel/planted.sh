#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# planted.sh [--kernel-dir DIR]: show that the debug lane goes red on each
# bug class it is there to catch.  Builds kvmod_planted.ko
# (tools/testing/debug-lane/planted/) against the debug kernel and runs the
# lane (lane.sh) once per class with that module as the kvmod target and a
# one-program suite that fires the bug:
#
#   uaf   use-after-free        KASAN report
#   lock  lock-order inversion  lockdep report
#   leak  lost allocations      kmemleak report
#
# A class is caught when the lane fails, its "kernel log clean" case fails,
# the trigger itself passed (so the red comes from the detector), and the
# report names the planted bug.  Exits 0 only if all three are caught.
# Not part of 'make check': three boots, about 4 minutes (README).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

CLASSES="uaf lock leak"
WORK_DIR=$OUT_DIR/debug-lane/planted
KERNEL_ARGS=()

# What the report must say, beyond the lane's generic checks.
signature() {
	case $1 in
	uaf) echo 'KASAN: [a-z-]*use-after-free in planted_uaf' ;;
	lock) echo 'possible circular locking dependency' ;;
	leak) echo 'unreferenced object' ;;
	esac
}

# Where the report shows it is the planted bug and not some other one.
culprit() {
	case $1 in
	uaf) echo 'kvmod_planted' ;;
	lock) echo 'planted_[ab]' ;;
	leak) echo 'kvmod-planted-le' ;;
	esac
}

build_module() {
	local KDIR out

	if [[ ${#KERNEL_ARGS[@]} -gt 0 ]]; then
		KDIR=${KERNEL_ARGS[1]}/build
	else
		out=$("$HERE/build.sh" 2>"$WORK_DIR/kernel-build.log") || {
			tail -n 40 "$WORK_DIR/kernel-build.log" >&2
			die "debug kernel build FAILED"
		}
		KDIR=$(sed -n 's/^KDIR=//p' <<<"$out")
	fi
	rm -rf "$WORK_DIR/module"
	cp -r "$REPO_DIR/tools/testing/debug-lane/planted" "$WORK_DIR/module"
	make -s -C "$WORK_DIR/module" KDIR="$KDIR" >"$WORK_DIR/module.log" 2>&1 || {
		cat "$WORK_DIR/module.log" >&2
		die "kvmod_planted.ko build FAILED"
	}
	! grep 'warning:' "$WORK_DIR/module.log" >&2 ||
		die "kvmod_planted.ko build warned"
}

# One program per class; it passes as long as the trigger fires.
make_suite() {
	local c f

	rm -rf "$WORK_DIR/suite"
	mkdir -p "$WORK_DIR/suite"
	for c in $CLASSES; do
		f=$WORK_DIR/suite/planted_$c
		cat >"$f" <<EOF
#!/bin/sh
# The debug lane's planted $c bug (tools/lanes/debug-kernel/planted.sh).
echo 1..1
if echo $c >/sys/kernel/debug/kvmod_planted/trigger; then
	echo "ok 1 planted $c fired"
else
	echo "not ok 1 planted $c did not fire"
fi
# Older than kmemleak's minimum age (5 s) by the scan after the tests, which
# runs while the module is loaded and its symbols resolve.
sleep 6
EOF
		chmod 755 "$f"
		echo "planted_$c" >>"$WORK_DIR/suite/.lane-progs"
	done
}

# run_class CLASS: one lane run; prints "caught" lines or what was missing.
run_class() {
	local c=$1 out=$WORK_DIR/lane-$1.log rc=0 missing=()

	echo "== planted $c: lane.sh --tests planted_$c (log: $out)"
	"$HERE/lane.sh" "${KERNEL_ARGS[@]}" --kvmod-ko "$WORK_DIR/module/kvmod_planted.ko" \
		--suite "planted=$WORK_DIR/suite" --tests "planted_$c" >"$out" 2>&1 || rc=$?
	[[ $rc -ne 0 ]] || missing+=("the lane passed")
	grep -q "^ok [0-9]* kvmod: planted_$c: planted $c fired" "$out" ||
		missing+=("the trigger did not fire")
	grep -Eq '^not ok [0-9]* kernel log clean' "$out" ||
		missing+=("the kernel log check passed")
	grep -Eq "$(signature "$c")" "$out" ||
		missing+=("no '$(signature "$c")' report")
	grep -Eq "$(culprit "$c")" "$out" ||
		missing+=("the report does not name '$(culprit "$c")'")
	# The evidence: the failed cases and the start of the report.
	grep -E '^not ok' "$out" | sed 's/^/   /'
	grep -E -m1 -A12 "$(signature "$c")" "$out" | sed 's/^/   | /'
	if [[ ${#missing[@]} -eq 0 ]]; then
		echo "ok - planted $c: caught, lane red"
		return 0
	fi
	printf 'not ok - planted %s: %s\n' "$c" "$(IFS=';'; echo "${missing[*]}")"
	return 1
}

main() {
	local c caught=0 total=0 start=$SECONDS

	case ${1-} in
	--kernel-dir) KERNEL_ARGS=(--kernel-dir "$(cd "$2" && pwd)") ;;
	"") ;;
	*) echo "usage: ${0##*/} [--kernel-dir DIR]" >&2; exit 2 ;;
	esac
	mkdir -p "$WORK_DIR"
	build_module
	make_suite
	for c in $CLASSES; do
		total=$((total + 1))
		if run_class "$c"; then
			caught=$((caught + 1))
		fi
	done
	echo "$caught of $total planted bug classes caught ($((SECONDS - start))s)"
	[[ $caught -eq $total ]]
}

main "$@"
