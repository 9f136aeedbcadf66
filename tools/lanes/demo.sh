#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make demo': build kvmod, boot the emulated AMD-V host, load kvmod, show
# /dev/kvm and the demo program, unload kvmod.  Meant to be read by a person.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO=$REPO_DIR/tools/testing/selftests/kvmod/kvmod_demo

main() {
	local suite rc=0

	"$LANES_DIR/setup.sh"
	mkdir -p "$OUT_DIR"
	# Only what the demo shows: a broken selftest must not stop it.
	{
		"$LANES_DIR/build.sh" --module-only &&
			make -C "$(dirname "$DEMO")" "${DEMO##*/}"
	} >"$OUT_DIR/demo-build.log" 2>&1 || {
		cat "$OUT_DIR/demo-build.log"
		die "build failed"
	}
	log "built kvmod.ko and kvmod_demo (log: $OUT_DIR/demo-build.log)"
	suite=$(mktemp -d /tmp/kvmod-demo.XXXXXX)
	if [[ -x $DEMO ]]; then
		cp "$DEMO" "$suite/"
	fi
	"$LANES_DIR/run-lane.sh" --targets kvmod --raw \
		--guest-script "$LANES_DIR/guest/demo.sh" \
		--suite "demo=$suite" "$@" || rc=$?
	rm -rf "$suite"

	log "booting Debian's Linux kernel under Debian's QEMU on kvmod (the guest's console is on the '#' lines)"
	"$LANES_DIR/run-lane.sh" --targets kvmod --timeout 300 \
		--suite qemuboot="$("$LANES_DIR/qemu-boot/build.sh")" "$@" || rc=$?
	return $rc
}

main "$@"
