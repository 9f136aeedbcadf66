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
	"$LANES_DIR/build.sh" >"$OUT_DIR/demo-build.log" 2>&1 || {
		cat "$OUT_DIR/demo-build.log"
		die "build failed"
	}
	log "built kvmod.ko (log: $OUT_DIR/demo-build.log); booting QEMU..."
	suite=$(mktemp -d /tmp/kvmod-demo.XXXXXX)
	if [[ -x $DEMO ]]; then
		cp "$DEMO" "$suite/"
	fi
	"$LANES_DIR/run-lane.sh" --targets kvmod --raw \
		--guest-script "$LANES_DIR/guest/demo.sh" \
		--suite "demo=$suite" "$@" || rc=$?
	rm -rf "$suite"
	return $rc
}

main "$@"
