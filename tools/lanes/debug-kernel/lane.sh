#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug-kernel lane: kvmod's selftests and KUnit suites in the emulated
# AMD-V host of the NPT lane (run-lane.sh), booted on our own kernel with
# KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_LIST and kmemleak (build.sh,
# cached per machine).  kvmod and the test programs are built in a copy of
# the tree, so the shared working tree's objects stay Debian's.  One TAP
# stream and "N passed, N failed, N skipped"; exit status 1 on any failure,
# including any detector report in the kernel log.  See README.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

# Default: every kvmod selftest suite, as build.sh finds them, but not
# their -slow programs.  A warm run takes about 2.5 minutes (README), so
# there is no need to pick a smaller set for CI.

usage() {
	cat <<USAGE
usage: ${0##*/} [options]
  --suites "a b"     selftest suites to run (default: every
                     tools/testing/selftests/kvmod*/)
  --suite NAME=DIR   run the programs of DIR instead (repeatable)
  --tests "a b"      run only these programs
  --tree DIR         build kvmod and the selftests from DIR
                     (default: this working tree, $REPO_DIR)
  --kvmod-ko FILE    test FILE as the kvmod target instead of building
                     kvmod (implies --no-kunit; used by planted.sh)
  --no-kunit         do not run kvmod_kunit.ko
  --kernel-dir DIR   boot this already built cache key of build.sh
                     ($CACHE_DIR/debug-kernel/<key>) instead of the
                     fragment's current one
  --timeout S        per-test timeout in the guest (default 300)
  --counts FILE      write "passed failed skipped" to FILE
USAGE
	exit 2
}

SUITE_NAMES=
SUITES=()
TESTS=
TREE=$REPO_DIR
KVMOD_KO=
KUNIT=1
KERNEL_DIR=
TIMEOUT=300
COUNTS=
WORK_DIR=$OUT_DIR/debug-lane

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		--suites) SUITE_NAMES=$2; shift ;;
		--suite) SUITES+=("$2"); shift ;;
		--tests) TESTS=$2; shift ;;
		--tree) TREE=$(cd "$2" && pwd); shift ;;
		--kvmod-ko) KVMOD_KO=$(realpath "$2"); KUNIT=0; shift ;;
		--no-kunit) KUNIT=0 ;;
		--kernel-dir) KERNEL_DIR=$(cd "$2" && pwd); shift ;;
		--timeout) TIMEOUT=$2; shift ;;
		--counts) COUNTS=$2; shift ;;
		-h|--help) usage ;;
		*) log "unknown option $1"; usage ;;
		esac
		shift
	done
}

# The kernel: a cached key prints its paths at once; a new one builds for
# 15-30 minutes, with kbuild's chatter kept out of the TAP stream.
debug_kernel() {
	local blog=$WORK_DIR/kernel-build.log start=$SECONDS last=$SECONDS out pid

	if [[ -n $KERNEL_DIR ]]; then
		[[ -f $KERNEL_DIR/release ]] || die "$KERNEL_DIR: no finished build"
		BZIMAGE=$KERNEL_DIR/build/arch/x86/boot/bzImage
		MODULES_DIR=$KERNEL_DIR/staging/lib/modules/$(<"$KERNEL_DIR/release")
		KDIR=$KERNEL_DIR/build
		return
	fi
	log "debug kernel: tools/lanes/debug-kernel/build.sh (log: $blog)"
	"$HERE/build.sh" >"$WORK_DIR/kernel-paths" 2>"$blog" &
	pid=$!
	# A fresh build is silent for many minutes: say it is alive.
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if ((SECONDS - last >= 120)); then
			last=$SECONDS
			log "debug kernel: building, $((SECONDS - start))s," \
				"$(grep -c '^  CC' "$blog" || true) files compiled"
		fi
	done
	if ! wait "$pid"; then
		tail -n 40 "$blog" >&2
		die "debug kernel build FAILED"
	fi
	out=$(<"$WORK_DIR/kernel-paths")
	eval "$(grep -E '^(BZIMAGE|MODULES_DIR|KDIR)=' <<<"$out")"
	log "debug kernel: $((SECONDS - start))s, $KDIR"
}

# Mirror the sources; the excluded build products on our side survive
# --delete.  Files are compared by content and a copied file gets the
# current time: a source's own mtime may be older than our object built
# from a different version (another tree, a checkout), and make would then
# keep the stale object.
sync_tree() {
	mkdir -p "$WORK_DIR/tree"
	rsync -rlpD --checksum --delete --exclude=/.git/ --exclude=/out/ \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' \
		--exclude=Module.symvers --exclude=modules.order \
		"$TREE/" "$WORK_DIR/tree/"
}

# kvmod.ko and kvmod_kunit.ko against the debug kernel.
build_modules() {
	local mlog=$WORK_DIR/modules-build.log

	log "building kvmod.ko and kvmod_kunit.ko against the debug kernel"
	if ! nice make -C "$WORK_DIR/tree" -j"$(nproc)" KDIR="$KDIR" kunit \
		>"$mlog" 2>&1; then
		tail -n 40 "$mlog" >&2
		die "kvmod build against the debug kernel FAILED"
	fi
	# kvmod's own code must build without warnings on this kernel too.
	if grep -E 'warning:' "$mlog" >&2; then
		die "kvmod build against the debug kernel warned"
	fi
	KVMOD_KO=$WORK_DIR/tree/kvmod.ko
}

# Build each suite in the copy and stage its programs like build.sh does.
stage_suites() {
	local name dir progs p

	rm -rf "$WORK_DIR/suites"
	if [[ -z $SUITE_NAMES ]]; then
		for dir in "$WORK_DIR"/tree/tools/testing/selftests/kvmod*/; do
			[[ -f $dir/Makefile ]] && SUITE_NAMES+="$(basename "$dir") "
		done
	fi
	for name in $SUITE_NAMES; do
		dir=$WORK_DIR/tree/tools/testing/selftests/$name
		[[ -f $dir/Makefile ]] || die "no selftest suite $name"
		make -s -C "$dir" -j"$(nproc)" >&2 ||
			die "selftests $name build FAILED"
		progs=$(make -s -C "$dir" print-progs)
		mkdir -p "$WORK_DIR/suites/$name"
		for p in $progs; do
			cp "$dir/$p" "$WORK_DIR/suites/$name/"
			echo "$p" >>"$WORK_DIR/suites/$name/.lane-progs"
		done
		SUITES+=("$name=$WORK_DIR/suites/$name")
	done
}

stage_hooks() {
	rm -rf "$WORK_DIR/hooks"
	mkdir -p "$WORK_DIR/hooks"
	cp "$HERE/guest-hooks.sh" "$WORK_DIR/hooks/hooks.sh"
	if [[ $KUNIT == 1 ]]; then
		cp "$WORK_DIR/tree/kvmod_kunit.ko" "$WORK_DIR/hooks/"
	fi
}

# The KUnit share of the totals: cases are "kunit: <suite>: <case>".
kunit_summary() {
	local p f

	p=$(grep -Ec '^ok [0-9]+ kunit: [^ :]+: ' "$1" || true)
	f=$(grep -Ec '^not ok [0-9]+ kunit: [^ :]+: ' "$1" || true)
	log "KUnit: $p passed, $f failed, in" \
		"$(grep -Eo '^(not )?ok [0-9]+ kunit: [^ :]+: ' "$1" |
			awk '{ print $(NF) }' | sort -u | wc -l) suite(s)"
}

main() {
	local start=$SECONDS rc=0 args=() s

	parse_args "$@"
	mkdir -p "$WORK_DIR"
	# One lane at a time per tree: they share the copy and its objects.
	exec 9>"$WORK_DIR/.lock"
	flock 9
	debug_kernel
	if [[ -z $KVMOD_KO || ${#SUITES[@]} -eq 0 ]]; then
		sync_tree
	fi
	[[ -n $KVMOD_KO ]] || build_modules
	[[ ${#SUITES[@]} -gt 0 ]] || stage_suites
	stage_hooks
	for s in "${SUITES[@]}"; do
		args+=(--suite "$s")
	done
	[[ -z $TESTS ]] || args+=(--tests "$TESTS")
	[[ -z $COUNTS ]] || args+=(--counts "$COUNTS")
	"$LANES_DIR/run-lane.sh" --kernel "$BZIMAGE" --modules-dir "$MODULES_DIR" \
		--kvmod-ko "$KVMOD_KO" --targets kvmod --npt on \
		--hooks "$WORK_DIR/hooks" --timeout "$TIMEOUT" "${args[@]}" |
		tee "$WORK_DIR/last.tap" || rc=$?
	[[ $KUNIT == 0 ]] || kunit_summary "$WORK_DIR/last.tap"
	log "debug lane: $((SECONDS - start))s"
	return "$rc"
}

main "$@"
