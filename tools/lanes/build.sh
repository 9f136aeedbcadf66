#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kvmod.ko against the lane kernel's headers (or $KDIR) and the kvmod
# selftests, then stage the test programs in $OUT_DIR/suites/<suite>/ for
# run-lane.sh (not with --module-only).  Any build failure stops here, loudly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SELFTESTS=$REPO_DIR/tools/testing/selftests

build_module() {
	local kdir=$1

	log "building kvmod.ko against $kdir"
	make -C "$REPO_DIR" -j"$(nproc)" KDIR="$kdir" modules ||
		die "kvmod.ko build FAILED"
	[[ -f $REPO_DIR/kvmod.ko ]] || die "make succeeded but no kvmod.ko"
}

# stage_suite SRC NAME PROGS...: copy built programs into suite NAME.
stage_suite() {
	local src=$1 name=$2 dst=$STAGE/$2 p

	shift 2
	[[ $# -gt 0 ]] || return 0
	mkdir -p "$dst"
	for p in "$@"; do
		[[ -x $src/$p ]] || die "selftest $src/$p was not built"
		cp "$src/$p" "$dst/"
		echo "$p" >>"$dst/.lane-progs"
	done
	log "staged $# program(s) as suite $name"
}

# Every tools/testing/selftests/kvmod*/ directory is one suite.  Its Makefile
# lists the programs with 'make -s print-progs' (and 'print-slow-progs' for
# long ones, staged as suite <name>-slow, which run-lane.sh runs on request).
build_selftests() {
	local dir name progs

	# Others may be running a lane from out/suites: swap in a whole new one.
	STAGE=$(mktemp -d "$OUT_DIR/.suites.XXXXXX")
	chmod 755 "$STAGE"
	for dir in "$SELFTESTS"/kvmod*/; do
		dir=${dir%/}
		name=${dir##*/}
		[[ -f $dir/Makefile ]] || continue
		log "building selftests: $name"
		make -C "$dir" -j"$(nproc)" || die "selftests $name build FAILED"
		if progs=$(make -s -C "$dir" print-progs 2>/dev/null); then
			# shellcheck disable=SC2086
			stage_suite "$dir" "$name" $progs
		else
			log "$name/Makefile has no print-progs: nothing staged"
		fi
		if progs=$(make -s -C "$dir" print-slow-progs 2>/dev/null); then
			# shellcheck disable=SC2086
			stage_suite "$dir" "$name-slow" $progs
		fi
	done
	rm -rf "$OUT_DIR/suites.old"
	if [[ -d $OUT_DIR/suites ]]; then
		mv "$OUT_DIR/suites" "$OUT_DIR/suites.old"
	fi
	mv "$STAGE" "$OUT_DIR/suites"
	rm -rf "$OUT_DIR/suites.old"
}

main() {
	# shellcheck disable=SC2034 # set by kernel.sh's output
	local kdir=${KDIR:-} KVER VMLINUZ MODDIR KDIR

	eval "$("$LANES_DIR/kernel.sh")"
	mkdir -p "$OUT_DIR"
	build_module "${kdir:-$KDIR}"
	[[ ${1:-} == --module-only ]] || build_selftests
}

main "$@"
