// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 layer: backend selection and the x86 side of the /dev/kvm, VM
 * and vCPU ioctls.
 */
#include <linux/module.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include <kvmod_x86.h>

const struct kvmod_x86_ops *kvmod_x86;

/*
 * Each probe returns -ENODEV, silently, when its hardware feature is
 * absent, so that trying both finds the one this CPU has.
 */
static const struct kvmod_x86_ops *const backends[] = {
	&kvmod_svm_ops,
	&kvmod_vmx_ops,
};

int kvmod_arch_init(void)
{
	int i, r;

	for (i = 0; i < ARRAY_SIZE(backends); i++) {
		r = backends[i]->probe();
		if (r == -ENODEV)
			continue;
		if (r)
			return r;
		kvmod_x86 = backends[i];
		if (kvmod_x86->tdp_format())
			pr_info("kvmod: %s backend ready, nested paging\n",
				kvmod_x86->name);
		else
			pr_warn("kvmod: %s backend loaded without nested paging: guests cannot run\n",
				kvmod_x86->name);
		return 0;
	}
	pr_err("kvmod: this CPU has neither AMD-V nor VT-x\n");
	return -EOPNOTSUPP;
}

void kvmod_arch_exit(void)
{
	kvmod_x86->teardown();
}

long kvmod_arch_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_SUPPORTED_CPUID:
		return kvmod_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
	case KVM_GET_MSRS:
		return kvmod_msr_dev_ioctl(ioctl, (void __user *)arg);
	case KVM_X86_GET_MCE_CAP_SUPPORTED: {
		u64 cap = kvmod_mce_cap_supported();

		return copy_to_user((void __user *)arg, &cap, sizeof(cap)) ?
		       -EFAULT : 0;
	}
	default:
		/* KVM answers unknown /dev/kvm ioctls on x86 with -EINVAL. */
		return -EINVAL;
	}
}

int kvmod_arch_check_extension(struct kvmod_vm *vm, long ext)
{
	bool runs = kvmod_x86->tdp_format();

	switch (ext) {
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_SYNC_MMU:
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_READONLY_MEM:
		return runs;
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_GET_TSC_KHZ:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_GET_MSR_FEATURES:
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:
		return 1;
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_TSC_DEADLINE_TIMER:
		return runs;
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_REINJECT_CONTROL:
		return runs;
	case KVM_CAP_IRQ_ROUTING:
		return KVMOD_MAX_IRQ_ROUTES;
	case KVM_CAP_XSAVE:
		return 1;
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	case KVM_CAP_SET_GUEST_DEBUG:
		return runs;
	case KVM_CAP_MCE:
		return KVMOD_MAX_MCE_BANKS;
	case KVM_CAP_SYNC_REGS:
		return runs ? KVM_SYNC_X86_VALID_FIELDS : 0;
	case KVM_CAP_SET_GUEST_DEBUG2:
		return runs ? kvmod_guest_debug_supported() : 0;
	case KVM_CAP_X86_USER_SPACE_MSR:
	case KVM_CAP_X86_MSR_FILTER:
	case KVM_CAP_MSR_PLATFORM_INFO:
		return 1;
	case KVM_CAP_DISABLE_QUIRKS2:
		return KVMOD_QUIRKS;
	default:
		return 0;
	}
}

/**
 * kvmod_arch_vm_enable_cap() - KVM_ENABLE_CAP on a VM, x86 capabilities
 * @vm: the VM
 * @cap: the request (flags already checked to be 0)
 *
 * Return: 0, or -EINVAL for a capability or argument kvmod does not take.
 */
int kvmod_arch_vm_enable_cap(struct kvmod_vm *vm,
			     const struct kvm_enable_cap *cap)
{
	switch (cap->cap) {
	case KVM_CAP_X86_USER_SPACE_MSR:
		return kvmod_enable_user_space_msr(vm, cap->args[0]);
	case KVM_CAP_MSR_PLATFORM_INFO:
		WRITE_ONCE(vm->arch.platform_info_readable, !!cap->args[0]);
		return 0;
	case KVM_CAP_DISABLE_QUIRKS2:
		/* Only quirks kvmod has; each call sets the whole list. */
		if (cap->args[0] & ~(u64)KVMOD_QUIRKS)
			return -EINVAL;
		WRITE_ONCE(vm->arch.disabled_quirks, cap->args[0]);
		return 0;
	default:
		return -EINVAL;
	}
}

int kvmod_arch_vm_init(struct kvmod_vm *vm, unsigned long type)
{
	const struct kvmod_tdp_format *fmt = kvmod_x86->tdp_format();
	int r;

	if (type)
		return -EINVAL;
	r = kvmod_io_bus_init(vm);
	if (r)
		return r;
	if (fmt) {
		r = kvmod_tdp_mmu_init(vm, fmt);
		if (r)
			goto err_bus;
	}
	r = kvmod_virt_get();
	if (r)
		goto err_mmu;
	vm->arch.virt_enabled = true;
	vm->arch.platform_info_readable = true;
	return 0;

err_mmu:
	kvmod_tdp_mmu_destroy(vm);
err_bus:
	kvmod_io_bus_destroy(vm);
	return r;
}

void kvmod_arch_vm_destroy(struct kvmod_vm *vm)
{
	kvmod_irqchip_destroy(vm);
	kvmod_io_bus_destroy(vm);
	kvmod_tdp_mmu_destroy(vm);
	kvmod_msr_filter_free(vm);
	if (vm->arch.virt_enabled)
		kvmod_virt_put();
}

void kvmod_arch_memslot_unmap_begin(struct kvmod_vm *vm,
				    const struct kvmod_memslot *old)
{
	if (vm->arch.mmu.root)
		kvmod_tdp_unmap_begin(vm, old->base_gfn,
				      old->base_gfn + old->npages);
}

void kvmod_arch_memslot_unmap_end(struct kvmod_vm *vm)
{
	if (vm->arch.mmu.root)
		kvmod_tdp_unmap_end(vm);
}

long kvmod_arch_vm_ioctl(struct kvmod_vm *vm, unsigned int ioctl,
			 unsigned long arg)
{
	u64 addr;
	long r;

	switch (ioctl) {
	case KVM_SET_TSS_ADDR:
		/* Only VT-x without unrestricted guest would use these pages. */
		if (arg > 0xffffffffUL - 3 * PAGE_SIZE)
			return -EINVAL;
		vm->arch.tss_addr = arg;
		return 0;
	case KVM_CREATE_IRQCHIP:
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
	case KVM_SET_GSI_ROUTING:
	case KVM_SIGNAL_MSI:
	case KVM_SET_BOOT_CPU_ID:
		return kvmod_irqchip_vm_ioctl(vm, ioctl, (void __user *)arg);
	case KVM_CREATE_PIT:
	case KVM_CREATE_PIT2:
	case KVM_GET_PIT:
	case KVM_SET_PIT:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
	case KVM_REINJECT_CONTROL:
		return kvmod_pit_vm_ioctl(vm, ioctl, (void __user *)arg);
	case KVM_SET_NR_MMU_PAGES:
		/*
		 * A bound on shadow page tables, which nested paging does not
		 * use; kept so that it reads back as set.
		 */
		if (arg < KVMOD_MIN_MMU_PAGES)
			return -EINVAL;
		WRITE_ONCE(vm->arch.nr_mmu_pages, arg);
		return 0;
	case KVM_GET_NR_MMU_PAGES:
		return READ_ONCE(vm->arch.nr_mmu_pages);
	case KVM_X86_SET_MSR_FILTER:
		return kvmod_set_msr_filter(vm, (void __user *)arg);
	case KVM_SET_IDENTITY_MAP_ADDR:
		if (copy_from_user(&addr, (void __user *)arg, sizeof(addr)))
			return -EFAULT;
		/* As on KVM: only before the first vCPU exists. */
		mutex_lock(&vm->lock);
		r = vm->created_vcpus ? -EINVAL : 0;
		if (!r)
			vm->arch.identity_map_addr = addr;
		mutex_unlock(&vm->lock);
		return r;
	default:
		return -ENOTTY;
	}
}

static unsigned int host_phys_bits(void)
{
	/* The raw width: memory encryption may hide bits from x86_phys_bits. */
	if (boot_cpu_data.extended_cpuid_level >= 0x80000008)
		return cpuid_eax(0x80000008) & 0xff;
	return 36;
}

u64 kvmod_arch_max_gfn(void)
{
	/*
	 * Four-level nested tables translate 48-bit guest-physical addresses,
	 * and no more than the host's width; shadow paging maps any 52-bit one.
	 */
	unsigned int bits = kvmod_x86->tdp_format() ?
			    min(host_phys_bits(), 48u) : 52;

	return (1ULL << (bits - PAGE_SHIFT)) - 1;
}

int kvmod_arch_vcpu_init(struct kvmod_vcpu *vcpu)
{
	int r;

	init_waitqueue_head(&vcpu->arch.wq);
	vcpu->arch.mp_state = KVM_MP_STATE_RUNNABLE;
	/* Pairs with create_irqchip(): no vCPU is created during it. */
	if (smp_load_acquire(&vcpu->vm->arch.irqchip)) {
		r = kvmod_lapic_create(vcpu);
		if (r)
			return r;
		/* Application processors wait for INIT and STARTUP. */
		if (!kvmod_vcpu_is_bsp(vcpu))
			vcpu->arch.mp_state = KVM_MP_STATE_UNINITIALIZED;
	}
	r = -ENOMEM;
	if (!fpu_alloc_guest_fpstate(&vcpu->arch.guest_fpu))
		goto err_lapic;
	r = kvmod_x86->vcpu_create(vcpu);
	if (r)
		goto err_fpu;
	kvmod_vcpu_reset(vcpu, false);
	/* The guest's TSC starts at zero. */
	vcpu->arch.tsc_offset = -(s64)rdtsc();
	return 0;

err_fpu:
	fpu_free_guest_fpstate(&vcpu->arch.guest_fpu);
err_lapic:
	kvmod_lapic_free(vcpu);
	return r;
}

void kvmod_arch_vcpu_destroy(struct kvmod_vcpu *vcpu)
{
	kvmod_lapic_free(vcpu);
	kvmod_x86->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->arch.guest_fpu);
	kvmod_mmu_cache_free(&vcpu->arch.mmu_cache);
	kvmod_vcpu_cpuid_free(vcpu);
}

static long debugregs_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    struct kvm_debugregs __user *argp)
{
	struct kvm_debugregs dbg;

	if (ioctl == KVM_GET_DEBUGREGS) {
		memset(&dbg, 0, sizeof(dbg));
		kvmod_x86->get_debugregs(vcpu, &dbg);
		return copy_to_user(argp, &dbg, sizeof(dbg)) ? -EFAULT : 0;
	}
	if (copy_from_user(&dbg, argp, sizeof(dbg)))
		return -EFAULT;
	/* DR6 and DR7 are 32-bit registers. */
	if (dbg.flags || (dbg.dr6 >> 32) || (dbg.dr7 >> 32))
		return -EINVAL;
	kvmod_x86->set_debugregs(vcpu, &dbg);
	return 0;
}

static long set_tsc_khz(unsigned long khz)
{
	/* No TSC scaling: the host's rate, within KVM's 250 ppm tolerance. */
	u64 slack = (u64)tsc_khz * 250 / 1000000;
	u64 diff;

	/* 0 asks for the host's rate. */
	if (!khz)
		return 0;
	diff = khz > tsc_khz ? khz - tsc_khz : tsc_khz - khz;
	if (diff > slack)
		return -EINVAL;
	return 0;
}

long kvmod_arch_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		return kvmod_msr_vcpu_ioctl(vcpu, ioctl, argp);
	case KVM_INTERRUPT:
	case KVM_NMI:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
		return kvmod_events_ioctl(vcpu, ioctl, argp);
	case KVM_GET_FPU:
	case KVM_SET_FPU:
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
	case KVM_GET_XCRS:
	case KVM_SET_XCRS:
		return kvmod_fpu_ioctl(vcpu, ioctl, argp);
	case KVM_GET_DEBUGREGS:
	case KVM_SET_DEBUGREGS:
		return debugregs_ioctl(vcpu, ioctl, argp);
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
		return kvmod_irqchip_vcpu_ioctl(vcpu, ioctl, argp);
	case KVM_SET_VAPIC_ADDR: {
		struct kvm_vapic_addr va;

		/*
		 * QEMU clears it at every reset.  kvmod keeps no TPR copy in
		 * guest memory (nor reports TPR accesses, without which QEMU's
		 * vapic ROM never asks for one): only "none" is taken.
		 */
		if (!vcpu->arch.lapic)
			return -EINVAL;
		if (copy_from_user(&va, argp, sizeof(va)))
			return -EFAULT;
		return va.vapic_addr ? -EINVAL : 0;
	}
	case KVM_X86_SETUP_MCE: {
		u64 cap;

		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return kvmod_mce_setup(vcpu, cap);
	}
	case KVM_SET_GUEST_DEBUG:
	case KVM_TRANSLATE:
		return kvmod_debug_ioctl(vcpu, ioctl, argp);
	case KVM_GET_TSC_KHZ:
		return tsc_khz;
	case KVM_SET_TSC_KHZ:
		return set_tsc_khz(arg);
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
		return kvmod_vcpu_state_ioctl(vcpu, ioctl, argp);
	case KVM_SET_CPUID:
	case KVM_SET_CPUID2:
	case KVM_GET_CPUID2:
		return kvmod_vcpu_cpuid_ioctl(vcpu, ioctl, argp);
	default:
		/* KVM answers unknown vCPU ioctls on x86 with -EINVAL. */
		return -EINVAL;
	}
}
