// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET/SET_REGS and KVM_GET/SET_SREGS: the architectural reset state,
 * round trips, and the combinations KVM_SET_SREGS must refuse.
 *
 * Where SVM and VMX legitimately report a reset detail differently (the
 * accessed bit of CS/SS, the TSS type of TR), only the architectural part
 * is asserted.
 */
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

#include "x86_regs.h"
#define APIC_BASE_BSP	(1ULL << 8)
#define APIC_BASE_EXTD	(1ULL << 10)
#define APIC_BASE_EN	(1ULL << 11)

struct ctx {
	int kvm;
	int vm;
	int vcpu;
};

static void setup(struct ctx *c)
{
	c->kvm = kvm_open();
	c->vm = vm_create(c->kvm);
	c->vcpu = vcpu_create(c->vm, 0);
}

#define SEG_EQ(name, a, b, field)					\
	do {								\
		if ((a)->field != (b)->field) {				\
			TH_LOG("%s.%s: got 0x%llx, want 0x%llx", name,	\
			       #field,					\
			       (unsigned long long)(a)->field,		\
			       (unsigned long long)(b)->field);		\
			bad++;						\
		}							\
	} while (0)

/* Field-by-field, so a mismatch names itself; returns the count. */
static int seg_diff(const char *name, const struct kvm_segment *got,
		    const struct kvm_segment *want)
{
	int bad = 0;

	SEG_EQ(name, got, want, base);
	SEG_EQ(name, got, want, limit);
	SEG_EQ(name, got, want, selector);
	SEG_EQ(name, got, want, type);
	SEG_EQ(name, got, want, present);
	SEG_EQ(name, got, want, dpl);
	SEG_EQ(name, got, want, db);
	SEG_EQ(name, got, want, s);
	SEG_EQ(name, got, want, l);
	SEG_EQ(name, got, want, g);
	SEG_EQ(name, got, want, avl);
	SEG_EQ(name, got, want, unusable);
	return bad;
}

static int sregs_diff(const struct kvm_sregs *got,
		      const struct kvm_sregs *want)
{
	int bad = 0;
	unsigned int i;

	bad += seg_diff("cs", &got->cs, &want->cs);
	bad += seg_diff("ds", &got->ds, &want->ds);
	bad += seg_diff("es", &got->es, &want->es);
	bad += seg_diff("fs", &got->fs, &want->fs);
	bad += seg_diff("gs", &got->gs, &want->gs);
	bad += seg_diff("ss", &got->ss, &want->ss);
	bad += seg_diff("tr", &got->tr, &want->tr);
	bad += seg_diff("ldt", &got->ldt, &want->ldt);
	SEG_EQ("gdt", &got->gdt, &want->gdt, base);
	SEG_EQ("gdt", &got->gdt, &want->gdt, limit);
	SEG_EQ("idt", &got->idt, &want->idt, base);
	SEG_EQ("idt", &got->idt, &want->idt, limit);
	SEG_EQ("sregs", got, want, cr0);
	SEG_EQ("sregs", got, want, cr2);
	SEG_EQ("sregs", got, want, cr3);
	SEG_EQ("sregs", got, want, cr4);
	SEG_EQ("sregs", got, want, cr8);
	SEG_EQ("sregs", got, want, efer);
	SEG_EQ("sregs", got, want, apic_base);
	for (i = 0; i < ARRAY_SIZE(got->interrupt_bitmap); i++)
		SEG_EQ("sregs", got, want, interrupt_bitmap[i]);
	return bad;
}

static struct kvm_segment seg(uint64_t base, uint32_t limit, uint16_t sel,
			      uint8_t type, uint8_t s, uint8_t db, uint8_t l)
{
	struct kvm_segment sg = {
		.base = base,
		.limit = limit,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = db,
		.s = s,
		.l = l,
		.g = limit > 0xfffff,
	};

	return sg;
}

static void check_reset_seg(const char *name, const struct kvm_segment *sg,
			    uint16_t sel, uint64_t base, uint8_t s)
{
	TH_LOG("%s: sel 0x%x base 0x%llx limit 0x%x type 0x%x s %d p %d dpl %d db %d l %d g %d avl %d unusable %d",
	       name, sg->selector, (unsigned long long)sg->base, sg->limit,
	       sg->type, sg->s, sg->present, sg->dpl, sg->db, sg->l, sg->g,
	       sg->avl, sg->unusable);
	ASSERT_EQ(sg->selector, sel);
	ASSERT_EQ_U64(sg->base, base);
	ASSERT_EQ(sg->limit, 0xffff);
	ASSERT_EQ(sg->s, s);
	ASSERT_EQ(sg->present, 1);
	ASSERT_EQ(sg->dpl, 0);
	ASSERT_EQ(sg->db, 0);
	ASSERT_EQ(sg->l, 0);
	ASSERT_EQ(sg->g, 0);
	ASSERT_EQ(sg->unusable, 0);
}

TEST(reset_regs)
{
	struct kvm_regs r;
	struct ctx c;

	setup(&c);
	memset(&r, 0xcc, sizeof(r));
	vcpu_get_regs(c.vcpu, &r);
	ASSERT_EQ_U64(r.rip, 0xfff0);
	ASSERT_EQ_U64(r.rflags, 0x2);
	/* KVM's default family/model/stepping when no CPUID is set. */
	ASSERT_EQ_U64(r.rdx, 0x600);
	ASSERT_EQ_U64(r.rax, 0);
	ASSERT_EQ_U64(r.rbx, 0);
	ASSERT_EQ_U64(r.rcx, 0);
	ASSERT_EQ_U64(r.rsi, 0);
	ASSERT_EQ_U64(r.rdi, 0);
	ASSERT_EQ_U64(r.rsp, 0);
	ASSERT_EQ_U64(r.rbp, 0);
	ASSERT_EQ_U64(r.r8, 0);
	ASSERT_EQ_U64(r.r9, 0);
	ASSERT_EQ_U64(r.r10, 0);
	ASSERT_EQ_U64(r.r11, 0);
	ASSERT_EQ_U64(r.r12, 0);
	ASSERT_EQ_U64(r.r13, 0);
	ASSERT_EQ_U64(r.r14, 0);
	ASSERT_EQ_U64(r.r15, 0);
}

TEST(reset_sregs)
{
	struct kvm_sregs s;
	struct ctx c;
	unsigned int i;

	setup(&c);
	memset(&s, 0xcc, sizeof(s));
	vcpu_get_sregs(c.vcpu, &s);

	check_reset_seg("cs", &s.cs, 0xf000, 0xffff0000, 1);
	/* Execute/read code; the accessed bit is vendor-specific. */
	ASSERT_EQ(s.cs.type & ~1, 0xa);
	check_reset_seg("ss", &s.ss, 0, 0, 1);
	ASSERT_EQ(s.ss.type & ~1, 0x2);
	check_reset_seg("ds", &s.ds, 0, 0, 1);
	ASSERT_EQ(s.ds.type, 0x3);
	check_reset_seg("es", &s.es, 0, 0, 1);
	ASSERT_EQ(s.es.type, 0x3);
	check_reset_seg("fs", &s.fs, 0, 0, 1);
	ASSERT_EQ(s.fs.type, 0x3);
	check_reset_seg("gs", &s.gs, 0, 0, 1);
	ASSERT_EQ(s.gs.type, 0x3);
	check_reset_seg("ldt", &s.ldt, 0, 0, 0);
	ASSERT_EQ(s.ldt.type, 0x2);
	check_reset_seg("tr", &s.tr, 0, 0, 0);
	/* A busy TSS, 16-bit (SVM) or 32-bit (VMX). */
	ASSERT_TRUE(s.tr.type == 0x3 || s.tr.type == 0xb);

	ASSERT_EQ_U64(s.gdt.base, 0);
	ASSERT_EQ(s.gdt.limit, 0xffff);
	ASSERT_EQ_U64(s.idt.base, 0);
	ASSERT_EQ(s.idt.limit, 0xffff);

	ASSERT_EQ_U64(s.cr0, CR0_CD | CR0_NW | CR0_ET);
	ASSERT_EQ_U64(s.cr2, 0);
	ASSERT_EQ_U64(s.cr3, 0);
	ASSERT_EQ_U64(s.cr4, 0);
	ASSERT_EQ_U64(s.cr8, 0);
	ASSERT_EQ_U64(s.efer, 0);
	/* vCPU 0 is the bootstrap processor. */
	ASSERT_EQ_U64(s.apic_base, 0xfee00000 | APIC_BASE_EN | APIC_BASE_BSP);
	for (i = 0; i < ARRAY_SIZE(s.interrupt_bitmap); i++)
		ASSERT_EQ_U64(s.interrupt_bitmap[i], 0);
}

TEST(reset_sregs_ap)
{
	struct kvm_sregs s0, s;
	struct ctx c;
	int ap;

	setup(&c);
	ap = vcpu_create(c.vm, 1);
	vcpu_get_sregs(c.vcpu, &s0);
	vcpu_get_sregs(ap, &s);
	/* An AP differs from the BSP only in APIC_BASE.BSP. */
	ASSERT_EQ_U64(s.apic_base, 0xfee00000 | APIC_BASE_EN);
	s.apic_base |= APIC_BASE_BSP;
	ASSERT_EQ(sregs_diff(&s, &s0), 0);
}

TEST(regs_round_trip)
{
	struct kvm_regs in, out;
	uint64_t *p = (uint64_t *)&in;
	unsigned int i;
	struct ctx c;

	setup(&c);
	for (i = 0; i < sizeof(in) / sizeof(*p); i++)
		p[i] = 0x0123456789abcdefULL * (i + 1);
	in.rip = 0xffffffff81000000ULL;
	in.rflags = 0x246;
	vcpu_set_regs(c.vcpu, &in);
	memset(&out, 0, sizeof(out));
	vcpu_get_regs(c.vcpu, &out);
	for (i = 0; i < sizeof(in) / sizeof(*p); i++) {
		if (((uint64_t *)&out)[i] != p[i])
			FAIL("regs word %u: got 0x%llx, want 0x%llx", i,
			     (unsigned long long)((uint64_t *)&out)[i],
			     (unsigned long long)p[i]);
	}
}

TEST(rflags_fixed_bit)
{
	struct kvm_regs r;
	struct ctx c;

	setup(&c);
	vcpu_get_regs(c.vcpu, &r);
	/* Bit 1 of RFLAGS always reads as 1. */
	r.rflags = 0;
	vcpu_set_regs(c.vcpu, &r);
	vcpu_get_regs(c.vcpu, &r);
	ASSERT_EQ_U64(r.rflags, 0x2);
	r.rflags = 0x201;
	vcpu_set_regs(c.vcpu, &r);
	vcpu_get_regs(c.vcpu, &r);
	ASSERT_EQ_U64(r.rflags, 0x203);
}

TEST(regs_are_per_vcpu)
{
	struct kvm_regs r, r1;
	struct ctx c;
	int v1;

	setup(&c);
	v1 = vcpu_create(c.vm, 1);
	vcpu_get_regs(c.vcpu, &r);
	r.rax = 0x1111;
	r.rip = 0x2000;
	vcpu_set_regs(c.vcpu, &r);
	vcpu_get_regs(v1, &r1);
	ASSERT_EQ_U64(r1.rax, 0);
	ASSERT_EQ_U64(r1.rip, 0xfff0);
}

/* 32-bit flat protected mode, paging off. */
static void make_prot32(struct kvm_sregs *s)
{
	s->cs = seg(0, 0xffffffff, 0x08, 0xb, 1, 1, 0);
	s->ds = seg(0, 0xffffffff, 0x10, 0x3, 1, 1, 0);
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = seg(0x12345000, 0xfffff, 0x10, 0x3, 1, 1, 0);
	s->ss = s->ds;
	s->tr = seg(0x3000, 0x67, 0x18, 0xb, 0, 0, 0);
	s->ldt = seg(0x4000, 0xffff, 0x20, 0x2, 0, 0, 0);
	s->gdt.base = 0x10000;
	s->gdt.limit = 0x7f;
	s->idt.base = 0x20000;
	s->idt.limit = 0x7ff;
	s->cr0 = CR0_PE | CR0_ET | CR0_NE;
	s->cr2 = 0xdead000;
	s->cr3 = 0x123000;
	s->cr4 = CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->cr8 = 5;
	s->efer = EFER_SCE;
	s->apic_base = 0xfed00000 | APIC_BASE_EN | APIC_BASE_BSP;
}

/* 64-bit long mode with paging. */
static void make_long64(struct kvm_sregs *s)
{
	make_prot32(s);
	s->cs = seg(0, 0xffffffff, 0x08, 0xb, 1, 0, 1);
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = 0x1000;
	s->cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	s->cr8 = 0xf;
}

static void sregs_round_trip(void (*make)(struct kvm_sregs *))
{
	struct kvm_sregs in, out;
	struct ctx c;

	setup(&c);
	vcpu_get_sregs(c.vcpu, &in);
	make(&in);
	vcpu_set_sregs(c.vcpu, &in);
	memset(&out, 0xcc, sizeof(out));
	vcpu_get_sregs(c.vcpu, &out);
	ASSERT_EQ(sregs_diff(&out, &in), 0);

	/* And back to the reset values. */
	close(c.vcpu);
	c.vcpu = vcpu_create(c.vm, 1);
	vcpu_get_sregs(c.vcpu, &in);
	vcpu_set_sregs(c.vcpu, &in);
	vcpu_get_sregs(c.vcpu, &out);
	ASSERT_EQ(sregs_diff(&out, &in), 0);
}

TEST(sregs_round_trip_prot32)
{
	sregs_round_trip(make_prot32);
}

TEST(sregs_round_trip_long64)
{
	sregs_round_trip(make_long64);
}

TEST(sregs_apic_base_round_trip)
{
	struct kvm_sregs s, out;
	struct ctx c;

	setup(&c);
	vcpu_get_sregs(c.vcpu, &s);
	/* Disabled, then relocated without the BSP flag. */
	s.apic_base = 0xfee00000;
	vcpu_set_sregs(c.vcpu, &s);
	vcpu_get_sregs(c.vcpu, &out);
	ASSERT_EQ_U64(out.apic_base, 0xfee00000);
	s.apic_base = 0xfec00000 | APIC_BASE_EN;
	vcpu_set_sregs(c.vcpu, &s);
	vcpu_get_sregs(c.vcpu, &out);
	ASSERT_EQ_U64(out.apic_base, 0xfec00000 | APIC_BASE_EN);
}

TEST(sregs_pending_interrupt)
{
	struct kvm_sregs s, out;
	struct ctx c;

	setup(&c);
	vcpu_get_sregs(c.vcpu, &s);
	/* A bit in interrupt_bitmap is an injected external interrupt. */
	s.interrupt_bitmap[0x30 / 64] = 1ULL << (0x30 % 64);
	vcpu_set_sregs(c.vcpu, &s);
	vcpu_get_sregs(c.vcpu, &out);
	ASSERT_EQ(sregs_diff(&out, &s), 0);
}

struct bad_sregs {
	const char *what;
	void (*mutate)(struct kvm_sregs *s);
};

static void pg_without_pe(struct kvm_sregs *s)
{
	s->cr0 = CR0_PG | CR0_ET;
}

static void nw_without_cd(struct kvm_sregs *s)
{
	s->cr0 = CR0_NW | CR0_ET;
}

static void cr0_high_bit(struct kvm_sregs *s)
{
	s->cr0 |= 1ULL << 32;
}

static void cr4_reserved(struct kvm_sregs *s)
{
	s->cr4 |= 1ULL << 63;
}

static void long_mode_without_pae(struct kvm_sregs *s)
{
	make_long64(s);
	s->cr4 &= ~CR4_PAE;
}

static void lme_pg_without_lma(struct kvm_sregs *s)
{
	make_long64(s);
	s->efer &= ~EFER_LMA;
}

static void lma_without_paging(struct kvm_sregs *s)
{
	make_long64(s);
	s->cr0 &= ~CR0_PG;
}

static void lma_without_lme(struct kvm_sregs *s)
{
	make_prot32(s);
	s->efer |= EFER_LMA;
}

static void cs_l_outside_long_mode(struct kvm_sregs *s)
{
	make_prot32(s);
	s->cs.l = 1;
	s->cs.db = 0;
}

static void long_mode_cr3_beyond_maxphyaddr(struct kvm_sregs *s)
{
	make_long64(s);
	s->cr3 = 1ULL << 52;
}

static void apic_base_reserved_low(struct kvm_sregs *s)
{
	s->apic_base |= 0x1;
}

static void apic_base_x2apic_without_cpuid(struct kvm_sregs *s)
{
	s->apic_base |= APIC_BASE_EXTD;
}

static void apic_base_extd_without_en(struct kvm_sregs *s)
{
	s->apic_base = 0xfee00000 | APIC_BASE_EXTD;
}

TEST(sregs_invalid_einval)
{
	static const struct bad_sregs cases[] = {
		{ "CR0.PG without CR0.PE", pg_without_pe },
		{ "CR0.NW without CR0.CD", nw_without_cd },
		{ "CR0 bit 32", cr0_high_bit },
		{ "CR4 bit 63", cr4_reserved },
		{ "long mode without CR4.PAE", long_mode_without_pae },
		{ "EFER.LME and CR0.PG without EFER.LMA", lme_pg_without_lma },
		{ "EFER.LMA without CR0.PG", lma_without_paging },
		{ "EFER.LMA without EFER.LME", lma_without_lme },
		{ "CS.L outside long mode", cs_l_outside_long_mode },
		{ "long mode, CR3 bit 52", long_mode_cr3_beyond_maxphyaddr },
		{ "APIC_BASE reserved bit 0", apic_base_reserved_low },
		{ "APIC_BASE.EXTD without x2APIC", apic_base_x2apic_without_cpuid },
		{ "APIC_BASE.EXTD without EN", apic_base_extd_without_en },
	};
	struct kvm_sregs reset, s, out;
	unsigned int i;
	struct ctx c;

	setup(&c);
	vcpu_get_sregs(c.vcpu, &reset);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		TH_LOG("%s", cases[i].what);
		s = reset;
		cases[i].mutate(&s);
		ASSERT_ERRNO(ioctl(c.vcpu, KVM_SET_SREGS, &s), EINVAL);
		/* A refused SET_SREGS changes nothing. */
		vcpu_get_sregs(c.vcpu, &out);
		ASSERT_EQ(sregs_diff(&out, &reset), 0);
	}
}

TEST_HARNESS_MAIN
