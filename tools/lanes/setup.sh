#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the test lanes need, only those missing.
# Safe to run again; non-interactive; needs root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(
	qemu-system-x86		# the emulated AMD-V host (TCG)
	busybox-static		# the guest userland
	cpio kmod		# initramfs; depmod and modinfo
	xz-utils zstd		# compressed modules
	gcc make libc6-dev binutils	# kvmod.ko and static test programs
	linux-headers-amd64	# KDIR; also names the kernel to boot
	linux-source-6.1	# ABI reference, upstream selftests, debug kernel
	rsync			# 'make headers_install' for the upstream selftests
	sparse			# make C=1
)

missing_packages() {
	local p

	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

main() {
	local missing

	need_root
	missing=$(missing_packages)
	if [[ -z $missing ]]; then
		log "all lane packages present"
		return 0
	fi
	log "installing: ${missing//$'\n'/ }"
	export DEBIAN_FRONTEND=noninteractive
	# Install from the lists we have; refresh them once only if that fails.
	# shellcheck disable=SC2086
	if ! apt-get install -y -q --no-install-recommends $missing </dev/null; then
		apt-get update -q </dev/null
		apt-get install -y -q --no-install-recommends $missing </dev/null
	fi
}

main "$@"
