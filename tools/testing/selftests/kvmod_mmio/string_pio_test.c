// SPDX-License-Identifier: GPL-2.0
/*
 * String port I/O: REP INSB/INSW/OUTSW with DF clear and set, with 64-,
 * 32- and 16-bit address sizes.  KVM may move several elements per
 * KVM_EXIT_IO (count); the host answers INs with numbered elements and
 * collects OUT data, and checks that every element went to (or came
 * from) the right address in the right order, and how RSI/RDI/RCX end:
 * a 32-bit address size in long mode writes ESI/EDI/ECX (upper halves
 * cleared), a 16-bit one wraps SI/DI at 64 KiB and keeps the upper bits.
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "mmio_lib.h"

#define PORT		0x1f0
#define BUF_GPA		(SCRATCH_GPA + 0x1000)
#define RM_SEG		0x9000	/* real-mode data at 0x90000 */

#define SNIP(name, insn)						\
	".globl " #name "\n" #name ":\n" insn "\n" #name "_end:\n  hlt\n"

asm(".pushsection .text\n"
	SNIP(lm_insb, "rep insb (%dx), %es:(%rdi)")
	SNIP(lm_insw, "rep insw (%dx), %es:(%rdi)")
	SNIP(lm_outsw, "rep outsw (%rsi), (%dx)")
	SNIP(lm_insb_a32, "rep insb (%dx), %es:(%edi)")
	SNIP(lm_outsw_a32, "rep outsw (%esi), (%dx)")
	".code32\n"
	SNIP(pm32_insb_a16, "rep insb (%dx), %es:(%di)")
	SNIP(pm32_outsw_a16, "rep outsw (%si), (%dx)")
	".code16\n"
	"rm_blob:\n"
	SNIP(rm_outsw, "rep outsw (%si), (%dx)")
	SNIP(rm_insw, "rep insw (%dx), %es:(%di)")
	"rm_blob_end:\n"
	".code64\n"
	".popsection\n");

extern char lm_insb[], lm_insb_end[], lm_insw[], lm_insw_end[];
extern char lm_outsw[], lm_outsw_end[], lm_insb_a32[], lm_insb_a32_end[];
extern char lm_outsw_a32[], lm_outsw_a32_end[];
extern char pm32_insb_a16[], pm32_insb_a16_end[];
extern char pm32_outsw_a16[], pm32_outsw_a16_end[];
extern char rm_blob[], rm_blob_end[], rm_outsw[], rm_outsw_end[];
extern char rm_insw[], rm_insw_end[];

/* Byte j of IN element k. */
static uint8_t in_byte(unsigned int k, unsigned int j)
{
	return (uint8_t)(0x30 + k + 0x50 * j);
}

struct pio_result {
	unsigned int elems;	/* elements moved */
	unsigned int exits;
	uint8_t out[256];	/* OUT data, in order */
};

/* Run to the HLT serving PORT with elements of 'size' bytes. */
static void run_pio(struct kvm_vcpu *vcpu, unsigned int size,
		    struct pio_result *res)
{
	struct kvm_run *run = vcpu->run;
	unsigned int i, j;
	uint8_t *data;

	memset(res, 0, sizeof(*res));
	for (;;) {
		vcpu_run_ok(vcpu);
		if (run->exit_reason == KVM_EXIT_HLT)
			return;
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != PORT)
			vcpu_fail(vcpu, "expected string I/O or HLT");
		ASSERT_EQ(run->io.size, size);
		ASSERT_GE(run->io.count, 1);
		ASSERT_LE((res->elems + run->io.count) * size,
			  sizeof(res->out));
		data = (uint8_t *)run + run->io.data_offset;
		for (i = 0; i < run->io.count; i++, res->elems++) {
			for (j = 0; j < size; j++) {
				if (run->io.direction == KVM_EXIT_IO_IN)
					data[i * size + j] =
						in_byte(res->elems, j);
				else
					res->out[res->elems * size + j] =
						data[i * size + j];
			}
		}
		res->exits++;
	}
}

static void set_regs(struct kvm_vcpu *vcpu, uint64_t rip, uint64_t rsi,
		     uint64_t rdi, uint64_t rcx, uint64_t rflags)
{
	struct kvm_regs r;

	vcpu_get_regs(vcpu->fd, &r);
	r.rip = rip;
	r.rsi = rsi;
	r.rdi = rdi;
	r.rcx = rcx;
	r.rdx = 0xabcd0000 | PORT;
	r.rflags = rflags;
	vcpu_set_regs(vcpu->fd, &r);
}

static void expect_regs(struct kvm_vcpu *vcpu, uint64_t rip, uint64_t rsi,
			uint64_t rdi, uint64_t rcx)
{
	struct kvm_regs r;

	vcpu_get_regs(vcpu->fd, &r);
	EXPECT_EQ_U64(r.rip, rip);
	EXPECT_EQ_U64(r.rsi, rsi);
	EXPECT_EQ_U64(r.rdi, rdi);
	EXPECT_EQ_U64(r.rcx, rcx);
	EXPECT_EQ_U64(r.rdx, 0xabcd0000 | PORT);
}

/* Element k of an IN went to addr(k); nothing else in buf changed. */
static void check_in(uint8_t *buf, size_t buf_len, const uint8_t *fill,
		     unsigned int n, unsigned int size, long first_off,
		     long step)
{
	uint8_t want[0x100];
	unsigned int k, j;

	ASSERT_LE(buf_len, sizeof(want));
	memcpy(want, fill, buf_len);
	for (k = 0; k < n; k++)
		for (j = 0; j < size; j++)
			want[first_off + step * k + j] = in_byte(k, j);
	for (k = 0; k < buf_len; k++)
		if (buf[k] != want[k]) {
			TH_LOG("buffer +0x%x: 0x%02x, expected 0x%02x", k,
			       buf[k], want[k]);
			EXPECT_EQ(buf[k], want[k]);
			return;
		}
}

static void fill_pattern(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(0xc0 ^ (i * 7));
}

/* REP INSB, DF=0, and REP INSW, DF=1, with 64-bit addresses. */
TEST(long_mode_ins_df)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *buf = gpa_ptr(vm, BUF_GPA), fill[64];
	struct pio_result res;

	vcpu_setup_long(vcpu, NULL, 0);
	fill_pattern(fill, sizeof(fill));

	memcpy(buf, fill, sizeof(fill));
	set_regs(vcpu, (uintptr_t)lm_insb, 0x1234, BUF_GPA + 8, 8, 0x2);
	run_pio(vcpu, 1, &res);
	EXPECT_EQ(res.elems, 8);
	TH_LOG("rep insb: 8 bytes in %u exit(s)", res.exits);
	expect_regs(vcpu, (uintptr_t)lm_insb_end + 1, 0x1234, BUF_GPA + 16, 0);
	check_in(buf, sizeof(fill), fill, 8, 1, 8, 1);

	memcpy(buf, fill, sizeof(fill));
	set_regs(vcpu, (uintptr_t)lm_insw, 0x1234, BUF_GPA + 0x20, 6,
		 0x2 | X86_DF);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 6);
	TH_LOG("rep insw, DF=1: 6 words in %u exit(s)", res.exits);
	expect_regs(vcpu, (uintptr_t)lm_insw_end + 1, 0x1234,
		    BUF_GPA + 0x20 - 12, 0);
	check_in(buf, sizeof(fill), fill, 6, 2, 0x20, -2);
}

/* REP OUTSW with DF=0 and DF=1: the data leaves in address order. */
TEST(long_mode_outsw_df)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *buf = gpa_ptr(vm, BUF_GPA);
	struct pio_result res;
	unsigned int k;

	vcpu_setup_long(vcpu, NULL, 0);
	fill_pattern(buf, 64);

	set_regs(vcpu, (uintptr_t)lm_outsw, BUF_GPA + 4, 0x5678, 5, 0x2);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 5);
	TH_LOG("rep outsw: 5 words in %u exit(s)", res.exits);
	expect_regs(vcpu, (uintptr_t)lm_outsw_end + 1, BUF_GPA + 14, 0x5678,
		    0);
	EXPECT_EQ(memcmp(res.out, buf + 4, 10), 0);

	set_regs(vcpu, (uintptr_t)lm_outsw, BUF_GPA + 0x18, 0x5678, 5,
		 0x2 | X86_DF);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 5);
	TH_LOG("rep outsw, DF=1: 5 words in %u exit(s)", res.exits);
	expect_regs(vcpu, (uintptr_t)lm_outsw_end + 1, BUF_GPA + 0x18 - 10,
		    0x5678, 0);
	for (k = 0; k < 5; k++) {
		EXPECT_EQ(res.out[2 * k], buf[0x18 - 2 * k]);
		EXPECT_EQ(res.out[2 * k + 1], buf[0x18 - 2 * k + 1]);
	}
}

/*
 * 67h in long mode: EDI/ESI/ECX are the address and count; the upper
 * halves of RDI/RSI/RCX are ignored and end up zero.
 */
TEST(long_mode_addr32)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *buf = gpa_ptr(vm, BUF_GPA), fill[64];
	struct pio_result res;
	unsigned int k;

	vcpu_setup_long(vcpu, NULL, 0);
	fill_pattern(fill, sizeof(fill));
	memcpy(buf, fill, sizeof(fill));

	set_regs(vcpu, (uintptr_t)lm_insb_a32, 0xffff000000001234ULL,
		 0xdead000000000000ULL | BUF_GPA, 0x7700000000000004ULL, 0x2);
	run_pio(vcpu, 1, &res);
	EXPECT_EQ(res.elems, 4);
	expect_regs(vcpu, (uintptr_t)lm_insb_a32_end + 1,
		    0xffff000000001234ULL, BUF_GPA + 4, 0);
	check_in(buf, sizeof(fill), fill, 4, 1, 0, 1);

	set_regs(vcpu, (uintptr_t)lm_outsw_a32,
		 0x1234000000000000ULL | (BUF_GPA + 6), 0x99, 0x100000003ULL,
		 0x2 | X86_DF);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 3);
	expect_regs(vcpu, (uintptr_t)lm_outsw_a32_end + 1, BUF_GPA, 0x99, 0);
	for (k = 0; k < 3; k++)
		EXPECT_EQ(res.out[2 * k], buf[6 - 2 * k]);
}

/*
 * 67h in 32-bit code: 16-bit addressing.  DI and SI wrap inside the
 * segment (ES/DS based at 0x90000) and the upper halves of EDI, ESI and
 * ECX stay as they were.
 */
TEST(pm32_addr16_wrap)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *seg = gpa_ptr(vm, 0x90000);
	struct pio_result res;
	struct kvm_sregs sr;

	vcpu_setup_pm32(vcpu, pm32_insb_a16, false);
	vcpu_get_sregs(vcpu->fd, &sr);
	sr.es.base = 0x90000;
	sr.ds.base = 0x90000;
	vcpu_set_sregs(vcpu->fd, &sr);
	memset(seg, 0xee, 0x10000);

	set_regs(vcpu, (uintptr_t)pm32_insb_a16, 0x11110000, 0x5555fffe,
		 0x66660004, 0x2);
	run_pio(vcpu, 1, &res);
	EXPECT_EQ(res.elems, 4);
	expect_regs(vcpu, (uintptr_t)pm32_insb_a16_end + 1, 0x11110000,
		    0x55550002, 0x66660000);
	EXPECT_EQ(seg[0xfffe], in_byte(0, 0));
	EXPECT_EQ(seg[0xffff], in_byte(1, 0));
	EXPECT_EQ(seg[0x0000], in_byte(2, 0));
	EXPECT_EQ(seg[0x0001], in_byte(3, 0));
	EXPECT_EQ(seg[0x0002], 0xee);
	EXPECT_EQ(seg[0xfffd], 0xee);

	/* OUTSW, DF=1, from SI=2: offsets 2, 0, 0xfffe. */
	seg[0] = 0x01; seg[1] = 0x02; seg[2] = 0x03; seg[3] = 0x04;
	seg[0xfffe] = 0x05; seg[0xffff] = 0x06;
	set_regs(vcpu, (uintptr_t)pm32_outsw_a16, 0x77770002, 0x12345678,
		 0x88880003, 0x2 | X86_DF);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 3);
	expect_regs(vcpu, (uintptr_t)pm32_outsw_a16_end + 1, 0x7777fffc,
		    0x12345678, 0x88880000);
	EXPECT_EQ(memcmp(res.out, "\x03\x04\x01\x02\x05\x06", 6), 0);
}

/* Real mode: the same wrap with DS/ES = 0x9000, upper halves kept. */
TEST(real_mode_wrap)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *seg = gpa_ptr(vm, RM_SEG * 16);
	struct pio_result res;
	struct kvm_sregs sr;
	uint64_t ip;

	vm_load_blob(vm, BLOB_GPA, rm_blob, rm_blob_end);
	vcpu_setup_real(vcpu, 0, BLOB_GPA);
	vcpu_get_sregs(vcpu->fd, &sr);
	sr.ds.selector = sr.es.selector = RM_SEG;
	sr.ds.base = sr.es.base = RM_SEG * 16;
	vcpu_set_sregs(vcpu->fd, &sr);
	memset(seg, 0xee, 0x10000);
	seg[0xfffc] = 0xa1; seg[0xfffd] = 0xa2;
	seg[0xfffe] = 0xa3; seg[0xffff] = 0xa4;
	seg[0] = 0xa5; seg[1] = 0xa6;

	/* OUTSW, DF=0, from SI=0xfffc: offsets 0xfffc, 0xfffe, 0. */
	ip = BLOB_GPA + (rm_outsw - rm_blob);
	set_regs(vcpu, ip, 0x4321fffc, 0, 0x99990003, 0x2);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 3);
	expect_regs(vcpu, ip + (rm_outsw_end - rm_outsw) + 1, 0x43210002, 0,
		    0x99990000);
	EXPECT_EQ(memcmp(res.out, "\xa1\xa2\xa3\xa4\xa5\xa6", 6), 0);

	/* INSW, DF=1, to DI=2: offsets 2, 0, 0xfffe. */
	ip = BLOB_GPA + (rm_insw - rm_blob);
	set_regs(vcpu, ip, 0, 0xabc00002, 3, 0x2 | X86_DF);
	run_pio(vcpu, 2, &res);
	EXPECT_EQ(res.elems, 3);
	expect_regs(vcpu, ip + (rm_insw_end - rm_insw) + 1, 0, 0xabc0fffc, 0);
	EXPECT_EQ(seg[2], in_byte(0, 0));
	EXPECT_EQ(seg[3], in_byte(0, 1));
	EXPECT_EQ(seg[0], in_byte(1, 0));
	EXPECT_EQ(seg[1], in_byte(1, 1));
	EXPECT_EQ(seg[0xfffe], in_byte(2, 0));
	EXPECT_EQ(seg[0xffff], in_byte(2, 1));
	EXPECT_EQ(seg[4], 0xee);
	EXPECT_EQ(seg[0xfffd], 0xa2);
}

TEST_HARNESS_MAIN
