#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kvmod.ko against the lane kernel's headers (or $KDIR) and the kvmod selftests,
# then stage the test programs in $OUT_DIR/suites/kvmod/ for run-lane.sh.
# Any build failure stops here, loudly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SELFTESTS=$REPO_DIR/tools/testing/selftests/kvmod

build_module() {
	local kdir=$1

	log "building kvmod.ko against $kdir"
	make -C "$REPO_DIR" -j"$(nproc)" KDIR="$kdir" modules ||
		die "kvmod.ko build FAILED"
	[[ -f $REPO_DIR/kvmod.ko ]] || die "make succeeded but no kvmod.ko"
}

# The selftests Makefile lists its programs with 'make -s print-progs'.
build_selftests() {
	local suite=$OUT_DIR/suites/kvmod progs p

	rm -rf "$suite"
	mkdir -p "$suite"
	if [[ ! -f $SELFTESTS/Makefile ]]; then
		log "no $SELFTESTS/Makefile: no kvmod selftests staged"
		return 0
	fi
	log "building the kvmod selftests"
	make -C "$SELFTESTS" -j"$(nproc)" || die "selftests build FAILED"
	progs=$(make -s -C "$SELFTESTS" print-progs 2>/dev/null) || {
		log "selftests Makefile has no print-progs: none staged"
		return 0
	}
	for p in $progs; do
		[[ -x $SELFTESTS/$p ]] || die "selftest $p was not built"
		cp "$SELFTESTS/$p" "$suite/"
		echo "$p" >>"$suite/.lane-progs"
	done
	log "staged $(wc -w <<<"$progs") selftest program(s) in $suite"
}

main() {
	local kdir=${KDIR:-} KVER VMLINUZ MODDIR KDIR

	eval "$("$LANES_DIR/kernel.sh")"
	build_module "${kdir:-$KDIR}"
	build_selftests
}

main "$@"
