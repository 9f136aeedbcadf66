#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the qemu-boot suite for run-lane.sh and print its directory:
#
#   tools/lanes/run-lane.sh --suite qemuboot=$(tools/lanes/qemu-boot/build.sh)
#
# The suite is one self-extracting program (run-lane.sh stages single
# files only): qemu-boot.sh followed by a tar.gz of Debian's own
# qemu-system-x86_64 with its libraries and loader, the firmware the pc
# machine loads, the lane's Debian vmlinuz and a busybox guest initramfs.
# gzip, not xz: 20% larger, but busybox unpacks it twice as fast in TCG.
# Everything is cached under $CACHE_DIR/qemu-boot/ and rebuilt only when an
# input's content changes.  See README.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$LANES_DIR/qemu-boot
QEMU=/usr/bin/qemu-system-x86_64
# What "-M pc -nodefaults -kernel" opens (strace): BIOS, the vapic ROM of
# the userspace APIC, the -kernel loader ROM.
FIRMWARE=(/usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin
	/usr/share/qemu/linuxboot_dma.bin)
BUSYBOX=/bin/busybox

usage() {
	cat <<USAGE >&2
usage: ${0##*/} [--variant default|smm-off|irqchip|diag] [--extra "QEMU ARGS"]
  --variant smm-off   boot with -M pc,kernel-irqchip=off,smm=off
                      (program qemu-boot-smm-off)
  --variant irqchip   boot with -M pc: QEMU's default kernel-irqchip=on,
                      the in-kernel LAPIC, I/O APIC, PIC and PIT
                      (program qemu-boot-irqchip)
  --variant diag      diagnosis, not a test of unmodified QEMU: preload
                      diag-shim.c into QEMU, verbose guest console
                      (program qemu-boot-diag)
  --extra ARGS        more qemu options baked into the program, for
                      diagnosis, e.g. "-d guest_errors -trace kvm_*"
Prints the suite directory.
USAGE
	exit 2
}

VARIANT=default
EXTRA=
PRELOAD=
APPEND=

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		--variant) VARIANT=$2; shift ;;
		--extra) EXTRA=$2; shift ;;
		*) usage ;;
		esac
		shift
	done
	case $VARIANT in
	default) MACHINE=pc,kernel-irqchip=off PROG=qemu-boot ;;
	smm-off) MACHINE=pc,kernel-irqchip=off,smm=off PROG=qemu-boot-smm-off ;;
	irqchip) MACHINE=pc PROG=qemu-boot-irqchip ;;
	diag)
		MACHINE=pc,kernel-irqchip=off PROG=qemu-boot-diag
		PRELOAD=diag/shim.so APPEND=loglevel=7
		EXTRA="-d guest_errors,unimp${EXTRA:+ $EXTRA}"
		;;
	*) usage ;;
	esac
	# The program quotes these in single quotes.
	[[ $EXTRA != *"'"* ]] || die "--extra must not contain single quotes"
}

# Every shared object QEMU loads, loader included, by the path ldd names.
qemu_libs() {
	ldd "$QEMU" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' | sort -u
}

# Content hash over the payload's inputs: a changed package or kernel
# rebuilds, an unchanged one reuses the cache.
payload_key() {
	local libs

	mapfile -t libs < <(qemu_libs)
	sha256sum "$QEMU" "${libs[@]}" "${FIRMWARE[@]}" "$VMLINUZ" "$BUSYBOX" \
		"$HERE/guest-init" "$HERE/build.sh" ${PRELOAD:+"$HERE/diag-shim.c"} |
		sha256sum | cut -c1-16
}

# The guest's initramfs: busybox and /init, plus the console node the
# kernel opens for init (an initramfs has no devtmpfs mounted).
build_initrd() {
	local out=$1 root

	root=$(mktemp -d "$CACHE/.initrd.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc}
	cp "$BUSYBOX" "$root/bin/busybox"
	cp "$HERE/guest-init" "$root/init"
	chmod 755 "$root/init"
	mknod "$root/dev/console" c 5 1
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 >"$out"
	rm -rf "$root"
}

build_payload() {
	local out=$1 tree f libs

	mapfile -t libs < <(qemu_libs)
	tree=$(mktemp -d "$CACHE/.tree.XXXXXX")
	mkdir -p "$tree"/{sysroot,firmware,guest}
	# Keep each library at the path ldd named; qemu-boot.sh points the
	# loader at those directories.
	for f in "$QEMU" "${libs[@]}"; do
		mkdir -p "$tree/sysroot$(dirname "$f")"
		cp -L "$f" "$tree/sysroot$f"
	done
	cp "${FIRMWARE[@]}" "$tree/firmware/"
	cp "$VMLINUZ" "$tree/guest/vmlinuz"
	build_initrd "$tree/guest/initrd.gz"
	if [[ -n $PRELOAD ]]; then
		mkdir -p "$tree/diag"
		gcc -O2 -Wall -shared -fPIC -o "$tree/$PRELOAD" \
			"$HERE/diag-shim.c" -ldl -lpthread || die "diag-shim.c build FAILED"
	fi
	log "packing $(du -sh "$tree" | cut -f1) of QEMU, libraries, firmware, guest"
	tar -C "$tree" -c . | gzip -9 >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$tree"
}

# The program: qemu-boot.sh with its settings filled in, then the payload.
# The header's length is fixed before the offset is filled in, so the
# offset (1-based, for tail -c +N) is padded to a constant width.
build_prog() {
	local payload=$1 out=$2 sha hdr len

	sha=$(sha256sum "$payload" | cut -c1-16)
	hdr=$(sed -e "s|@MACHINE@|$MACHINE|" -e "s|@EXTRA_ARGS@|$EXTRA|" \
		-e "s|@PAYLOAD_SHA@|$sha|" -e "s|@PRELOAD@|$PRELOAD|" \
		-e "s|@APPEND@|$APPEND|" "$HERE/qemu-boot.sh")
	len=$(printf '%s\n' "$hdr" | sed 's|@PAYLOAD_OFFSET@|0000000000|' | wc -c)
	printf '%s\n' "$hdr" |
		sed "s|@PAYLOAD_OFFSET@|$(printf '%010d' $((len + 1)))|" >"$out.tmp"
	[[ $(wc -c <"$out.tmp") -eq $len ]] || die "header length changed"
	cat "$payload" >>"$out.tmp"
	chmod 755 "$out.tmp"
	mv "$out.tmp" "$out"
}

main() {
	# shellcheck disable=SC2034  # kernel.sh sets all four; VMLINUZ is used
	local KVER VMLINUZ MODDIR KDIR key suite payload kind

	parse_args "$@"
	command -v "$QEMU" >/dev/null || die "apt-get install qemu-system-x86"
	[[ -x $BUSYBOX ]] || die "apt-get install busybox-static"
	eval "$("$LANES_DIR/kernel.sh")"
	CACHE=$CACHE_DIR/qemu-boot
	mkdir -p "$CACHE"
	# Several people may build at once; one builds, the others wait.
	exec 9>"$CACHE/.lock"
	flock 9
	key=$(payload_key)
	kind=plain
	[[ -z $PRELOAD ]] || kind=diag
	payload=$CACHE/payload-$kind-$key.tar.gz
	if [[ ! -f $payload ]]; then
		rm -f "$CACHE"/payload-"$kind"-*
		build_payload "$payload"
	fi
	key=$(printf '%s\n' "$key" "$MACHINE" "$EXTRA" "$PRELOAD" "$APPEND" |
		cat - "$HERE/qemu-boot.sh" | sha256sum | cut -c1-16)
	suite=$CACHE/suite-$VARIANT-$key
	if [[ ! -f $suite/$PROG ]]; then
		rm -rf "$CACHE"/suite-"$VARIANT"-*
		mkdir -p "$suite"
		build_prog "$payload" "$suite/$PROG"
		echo "$PROG" >"$suite/.lane-progs"
	fi
	log "$(du -h "$suite/$PROG" | cut -f1) $suite/$PROG"
	echo "$suite"
}

main "$@"
