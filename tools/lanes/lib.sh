# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# Helpers shared by the lane scripts; source it, do not run it.

LANES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LANES_DIR/../.." && pwd)
CACHE_DIR=${KVMOD_CACHE:-/var/cache/kvmod}
OUT_DIR=${KVMOD_OUT:-$REPO_DIR/out}

log() {
	printf '[%s] %s\n' "${0##*/}" "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

need_root() {
	[[ $(id -u) -eq 0 ]] || die "must run as root"
}

# Make sure MODDIR (a .../lib/modules/<ver> tree) has a modules.dep;
# Debian's image package leaves it to its postinst, which we never run.
ensure_depmod() {
	local moddir=$1 ver base

	[[ -s $moddir/modules.dep ]] && return 0
	ver=${moddir##*/}
	base=$(cd "$moddir/../../.." && pwd)
	[[ $(basename "$(dirname "$moddir")") == modules ]] ||
		die "$moddir is not a .../lib/modules/<version> directory"
	depmod -b "$base" "$ver" || die "depmod failed for $moddir"
}

# Print the files (relative to MODDIR) that loading module NAME needs, in
# load order: dependencies first, NAME last.  '-' and '_' are equivalent.
mod_chain() {
	local moddir=$1 name=$2

	awk -v want="$name" '
	function norm(s) {
		sub(/.*\//, "", s); sub(/\.ko(\.[a-z]+)?$/, "", s)
		gsub(/-/, "_", s)
		return s
	}
	function load(f,   i, n, d) {
		if (f in done)
			return
		done[f] = 1
		n = split(deps[f], d, " ")
		for (i = 1; i <= n; i++)
			load(d[i])
		print f
	}
	{
		f = $1; sub(/:$/, "", f)
		$1 = ""
		deps[f] = $0
		byname[norm(f)] = f
	}
	END {
		w = norm(want)
		if (!(w in byname))
			exit 1
		load(byname[w])
	}' "$moddir/modules.dep" || die "module $name not found in $moddir/modules.dep"
}
