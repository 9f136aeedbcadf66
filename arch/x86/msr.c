// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers: the guest's RDMSR/WRMSR and KVM_GET/SET_MSRS.
 *
 * MSRs whose state the hardware switches (EFER, the syscall and segment
 * base MSRs, PAT, ...) live in the backend and are reached through
 * kvmod_x86->get_msr/set_msr; the rest live here.  Accessors return 0 on
 * success and 1 for an access the guest must see fail with #GP;
 * kvmod_get_msr() and kvmod_set_msr() return KVMOD_MSR_UNKNOWN instead for
 * an MSR kvmod does not know (KVM_MSR_EXIT_REASON_UNKNOWN, msr_filter.c).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/mtrr.h>
#include <asm/kvm_para.h>
#include <asm/page.h>
#include <asm/tsc.h>

#include <kvmod_cpuid.h>
#include <kvmod_x86.h>

/* KVM's bound on one KVM_GET/SET_MSRS call. */
#define MAX_IO_MSRS		256

#define MTRR_CAP_VALUE		(KVMOD_NR_VAR_MTRR | BIT(8) | BIT(10))
#define MTRR_DEF_TYPE_VALID	(GENMASK_ULL(7, 0) | BIT(10) | BIT(11))

/* MSRs userspace saves and restores (KVM_GET_MSR_INDEX_LIST). */
static const u32 msrs_to_save[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_EFER, MSR_IA32_CR_PAT, MSR_IA32_TSC, MSR_TSC_AUX,
	MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE, MSR_IA32_TSC_DEADLINE,
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL, MSR_MTRRdefType,
	MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
	MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
	MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000,
	MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
	MSR_IA32_TSC_ADJUST, MSR_PLATFORM_INFO, MSR_MISC_FEATURES_ENABLES,
	MSR_IA32_POWER_CTL,
};

/* MSRs describing the host's capabilities (KVM_GET_MSR_FEATURE_INDEX_LIST). */
static const u32 msr_features[] = {
	MSR_IA32_UCODE_REV,
};

static bool mtrr_type_valid(u8 type)
{
	/* UC, WC, WT, WP, WB; 2, 3 and 7+ are reserved. */
	return type < 7 && type != 2 && type != 3;
}

static bool mtrr_types_valid(u64 data)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!mtrr_type_valid(data >> (i * 8)))
			return false;
	return true;
}

/* Slot in mtrr.fixed[] for a fixed-range MTRR, or -1. */
static int mtrr_fixed_index(u32 msr)
{
	switch (msr) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
		return 1;
	case MSR_MTRRfix16K_A0000:
		return 2;
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return 3 + msr - MSR_MTRRfix4K_C0000;
	default:
		return -1;
	}
}

static bool is_var_mtrr(u32 msr)
{
	return msr >= MTRRphysBase_MSR(0) &&
	       msr <= MTRRphysMask_MSR(KVMOD_NR_VAR_MTRR - 1);
}

static int mtrr_get(struct kvmod_vcpu *vcpu, u32 msr, u64 *data)
{
	struct kvmod_mtrr *mtrr = &vcpu->arch.mtrr;
	int fixed = mtrr_fixed_index(msr);

	if (msr == MSR_MTRRcap)
		*data = MTRR_CAP_VALUE;
	else if (msr == MSR_MTRRdefType)
		*data = mtrr->def_type;
	else if (fixed >= 0)
		*data = mtrr->fixed[fixed];
	else if (is_var_mtrr(msr))
		*data = mtrr->var[msr - MTRRphysBase_MSR(0)];
	else
		return -ENOENT;
	return 0;
}

static int mtrr_set(struct kvmod_vcpu *vcpu, u32 msr, u64 data)
{
	struct kvmod_mtrr *mtrr = &vcpu->arch.mtrr;
	int fixed = mtrr_fixed_index(msr);
	u64 rsvd;

	if (msr == MSR_MTRRcap)
		return 1;
	if (msr == MSR_MTRRdefType) {
		if ((data & ~MTRR_DEF_TYPE_VALID) || !mtrr_type_valid(data))
			return 1;
		mtrr->def_type = data;
		return 0;
	}
	if (fixed >= 0) {
		if (!mtrr_types_valid(data))
			return 1;
		mtrr->fixed[fixed] = data;
		return 0;
	}
	if (!is_var_mtrr(msr))
		return -ENOENT;

	rsvd = ~0ULL << boot_cpu_data.x86_phys_bits;
	if ((msr - MTRRphysBase_MSR(0)) & 1) {
		rsvd |= GENMASK_ULL(10, 0);		/* mask: bit 11 = valid */
	} else {
		if (!mtrr_type_valid(data))
			return 1;
		rsvd |= GENMASK_ULL(11, 8);		/* base: type in 7:0 */
	}
	if (data & rsvd)
		return 1;
	mtrr->var[msr - MTRRphysBase_MSR(0)] = data;
	return 0;
}

u64 kvmod_read_guest_tsc(struct kvmod_vcpu *vcpu)
{
	return rdtsc() + vcpu->arch.tsc_offset;
}

/**
 * kvmod_apic_base_valid() - may IA32_APIC_BASE hold @data?
 * @vcpu: the vCPU
 * @data: the value
 *
 * Reserved: bits 0-7 and 9, bits beyond the guest's physical width, and
 * x2APIC mode unless the vCPU has an in-kernel APIC and its CPUID
 * offers x2APIC.
 */
bool kvmod_apic_base_valid(struct kvmod_vcpu *vcpu, u64 data)
{
	u64 rsvd = GENMASK_ULL(7, 0) | BIT_ULL(9) |
		   (~0ULL << kvmod_guest_phys_bits(vcpu));

	if (!vcpu->arch.lapic || !kvmod_guest_has_x2apic(vcpu))
		rsvd |= X2APIC_ENABLE;
	/* x2APIC mode with the APIC disabled is no mode at all. */
	if ((data & X2APIC_ENABLE) && !(data & MSR_IA32_APICBASE_ENABLE))
		return false;

	return !(data & rsvd);
}

static bool msr_needs_canonical(u32 msr)
{
	switch (msr) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return true;
	default:
		return false;
	}
}

static bool canonical(struct kvmod_vcpu *vcpu, u64 addr)
{
	u8 bits = (kvmod_x86->get_cr4(vcpu) & X86_CR4_LA57) ? 57 : 48;

	return __is_canonical_address(addr, bits);
}

/**
 * kvmod_get_msr() - read an MSR for the guest or for userspace
 * @vcpu: the vCPU
 * @index: MSR number
 * @data: where the value goes
 * @host: userspace (KVM_GET_MSRS) rather than the guest's RDMSR
 *
 * Return: 0, or 1 when the MSR does not exist for this access.
 */
int kvmod_get_msr(struct kvmod_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	int r;

	if (kvmod_lapic_msr(index))
		return kvmod_lapic_get_msr(vcpu, index, data);
	switch (index) {
	case MSR_IA32_TSC:
		*data = kvmod_read_guest_tsc(vcpu);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*data = vcpu->arch.tsc_adjust;
		return 0;
	case MSR_PLATFORM_INFO:
		if (!host && !READ_ONCE(vcpu->vm->arch.platform_info_readable))
			return 1;
		*data = vcpu->arch.platform_info;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		*data = vcpu->arch.misc_features_enables;
		return 0;
	case MSR_IA32_POWER_CTL:
		*data = vcpu->arch.power_ctl;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->arch.apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->arch.misc_enable;
		return 0;
	case MSR_TSC_AUX:
		/* Guests get no RDTSCP/RDPID from kvmod, hence no TSC_AUX. */
		if (!host)
			return 1;
		*data = vcpu->arch.tsc_aux;
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = vcpu->arch.ucode_rev;
		return 0;
	case MSR_AMD64_SYSCFG:
		/*
		 * Linux reads it on AMD (memory encryption, TOM2); as on KVM
		 * it reads as 0: none of its features is offered.
		 */
		*data = 0;
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_SYSTEM_TIME_NEW:
		/* No kvmclock: VMMs save and restore it as "off". */
		if (!host)
			return 1;
		*data = 0;
		return 0;
	}

	r = mtrr_get(vcpu, index, data);
	if (r != -ENOENT)
		return r;
	r = kvmod_mce_get_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	r = kvmod_x86->get_msr(vcpu, index, data);
	return r == -ENOENT ? KVMOD_MSR_UNKNOWN : r;
}

/*
 * Userspace sets the TSC for migration: the offset alone.  The guest's
 * write is a jump that IA32_TSC_ADJUST records, as on real CPUs.
 */
static int set_tsc(struct kvmod_vcpu *vcpu, u64 data, bool host)
{
	s64 offset = data - rdtsc();

	if (!host)
		vcpu->arch.tsc_adjust += offset - vcpu->arch.tsc_offset;
	vcpu->arch.tsc_offset = offset;
	return 0;
}

static int set_misc_enable(struct kvmod_vcpu *vcpu, u64 data)
{
	bool mwait = (data ^ vcpu->arch.misc_enable) &
		     MSR_IA32_MISC_ENABLE_MWAIT;

	/*
	 * Without KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT, the MWAIT bit sets
	 * CPUID's MONITOR/MWAIT bit (cpuid.c), and can change only where
	 * the guest has SSE3, as KVM has it.
	 */
	if (kvmod_has_quirk(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		mwait = false;
	if (mwait && !kvmod_guest_has_sse3(vcpu))
		return 1;
	vcpu->arch.misc_enable = data;
	if (mwait)
		kvmod_cpuid_misc_enable_changed(vcpu);
	return 0;
}

static int set_efer(struct kvmod_vcpu *vcpu, u64 efer, bool host)
{
	u64 old;

	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return 1;
	if (host)
		return kvmod_x86->set_msr(vcpu, MSR_EFER, efer);

	kvmod_x86->get_msr(vcpu, MSR_EFER, &old);
	/* LMA is the CPU's to set; LME cannot change under paging. */
	efer = (efer & ~EFER_LMA) | (old & EFER_LMA);
	if (((efer ^ old) & EFER_LME) && (old & EFER_LMA))
		return 1;
	return kvmod_x86->set_msr(vcpu, MSR_EFER, efer);
}

/**
 * kvmod_set_msr() - write an MSR for the guest or for userspace
 * @vcpu: the vCPU
 * @index: MSR number
 * @data: the value
 * @host: userspace (KVM_SET_MSRS) rather than the guest's WRMSR
 *
 * Return: 0, or 1 when the MSR does not exist or refuses the value.
 */
int kvmod_set_msr(struct kvmod_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int r;

	if (msr_needs_canonical(index) && !canonical(vcpu, data))
		return 1;

	if (kvmod_lapic_msr(index))
		return kvmod_lapic_set_msr(vcpu, index, data);
	switch (index) {
	case MSR_EFER:
		return set_efer(vcpu, data, host);
	case MSR_IA32_TSC:
		return set_tsc(vcpu, data, host);
	case MSR_IA32_TSC_ADJUST:
		/* As on KVM: accepted, and ignored, without the CPUID bit. */
		if (!kvmod_guest_has_tsc_adjust(vcpu))
			return 0;
		/* The guest's write moves its TSC by as much; the host's not. */
		if (!host)
			vcpu->arch.tsc_offset += (s64)data - vcpu->arch.tsc_adjust;
		vcpu->arch.tsc_adjust = data;
		return 0;
	case MSR_PLATFORM_INFO:
		/*
		 * Userspace's to set.  CPUID faulting cannot be taken away
		 * while the guest has it on.
		 */
		if (!host || (!(data & MSR_PLATFORM_INFO_CPUID_FAULT) &&
			      kvmod_cpuid_faulting(vcpu)))
			return 1;
		vcpu->arch.platform_info = data;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		if ((data & ~MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) ||
		    ((data & MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) &&
		     !(vcpu->arch.platform_info & MSR_PLATFORM_INFO_CPUID_FAULT)))
			return 1;
		vcpu->arch.misc_features_enables = data;
		return 0;
	case MSR_IA32_POWER_CTL:
		vcpu->arch.power_ctl = data;
		return 0;
	case MSR_IA32_APICBASE:
		if (!kvmod_apic_base_valid(vcpu, data))
			return 1;
		return kvmod_lapic_set_base(vcpu, data, host);
	case MSR_IA32_MISC_ENABLE:
		return set_misc_enable(vcpu, data);
	case MSR_TSC_AUX:
		if (!host || data >> 32)
			return 1;
		vcpu->arch.tsc_aux = data;
		return 0;
	case MSR_IA32_UCODE_REV:
		/* The guest's write starts a microcode load: accept, ignore. */
		if (host)
			vcpu->arch.ucode_rev = data;
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_SYSTEM_TIME_NEW:
		return (host && !data) ? 0 : 1;
	}

	r = mtrr_set(vcpu, index, data);
	if (r != -ENOENT)
		return r;
	r = kvmod_mce_set_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	r = kvmod_x86->set_msr(vcpu, index, data);
	return r == -ENOENT ? KVMOD_MSR_UNKNOWN : r;
}

/* The values a vCPU's MSRs have after RESET (TSC aside). */
void kvmod_msr_reset(struct kvmod_vcpu *vcpu)
{
	vcpu->arch.misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	memset(&vcpu->arch.mtrr, 0, sizeof(vcpu->arch.mtrr));
	vcpu->arch.tsc_adjust = 0;
	/* KVM offers CPUID faulting; userspace may take it away. */
	vcpu->arch.platform_info = MSR_PLATFORM_INFO_CPUID_FAULT;
	vcpu->arch.misc_features_enables = 0;
	vcpu->arch.power_ctl = 0;
	kvmod_mce_reset(vcpu);
}

static long get_msr_list(struct kvm_msr_list __user *user, const u32 *list,
			 u32 count)
{
	u32 n;

	if (get_user(n, &user->nmsrs))
		return -EFAULT;
	if (put_user(count, &user->nmsrs))
		return -EFAULT;
	if (n < count)
		return -E2BIG;
	if (copy_to_user(user->indices, list, count * sizeof(*list)))
		return -EFAULT;
	return 0;
}

/* A feature MSR's value (KVM_GET_MSRS on /dev/kvm): 0, or 1 if none. */
static int get_msr_feature(u32 index, u64 *data)
{
	switch (index) {
	case MSR_IA32_UCODE_REV:
		/* The host's microcode revision, for VMMs to pass on. */
		if (rdmsrl_safe(index, data))
			*data = 0;
		return 0;
	default:
		return 1;
	}
}

/*
 * KVM_GET_MSRS / KVM_SET_MSRS on a vCPU, or KVM_GET_MSRS of feature MSRs
 * when @vcpu is NULL: the number of entries done, or an errno.
 */
static long msrs_ioctl(struct kvmod_vcpu *vcpu, struct kvm_msrs __user *user,
		       bool set)
{
	struct kvm_msr_entry *entries;
	struct kvm_msrs msrs;
	size_t size;
	long r;
	u32 i;

	if (copy_from_user(&msrs, user, sizeof(msrs)))
		return -EFAULT;
	if (msrs.nmsrs >= MAX_IO_MSRS)
		return -E2BIG;

	size = sizeof(*entries) * msrs.nmsrs;
	entries = memdup_user(user->entries, size);
	if (IS_ERR(entries))
		return PTR_ERR(entries);

	for (i = 0; i < msrs.nmsrs; i++) {
		u32 index = entries[i].index;
		int fail;

		if (set)
			fail = kvmod_set_msr(vcpu, index, entries[i].data, true);
		else if (!vcpu)
			fail = get_msr_feature(index, &entries[i].data);
		else
			fail = kvmod_get_msr(vcpu, index, &entries[i].data, true);
		if (fail)
			break;
	}
	r = i;
	if (!set && copy_to_user(user->entries, entries, size))
		r = -EFAULT;
	kfree(entries);
	return r;
}

/**
 * kvmod_msr_dev_ioctl() - the MSR ioctls of /dev/kvm
 * @ioctl: KVM_GET_MSR_INDEX_LIST, KVM_GET_MSR_FEATURE_INDEX_LIST or
 *	KVM_GET_MSRS (feature MSRs)
 * @argp: the argument
 */
long kvmod_msr_dev_ioctl(unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_MSR_INDEX_LIST:
		return get_msr_list(argp, msrs_to_save, ARRAY_SIZE(msrs_to_save));
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
		return get_msr_list(argp, msr_features, ARRAY_SIZE(msr_features));
	default:
		return msrs_ioctl(NULL, argp, false);
	}
}

long kvmod_msr_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp)
{
	return msrs_ioctl(vcpu, argp, ioctl == KVM_SET_MSRS);
}
