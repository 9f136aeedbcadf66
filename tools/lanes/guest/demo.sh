#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of 'make demo': /init has just loaded target $1 and unloads
# it when this script returns.

show() {
	echo
	echo "\$ $*"
	"$@"
}

echo
echo "== Emulated AMD-V host: $(uname -sr), $(nproc) CPU(s)," \
	"flags: $(grep -m1 -o -w -E 'svm|npt' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "== $1 is loaded; what the kernel said about it:"
dmesg | grep -i kvmod | grep -v 'kvmod-lane:'
show ls -l /dev/kvm
demo=/lane/suites/demo/kvmod_demo
if [ -x "$demo" ]; then
	show timeout 120 "$demo"
	echo "(kvmod_demo exit status $?)"
else
	echo
	echo "(kvmod_demo is not built yet: nothing more to show)"
fi
echo
echo "== Now unloading $1 with rmmod; it must succeed (no leaked references):"
