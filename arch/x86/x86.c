// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 layer: backend selection and the x86 side of the /dev/kvm, VM
 * and vCPU ioctls.
 */
#include <linux/module.h>
#include <asm/fpu/api.h>
#include <asm/processor.h>

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
		return kvmod_msr_dev_ioctl(ioctl, (void __user *)arg);
	default:
		/* KVM answers unknown /dev/kvm ioctls on x86 with -EINVAL. */
		return -EINVAL;
	}
}

int kvmod_arch_check_extension(struct kvmod_vm *vm, long ext)
{
	switch (ext) {
	case KVM_CAP_IMMEDIATE_EXIT:
		return !!kvmod_x86->tdp_format();
	default:
		return 0;
	}
}

int kvmod_arch_vm_init(struct kvmod_vm *vm, unsigned long type)
{
	const struct kvmod_tdp_format *fmt = kvmod_x86->tdp_format();
	int r;

	if (type)
		return -EINVAL;
	if (fmt) {
		r = kvmod_tdp_mmu_init(vm, fmt);
		if (r)
			return r;
	}
	r = kvmod_virt_get();
	if (r) {
		kvmod_tdp_mmu_destroy(vm);
		return r;
	}
	vm->arch.virt_enabled = true;
	return 0;
}

void kvmod_arch_vm_destroy(struct kvmod_vm *vm)
{
	kvmod_tdp_mmu_destroy(vm);
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
	return -ENOTTY;
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
	/* Shadow paging can map any 52-bit guest address. */
	unsigned int bits = kvmod_x86->tdp_format() ? host_phys_bits() : 52;

	return (1ULL << (bits - PAGE_SHIFT)) - 1;
}

int kvmod_arch_vcpu_init(struct kvmod_vcpu *vcpu)
{
	int r;

	if (!fpu_alloc_guest_fpstate(&vcpu->arch.guest_fpu))
		return -ENOMEM;
	r = kvmod_x86->vcpu_create(vcpu);
	if (r) {
		fpu_free_guest_fpstate(&vcpu->arch.guest_fpu);
		return r;
	}
	kvmod_vcpu_reset(vcpu);
	/* The guest's TSC starts at zero. */
	vcpu->arch.tsc_offset = -(s64)rdtsc();
	return 0;
}

void kvmod_arch_vcpu_destroy(struct kvmod_vcpu *vcpu)
{
	kvmod_x86->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->arch.guest_fpu);
	kvmod_mmu_cache_free(&vcpu->arch.mmu_cache);
	kvmod_vcpu_cpuid_free(vcpu);
}

long kvmod_arch_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_RUN:
		return arg ? -EINVAL : kvmod_vcpu_run(vcpu);
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		return kvmod_msr_vcpu_ioctl(vcpu, ioctl, argp);
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
