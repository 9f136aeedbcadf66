# SPDX-License-Identifier: GPL-2.0
#
# kvmod top-level Makefile.
#
#   make                  build kvmod.ko against KDIR (default: the running kernel)
#   make check            the full test run (emulated hosts), prints "N passed, N failed"
#   make demo             boot the emulated AMD-V host and show kvmod working
#   make bench            kvmod against the real KVM (Documentation/performance.rst)
#   make qemu-boot        boot Linux under Debian's QEMU on kvmod and on the real KVM
#   make selftests        build the kvmod selftests (static binaries)
#   make kunit            kvmod.ko plus kvmod_kunit.ko, its KUnit suites
#                         (KDIR must have CONFIG_KUNIT: the debug kernel's)
#   make debug-lane       the debug-kernel lane (KASAN, lockdep, kmemleak)
#   make debug-planted    show that lane catches planted bugs
#
KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_KVMOD=m modules

SELFTEST_DIRS := $(wildcard tools/testing/selftests/kvmod*)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	for d in $(SELFTEST_DIRS); do $(MAKE) -C $$d clean || exit 1; done
	rm -rf out

selftests:
	for d in $(SELFTEST_DIRS); do $(MAKE) -C $$d || exit 1; done

check:
	tools/lanes/check.sh

demo:
	tools/lanes/demo.sh

bench:
	tools/bench/run.sh

# Both QEMU machine types on kvmod and the real KVM.  Not in 'make check':
# on kvmod the guest still hangs early in some runs of either machine type
# (tools/lanes/qemu-boot/README).
qemu-boot:
	tools/lanes/run-lane.sh --targets "kvmod kvm" --timeout 300 \
		--suite qemuboot="$$(tools/lanes/qemu-boot/build.sh)"
	tools/lanes/run-lane.sh --targets "kvmod kvm" --timeout 400 \
		--suite qemuboot="$$(tools/lanes/qemu-boot/build.sh --variant irqchip)"

.PHONY: all modules clean selftests check demo bench qemu-boot

kunit:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_KVMOD=m CONFIG_KVMOD_KUNIT=m modules

debug-lane:
	tools/lanes/debug-kernel/lane.sh

debug-planted:
	tools/lanes/debug-kernel/planted.sh

.PHONY: kunit debug-lane debug-planted
