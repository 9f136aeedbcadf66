#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make bench': kvmod against the real KVM (kvm-amd) in the emulated AMD-V
# host.  One boot per clock mode runs tools/bench/kvmbench for alternating
# targets (kvm, kvmod, kvm, kvmod, ...) and prints, per benchmark, the
# median of each, the ratio kvmod/KVM with the min-max of the per-round
# ratios, and an A/A ratio (odd against even KVM rounds) as the noise
# floor.  Clock modes:
#   icount  QEMU -icount shift=0,sleep=off: the emulated clock counts
#           executed instructions (1 ns each); repeatable, the headline
#   wall    the emulated clock follows the host's; noisy on shared machines
# Results: out/bench/<stamp>-{raw,summary}.csv (+ .png with gnuplot), and
# out/bench/latest-* links.  Benchmarks are not tests: the exit status is
# non-zero only when something broke (a benchmark or the boot).
# See Documentation/performance.rst.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lanes/lib.sh"

BENCH_DIR=$REPO_DIR/tools/bench
RESULTS=$OUT_DIR/bench

usage() {
	cat <<USAGE
usage: ${0##*/} [options]
  --rounds N        rounds per target and clock mode (default 6)
  --scale S         multiply kvmbench's iteration counts by S (default 1)
  --exit-scale S    scale of the untimed exit-counting pass (default 0.2;
                    0: skip it)
  --modes "M..."    clock modes, in order (default "icount wall")
  --parallel        boot the clock modes at the same time (faster; the
                    wall-clock numbers then suffer from the other boot)
  --no-build        use kvmod.ko as it is (default: tools/lanes/build.sh)
  --kvmod-ko FILE   module under test (default: $REPO_DIR/kvmod.ko)
  --reanalyze STAMP summarize out/bench/STAMP-<mode>.log again, no boot
USAGE
	exit 2
}

ROUNDS=6
SCALE=1
EXIT_SCALE=0.2
MODES="icount wall"
PARALLEL=0
BUILD=1
KVMOD_KO=$REPO_DIR/kvmod.ko
REANALYZE=

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		--rounds) ROUNDS=$2; shift ;;
		--scale) SCALE=$2; shift ;;
		--exit-scale) EXIT_SCALE=$2; shift ;;
		--modes) MODES=$2; shift ;;
		--parallel) PARALLEL=1 ;;
		--no-build) BUILD=0 ;;
		--kvmod-ko) KVMOD_KO=$2; shift ;;
		--reanalyze) REANALYZE=$2; shift ;;
		-h|--help) usage ;;
		*) log "unknown option $1"; usage ;;
		esac
		shift
	done
	[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a count"
	local m
	for m in $MODES; do
		[[ $m == icount || $m == wall ]] || die "unknown mode $m"
	done
}

build() {
	"$LANES_DIR/setup.sh"
	if ! command -v gnuplot >/dev/null; then
		log "installing gnuplot-nox for the plot (optional)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends gnuplot-nox </dev/null >/dev/null ||
			log "no gnuplot: no plot"
	fi
	if [[ $BUILD == 1 ]]; then
		"$LANES_DIR/build.sh" >"$WORK/build.log" 2>&1 || {
			cat "$WORK/build.log"
			die "build failed"
		}
	fi
	[[ -f $KVMOD_KO ]] || die "$KVMOD_KO not built"
	make -s -C "$BENCH_DIR" kvmbench || die "kvmbench build failed"
}

# What was measured, for the record: out/bench/<stamp>-meta.txt.
write_meta() {
	{
		echo "stamp $STAMP"
		echo "commit $(git -C "$REPO_DIR" rev-parse HEAD 2>/dev/null)"
		echo "kvmod.ko sha256 $(sha256sum <"$KVMOD_KO" | cut -c1-16)" \
			"built $(date -u -r "$KVMOD_KO" '+%Y-%m-%dT%H:%M:%SZ')"
		echo "uncommitted $(git -C "$REPO_DIR" status --porcelain -- \
			virt arch include Kbuild | wc -l) file(s) in the kvmod sources"
		echo "kernel $(sed -n 's/^KVER=//p' <<<"$("$LANES_DIR/kernel.sh")")"
		echo "qemu $(qemu-system-x86_64 --version | head -n 1)"
		echo "options rounds $ROUNDS scale $SCALE exit-scale $EXIT_SCALE" \
			"modes '$MODES' parallel $PARALLEL"
		echo "machine $(nproc) cpus, load average" \
			"$(cut -d' ' -f1-3 /proc/loadavg) at start"
	} >"$RESULTS/$STAMP-meta.txt"
}

# The alternating target list: kvm kvmod kvm kvmod ...
targets() {
	local i

	for ((i = 0; i < ROUNDS; i++)); do
		printf 'kvm kvmod '
	done
}

# run_mode MODE: one boot; its output in $WORK/MODE.log.
run_mode() {
	local mode=$1 shim=$WORK/shim-$mode rc=0 timeout=900 path=$PATH

	mkdir -p "$shim"
	if [[ $mode == icount ]]; then
		ln -s "$BENCH_DIR/qemu-icount.sh" "$shim/qemu-system-x86_64"
		path=$shim:$PATH
	fi
	{
		printf 'BENCH_SCALE=%s\nBENCH_EXIT_SCALE=%s\nBENCH_TIMEOUT=%s\n' \
			"$SCALE" "$EXIT_SCALE" "$timeout"
		cat "$BENCH_DIR/guest-bench.sh"
	} >"$WORK/script-$mode.sh"
	log "$mode: booting, $ROUNDS round(s) per target"
	# One emulated CPU: with -icount QEMU runs the vCPUs round-robin and
	# a 2-CPU boot does not get through the kernel's start; wall uses the
	# same machine so that the two modes measure the same thing.
	BENCH_REAL_QEMU=$(command -v qemu-system-x86_64) PATH=$path \
		"$LANES_DIR/run-lane.sh" --targets "$(targets)" --raw --smp 1 \
		--kvmod-ko "$KVMOD_KO" --suite "bench=$WORK/suite" \
		--guest-script "$WORK/script-$mode.sh" --timeout "$timeout" \
		--boot-timeout $((300 + ROUNDS * 2 * timeout)) \
		>"$WORK/$mode.log" 2>&1 || rc=$?
	cp "$WORK/$mode.log" "$RESULTS/$STAMP-$mode.log"
	log "$mode: done (lane exit status $rc, log $RESULTS/$STAMP-$mode.log)"
	return $rc
}

# Every "bench-out" line of MODE's log as CSV rows; checks completeness.
collect() {
	local mode=$1 log=$WORK/$1.log bad=0 n
	local broken='(status [1-9]|broken|exit-pass-status [1-9])'

	awk -v mode="$mode" '
		$1 == "bench-out" && $4 == "bench" {
			print mode "," $2 "," $3 "," $5 "," $6 "," $7
		}' "$log" >>"$RAW"
	awk -v mode="$mode" '
		$1 == "bench-out" && $4 == "exits" {
			print mode "," $2 "," $5 "," $6
		}' "$log" >>"$WORK/exits.csv"
	if grep -E "^bench-out [a-z]+ [0-9]+ $broken" "$log" >&2; then
		bad=1
	fi
	n=$(grep -cE '^bench-out [a-z]+ [0-9]+ status 0$' "$log" || true)
	if [[ $n != $((2 * ROUNDS)) ]]; then
		log "$mode: $n of $((2 * ROUNDS)) rounds completed"
		bad=1
	fi
	if grep -q '^not ok' "$log"; then
		grep '^not ok' -A 20 "$log" >&2
		bad=1
	fi
	return $bad
}

# Per mode and benchmark: medians, ratio and its per-round min-max, A/A.
summarize() {
	tail -n +2 "$RAW" | sort -t, -k1,1 -k4,4 -k2,2 -k3,3n |
	awk -F, -v ex="$WORK/exits.csv" '
	function median(a, n,   i, j, t, b) {
		for (i = 1; i <= n; i++)
			b[i] = a[i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && b[j - 1] > b[j]; j--) {
				t = b[j]; b[j] = b[j - 1]; b[j - 1] = t
			}
		return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
	}
	function flush(   r, n, rmin, rmax, x, odd, even, no, ne, mk, mm,
			 xk, xm, f) {
		if (key == "")
			return
		n = nk < nm ? nk : nm
		rmin = 1e99; rmax = 0
		for (r = 1; r <= n; r++) {
			x = m[r] / k[r]
			rmin = x < rmin ? x : rmin
			rmax = x > rmax ? x : rmax
		}
		no = ne = 0
		for (r = 1; r <= nk; r++) {
			if (r % 2)
				odd[++no] = k[r]
			else
				even[++ne] = k[r]
		}
		mk = median(k, nk); mm = median(m, nm)
		split(key, f, SUBSEP)
		xk = xm = ""
		if ((f[1] SUBSEP "kvm" SUBSEP f[2]) in xs)
			xk = xs[f[1], "kvm", f[2]]
		if ((f[1] SUBSEP "kvmod" SUBSEP f[2]) in xs)
			xm = xs[f[1], "kvmod", f[2]]
		printf "%s,%s,%.1f,%.1f,%.4f,%.4f,%.4f,%.4f,%s,%s,%d\n", f[1],
			f[2], mk, mm, mm / mk, rmin, rmax,
			ne ? median(odd, no) / median(even, ne) : 1, xk, xm, n
		delete k; delete m
		nk = nm = 0
	}
	BEGIN {
		while ((getline line < ex) > 0) {
			split(line, e, ",")
			xs[e[1], e[2], e[3]] = e[4]
		}
		print "mode,bench,kvm_ns,kvmod_ns,ratio,ratio_min,ratio_max," \
		      "aa_ratio,kvm_exits_per_op,kvmod_exits_per_op,rounds"
	}
	{
		if (($1 SUBSEP $4) != key) {
			flush()
			key = $1 SUBSEP $4
		}
		if ($2 == "kvm")
			k[++nk] = $5
		else
			m[++nm] = $5
	}
	END { flush() }' >"$SUMMARY"
}

print_table() {
	echo
	echo "kvmod vs KVM, run $STAMP, $ROUNDS rounds per target;" \
		"ns per operation (icount: 1 ns = 1 instruction)"
	awk -F, 'NR > 1 {
		printf "%-6s %-11s %12.1f %12.1f  %6.3f [%5.3f-%5.3f]  A/A %6.4f" \
		       "  exits/op %s/%s\n", $1, $2, $3, $4, $5, $6, $7, $8, \
		       $9 == "" ? "-" : $9, $10 == "" ? "-" : $10
	}
	NR == 1 {
		printf "%-6s %-11s %12s %12s  %-21s  %-10s  %s\n", "mode", \
		       "bench", "KVM", "kvmod", "kvmod/KVM [min-max]", \
		       "A/A", "exits/op KVM/kvmod"
	}' "$SUMMARY"
}

plot() {
	command -v gnuplot >/dev/null || return 0
	local mode plots=() x src tic

	awk -F, 'NR > 1 { print $1, $2, $5, $6, $7, $8 }' "$SUMMARY" \
		>"$WORK/plot.dat"
	x=-0.1
	tic=:xtic\(2\)
	for mode in $MODES; do
		grep -q "^$mode " "$WORK/plot.dat" || continue
		src="\"< grep '^$mode ' $WORK/plot.dat\" using (\$0 + $x)"
		plots+=("$src:3:4:5$tic with yerrorbars pt 7 title '$mode'")
		plots+=("$src:6 pt 2 title 'A/A $mode'")
		x=0.1
		tic=
	done
	[[ ${#plots[@]} -gt 0 ]] || return 0
	gnuplot <<GNUPLOT || log "gnuplot failed: no plot"
set terminal pngcairo size 900,500 noenhanced
set output "$RESULTS/$STAMP.png"
set title "kvmod / KVM, median of $ROUNDS rounds" . \
	" (bars: per-round min-max; x: A/A)"
set ylabel "time ratio kvmod/KVM (below 1: kvmod faster)"
set logscale y
set grid ytics
set key top left
set xtics rotate by -30
set style data points
set offsets 0.5, 0.5, 0, 0
plot $(IFS=,; echo "${plots[*]}"), 1 notitle lt 0
GNUPLOT
	[[ ! -f $RESULTS/$STAMP.png ]] ||
		ln -sfn "$STAMP.png" "$RESULTS/latest.png"
}

main() {
	local mode rc=0 pids=() pid

	parse_args "$@"
	need_root
	WORK=$(mktemp -d /tmp/kvmod-bench.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	mkdir -p "$RESULTS"
	STAMP=${REANALYZE:-$(date -u +%Y%m%dT%H%M%SZ)}
	RAW=$RESULTS/$STAMP-raw.csv
	SUMMARY=$RESULTS/$STAMP-summary.csv
	if [[ -z $REANALYZE ]]; then
		build
		write_meta
		mkdir -p "$WORK/suite"
		cp "$BENCH_DIR/kvmbench" "$WORK/suite/"
	fi
	for mode in $MODES; do
		if [[ -n $REANALYZE ]]; then
			cp "$RESULTS/$STAMP-$mode.log" "$WORK/$mode.log"
			continue
		fi
		if [[ $PARALLEL == 1 ]]; then
			run_mode "$mode" &
			pids+=($!)
		else
			run_mode "$mode" || rc=1
		fi
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=1
	done
	echo "mode,target,round,bench,ns_per_op,ops" >"$RAW"
	: >"$WORK/exits.csv"
	for mode in $MODES; do
		collect "$mode" || rc=1
	done
	summarize
	ln -sfn "$STAMP-raw.csv" "$RESULTS/latest-raw.csv"
	ln -sfn "$STAMP-summary.csv" "$RESULTS/latest-summary.csv"
	print_table
	plot
	echo
	log "results: $SUMMARY, $RAW"
	[[ $rc == 0 ]] || log "something broke: see the messages above"
	return $rc
}

main "$@"; exit
