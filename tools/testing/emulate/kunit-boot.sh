#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run arch/x86/emulate's KUnit suite inside a CONFIG_KUNIT kernel (the
# debug-lane kernel of tools/lanes/debug-kernel) under QEMU TCG.
#
#   tools/testing/emulate/kunit-boot.sh KDIR BZIMAGE
#
# Builds the emulator sources plus tests/x86_emulate_kunit.c as one
# scratch module in a temporary directory, boots BZIMAGE with a busybox
# initramfs that loads it, prints the suite's KTAP results and exits 0
# only if the suite reported "ok".  Needs qemu-system-x86_64 and a static
# busybox.
set -eu

KDIR=${1:?usage: $0 KDIR BZIMAGE}
BZIMAGE=${2:?usage: $0 KDIR BZIMAGE}
SRC=$(cd "$(dirname "$0")/../../../arch/x86/emulate" && pwd)
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
WORK=$(mktemp -d /tmp/emu-kunit.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/mod/tests" "$WORK/root/bin" "$WORK/root/proc" \
	"$WORK/root/sys" "$WORK/root/dev"
cp "$SRC"/*.c "$SRC"/*.h "$WORK/mod/"
cp "$SRC/tests/x86_emulate_kunit.c" "$WORK/mod/tests/"
cat > "$WORK/mod/Kbuild" <<'EOF'
obj-m := kvmod_emulate_kunit.o
kvmod_emulate_kunit-y := x86_decode.o x86_emulate.o x86_walk.o \
			 tests/x86_emulate_kunit.o modinfo.o
EOF
cat > "$WORK/mod/modinfo.c" <<'EOF'
#include <linux/module.h>
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmod x86 emulator KUnit suite");
EOF
make -s -C "$KDIR" M="$WORK/mod" modules >&2

cp "$BUSYBOX" "$WORK/root/bin/busybox"
cp "$WORK/mod/kvmod_emulate_kunit.ko" "$WORK/root/"
cat > "$WORK/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc none /proc
/bin/busybox mount -t sysfs none /sys
/bin/busybox mount -t debugfs none /sys/kernel/debug
/bin/busybox insmod /kvmod_emulate_kunit.ko
echo "=== KUNIT RESULTS"
/bin/busybox cat /sys/kernel/debug/kunit/kvmod_x86_emulate/results
echo "=== KUNIT END"
/bin/busybox poweroff -f
EOF
chmod +x "$WORK/root/init"
(cd "$WORK/root" && find . | cpio -o -H newc 2>/dev/null | gzip) \
	> "$WORK/initrd.gz"

timeout 900 qemu-system-x86_64 -M q35 -accel tcg -cpu qemu64 -smp 1 \
	-m 1G -nographic -no-reboot -kernel "$BZIMAGE" \
	-initrd "$WORK/initrd.gz" \
	-append "console=ttyS0 panic=-1 kmemleak=off rdinit=/init" \
	> "$WORK/console.log" 2>&1 || true

sed -n '/=== KUNIT RESULTS/,/=== KUNIT END/p' "$WORK/console.log" |
	tr -d '\r' | grep -v '^\[' > "$WORK/results"
cat "$WORK/results"
if grep -E -q 'BUG:|WARNING:' "$WORK/console.log"; then
	echo "kernel reported problems:" >&2
	grep -E 'BUG:|WARNING:' "$WORK/console.log" >&2
	exit 1
fi
grep -q '^ok 1 kvmod_x86_emulate' "$WORK/results"
