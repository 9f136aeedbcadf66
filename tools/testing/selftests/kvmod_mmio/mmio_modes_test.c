// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instructions outside long mode: real mode, 16-bit protected mode
 * and 32-bit protected mode with paging, with operand- and address-size
 * prefixes (66/67), segment overrides and segments whose bases are not
 * zero (and not page aligned).  The VM's memory has a hole at 0xa0000-
 * 0xfffff, answered by a byte-array device; each case is one instruction
 * and a HLT, with the registers, device bytes and RAM it must leave
 * spelled out by hand (registers not named must not change; RFLAGS must
 * not change unless named).
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "mmio_lib.h"

#define HOLE_GPA	0xa0000ULL
#define HOLE_SIZE	0x60000ULL

#define F_ALL	(X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF | X86_DF)
#define F_LOGIC	(F_ALL & ~X86_AF)
#define F_BT	(X86_CF | X86_DF)

/*
 * X(name, instruction, setup, exits, expected, flags).  Offsets in m...
 * tokens and exits are relative to HOLE_GPA; g<GPA>:<len> is guest RAM.
 * Real mode: DS=a000 (device +0), ES=b000 (+10000), FS=c000 (+20000),
 * GS=d000 (+30000), SS=0.
 */
#define RM_CASES(X)							\
	X(rm_mov_st16, "mov %bx, 0x10", "", "w2@10", "m10:2=0xaabb", F_ALL) \
	X(rm_mov_st32, "mov %ebx, 0x20", "", "w4@20", "m20:4=0x8899aabb", \
	  F_ALL)							\
	X(rm_mov_ld8_es_si, "mov %es:0x30(%si), %al", "m10034=0x5a",	\
	  "r1@10034", "rax=0x0a0b0c5a", F_ALL)				\
	X(rm_addr32_st, "addr32 mov %ecx, (%edi)", "rdi=0x1234", "w4@1234", \
	  "m1234:4=0x01234567", F_ALL)					\
	X(rm_add_fs, "addw %bx, %fs:0x40", "rbx=0x88990001 m20040=0x7fff", \
	  "r2@20040 w2@20040", "m20040:2=0x8000 rflags=0x896", F_ALL)	\
	X(rm_movzx_gs, "movzbl %gs:(%bx), %ecx", "rbx=0x100 m30100=0xfe", \
	  "r1@30100", "rcx=0xfe", F_ALL)				\
	X(rm_rep_movsb_to_ram, "rep movsb",				\
	  "es=0x9000 rsi=0x12340050 rdi=0x100 rcx=0xabcd0003 m50=0x332211", \
	  "r1@50 r1@51 r1@52",						\
	  "rsi=0x12340053 rdi=0x103 rcx=0xabcd0000 g90100:3=0x332211", F_ALL) \
	X(rm_rep_stosw_df, "rep stosw",					\
	  "rdi=0x106 rcx=3 rax=0x0a0bbeef rflags=0x402",		\
	  "w2@10106 w2@10104 w2@10102",					\
	  "rdi=0x100 rcx=0 m10102:6=0xbeefbeefbeef", F_ALL)		\
	X(rm_xchg, "xchg %dx, 0x60", "m60=0x1357", "r2@60 w2@60",	\
	  "rdx=0xfedc1357 m60:2=0xba98", F_ALL)				\
	X(rm_moffs_ld, "mov 0x70, %al", "m70=0x99", "r1@70",		\
	  "rax=0x0a0b0c99", F_ALL)					\
	X(rm_moffs_st_es, "mov %ax, %es:0x72", "", "w2@10072",		\
	  "m10072:2=0x0c0d", F_ALL)					\
	X(rm_cmp_flags, "cmpb $0x80, 0x80", "m80=0x7f", "r1@80",	\
	  "rflags=0x887", F_ALL)					\
	X(rm_bts, "btsw $3, 0x90", "m90=0x0100", "r2@90 w2@90",		\
	  "m90:2=0x0108 rflags=0x2", F_BT)				\
	X(rm_or_bp_ss, "orb %al, (%bp)", "ss=0xe000 rbp=0x10 m40010=0x80", \
	  "r1@40010 w1@40010", "m40010:1=0x8d rflags=0x86", F_LOGIC)

/*
 * 16-bit protected mode: DS base a1000 (+1000), ES b2345 (+12345), FS
 * c0100 (+20100), GS d0000 (+30000), limits 0xffff; SS flat.
 */
#define PM16_CASES(X)							\
	X(p16_mov_st16, "mov %bx, 0x10", "", "w2@1010", "m1010:2=0xaabb", \
	  F_ALL)							\
	X(p16_mov_66_67, "addr32 mov %ebx, 4(%esi)", "rsi=0x20", "w4@1024", \
	  "m1024:4=0x8899aabb", F_ALL)					\
	X(p16_es_ld, "mov %es:2(%di), %cx", "m1234f=0x4321", "r2@1234f", \
	  "rcx=0x01234321", F_ALL)					\
	X(p16_and_fs, "andw $0xff00, %fs:(%bx)",			\
	  "rbx=0x88990010 m20110=0x00ff", "r2@20110 w2@20110",		\
	  "m20110:2=0 rflags=0x46", F_LOGIC)				\
	X(p16_rep_stosb_wrap, "rep stosb",				\
	  "rdi=0x5555ffff rcx=0x77770002", "w1@22344 w1@12345",		\
	  "rdi=0x55550001 rcx=0x77770000 m22344:1=0x0d m12345:1=0x0d",	\
	  F_ALL)							\
	X(p16_movsx_gs, "movsbw %gs:(%si), %ax", "m30004=0x80", "r1@30004", \
	  "rax=0x0a0bff80", F_ALL)					\
	X(p16_sub_zero, "subw %bx, %ds:0x30", "m1030=0xaabb",		\
	  "r2@1030 w2@1030", "m1030:2=0 rflags=0x46", F_ALL)

/* 32-bit protected mode with paging: same bases, 4 GiB limits. */
#define PM32_CASES(X)							\
	X(p32_mov_st32, "mov %ebx, 0x10(%eax)", "rax=0x100", "w4@1110",	\
	  "m1110:4=0x8899aabb", F_ALL)					\
	X(p32_mov_66_es, "mov %bx, %es:(%edi)", "", "w2@1234d",		\
	  "m1234d:2=0xaabb", F_ALL)					\
	X(p32_addr16_wrap, "addr16 mov %ecx, (%bx,%si)",		\
	  "rbx=0xfff0 rsi=0x20", "w4@1010", "m1010:4=0x01234567", F_ALL) \
	X(p32_moffs_ld, "mov 0x40, %eax", "m1040=0xcafef00d", "r4@1040", \
	  "rax=0xcafef00d", F_ALL)					\
	X(p32_moffs_st_fs, "mov %eax, %fs:0x44", "", "w4@20144",	\
	  "m20144:4=0x0a0b0c0d", F_ALL)					\
	X(p32_sub_gs, "subl $1, %gs:(%ecx)", "rcx=0x10 m30010=0",	\
	  "r4@30010 w4@30010", "m30010:4=0xffffffff rflags=0x97", F_ALL) \
	X(p32_xchg8, "xchg %dl, 7(%eax)", "rax=0x200 m1207=0x42",	\
	  "r1@1207 w1@1207", "rdx=0xfedcba42 m1207:1=0x98", F_ALL)	\
	X(p32_bt_far, "btl %ebx, (%eax)", "rax=0x300 rbx=33 m1304=0x2",	\
	  "r4@1304", "rflags=0x3", F_BT)				\
	X(p32_rep_movsl_df, "rep movsl",				\
	  "ds.base=0 rsi=0x90004 rdi=0x104 rcx=2 rflags=0x402 "		\
	  "g90000=0x1111111122222222", "w4@12449 w4@12445",		\
	  "rsi=0x8fffc rdi=0xfc rcx=0 m12445:8=0x1111111122222222", F_ALL) \
	X(p32_rep_stosb_a16, "addr16 rep stosb",			\
	  "rdi=0x5555fffe rcx=0x66660003", "w1@22343 w1@22344 w1@12345", \
	  "rdi=0x55550001 rcx=0x66660000 m22343:2=0x0d0d m12345:1=0x0d", \
	  F_ALL)							\
	X(p32_movnti, "movnti %ebx, (%eax)", "rax=0x400", "w4@1400",	\
	  "m1400:4=0x8899aabb", F_ALL)					\
	X(p32_movzx_ss_bp, "movzwl (%ebp), %eax",			\
	  "ss.base=0xe0000 rbp=0x20 m40020=0x9876", "r2@40020",		\
	  "rax=0x9876", F_ALL)

#define ASM_X(name, insn, setup, exits, expect, flags)			\
	".globl c_" #name "\nc_" #name ":\n" insn "\nc_" #name "_end:\n  hlt\n"
#define DECL_X(name, insn, setup, exits, expect, flags)		\
	extern char c_##name[], c_##name##_end[];
#define TAB_X(name, insn, setup, exits, expect, flags)			\
	{ #name, insn, c_##name, c_##name##_end, setup, exits, expect, flags },

asm(".pushsection .text\n"
	".code16\n"
	"rm_blob:\n"
	RM_CASES(ASM_X)
	"rm_blob_end:\n"
	"pm16_blob:\n"
	PM16_CASES(ASM_X)
	"pm16_blob_end:\n"
	".code32\n"
	PM32_CASES(ASM_X)
	".code64\n"
	".popsection\n");

extern char rm_blob[], rm_blob_end[], pm16_blob[], pm16_blob_end[];
RM_CASES(DECL_X)
PM16_CASES(DECL_X)
PM32_CASES(DECL_X)

struct mode_case {
	const char *name;
	const char *text;
	const char *start, *end;
	const char *setup;
	const char *exits;
	const char *expect;
	uint64_t flags;
};

static const struct mode_case rm_cases[] = { RM_CASES(TAB_X) };
static const struct mode_case pm16_cases[] = { PM16_CASES(TAB_X) };
static const struct mode_case pm32_cases[] = { PM32_CASES(TAB_X) };

enum mode { REAL, PM16, PM32 };

static uint8_t dev_mem[HOLE_SIZE];

/* Slot 0 below the hole, slot 1 above it, same host memory. */
static void punch_hole(struct kvm_vm *vm)
{
	ASSERT_OK(memslot_set(vm->fd, 0, 0, 0, 0, (uintptr_t)vm->mem));
	ASSERT_OK(memslot_set(vm->fd, 0, 0, 0, HOLE_GPA,
			      (uintptr_t)vm->mem));
	ASSERT_OK(memslot_set(vm->fd, 1, 0, HOLE_GPA + HOLE_SIZE,
			      vm->mem_size - HOLE_GPA - HOLE_SIZE,
			      (uintptr_t)vm->mem + HOLE_GPA + HOLE_SIZE));
}

static void default_regs(struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rax = 0x0a0b0c0d;
	r->rbx = 0x8899aabb;
	r->rcx = 0x01234567;
	r->rdx = 0xfedcba98;
	r->rsi = 4;
	r->rdi = 8;
	r->rbp = 0x3333;
	r->rflags = 0x2;
}

static struct kvm_segment *seg_by_name(struct kvm_sregs *sr, const char *n)
{
	static const char * const names[] = { "cs", "ds", "es", "fs", "gs",
					      "ss" };
	struct kvm_segment *segs[] = { &sr->cs, &sr->ds, &sr->es, &sr->fs,
				       &sr->gs, &sr->ss };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncmp(n, names[i], 2))
			return segs[i];
	return NULL;
}

static void set_seg(struct kvm_segment *s, enum mode m, uint64_t v,
		    bool base_only)
{
	if (m == REAL && !base_only) {
		s->selector = v;
		s->base = v << 4;
	} else {
		s->base = v;
	}
}

/* Segments of each mode before the case's own set-up. */
static void default_segs(struct kvm_sregs *sr, enum mode m)
{
	if (m == REAL) {
		set_seg(&sr->ds, m, 0xa000, false);
		set_seg(&sr->es, m, 0xb000, false);
		set_seg(&sr->fs, m, 0xc000, false);
		set_seg(&sr->gs, m, 0xd000, false);
		set_seg(&sr->ss, m, 0, false);
		return;
	}
	sr->ds.base = 0xa1000;
	sr->es.base = 0xb2345;
	sr->fs.base = 0xc0100;
	sr->gs.base = 0xd0000;
	sr->ss.base = 0;
}

/* Apply the set-up: segments, guest RAM, then registers and device. */
static void apply_setup(struct kvm_vm *vm, const char *spec,
			struct kvm_regs *regs, struct kvm_sregs *sr,
			enum mode m)
{
	char tok[64], *eq;
	const char *p = spec;
	struct kvm_segment *s;
	uint64_t v;
	int n;

	while (sscanf(p, " %63s%n", tok, &n) == 1) {
		p += n;
		eq = strchr(tok, '=');
		ASSERT_TRUE(eq);
		v = strtoull(eq + 1, NULL, 0);
		s = seg_by_name(sr, tok);
		if (s && (tok[2] == '=' || tok[2] == '.')) {
			set_seg(s, m, v, tok[2] == '.');
			continue;
		}
		if (tok[0] == 'g') {
			memcpy(gpa_ptr(vm, strtoull(tok + 1, NULL, 16)), &v, 8);
			continue;
		}
		setup_apply(tok, regs, dev_mem, HOLE_GPA, 0);
	}
}

/* Check "reg=v", "rflags=v", "mOFF:LEN=v", "gGPA:LEN=v"; mark the regs. */
static bool check_expect(struct kvm_vm *vm, const struct mode_case *k,
			 struct kvm_regs *init, struct kvm_regs *got)
{
	static const char * const names[] = REG_NAMES;
	bool named[NR_KVM_REGS] = { false };
	char tok[64], *eq, *colon;
	const char *p = k->expect;
	uint64_t v, have, mask;
	unsigned int len;
	bool ok = true;
	int n, i;

	while (sscanf(p, " %63s%n", tok, &n) == 1) {
		p += n;
		eq = strchr(tok, '=');
		ASSERT_TRUE(eq);
		*eq = '\0';
		v = strtoull(eq + 1, NULL, 0);
		colon = strchr(tok, ':');
		if (colon) {
			uint64_t off = strtoull(tok + 1, NULL, 16);
			uint8_t *mem = tok[0] == 'm' ? dev_mem + off :
						       gpa_ptr(vm, off);

			len = strtoul(colon + 1, NULL, 0);
			have = 0;
			memcpy(&have, mem, len);
			mask = len == 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
			if (have != (v & mask)) {
				TH_LOG("  %s: 0x%llx, expected 0x%llx", tok,
				       (unsigned long long)have,
				       (unsigned long long)(v & mask));
				ok = false;
			}
			continue;
		}
		for (i = 0; i < NR_KVM_REGS; i++)
			if (!strcmp(tok, names[i]))
				break;
		ASSERT_LT(i, NR_KVM_REGS);
		named[i] = true;
		have = reg_array(got)[i];
		if (i == KREG_RFLAGS) {
			have &= k->flags | 0x2;
			v &= k->flags | 0x2;
		}
		if (have != v) {
			TH_LOG("  %s 0x%llx, expected 0x%llx", names[i],
			       (unsigned long long)have,
			       (unsigned long long)v);
			ok = false;
		}
	}
	for (i = 0; i < NR_KVM_REGS; i++) {
		uint64_t g = reg_array(got)[i], w = reg_array(init)[i];

		if (named[i] || i == KREG_RIP)
			continue;
		if (i == KREG_RFLAGS) {
			g &= k->flags | 0x2;
			w &= k->flags | 0x2;
		}
		if (g != w) {
			TH_LOG("  %s changed: 0x%llx, was 0x%llx", names[i],
			       (unsigned long long)g, (unsigned long long)w);
			ok = false;
		}
	}
	return ok;
}

static void run_mode(enum mode m, const struct mode_case *cases, size_t n)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr0, sr;
	struct kvm_regs init, got;
	struct mmio_dev d;
	const char *blob = m == REAL ? rm_blob : pm16_blob;
	size_t i, failed = 0;
	uint64_t rip, rsp;

	punch_hole(vm);
	if (m == REAL) {
		vm_load_blob(vm, BLOB_GPA, rm_blob, rm_blob_end);
		vcpu_setup_real(vcpu, 0, BLOB_GPA);
	} else if (m == PM16) {
		vm_load_blob(vm, BLOB_GPA, pm16_blob, pm16_blob_end);
		vcpu_setup_pm16(vcpu, BLOB_GPA, false);
	} else {
		vcpu_setup_pm32(vcpu, cases[0].start, true);
	}
	vcpu_get_sregs(vcpu->fd, &sr0);
	vcpu_get_regs(vcpu->fd, &init);
	rsp = init.rsp;

	for (i = 0; i < n; i++) {
		const struct mode_case *k = &cases[i];
		bool ok = true;
		uint32_t reason;

		rip = m == PM32 ? (uintptr_t)k->start :
				  BLOB_GPA + (k->start - blob);
		memset(dev_mem, 0, sizeof(dev_mem));
		sr = sr0;
		default_segs(&sr, m);
		default_regs(&init);
		apply_setup(vm, k->setup, &init, &sr, m);
		init.rip = rip;
		init.rsp = rsp;
		vcpu_set_sregs(vcpu->fd, &sr);
		vcpu_set_regs(vcpu->fd, &init);
		mmio_dev_init(&d, HOLE_GPA, HOLE_SIZE, dev_mem);
		reason = mmio_run(vcpu, &d, KVM_EXIT_HLT);
		vcpu_get_regs(vcpu->fd, &got);
		if (reason != KVM_EXIT_HLT) {
			TH_LOG("  exit %u (%s) instead of HLT, rip 0x%llx",
			       reason, exit_reason_str(reason), got.rip);
			mmio_dump_log(&d);
			ok = false;
		} else {
			ok &= mmio_check_log(&d, k->exits);
			ok &= check_expect(vm, k, &init, &got);
			if (got.rip != rip + (k->end - k->start) + 1) {
				TH_LOG("  rip 0x%llx, expected 0x%llx",
				       got.rip, (unsigned long long)
				       (rip + (k->end - k->start) + 1));
				ok = false;
			}
		}
		if (!ok) {
			TH_LOG("case %s ('%s', setup '%s') FAILED", k->name,
			       k->text, k->setup);
			failed++;
		}
	}
	TH_LOG("%zu case(s), %zu failed", n, failed);
	EXPECT_EQ(failed, 0);
}

TEST(real_mode)
{
	run_mode(REAL, rm_cases, ARRAY_SIZE(rm_cases));
}

TEST(protected_mode_16bit)
{
	run_mode(PM16, pm16_cases, ARRAY_SIZE(pm16_cases));
}

TEST(protected_mode_32bit_paging)
{
	run_mode(PM32, pm32_cases, ARRAY_SIZE(pm32_cases));
}

TEST_HARNESS_MAIN
