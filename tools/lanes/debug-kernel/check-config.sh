#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-config.sh FRAGMENT DOTCONFIG
#
# Fails, listing them, if any option the fragment asks for did not survive
# olddefconfig. Kconfig drops options whose dependencies are unmet without a
# word, and merge_config.sh only warns, so this is the gate.
set -euo pipefail

usage() {
	echo "usage: $0 FRAGMENT DOTCONFIG" >&2
	exit 2
}

# Print "NAME WANTED" for every option the fragment sets or unsets.
wanted_options() {
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' \
	       -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 n/p' "$1"
}

# Value of NAME in a .config; "n" when unset or absent.
actual_value() {
	local name=$1 dotconfig=$2 line
	line=$(grep -m1 -e "^$name=" "$dotconfig" || true)
	if [[ -n $line ]]; then
		echo "${line#*=}"
	else
		echo n
	fi
}

main() {
	[[ $# -eq 2 ]] || usage
	local fragment=$1 dotconfig=$2 name want got bad=0 n=0
	[[ -r $fragment && -r $dotconfig ]] || usage
	while read -r name want; do
		n=$((n + 1))
		got=$(actual_value "$name" "$dotconfig")
		if [[ $got != "$want" ]]; then
			echo "dropped: $name wanted $want, got $got" >&2
			bad=$((bad + 1))
		fi
	done < <(wanted_options "$fragment")
	if ((bad)); then
		echo "check-config: $bad of $n options did not survive olddefconfig" >&2
		return 1
	fi
	echo "check-config: all $n options as wanted"
}

main "$@"
