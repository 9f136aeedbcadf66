#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [--config-only]
#
# Builds the debug-lane host kernel (KASAN, lockdep, kmemleak, KUnit, in-tree
# KVM as modules) from Debian's linux-source-6.1 and the fragment next to this
# script. Output is cached under $KVMOD_CACHE/debug-kernel/<key>/, where the key
# hashes the fragment, the source package version, the compiler and RECIPE, so
# a rerun with nothing changed only prints the paths.
#
# On success stdout carries shell assignments (everything else goes to stderr):
#   BZIMAGE=...      the kernel to boot
#   MODULES_DIR=...  staged lib/modules/<release> (modules_install output)
#   MOD_ROOT=...     the INSTALL_MOD_PATH that holds lib/modules/<release>
#   KDIR=...         kernel build tree for `make -C $KDIR M=...`
# so callers can do: eval "$(tools/lanes/debug-kernel/build.sh)"
#
# With --config-only it stops after generating and checking .config and
# prints CONFIG=<path>.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/kvmod-debug.config
CHECK=$HERE/check-config.sh
SRC_PKG=linux-source-6.1
TARBALL=/usr/src/linux-source-6.1.tar.xz
CACHE=${KVMOD_CACHE:-/var/cache/kvmod}/debug-kernel
# Bump when a build step changes what ends up in the output.
RECIPE=2
JOBS=${JOBS:-2}
PACKAGES=(build-essential bc bison flex libelf-dev libssl-dev xz-utils kmod "$SRC_PKG")

log() { echo "debug-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Install missing build dependencies; a fresh Debian 12 root has none.
ensure_packages() {
	local pkg missing=()
	for pkg in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q ' installed$' ||
			missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	[[ $(id -u) -eq 0 ]] || die "missing packages (need root to install): ${missing[*]}"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

src_version() { dpkg-query -W -f='${Version}' "$SRC_PKG"; }

cache_key() {
	{
		echo "recipe=$RECIPE"
		echo "source=$SRC_PKG $(src_version)"
		echo "cc=$(gcc --version | head -n1)"
		cat "$FRAGMENT"
	} | sha256sum | cut -c1-12
}

# Extract the tarball once per source version; shared by every key, and
# never touched again, because each KDIR's Makefile points into it.
ensure_source() {
	local dir=$1 tmp
	[[ -f $dir/Makefile ]] && return 0
	mkdir -p "$(dirname "$dir")"
	# Builds of other keys may be extracting the same version right now.
	exec 8>"$dir.lock"
	flock 8
	[[ -f $dir/Makefile ]] && return 0
	log "extracting $TARBALL"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	tar -C "$tmp" -xf "$TARBALL"
	mv "$tmp/linux-source-6.1" "$dir"
	rmdir "$tmp"
}

# Debian's package date, not the wall clock, so rebuilds are byte-identical.
export_build_identity() {
	KBUILD_BUILD_TIMESTAMP=$(date -u -r "$TARBALL" '+%Y-%m-%d %H:%M:%S UTC')
	export KBUILD_BUILD_TIMESTAMP
	export KBUILD_BUILD_USER=kvmod KBUILD_BUILD_HOST=debug-lane KBUILD_BUILD_VERSION=1
}

# ARCH=x86_64, not the x86 that make derives from uname: with ARCH=x86
# tinyconfig offers 64BIT as a choice and answers no, and the 32-bit values it
# sets (FRAME_WARN=1024, ...) then survive the fragment's CONFIG_64BIT=y.
kmake() {
	nice -n 10 make -C "$SRC" O="$OBJ" ARCH=x86_64 "$@" >&2
}

# tinyconfig + fragment + olddefconfig. Not via KCONFIG_CONFIG: tinyconfig
# ignores it and silently produces a non-tiny config.
make_config() {
	[[ -f $KEYDIR/.config-ok ]] && return 0
	log "configuring in $OBJ"
	mkdir -p "$OBJ"
	kmake tinyconfig
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT" >&2
	kmake olddefconfig
	"$CHECK" "$FRAGMENT" "$OBJ/.config" >&2
	touch "$KEYDIR/.config-ok"
}

build_kernel() {
	local start=$SECONDS release
	log "building bzImage and modules with -j$JOBS (log on stderr)"
	kmake -j"$JOBS" all
	release=$(<"$OBJ/include/config/kernel.release")
	rm -rf "$KEYDIR/staging"
	kmake INSTALL_MOD_PATH="$KEYDIR/staging" modules_install
	[[ -f $KEYDIR/staging/lib/modules/$release/modules.dep ]] ||
		die "modules_install left no modules.dep"
	log "build took $((SECONDS - start)) s"
	echo "$release" >"$KEYDIR/release"
}

print_paths() {
	local release
	release=$(<"$KEYDIR/release")
	echo "BZIMAGE=$OBJ/arch/x86/boot/bzImage"
	echo "MODULES_DIR=$KEYDIR/staging/lib/modules/$release"
	echo "MOD_ROOT=$KEYDIR/staging"
	echo "KDIR=$OBJ"
}

main() {
	local config_only=0
	case ${1-} in
	--config-only) config_only=1 ;;
	"") ;;
	*) die "usage: $0 [--config-only]" ;;
	esac

	ensure_packages
	KEY=$(src_version)-$(cache_key)
	KEYDIR=$CACHE/$KEY
	SRC=$CACHE/src/$(src_version)
	OBJ=$KEYDIR/build

	if ((!config_only)) && [[ -f $KEYDIR/.complete ]]; then
		print_paths
		return 0
	fi

	mkdir -p "$KEYDIR"
	# One build per key at a time; a second caller waits, then finds it done.
	exec 9>"$KEYDIR/.lock"
	if ! flock -n 9; then
		log "another build of $KEY is running; waiting for it"
		flock 9
	fi
	if ((config_only)); then
		ensure_source "$SRC"
		make_config
		echo "CONFIG=$OBJ/.config"
		return 0
	fi
	if [[ ! -f $KEYDIR/.complete ]]; then
		ensure_source "$SRC"
		export_build_identity
		make_config
		build_kernel
		touch "$KEYDIR/.complete"
	fi
	print_paths
}

main "$@"
