# SPDX-License-Identifier: GPL-2.0
#
# The build of a kvmod selftest suite whose programs run guest code with
# ../kvmod_guest/guest_lib.  A suite's Makefile sets TEST_PROGS (and, if
# its programs share more code, EXTRA_SRCS and EXTRA_HDRS; programs with
# rules of their own, EXTRA_PROGS), then includes this file.  Interface:
#
#   make                 build every test program
#   make -s print-progs  list the test programs, one per line
#   make clean
#
# The binaries are static and non-PIE: guest_lib copies their loadable
# segments into guest memory at the link addresses, so guest functions run
# as they are.  Guest code may not touch TLS or call libc, hence no stack
# protector and no memset/memcpy calls synthesised from loops.

SUITE_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
GUEST_DIR := $(SUITE_MK_DIR:/=)
KVMOD_DIR := $(GUEST_DIR)/../kvmod

CC = gcc
CFLAGS ?= -O2
CFLAGS += -static -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -pthread \
	  -fno-pie -no-pie -fno-stack-protector \
	  -fno-tree-loop-distribute-patterns
LDFLAGS ?=

HDRS := $(EXTRA_HDRS) $(GUEST_DIR)/guest_lib.h $(KVMOD_DIR)/x86_regs.h \
	$(KVMOD_DIR)/test_harness.h $(KVMOD_DIR)/kvm_util.h
UTIL := $(EXTRA_SRCS) $(GUEST_DIR)/guest_lib.c $(KVMOD_DIR)/kvm_util.c

all: $(TEST_PROGS) $(EXTRA_PROGS)

$(TEST_PROGS): %: %.c $(UTIL) $(HDRS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(UTIL)

print-progs:
	@printf '%s\n' $(TEST_PROGS)

clean:
	rm -f $(TEST_PROGS) $(EXTRA_PROGS)

.PHONY: all print-progs clean
