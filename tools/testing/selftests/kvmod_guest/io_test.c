// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits: OUT and IN of 1, 2 and 4 bytes on several ports, the
 * KVM_EXIT_IO fields, IN completing with userspace's data on the next
 * KVM_RUN (only the operand's bytes of RAX change; a 32-bit IN clears the
 * upper half, as on hardware), RIP moving past the instruction, and
 * string I/O.
 */
#include <stddef.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define RAX_FILL	0x1122334455667788ULL

asm(GUEST_ASM_MACROS
	".pushsection .text\n"
	/* A function: OUT, HLT, IN, HLT, return. */
	"io_rip_guest:\n"
	"  mov $0x5a, %al\n"
	"io_rip_out:\n"
	"  outb %al, $0x30\n"
	"io_rip_after_out:\n"
	"  hlt\n"
	"io_rip_after_hlt:\n"
	"  mov $0x1122334455667788, %rax\n"
	"io_rip_in:\n"
	"  inw $0x32, %ax\n"
	"io_rip_after_in:\n"
	"  hlt\n"
	"  ret\n"
	".popsection\n");

extern char io_rip_guest[], io_rip_out[], io_rip_after_out[];
extern char io_rip_after_hlt[], io_rip_in[], io_rip_after_in[];

struct pio {
	uint8_t dir;
	uint8_t size;
	uint16_t port;
	uint32_t value;
};

static const struct pio outs[] = {
	{ KVM_EXIT_IO_OUT, 1, 0x10, 0x11 },
	{ KVM_EXIT_IO_OUT, 2, 0x10, 0x2233 },
	{ KVM_EXIT_IO_OUT, 4, 0x10, 0x44556677 },
	{ KVM_EXIT_IO_OUT, 1, 0x80, 0x99 },
	{ KVM_EXIT_IO_OUT, 2, 0x1234, 0xaabb },
	{ KVM_EXIT_IO_OUT, 4, 0xfffc, 0xccddeeff },
};

static GUEST_CODE void out_guest(uint64_t unused)
{
	(void)unused;
	asm volatile("outb %%al, $0x10" : : "a"(0x11));
	asm volatile("outw %%ax, $0x10" : : "a"(0x2233));
	asm volatile("outl %%eax, $0x10" : : "a"(0x44556677));
	asm volatile("outb %%al, %%dx" : : "a"(0x99), "d"(0x80));
	asm volatile("outw %%ax, %%dx" : : "a"(0xaabb), "d"(0x1234));
	asm volatile("outl %%eax, %%dx" : : "a"(0xccddeeff), "d"(0xfffc));
}

/* Run to a port I/O exit, check it, return a pointer to its data. */
static void *check_io(struct kvm_vcpu *vcpu, uint8_t dir, uint8_t size,
		      uint16_t port)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run_ok(vcpu);
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != port)
		vcpu_fail(vcpu, "expected a port I/O exit");
	EXPECT_EQ(run->io.direction, dir);
	EXPECT_EQ(run->io.size, size);
	EXPECT_EQ(run->io.count, 1);
	/* The data lies in the mmap()ed area, past struct kvm_run. */
	ASSERT_GE(run->io.data_offset, sizeof(*run));
	ASSERT_LE(run->io.data_offset + size * run->io.count,
		  vcpu->vm->run_size);
	return (uint8_t *)run + run->io.data_offset;
}

TEST(out_sizes_and_ports)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint32_t got;
	size_t i;

	vcpu_setup_long(vcpu, out_guest, 0);
	for (i = 0; i < ARRAY_SIZE(outs); i++) {
		void *data = check_io(vcpu, outs[i].dir, outs[i].size,
				      outs[i].port);

		got = 0;
		memcpy(&got, data, outs[i].size);
		EXPECT_EQ_U64(got, outs[i].value);
	}
	vcpu_run_done(vcpu);
}

static GUEST_CODE void in_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	v = RAX_FILL;
	asm volatile("inb $0x20, %%al" : "+a"(v));
	GUEST_SYNC(v);
	v = RAX_FILL;
	asm volatile("inw %%dx, %%ax" : "+a"(v) : "d"(0x2345));
	GUEST_SYNC(v);
	v = RAX_FILL;
	asm volatile("inl %%dx, %%eax" : "+a"(v) : "d"(0xfff0));
	GUEST_SYNC(v);
}

TEST(in_sizes_and_rax)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint32_t in32 = 0x89abcdef;
	uint16_t in16 = 0xcdef;

	vcpu_setup_long(vcpu, in_guest, 0);

	*(uint8_t *)check_io(vcpu, KVM_EXIT_IO_IN, 1, 0x20) = 0xab;
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x11223344556677abULL);

	memcpy(check_io(vcpu, KVM_EXIT_IO_IN, 2, 0x2345), &in16, 2);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x112233445566cdefULL);

	/* A 32-bit destination zero-extends into RAX. */
	memcpy(check_io(vcpu, KVM_EXIT_IO_IN, 4, 0xfff0), &in32, 4);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x0000000089abcdefULL);
	vcpu_run_done(vcpu);
}

/*
 * With immediate_exit set, KVM_RUN completes the pending I/O and returns
 * EINTR without running the guest: RIP must then be right after the
 * instruction, and the HLT that follows must be the next exit.
 */
TEST(rip_advances_past_io)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs regs;
	uint16_t in16 = 0x4321;

	vcpu_setup_long(vcpu, (void (*)(uint64_t))io_rip_guest, 0);

	EXPECT_EQ(*(uint8_t *)check_io(vcpu, KVM_EXIT_IO_OUT, 1, 0x30), 0x5a);
	vcpu->run->immediate_exit = 1;
	ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
	vcpu->run->immediate_exit = 0;
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)io_rip_after_out);

	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)io_rip_after_hlt);

	memcpy(check_io(vcpu, KVM_EXIT_IO_IN, 2, 0x32), &in16, 2);
	vcpu->run->immediate_exit = 1;
	ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
	vcpu->run->immediate_exit = 0;
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)io_rip_after_in);
	EXPECT_EQ_U64(regs.rax, 0x1122334455664321ULL);

	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	vcpu_run_done(vcpu);
}

static uint8_t str_src[16] = "kvmod-string-io";
static uint8_t str_dst[16];

static GUEST_CODE void string_guest(uint64_t unused)
{
	uint64_t n = sizeof(str_src), i;
	void *p = str_src;

	(void)unused;
	asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(0x40) : "memory");
	GUEST_ASSERT_EQ(n, 0);
	p = str_dst;
	n = sizeof(str_dst) / 2;
	asm volatile("rep insw" : "+D"(p), "+c"(n) : "d"(0x42) : "memory");
	GUEST_ASSERT_EQ(n, 0);
	for (i = 0; i < sizeof(str_dst); i++)
		GUEST_ASSERT_EQ(str_dst[i], (uint8_t)(0xa0 + i));
}

/*
 * REP OUTSB/INSW: one exit may carry several elements (count), so
 * collect until the whole buffer has moved.
 */
TEST(string_io)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	uint8_t got[16];
	size_t done = 0, i, exits = 0;
	uint8_t *data;

	vcpu_setup_long(vcpu, string_guest, 0);
	while (done < sizeof(got)) {
		vcpu_run_ok(vcpu);
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x40)
			vcpu_fail(vcpu, "expected OUTSB to port 0x40");
		ASSERT_EQ(run->io.direction, KVM_EXIT_IO_OUT);
		ASSERT_EQ(run->io.size, 1);
		ASSERT_GE(run->io.count, 1);
		ASSERT_LE(done + run->io.count, sizeof(got));
		ASSERT_LE(run->io.data_offset + run->io.count, vm->run_size);
		memcpy(got + done, (uint8_t *)run + run->io.data_offset,
		       run->io.count);
		done += run->io.count;
		exits++;
	}
	EXPECT_EQ(memcmp(got, str_src, sizeof(got)), 0);
	TH_LOG("rep outsb: 16 bytes in %zu exit(s)", exits);

	done = 0;
	while (done < sizeof(got) / 2) {
		vcpu_run_ok(vcpu);
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x42)
			vcpu_fail(vcpu, "expected INSW from port 0x42");
		ASSERT_EQ(run->io.direction, KVM_EXIT_IO_IN);
		ASSERT_EQ(run->io.size, 2);
		ASSERT_GE(run->io.count, 1);
		ASSERT_LE(done + run->io.count, sizeof(got) / 2);
		ASSERT_LE(run->io.data_offset + 2 * run->io.count,
			  vm->run_size);
		data = (uint8_t *)run + run->io.data_offset;
		for (i = 0; i < 2 * run->io.count; i++)
			data[i] = 0xa0 + 2 * done + i;
		done += run->io.count;
	}
	vcpu_run_done(vcpu);
}

TEST_HARNESS_MAIN
