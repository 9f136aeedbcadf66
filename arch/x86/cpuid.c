// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: what kvmod can virtualize (KVM_GET_SUPPORTED_CPUID), each vCPU's
 * table (KVM_SET_CPUID, KVM_SET_CPUID2, KVM_GET_CPUID2) and the answer to
 * the guest's CPUID instruction.
 *
 * The supported table is the host's CPUID seen through allow-lists: a
 * feature is reported when the CPU has it, the host kernel uses it, and a
 * guest on AMD-V with nested paging can use it with no help from kvmod.
 * Left out until kvmod grows the support they need:
 *
 * - TSC-deadline timer: offered through KVM_CAP_TSC_DEADLINE_TIMER (the
 *   VMM sets the bit), as KVM does; leaf 6 (ARAT).
 * - RDTSCP, RDPID: need MSR_TSC_AUX switched around guest execution.
 * - PCID, INVPCID: CR4.PCIDE and the CR3 no-flush bit are not handled by
 *   kvmod's control register checks, INVPCID is not emulated.
 * - PKU: PKRU is not switched between host and guest.
 * - LA57: kvmod's own guest page walks know four levels only.
 * - VMX, SVM (leaf 0x8000000A): no nested virtualization.
 * - MONITOR/MWAIT, MWAITX (leaf 5 zero): intercepted and run as NOPs
 *   (as KVM does), not offered.
 * - Performance monitoring (PDCM, leaf 0xA zero, PERFCTR_*): no PMU.
 * - KVM paravirtual features (leaf 0x40000001 is empty): no kvmclock,
 *   PV EOI, async PF.
 * - XSAVES and supervisor states, XFD, AMX, MPX: IA32_XSS, XFD and
 *   BNDCFGS are not handled, and dynamic FPU state is not supported.
 * - SPEC_CTRL/STIBP/SSBD/IBPB, ARCH_CAPABILITIES, OSVW: MSRs
 *   kvmod neither emulates nor passes through.
 * - SGX, Intel PT, RDT, WAITPKG, bus lock detection, CR8_LEGACY, LWP, IBS:
 *   host facilities that need hypervisor support.
 * - Invariant TSC (leaf 0x80000007): kvmod does not keep the guest TSC
 *   stable across host CPUs yet.
 * - Topology (leaf 0xB, HTT, CMP_LEGACY, TOPOEXT): nothing describes the
 *   VM's topology yet; the VMM builds its own.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>
#include <asm/kvm_para.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include <kvmod_cpuid.h>
#include <kvmod_x86.h>

/* Highest basic and extended leaves kvmod describes. */
#define MAX_BASIC_LEAF		0xd
#define MAX_EXT_LEAF		0x80000008

/* Bit of feature @f within its word, checked to be in @word. */
#define FEAT(word, f)		(BUILD_BUG_ON_ZERO((f) / 32 != (word)) + \
				 BIT((f) & 31))
#define F1C(f)			FEAT(CPUID_1_ECX, X86_FEATURE_##f)
#define F1D(f)			FEAT(CPUID_1_EDX, X86_FEATURE_##f)
#define F7B(f)			FEAT(CPUID_7_0_EBX, X86_FEATURE_##f)
#define F7C(f)			FEAT(CPUID_7_ECX, X86_FEATURE_##f)
#define F7D(f)			FEAT(CPUID_7_EDX, X86_FEATURE_##f)
#define F71A(f)			FEAT(CPUID_7_1_EAX, X86_FEATURE_##f)
#define FD1A(f)			FEAT(CPUID_D_1_EAX, X86_FEATURE_##f)
#define F81C(f)			FEAT(CPUID_8000_0001_ECX, X86_FEATURE_##f)
#define F81D(f)			FEAT(CPUID_8000_0001_EDX, X86_FEATURE_##f)
#define F88B(f)			FEAT(CPUID_8000_0008_EBX, X86_FEATURE_##f)

/* AMD repeats these leaf 1 EDX bits, at the same positions, in 0x80000001. */
#define AMD_LEAF1_ALIASES	(F1D(FPU) | F1D(VME) | F1D(DE) | F1D(PSE) | \
				 F1D(TSC) | F1D(MSR) | F1D(PAE) | F1D(MCE) | \
				 F1D(CX8) | F1D(APIC) | F1D(MTRR) | F1D(PGE) | \
				 F1D(MCA) | F1D(CMOV) | F1D(PAT) | \
				 F1D(PSE36) | F1D(MMX) | F1D(FXSR))

/*
 * Per word of boot_cpu_data.x86_capability: the features a guest may be
 * offered.  SEP, MTRR, PAT and MCE/MCA are MSR-backed and count on the run
 * loop's MSR handling, as on KVM; OSXSAVE is dynamic, never reported.
 */
static const u32 allowed[NCAPINTS] = {
	[CPUID_1_EDX] = F1D(FPU) | F1D(VME) | F1D(DE) | F1D(PSE) |
		F1D(TSC) | F1D(MSR) | F1D(PAE) | F1D(MCE) | F1D(CX8) |
		F1D(APIC) | F1D(SEP) | F1D(MTRR) | F1D(PGE) | F1D(MCA) |
		F1D(CMOV) | F1D(PAT) | F1D(PSE36) | F1D(CLFLUSH) |
		F1D(MMX) | F1D(FXSR) | F1D(XMM) | F1D(XMM2) |
		F1D(SELFSNOOP),
	[CPUID_1_ECX] = F1C(XMM3) | F1C(PCLMULQDQ) | F1C(SSSE3) |
		F1C(FMA) | F1C(CX16) | F1C(XMM4_1) | F1C(XMM4_2) |
		F1C(MOVBE) | F1C(POPCNT) | F1C(AES) | F1C(XSAVE) |
		F1C(AVX) | F1C(F16C) | F1C(RDRAND),
	[CPUID_7_0_EBX] = F7B(FSGSBASE) | F7B(BMI1) | F7B(HLE) |
		F7B(AVX2) | F7B(FDP_EXCPTN_ONLY) | F7B(SMEP) | F7B(BMI2) |
		F7B(ERMS) | F7B(RTM) | F7B(ZERO_FCS_FDS) | F7B(AVX512F) |
		F7B(AVX512DQ) | F7B(RDSEED) | F7B(ADX) | F7B(SMAP) |
		F7B(AVX512IFMA) | F7B(CLFLUSHOPT) | F7B(CLWB) |
		F7B(AVX512PF) | F7B(AVX512ER) | F7B(AVX512CD) |
		F7B(SHA_NI) | F7B(AVX512BW) | F7B(AVX512VL),
	[CPUID_7_ECX] = F7C(AVX512VBMI) | F7C(UMIP) | F7C(AVX512_VBMI2) |
		F7C(GFNI) | F7C(VAES) | F7C(VPCLMULQDQ) |
		F7C(AVX512_VNNI) | F7C(AVX512_BITALG) |
		F7C(AVX512_VPOPCNTDQ) | F7C(CLDEMOTE) | F7C(MOVDIRI) |
		F7C(MOVDIR64B),
	[CPUID_7_EDX] = F7D(AVX512_4VNNIW) | F7D(AVX512_4FMAPS) |
		F7D(FSRM) | F7D(AVX512_VP2INTERSECT) | F7D(MD_CLEAR) |
		F7D(SERIALIZE) | F7D(TSXLDTRK) | F7D(AVX512_FP16),
	[CPUID_7_1_EAX] = F71A(AVX_VNNI) | F71A(AVX512_BF16),
	[CPUID_D_1_EAX] = FD1A(XSAVEOPT) | FD1A(XSAVEC) | FD1A(XGETBV1),
	[CPUID_8000_0001_EDX] = AMD_LEAF1_ALIASES | F81D(SYSCALL) |
		F81D(NX) | F81D(MMXEXT) | F81D(FXSR_OPT) | F81D(GBPAGES) |
		F81D(LM) | F81D(3DNOWEXT) | F81D(3DNOW),
	[CPUID_8000_0001_ECX] = F81C(LAHF_LM) | F81C(ABM) | F81C(SSE4A) |
		F81C(MISALIGNSSE) | F81C(3DNOWPREFETCH) | F81C(XOP) |
		F81C(FMA4) | F81C(TBM),
	[CPUID_8000_0008_EBX] = F88B(CLZERO) | F88B(XSAVEERPTR),
};

/* CR4 bits that depend on no CPUID feature. */
#define CR4_NO_CPUID_DEP	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
				 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
				 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

/* Guest physical width when CPUID does not give one (SDM, AMD APM). */
#define DEFAULT_PHYS_BITS	36

/* The guest state the dynamic CPUID bits follow. */
static u64 guest_cr4(struct kvmod_vcpu *vcpu)
{
	return kvmod_x86->get_cr4(vcpu);
}

static u64 guest_apic_base(struct kvmod_vcpu *vcpu)
{
	return vcpu->arch.apic_base;
}

static u64 guest_xcr0(struct kvmod_vcpu *vcpu)
{
	return vcpu->arch.xcr0;
}

static bool kvmod_has(unsigned int feature)
{
	return (allowed[feature / 32] & BIT(feature % 32)) &&
	       boot_cpu_has(feature);
}

/* @raw from the CPU, limited to what the kernel uses and kvmod allows. */
static u32 host_features(u32 raw, enum cpuid_leafs word)
{
	return raw & boot_cpu_data.x86_capability[word] & allowed[word];
}

/* Size of an XSAVE area holding @xfeatures, from the host's layout. */
static u32 xsave_size(u64 xfeatures, bool compacted)
{
	u32 size = XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE;
	u32 eax, ebx, ecx, edx;
	unsigned long bits = xfeatures & XFEATURE_MASK_EXTEND;
	unsigned int i;

	for_each_set_bit(i, &bits, BITS_PER_LONG) {
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		if (compacted)
			/* ECX[1]: the component starts 64-byte aligned. */
			size = ((ecx & BIT(1)) ? ALIGN(size, 64) : size) + eax;
		else
			size = max(size, ebx + eax);
	}
	return size;
}

/* Leaves whose sub-leaf index selects a different answer. */
static bool leaf_is_indexed(u32 function)
{
	return function == 4 || function == 7 || function == 0xb ||
	       function == 0xd;
}

struct cpuid_table {
	struct kvm_cpuid_entry2 *e;
	int nent;
	int max;
};

/* Append the host's answer for (@function, @index); NULL when full. */
static struct kvm_cpuid_entry2 *add_host_leaf(struct cpuid_table *t,
					      u32 function, u32 index)
{
	struct kvm_cpuid_entry2 *e;

	if (t->nent == t->max)
		return NULL;
	e = &t->e[t->nent++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	if (leaf_is_indexed(function))
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	cpuid_count(function, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

static void clear_regs(struct kvm_cpuid_entry2 *e)
{
	e->eax = e->ebx = e->ecx = e->edx = 0;
}

static int add_leaf7(struct cpuid_table *t, struct kvm_cpuid_entry2 *e)
{
	/* Sub-leaf 2 and up describe nothing kvmod offers. */
	u32 max_sub = min(e->eax, 1U);

	e->eax = max_sub;
	/* IA32_TSC_ADJUST is emulated (msr.c), whatever the host has. */
	e->ebx = host_features(e->ebx, CPUID_7_0_EBX) | F7B(TSC_ADJUST);
	e->ecx = host_features(e->ecx, CPUID_7_ECX);
	e->edx = host_features(e->edx, CPUID_7_EDX);
	if (max_sub < 1)
		return 0;
	e = add_host_leaf(t, 7, 1);
	if (!e)
		return -E2BIG;
	e->eax = host_features(e->eax, CPUID_7_1_EAX);
	e->ebx = e->ecx = e->edx = 0;
	return 0;
}

static int add_xsave_leaves(struct cpuid_table *t,
			    struct kvm_cpuid_entry2 *e, u64 xcr0)
{
	unsigned int i;

	/* EBX and ECX: the size for every component offered. */
	e->eax &= lower_32_bits(xcr0);
	e->edx &= upper_32_bits(xcr0);
	e->ebx = xsave_size(xcr0, false);
	e->ecx = e->ebx;
	/* Without XSAVE only the legacy area's size, as KVM reports it. */
	if (!xcr0)
		return 0;

	e = add_host_leaf(t, 0xd, 1);
	if (!e)
		return -E2BIG;
	e->eax = host_features(e->eax, CPUID_D_1_EAX);
	e->ebx = (e->eax & FD1A(XSAVEC)) ? xsave_size(xcr0, true) : 0;
	/* No supervisor states (IA32_XSS). */
	e->ecx = e->edx = 0;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		e = add_host_leaf(t, 0xd, i);
		if (!e)
			return -E2BIG;
		/* Keep the alignment bit; a user state without XFD. */
		e->ecx &= BIT(1);
		e->edx = 0;
	}
	return 0;
}

static int add_basic_leaf(struct cpuid_table *t, u32 function, u64 xcr0)
{
	struct kvm_cpuid_entry2 *e = add_host_leaf(t, function, 0);
	u32 i;

	if (!e)
		return -E2BIG;
	switch (function) {
	case 0:
		e->eax = min(e->eax, (u32)MAX_BASIC_LEAF);
		break;
	case 1:
		/*
		 * Signature and EBX as the host has them.  HYPERVISOR is left
		 * to the VMM, as KVM leaves it (QEMU sets it itself).
		 */
		e->ecx = host_features(e->ecx, CPUID_1_ECX);
		e->edx = host_features(e->edx, CPUID_1_EDX);
		/*
		 * Emulated whatever the host has (with the in-kernel APIC).
		 * The TSC-deadline timer is announced by its capability
		 * instead, as KVM does.
		 */
		e->ecx |= F1C(X2APIC);
		break;
	case 2:
		/* Cache and TLB descriptors: the host's. */
		break;
	case 4:
		/* Cache parameters: every sub-leaf up to the null cache type. */
		for (i = 1; e->eax & 0x1f; i++) {
			e = add_host_leaf(t, 4, i);
			if (!e)
				return -E2BIG;
		}
		break;
	case 7:
		return add_leaf7(t, e);
	case 0xd:
		return add_xsave_leaves(t, e, xcr0);
	default:
		/* 3 serial number, 5 MWAIT, 6 power, 0xA PMU, 0xB topology... */
		clear_regs(e);
		break;
	}
	return 0;
}

static int add_ext_leaf(struct cpuid_table *t, u32 function, bool tdp)
{
	struct kvm_cpuid_entry2 *e = add_host_leaf(t, function, 0);
	unsigned int phys_bits;

	if (!e)
		return -E2BIG;
	switch (function) {
	case 0x80000000:
		e->eax = min(e->eax, (u32)MAX_EXT_LEAF);
		break;
	case 0x80000001:
		/* Keep the brand id and package type, not reserved bits. */
		e->ebx &= ~GENMASK(27, 16);
		e->ecx = host_features(e->ecx, CPUID_8000_0001_ECX);
		e->edx = host_features(e->edx, CPUID_8000_0001_EDX);
		break;
	case 0x80000002 ... 0x80000005:
		/* Brand string, L1 cache and TLB: the host's. */
		break;
	case 0x80000006:
		/* L2/L3 cache and TLB: the host's, reserved bits cleared. */
		e->edx &= ~GENMASK(17, 16);
		break;
	case 0x80000008:
		/*
		 * With nested paging guest addresses are not host addresses:
		 * the full MAXPHYADDR, not the one memory encryption leaves.
		 * Linear addresses are 48 bits as there is no LA57.
		 */
		phys_bits = tdp ? e->eax & 0xff : boot_cpu_data.x86_phys_bits;
		e->eax = phys_bits | 48 << 8;
		e->ebx = host_features(e->ebx, CPUID_8000_0008_EBX);
		/* Core count and APIC id size only. */
		e->ecx &= GENMASK(15, 12) | GENMASK(7, 0);
		e->edx = 0;
		break;
	default:
		/* 0x80000007: no invariant TSC promised. */
		clear_regs(e);
		break;
	}
	return 0;
}

/*
 * The KVM signature leaf and an empty feature leaf: guests and the KVM
 * selftests look for KVM here; no paravirtual feature is offered.
 */
static int add_hypervisor_leaves(struct cpuid_table *t)
{
	struct kvm_cpuid_entry2 *e;

	if (t->nent + 2 > t->max)
		return -E2BIG;
	e = &t->e[t->nent++];
	*e = (struct kvm_cpuid_entry2) {
		.function = KVM_CPUID_SIGNATURE,
		.eax = KVM_CPUID_FEATURES,
		.ebx = 0x4b4d564b,	/* "KVMK" */
		.ecx = 0x564b4d56,	/* "VMKV" */
		.edx = 0x4d,		/* "M\0\0\0" */
	};
	e = &t->e[t->nent++];
	*e = (struct kvm_cpuid_entry2) { .function = KVM_CPUID_FEATURES };
	return 0;
}

static int build_supported(struct cpuid_table *t, u64 xcr0, bool tdp)
{
	u32 fn, max;
	int r;

	/* One CPU answers every question, so the table is coherent. */
	get_cpu();
	r = add_basic_leaf(t, 0, xcr0);
	for (fn = 1, max = t->e[0].eax; !r && fn <= max; fn++)
		r = add_basic_leaf(t, fn, xcr0);
	if (!r)
		r = add_hypervisor_leaves(t);
	if (!r)
		r = add_ext_leaf(t, 0x80000000, tdp);
	if (!r) {
		max = t->e[t->nent - 1].eax;
		for (fn = 0x80000001; !r && fn <= max; fn++)
			r = add_ext_leaf(t, fn, tdp);
	}
	put_cpu();
	return r;
}

/**
 * kvmod_get_supported_cpuid() - KVM_GET_SUPPORTED_CPUID
 * @argp: the userspace &struct kvm_cpuid2
 *
 * Fills the caller's entries with what kvmod can offer a guest on this
 * host.  As on KVM: -E2BIG when @argp->nent is 0 or too small for the
 * table, with nothing written back; room above KVMOD_MAX_CPUID_ENTRIES is
 * ignored; on success nent is set to the number of entries written.
 *
 * Return: 0 or a negative errno.
 */
long kvmod_get_supported_cpuid(struct kvm_cpuid2 __user *argp)
{
	struct cpuid_table t = {};
	struct kvm_cpuid2 hdr;
	u64 xcr0;
	bool tdp;
	long r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	t.max = min_t(u32, hdr.nent, KVMOD_MAX_CPUID_ENTRIES);
	t.e = kcalloc(t.max, sizeof(*t.e), GFP_KERNEL);
	if (!t.e)
		return -ENOMEM;

	/* Dynamic states only with the caller's permission (none offered). */
	xcr0 = kvmod_supported_xcr0() & xstate_get_guest_group_perm();
	tdp = kvmod_x86->tdp_format() != NULL;
	r = build_supported(&t, xcr0, tdp);
	if (!r && copy_to_user(argp->entries, t.e, t.nent * sizeof(*t.e)))
		r = -EFAULT;
	if (!r) {
		hdr.nent = t.nent;
		if (copy_to_user(argp, &hdr, sizeof(hdr)))
			r = -EFAULT;
	}
	kfree(t.e);
	return r;
}

/*
 * The entry the CPUID instruction finds for (@function, @index): the
 * index only counts for entries flagged KVM_CPUID_FLAG_SIGNIFCANT_INDEX.
 */
static struct kvm_cpuid_entry2 *find_entry(struct kvm_cpuid_entry2 *tab,
					   int nent, u32 function, u32 index)
{
	int i;

	for (i = 0; i < nent; i++) {
		struct kvm_cpuid_entry2 *e = &tab[i];

		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e->index == index)
			return e;
	}
	return NULL;
}

/* The first entry of a leaf whose index does not matter. */
static struct kvm_cpuid_entry2 *find_leaf(struct kvm_cpuid_entry2 *tab,
					  int nent, u32 function)
{
	int i;

	for (i = 0; i < nent; i++)
		if (tab[i].function == function)
			return &tab[i];
	return NULL;
}

static void assign_bit32(u32 *reg, u32 bit, bool on)
{
	if (on)
		*reg |= bit;
	else
		*reg &= ~bit;
}

/*
 * Bring the bits that mirror guest state up to date, in place: KVM keeps
 * them current in the table, so KVM_GET_CPUID2 shows them too.
 */
static void refresh_dynamic_bits(struct kvmod_vcpu *vcpu,
				 struct kvm_cpuid_entry2 *tab, int nent)
{
	struct kvm_cpuid_entry2 *e;
	u64 xcr0 = guest_xcr0(vcpu), allowed_xcr0;

	e = find_leaf(tab, nent, 1);
	if (e) {
		if (boot_cpu_has(X86_FEATURE_XSAVE))
			assign_bit32(&e->ecx, F1C(OSXSAVE),
				     guest_cr4(vcpu) & X86_CR4_OSXSAVE);
		assign_bit32(&e->edx, F1D(APIC),
			     guest_apic_base(vcpu) & MSR_IA32_APICBASE_ENABLE);
	}
	e = find_entry(tab, nent, 7, 0);
	if (e && boot_cpu_has(X86_FEATURE_PKU))
		assign_bit32(&e->ecx, F7C(OSPKE), guest_cr4(vcpu) & X86_CR4_PKE);
	e = find_entry(tab, nent, 0xd, 0);
	if (e)
		e->ebx = xsave_size(xcr0, false);
	e = find_entry(tab, nent, 0xd, 1);
	if (e && (e->eax & (FD1A(XSAVEC) | FD1A(XSAVES))))
		e->ebx = xsave_size(xcr0, true);

	/* SGX: the XSAVE features an enclave may ask for follow XCR0's. */
	e = find_entry(tab, nent, 0x12, 1);
	if (e) {
		struct kvm_cpuid_entry2 *d = find_entry(tab, nent, 0xd, 0);

		allowed_xcr0 = d ? (d->eax | (u64)d->edx << 32) : 0;
		allowed_xcr0 &= kvmod_supported_xcr0();
		e->ecx &= lower_32_bits(allowed_xcr0);
		e->edx &= upper_32_bits(allowed_xcr0);
		e->ecx |= XFEATURE_MASK_FPSSE;
	}
}

/*
 * Without KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT, MONITOR/MWAIT follows
 * IA32_MISC_ENABLE.MWAIT, taken when the table is set and when the MSR
 * is written, as KVM takes it.
 */
static void update_mwait(struct kvmod_vcpu *vcpu,
			 struct kvm_cpuid_entry2 *tab, int nent)
{
	struct kvm_cpuid_entry2 *e = find_leaf(tab, nent, 1);

	if (e && !kvmod_has_quirk(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		assign_bit32(&e->ecx, F1C(MWAIT),
			     vcpu->arch.misc_enable & MSR_IA32_MISC_ENABLE_MWAIT);
}

/**
 * kvmod_cpuid_misc_enable_changed() - IA32_MISC_ENABLE was written
 * @vcpu: the vCPU, with its mutex held
 */
void kvmod_cpuid_misc_enable_changed(struct kvmod_vcpu *vcpu)
{
	update_mwait(vcpu, vcpu->arch.cpuid, vcpu->arch.cpuid_nent);
}

/* What KVM refuses in a new table, errno for errno. */
static int check_table(struct kvm_cpuid_entry2 *tab, int nent)
{
	struct kvm_cpuid_entry2 *e;
	u64 dynamic;

	e = find_leaf(tab, nent, 0x80000008);
	if (e) {
		unsigned int virt_bits = (e->eax >> 8) & 0xff;

		if (virt_bits && virt_bits != 48 && virt_bits != 57)
			return -EINVAL;
	}
	/*
	 * Dynamic XSAVE states (AMX) need the process's guest permission
	 * (ARCH_REQ_XCOMP_GUEST_PERM).  kvmod never offers them; a table
	 * that has them anyway is kept, as KVM keeps it.
	 */
	e = find_entry(tab, nent, 0xd, 0);
	if (e) {
		dynamic = (e->eax | (u64)e->edx << 32) &
			  XFEATURE_MASK_USER_DYNAMIC;
		if (dynamic & ~xstate_get_guest_group_perm())
			return -EPERM;
	}
	return 0;
}

/* Does @tab say what the vCPU's table says (padding aside)? */
static bool same_table(struct kvmod_vcpu *vcpu,
		       const struct kvm_cpuid_entry2 *tab, int nent)
{
	const struct kvm_cpuid_entry2 *cur = vcpu->arch.cpuid;
	int i;

	if (nent != vcpu->arch.cpuid_nent)
		return false;
	refresh_dynamic_bits(vcpu, vcpu->arch.cpuid, nent);
	for (i = 0; i < nent; i++)
		if (tab[i].function != cur[i].function ||
		    tab[i].index != cur[i].index ||
		    tab[i].flags != cur[i].flags ||
		    tab[i].eax != cur[i].eax || tab[i].ebx != cur[i].ebx ||
		    tab[i].ecx != cur[i].ecx || tab[i].edx != cur[i].edx)
			return false;
	return true;
}

/* Install @tab (kmalloc'ed, @nent entries) as the vCPU's table. */
static int set_table(struct kvmod_vcpu *vcpu, struct kvm_cpuid_entry2 *tab,
		     int nent)
{
	int r;

	refresh_dynamic_bits(vcpu, tab, nent);
	update_mwait(vcpu, tab, nent);
	r = check_table(tab, nent);
	if (r)
		return r;
	/* Once the vCPU has run, only the same table again (as KVM 6.1). */
	if (vcpu->arch.has_run && !same_table(vcpu, tab, nent))
		return -EINVAL;
	kfree(vcpu->arch.cpuid);
	vcpu->arch.cpuid = tab;
	vcpu->arch.cpuid_nent = nent;
	return 0;
}

static long set_cpuid(struct kvmod_vcpu *vcpu, struct kvm_cpuid __user *argp)
{
	struct kvm_cpuid_entry *old = NULL;
	struct kvm_cpuid_entry2 *tab = NULL;
	struct kvm_cpuid hdr;
	u32 i;
	int r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > KVMOD_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		old = memdup_user(argp->entries,
				  array_size(hdr.nent, sizeof(*old)));
		if (IS_ERR(old))
			return PTR_ERR(old);
		tab = kcalloc(hdr.nent, sizeof(*tab), GFP_KERNEL_ACCOUNT);
		if (!tab) {
			kfree(old);
			return -ENOMEM;
		}
	}
	/* The legacy format has no index or flags: zero, as on KVM. */
	for (i = 0; i < hdr.nent; i++) {
		tab[i].function = old[i].function;
		tab[i].eax = old[i].eax;
		tab[i].ebx = old[i].ebx;
		tab[i].ecx = old[i].ecx;
		tab[i].edx = old[i].edx;
	}
	kfree(old);
	r = set_table(vcpu, tab, hdr.nent);
	if (r)
		kfree(tab);
	return r;
}

static long set_cpuid2(struct kvmod_vcpu *vcpu, struct kvm_cpuid2 __user *argp)
{
	struct kvm_cpuid_entry2 *tab = NULL;
	struct kvm_cpuid2 hdr;
	int r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > KVMOD_MAX_CPUID_ENTRIES)
		return -E2BIG;
	/* Entries are kept as given, padding included, as KVM does. */
	if (hdr.nent) {
		tab = memdup_user(argp->entries,
				  array_size(hdr.nent, sizeof(*tab)));
		if (IS_ERR(tab))
			return PTR_ERR(tab);
	}
	r = set_table(vcpu, tab, hdr.nent);
	if (r)
		kfree(tab);
	return r;
}

static long get_cpuid2(struct kvmod_vcpu *vcpu, struct kvm_cpuid2 __user *argp)
{
	struct kvm_cpuid2 hdr;
	int nent = vcpu->arch.cpuid_nent;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	/*
	 * KVM 6.1 reports E2BIG without telling the size, and on success
	 * leaves nent as the caller set it.
	 */
	if (hdr.nent < nent)
		return -E2BIG;
	refresh_dynamic_bits(vcpu, vcpu->arch.cpuid, nent);
	if (copy_to_user(argp->entries, vcpu->arch.cpuid,
			 array_size(nent, sizeof(*vcpu->arch.cpuid))))
		return -EFAULT;
	if (copy_to_user(argp, &hdr, sizeof(hdr)))
		return -EFAULT;
	return 0;
}

/**
 * kvmod_vcpu_cpuid_ioctl() - KVM_SET_CPUID, KVM_SET_CPUID2, KVM_GET_CPUID2
 * @vcpu: the vCPU, with its mutex held
 * @ioctl: the ioctl number
 * @argp: the userspace argument
 *
 * Return: 0 or a negative errno, the same KVM 6.1 returns.
 */
long kvmod_vcpu_cpuid_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp)
{
	switch (ioctl) {
	case KVM_SET_CPUID:
		return set_cpuid(vcpu, argp);
	case KVM_SET_CPUID2:
		return set_cpuid2(vcpu, argp);
	case KVM_GET_CPUID2:
		return get_cpuid2(vcpu, argp);
	default:
		return -EINVAL;
	}
}

/**
 * kvmod_vcpu_cpuid_free() - free a vCPU's CPUID table
 * @vcpu: the vCPU being destroyed
 */
void kvmod_vcpu_cpuid_free(struct kvmod_vcpu *vcpu)
{
	kfree(vcpu->arch.cpuid);
	vcpu->arch.cpuid = NULL;
	vcpu->arch.cpuid_nent = 0;
}

static bool guest_vendor_is_amd(const struct kvm_cpuid_entry2 *leaf0)
{
	char vendor[12];

	memcpy(vendor, &leaf0->ebx, 4);
	memcpy(vendor + 4, &leaf0->edx, 4);
	memcpy(vendor + 8, &leaf0->ecx, 4);
	return !memcmp(vendor, "AuthenticAMD", 12) ||
	       !memcmp(vendor, "AMDisbetter!", 12) ||
	       !memcmp(vendor, "HygonGenuine", 12);
}

/*
 * A leaf the table lacks: AMD CPUs answer zeros; Intel CPUs answer a
 * leaf above its class's maximum (or of a class that does not exist)
 * with the highest basic leaf, sub-leaf @index.  Hypervisor leaves are
 * classes of 0x100 each.  @function becomes the leaf answered.
 */
static struct kvm_cpuid_entry2 *out_of_range_entry(struct kvmod_vcpu *vcpu,
						   u32 *function, u32 index)
{
	struct kvm_cpuid_entry2 *tab = vcpu->arch.cpuid, *basic, *class;
	int nent = vcpu->arch.cpuid_nent;
	u32 fn = *function;

	basic = find_leaf(tab, nent, 0);
	if (!basic || guest_vendor_is_amd(basic))
		return NULL;
	if (fn >= 0x40000000 && fn <= 0x4fffffff)
		class = find_leaf(tab, nent, fn & 0xffffff00);
	else if (fn >= 0xc0000000)
		class = find_leaf(tab, nent, 0xc0000000);
	else
		class = find_leaf(tab, nent, fn & 0x80000000);
	if (class && fn <= class->eax)
		return NULL;
	*function = basic->eax;
	return find_entry(tab, nent, basic->eax, index);
}

/**
 * kvmod_cpuid() - the guest's CPUID instruction
 * @vcpu: the vCPU, with its mutex held
 * @eax: in: the leaf; out: EAX
 * @ebx: out: EBX
 * @ecx: in: the sub-leaf; out: ECX
 * @edx: out: EDX
 *
 * Answers from the table userspace set, with the bits that mirror guest
 * state (OSXSAVE, APIC, OSPKE, XSAVE sizes) brought up to date.
 */
void kvmod_cpuid(struct kvmod_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx,
		 u32 *edx)
{
	struct kvm_cpuid_entry2 *tab = vcpu->arch.cpuid, *e;
	int nent = vcpu->arch.cpuid_nent;
	u32 function = *eax, index = *ecx;

	refresh_dynamic_bits(vcpu, tab, nent);
	e = find_entry(tab, nent, function, index);
	if (!e)
		e = out_of_range_entry(vcpu, &function, index);
	if (e) {
		*eax = e->eax;
		*ebx = e->ebx;
		*ecx = e->ecx;
		*edx = e->edx;
		return;
	}
	*eax = *ebx = *ecx = *edx = 0;
	/*
	 * Topology leaves exist when their sub-leaf 1 does; then ECX[7:0]
	 * echoes the sub-leaf and EDX is the x2APIC id, on every sub-leaf.
	 */
	if (function == 0xb || function == 0x1f) {
		e = find_entry(tab, nent, function, 1);
		if (e) {
			*ecx = index & 0xff;
			*edx = e->edx;
		}
	}
}

/* Whether the guest's table has @bit set in register @reg of a leaf. */
enum cpuid_reg { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

static bool guest_has(struct kvmod_vcpu *vcpu, u32 function, u32 index,
		      enum cpuid_reg reg, u32 bit)
{
	struct kvm_cpuid_entry2 *e;
	u32 val;

	e = find_entry(vcpu->arch.cpuid, vcpu->arch.cpuid_nent, function,
		       index);
	if (!e)
		return false;
	switch (reg) {
	case REG_EAX:
		val = e->eax;
		break;
	case REG_EBX:
		val = e->ebx;
		break;
	case REG_ECX:
		val = e->ecx;
		break;
	default:
		val = e->edx;
		break;
	}
	return val & bit;
}

/**
 * kvmod_cr4_guest_reserved() - CR4 bits this vCPU may not set
 * @vcpu: the vCPU, with its mutex held
 *
 * Every CR4 bit except those that need no CPUID feature and those whose
 * feature is both in the guest's CPUID table and virtualized by kvmod
 * (OSXSAVE with XSAVE, FSGSBASE, SMEP, SMAP, UMIP).  PCIDE, PKE, LA57,
 * VMXE and unknown bits are always reserved.  Valid until the next
 * KVM_SET_CPUID{,2}.
 *
 * Return: the mask of reserved CR4 bits.
 */
u64 kvmod_cr4_guest_reserved(struct kvmod_vcpu *vcpu)
{
	u64 ok = CR4_NO_CPUID_DEP;

	if (kvmod_has(X86_FEATURE_XSAVE) &&
	    guest_has(vcpu, 1, 0, REG_ECX, F1C(XSAVE)))
		ok |= X86_CR4_OSXSAVE;
	if (kvmod_has(X86_FEATURE_FSGSBASE) &&
	    guest_has(vcpu, 7, 0, REG_EBX, F7B(FSGSBASE)))
		ok |= X86_CR4_FSGSBASE;
	if (kvmod_has(X86_FEATURE_SMEP) &&
	    guest_has(vcpu, 7, 0, REG_EBX, F7B(SMEP)))
		ok |= X86_CR4_SMEP;
	if (kvmod_has(X86_FEATURE_SMAP) &&
	    guest_has(vcpu, 7, 0, REG_EBX, F7B(SMAP)))
		ok |= X86_CR4_SMAP;
	if (kvmod_has(X86_FEATURE_UMIP) &&
	    guest_has(vcpu, 7, 0, REG_ECX, F7C(UMIP)))
		ok |= X86_CR4_UMIP;
	return ~ok;
}

/**
 * kvmod_guest_has_x2apic() - does the vCPU's CPUID offer x2APIC mode?
 * @vcpu: the vCPU
 */
bool kvmod_guest_has_x2apic(struct kvmod_vcpu *vcpu)
{
	return guest_has(vcpu, 1, 0, REG_ECX, F1C(X2APIC));
}

/**
 * kvmod_guest_has_tsc_deadline() - may the APIC timer use TSC-deadline mode?
 * @vcpu: the vCPU
 */
bool kvmod_guest_has_tsc_deadline(struct kvmod_vcpu *vcpu)
{
	return guest_has(vcpu, 1, 0, REG_ECX, F1C(TSC_DEADLINE_TIMER));
}

/**
 * kvmod_guest_has_tsc_adjust() - does the vCPU's CPUID offer IA32_TSC_ADJUST?
 * @vcpu: the vCPU
 */
bool kvmod_guest_has_tsc_adjust(struct kvmod_vcpu *vcpu)
{
	return guest_has(vcpu, 7, 0, REG_EBX, F7B(TSC_ADJUST));
}

/**
 * kvmod_guest_has_sse3() - does the vCPU's CPUID offer SSE3?
 * @vcpu: the vCPU
 */
bool kvmod_guest_has_sse3(struct kvmod_vcpu *vcpu)
{
	return guest_has(vcpu, 1, 0, REG_ECX, F1C(XMM3));
}

/**
 * kvmod_guest_has_mwait() - does the vCPU's CPUID offer MONITOR/MWAIT?
 * @vcpu: the vCPU
 */
bool kvmod_guest_has_mwait(struct kvmod_vcpu *vcpu)
{
	return guest_has(vcpu, 1, 0, REG_ECX, F1C(MWAIT));
}

/**
 * kvmod_guest_phys_bits() - the guest's MAXPHYADDR
 * @vcpu: the vCPU, with its mutex held
 *
 * From leaf 0x80000008 EAX[7:0] when the table has it and leaf
 * 0x80000000 announces it, else 36.  Like KVM, the value is taken as
 * given, even 0 (then every guest physical address bit is reserved).
 *
 * Return: the number of guest physical address bits.
 */
unsigned int kvmod_guest_phys_bits(struct kvmod_vcpu *vcpu)
{
	struct kvm_cpuid_entry2 *tab = vcpu->arch.cpuid, *e;
	int nent = vcpu->arch.cpuid_nent;

	e = find_leaf(tab, nent, 0x80000000);
	if (!e || e->eax < 0x80000008)
		return DEFAULT_PHYS_BITS;
	e = find_leaf(tab, nent, 0x80000008);
	/* Userspace may claim anything; no x86 address is wider than 52 bits. */
	return e ? min(e->eax & 0xff, 52u) : DEFAULT_PHYS_BITS;
}
