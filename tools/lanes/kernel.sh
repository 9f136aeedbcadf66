#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch (once) the Debian kernel image that matches the installed
# linux-headers-amd64 and print where its pieces are, as shell assignments:
#
#   eval "$(tools/lanes/kernel.sh)"   # sets KVER VMLINUZ MODDIR KDIR
#
# The package is unpacked with dpkg -x into $CACHE_DIR/kernel/<ver>/, never
# installed.  KVER=<ver> in the environment picks another version.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

headers_version() {
	local dep

	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (run tools/lanes/setup.sh)"
	dep=${dep%% *}
	[[ $dep == linux-headers-* ]] || die "unexpected dependency '$dep'"
	echo "${dep#linux-headers-}"
}

# apt-get download drops privileges to _apt; give it a directory it may
# write so it does not fall back to an unsandboxed download with a warning.
download_image() {
	local ver=$1 dir=$2 pkg try

	if id _apt >/dev/null 2>&1; then
		chown _apt "$dir"
	fi
	for try in 1 2; do
		for pkg in "linux-image-$ver" "linux-image-$ver-unsigned"; do
			if (cd "$dir" && apt-get download -q "$pkg" >&2); then
				echo "$dir/${pkg}_"*.deb
				return 0
			fi
			log "could not download $pkg"
		done
		# Stale or missing package lists: refresh them once.
		[[ $try == 2 ]] || apt-get update -q </dev/null >&2
	done
	die "no kernel image package found for $ver"
}

unpack_kernel() {
	local ver=$1 dest=$2 tmp deb

	tmp=$(mktemp -d "$CACHE_DIR/kernel/.fetch.XXXXXX")
	deb=$(download_image "$ver" "$tmp")
	log "unpacking $(basename "$deb")"
	mkdir "$tmp/root"
	dpkg -x "$deb" "$tmp/root"
	ensure_depmod "$tmp/root/lib/modules/$ver"
	rm -rf "$dest"
	mv "$tmp/root" "$dest"
	rm -rf "$tmp"
}

main() {
	local ver root

	ver=${KVER:-$(headers_version)}
	root=$CACHE_DIR/kernel/$ver/root
	mkdir -p "$CACHE_DIR/kernel"
	# Several people may start a lane at the same time on one machine.
	exec 9>"$CACHE_DIR/kernel/.lock"
	flock 9
	if [[ ! -f $root/boot/vmlinuz-$ver ]]; then
		mkdir -p "$CACHE_DIR/kernel/$ver"
		unpack_kernel "$ver" "$root"
	fi
	exec 9>&-
	[[ -d /usr/src/linux-headers-$ver ]] ||
		die "headers for $ver missing (apt-get install linux-headers-$ver)"
	printf 'KVER=%q\nVMLINUZ=%q\nMODDIR=%q\nKDIR=%q\n' "$ver" \
		"$root/boot/vmlinuz-$ver" "$root/lib/modules/$ver" \
		"/usr/src/linux-headers-$ver"
}

main "$@"
