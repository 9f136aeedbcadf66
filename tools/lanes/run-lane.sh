#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot an emulated AMD-V host (QEMU TCG) from a generated initramfs, load
# each hypervisor target in turn, run the test suites against it and print
# one TAP stream plus "N passed, N failed, N skipped".  Exit status 1 on any
# failure.  See Documentation/testing.rst.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<USAGE
usage: ${0##*/} [options]
  --targets "kvmod kvm"  hypervisors to test, in order, in one boot
                         (kvmod: kvmod.ko; kvm: the kernel's kvm-amd chain)
  --tests "a b"          run only these programs (default: all)
  --suite NAME=DIR       stage the programs of DIR as suite NAME (repeatable;
                         default: every suite in $OUT_DIR/suites/)
  --slow                 with the default suites, include the -slow ones
  --timeout S            per-test timeout in the guest (default 120)
  --boot-timeout S       host-side limit for the whole boot (default: derived)
  --npt on|off           nested paging in the emulated CPU (off: -smp 1)
  --smp N                emulated CPUs (default 2)
  --kernel BZIMAGE       boot this kernel instead of the Debian one...
  --modules-dir DIR      ...with its modules (a .../lib/modules/<ver> tree)
  --kvmod-ko FILE        module under test (default: $REPO_DIR/kvmod.ko)
  --append ARGS          extra kernel command line
  --accel ACCEL          QEMU accelerator options (default: tcg,thread=single)
  --guest-script FILE    run FILE in the guest for each target instead of
                         the suites (used by demo.sh)
  --hooks DIR            stage DIR as /lane/hooks; /init sources its
                         hooks.sh (guest/init; used by the debug lane)
  --raw                  show the guest console instead of TAP
  --counts FILE          write "passed failed skipped" to FILE
USAGE
	exit 2
}

TARGETS="kvmod kvm"
TESTS=
SUITES=()
TIMEOUT=120
BOOT_TIMEOUT=
NPT=on
SMP=
KERNEL=
MODULES_DIR=
KVMOD_KO=$REPO_DIR/kvmod.ko
APPEND=
# Multi-threaded TCG (QEMU 7.2) livelocks the guest now and then in the
# kernel's int3-based code patching (text_poke_bp, e.g. a static key that
# KVM flips on every vCPU create/destroy): both vCPUs end up in
# poke_int3_handler for good.  One TCG thread does not.
ACCEL=tcg,thread=single
GUEST_SCRIPT=
HOOKS=
RAW=0
SLOW=0
COUNTS=

# Every suite build.sh staged; the -slow ones only with --slow.
default_suites() {
	local dir

	for dir in "$OUT_DIR"/suites/*/; do
		[[ -d $dir ]] || continue
		dir=${dir%/}
		[[ $SLOW == 1 || $dir != *-slow ]] || continue
		SUITES+=("${dir##*/}=$dir")
	done
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		--targets) TARGETS=$2; shift ;;
		--tests) TESTS=$2; shift ;;
		--suite) SUITES+=("$2"); shift ;;
		--timeout) TIMEOUT=$2; shift ;;
		--boot-timeout) BOOT_TIMEOUT=$2; shift ;;
		--npt) NPT=$2; shift ;;
		--smp) SMP=$2; shift ;;
		--kernel) KERNEL=$2; shift ;;
		--modules-dir) MODULES_DIR=$2; shift ;;
		--kvmod-ko) KVMOD_KO=$2; shift ;;
		--append) APPEND=$2; shift ;;
		--accel) ACCEL=$2; shift ;;
		--guest-script) GUEST_SCRIPT=$2; shift ;;
		--hooks) HOOKS=$2; shift ;;
		--raw) RAW=1 ;;
		--slow) SLOW=1 ;;
		--counts) COUNTS=$2; shift ;;
		-h|--help) usage ;;
		*) log "unknown option $1"; usage ;;
		esac
		shift
	done
	[[ $NPT == on || $NPT == off ]] || die "--npt takes on or off"
	[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout takes seconds"
	if [[ -z $SMP ]]; then
		SMP=2
		[[ $NPT == on ]] || SMP=1
	fi
	if [[ ${#SUITES[@]} -eq 0 ]]; then
		default_suites
	fi
}

pick_kernel() {
	if [[ -n $KERNEL ]]; then
		[[ -n $MODULES_DIR ]] || die "--kernel needs --modules-dir"
		[[ -f $KERNEL ]] || die "no kernel image $KERNEL"
	else
		# shellcheck disable=SC2034 # set by kernel.sh's output
		local KVER VMLINUZ MODDIR KDIR

		eval "$("$LANES_DIR/kernel.sh")"
		KERNEL=$VMLINUZ
		MODULES_DIR=${MODULES_DIR:-$MODDIR}
	fi
	ensure_depmod "$MODULES_DIR"
}

is_static() {
	! readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# Copy one module into the initramfs, uncompressed (busybox insmod reads
# plain ELF only), and print its staged file name.
stage_module() {
	local src=$1 dst

	[[ $src == /* ]] || src=$MODULES_DIR/$src
	dst=$(basename "$src")
	dst=${dst%.xz}
	dst=${dst%.zst}
	case $src in
	*.xz) xz -dc "$src" >"$ROOT/lane/modules/$dst" ;;
	*.zst) zstd -qdc "$src" >"$ROOT/lane/modules/$dst" ;;
	*) cp "$src" "$ROOT/lane/modules/$dst" ;;
	esac
	echo "$dst"
}

# Print the load order for a target's modules, one path a line.
target_modules() {
	local dep

	case $1 in
	kvm) mod_chain "$MODULES_DIR" kvm_amd ;;
	kvmod)
		[[ -f $KVMOD_KO ]] || die "$KVMOD_KO not built (tools/lanes/build.sh)"
		for dep in $(modinfo -F depends "$KVMOD_KO" | tr , ' '); do
			mod_chain "$MODULES_DIR" "$dep"
		done
		echo "$KVMOD_KO"
		;;
	*) die "unknown target '$1' (kvmod or kvm)" ;;
	esac
}

stage_modules() {
	local t f list

	mkdir -p "$ROOT/lane/modules"
	list=$(mod_chain "$MODULES_DIR" msr)
	for f in $list; do
		stage_module "$f"
	done >"$ROOT/lane/preload"
	for t in $TARGETS; do
		mkdir -p "$ROOT/lane/targets/$t"
		list=$(target_modules "$t" | awk '!seen[$0]++')
		for f in $list; do
			stage_module "$f"
		done >"$ROOT/lane/targets/$t/modules"
	done
}

# A suite's programs: the names in DIR/.lane-progs, else every executable.
suite_progs() {
	local dir=$1

	if [[ -f $dir/.lane-progs ]]; then
		grep -v '^#' "$dir/.lane-progs" | grep .
	else
		find "$dir" -maxdepth 1 -type f -perm -u+x -printf '%f\n' | sort
	fi
}

wanted() {
	[[ -z $TESTS ]] || [[ " $TESTS " == *" $1 "* ]]
}

stage_suites() {
	local spec name dir prog

	NPROGS=0
	SUITE_NAMES=
	mkdir -p "$ROOT/lane/suites"
	for spec in "${SUITES[@]}"; do
		name=${spec%%=*}
		dir=${spec#*=}
		[[ $name != "$spec" && -d $dir ]] || die "bad --suite $spec"
		mkdir -p "$ROOT/lane/suites/$name"
		: >"$ROOT/lane/suites/$name.list"
		for prog in $(suite_progs "$dir"); do
			wanted "$prog" || continue
			[[ -x $dir/$prog ]] || die "$dir/$prog missing"
			is_static "$dir/$prog" || die "$dir/$prog is not static"
			cp "$dir/$prog" "$ROOT/lane/suites/$name/"
			echo "$prog" >>"$ROOT/lane/suites/$name.list"
			NPROGS=$((NPROGS + 1))
		done
		SUITE_NAMES+="$name "
	done
	if [[ -n $TESTS ]]; then
		for prog in $TESTS; do
			grep -qx "$prog" "$ROOT"/lane/suites/*.list 2>/dev/null ||
				die "test '$prog' is in no suite"
		done
	fi
}

stage_busybox() {
	local bb=/bin/busybox

	if [[ ! -x $bb ]] || ! is_static "$bb"; then
		die "need a static /bin/busybox (apt-get install busybox-static)"
	fi
	mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp}
	cp "$bb" "$ROOT/bin/busybox"
	cp "$LANES_DIR/guest/init" "$ROOT/init"
	chmod 755 "$ROOT/init"
}

# write_config TARGETS: what this boot's /init does.
write_config() {
	{
		printf 'LANE_TARGETS=%q\n' "$1"
		printf 'LANE_SUITES=%q\n' "$SUITE_NAMES"
		printf 'LANE_TIMEOUT=%q\n' "$TIMEOUT"
	} >"$ROOT/lane/config"
}

stage_all() {
	ROOT=$WORK/root
	mkdir -p "$ROOT/lane"
	stage_busybox
	stage_modules
	stage_suites
	if [[ -n $GUEST_SCRIPT ]]; then
		cp "$GUEST_SCRIPT" "$ROOT/lane/script"
	fi
	if [[ -n $HOOKS ]]; then
		[[ -f $HOOKS/hooks.sh ]] || die "no $HOOKS/hooks.sh"
		cp -r "$HOOKS" "$ROOT/lane/hooks"
	fi
}

pack_initramfs() {
	(cd "$ROOT" && find . | cpio -o -H newc --quiet) >"$WORK/initramfs.cpio"
}

# A guest wedged in the kernel cannot run its own per-test timeout, so the
# host stops the boot when no @@LANE marker has appeared for a test's
# timeout plus a grace period, instead of waiting for the boot limit.
# Before stopping it, ask the QEMU monitor (on qemu's stdin, fd 7) where
# every vCPU is.
watchdog() {
	local seen=0 now since=$SECONDS limit=$((TIMEOUT + 60))

	while kill -0 "$QEMU_PID" 2>/dev/null; do
		sleep 5
		now=$(grep -ac '@@LANE' "$TESTLOG" || true)
		if [[ $now != "$seen" ]]; then
			seen=$now
			since=$SECONDS
		elif ((SECONDS - since > limit)); then
			echo "no progress for ${limit}s after:" \
				"$(grep -a '@@LANE' "$TESTLOG" | tail -n 1 |
					tr -d '\r')" >"$WORK/hung"
			printf 'info registers -a\ninfo lapic\n' >&7
			sleep 3
			kill "$QEMU_PID" 2>/dev/null || true
			return
		fi
	done
}

# One line per vCPU from the monitor's register dump: where it was, whether
# in the kernel (CPL=0) and halted.  nokaslr keeps kernel addresses the same
# from boot to boot (Debian's System.map is a stub, so no symbols here).
show_vcpus() {
	tr -d '\r' <"$QEMULOG" | awk '
		/^CPU#/ { cpu = $1 }
		/^RIP=/ { print "#   host:", cpu, $1, $4, $8 }'
}

# boot TARGETS: one boot of the emulated host.  The kernel console (ttyS0)
# goes to $KLOG, the guest's /init and tests (ttyS1) to $TESTLOG, the TAP
# cases (numbered after $NCASES) to stdout.
boot() {
	local targets=$1 cpu=qemu64,+svm,+npt limit=$BOOT_TIMEOUT rc=0
	local start=$SECONDS

	[[ $NPT == on ]] || cpu=qemu64,+svm,-npt
	if [[ -z $limit ]]; then
		limit=$((120 + $(wc -w <<<"$targets") * (30 + NPROGS * (TIMEOUT + 10))))
	fi
	log "boot $NBOOTS: $NPROGS program(s) x targets '$targets', npt $NPT," \
		"smp $SMP, limit ${limit}s"
	rm -f "$WORK/hung" "$WORK/monitor"
	: >"$KLOG"
	: >"$TESTLOG"
	# With both serial ports given, -nographic leaves only the monitor on
	# stdio: a FIFO we hold open, never a terminal.
	mkfifo "$WORK/monitor"
	timeout -k 10 "$limit" qemu-system-x86_64 -M q35 -accel "$ACCEL" \
		-cpu "$cpu" -smp "$SMP" -m 2G -nographic -no-reboot -nic none \
		-serial "file:$KLOG" -serial "file:$TESTLOG" \
		-kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" \
		-append "console=ttyS0 tsc=reliable panic=-1 quiet nokaslr $APPEND" \
		<"$WORK/monitor" >"$QEMULOG" 2>&1 &
	QEMU_PID=$!
	exec 7>"$WORK/monitor"
	watchdog &
	WATCHDOG_PID=$!
	tail -n +1 --pid="$QEMU_PID" -f "$TESTLOG" |
		awk -v timeout="$TIMEOUT" -v counts="$WORK/counts" -v raw="$RAW" \
			-v n="$NCASES" -v header="$((NBOOTS == 1))" \
			-f "$LANES_DIR/tap.awk"
	wait "$QEMU_PID" || rc=$?
	kill "$WATCHDOG_PID" 2>/dev/null || true
	wait "$WATCHDOG_PID" 2>/dev/null || true
	exec 7>&-
	QEMU_PID=
	WATCHDOG_PID=
	if [[ $rc -eq 124 ]]; then
		echo "boot timed out after ${limit}s" >"$WORK/hung"
	fi
	log "boot $NBOOTS: QEMU ran $((SECONDS - start))s"
}

BAD_LOG='Oops|BUG:|WARNING:|general protection fault|KASAN|kernel BUG'
BAD_LOG+='|sleeping function called from invalid context|Kernel panic'
BAD_LOG+='|UBSAN:|blocked for more than|detected stalls|soft lockup'
# The debug kernel's detectors: DEBUG_LIST, kmemleak (a leak, or kmemleak
# switching itself off), and lockdep's one report without WARNING/BUG.
BAD_LOG+='|list_(add|del) (corruption|double add)|suspected memory leak'
BAD_LOG+='|kmemleak: .*(disabled|[Cc]annot|pool empty)|non-static key'

tests_log() {
	tr -d '\r' <"$TESTLOG"
}

# Not grep -q in these pipelines: it exits at the first match, the writer
# dies of SIGPIPE and pipefail turns the match into a failure (a KASAN
# report early in a long log passed as "kernel log clean").
guest_finished() {
	tests_log | grep '^@@LANE dmesg-end' >/dev/null
}

# The kernel log, as /init dumped it between markers at the end.
kernel_log() {
	tests_log | sed -n '/^@@LANE dmesg-begin/,/^@@LANE dmesg-end/p' |
		grep -v '^@@LANE'
}

# Show the bad log lines in context, with the last target marker before.
show_bad_log() {
	kernel_log | awk -v bad="$BAD_LOG" '
		/kvmod-lane: / { marker = $0 }
		$0 ~ bad && !first { first = NR; print marker }
		first && NR < first + 60 { print }' | sed 's/^/#   /'
}

# Add this boot's counts and its "kernel log clean" case to the totals.
check_kernel_log() {
	local p f s name="kernel log clean"

	read -r p f s NCASES <"$WORK/counts"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + s))
	NCASES=$((NCASES + 1))
	[[ $NBOOTS -eq 1 ]] || name+=" (boot $NBOOTS)"
	if ! guest_finished; then
		echo "not ok $NCASES $name: guest did not finish" \
			"(crash, hang or timeout); last console lines:"
		[[ ! -f $WORK/hung ]] || sed 's/^/#   host: /' "$WORK/hung"
		show_vcpus
		tr -d '\r' <"$KLOG" | tail -n 60 | sed 's/^/#   /'
		FAILED=$((FAILED + 1))
	elif kernel_log | grep -E "$BAD_LOG" >/dev/null; then
		echo "not ok $NCASES $name"
		show_bad_log
		FAILED=$((FAILED + 1))
	else
		echo "ok $NCASES $name"
		PASSED=$((PASSED + 1))
	fi
}

# Targets of TARGETS that the last boot never started: a target that wedges
# or crashes the guest must not hide the results of the ones after it.
targets_left() {
	local last t found=0

	guest_finished && return 0
	last=$(tests_log | sed -n 's/^.*@@LANE target //p' | tail -n 1)
	[[ -n $last && $last != lane ]] || return 0
	for t in $1; do
		[[ $found == 0 ]] || echo "$t"
		[[ $t != "$last" ]] || found=1
	done
}

cleanup() {
	local pid

	for pid in ${QEMU_PID:-} ${WATCHDOG_PID:-}; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK/root" "$WORK/initramfs.cpio" "$WORK/monitor"
}

main() {
	local start=$SECONDS todo

	parse_args "$@"
	pick_kernel
	WORK=$(mktemp -d /tmp/kvmod-lane.XXXXXX)
	trap cleanup EXIT
	stage_all
	PASSED=0 FAILED=0 SKIPPED=0 NCASES=0 NBOOTS=0
	todo=$TARGETS
	while [[ -n $todo ]]; do
		NBOOTS=$((NBOOTS + 1))
		KLOG=$WORK/kernel.$NBOOTS.log
		TESTLOG=$WORK/tests.$NBOOTS.log
		QEMULOG=$WORK/qemu.$NBOOTS.log
		write_config "$todo"
		pack_initramfs
		boot "$todo"
		check_kernel_log
		todo=$(targets_left "$todo" | xargs)
	done
	echo "1..$NCASES"
	log "logs: $WORK/{kernel,tests,qemu}.*.log ($((SECONDS - start))s)"
	[[ -z $COUNTS ]] || echo "$PASSED $FAILED $SKIPPED" >"$COUNTS"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[[ $FAILED -eq 0 ]]
}

main "$@"
