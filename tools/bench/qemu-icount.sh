#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Thin wrapper: QEMU with "-icount shift=0,sleep=off" added, so that the
# emulated host's clocks count executed instructions (1 ns each) instead of
# following the wall clock.  run.sh puts a link to this file named
# qemu-system-x86_64 first in PATH for tools/lanes/run-lane.sh, which has
# no option for extra QEMU arguments; BENCH_REAL_QEMU names the real one.
set -euo pipefail

exec "${BENCH_REAL_QEMU:?set by tools/bench/run.sh}" "$@" \
	-icount shift=0,sleep=off
