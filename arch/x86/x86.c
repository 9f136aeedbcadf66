// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 layer: backend selection and the x86 side of the /dev/kvm, VM
 * and vCPU ioctls.
 */
#include <linux/module.h>
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
		pr_info("kvmod: %s backend ready, %s paging\n", kvmod_x86->name,
			kvmod_x86->tdp_enabled() ? "nested" : "shadow");
		return 0;
	}
	pr_err("kvmod: this CPU has neither AMD-V nor VT-x\n");
	return -EOPNOTSUPP;
}

void kvmod_arch_exit(void)
{
}

long kvmod_arch_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_SUPPORTED_CPUID:
		return kvmod_get_supported_cpuid((void __user *)arg);
	default:
		/* KVM answers unknown /dev/kvm ioctls on x86 with -EINVAL. */
		return -EINVAL;
	}
}

int kvmod_arch_check_extension(struct kvmod_vm *vm, long ext)
{
	return 0;
}

int kvmod_arch_vm_init(struct kvmod_vm *vm, unsigned long type)
{
	int r;

	if (type)
		return -EINVAL;
	r = kvmod_virt_get();
	if (r)
		return r;
	vm->arch.virt_enabled = true;
	return 0;
}

void kvmod_arch_vm_destroy(struct kvmod_vm *vm)
{
	if (vm->arch.virt_enabled)
		kvmod_virt_put();
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
	unsigned int bits = kvmod_x86->tdp_enabled() ? host_phys_bits() : 52;

	return (1ULL << (bits - PAGE_SHIFT)) - 1;
}

int kvmod_arch_vcpu_init(struct kvmod_vcpu *vcpu)
{
	kvmod_vcpu_reset(vcpu);
	return 0;
}

void kvmod_arch_vcpu_destroy(struct kvmod_vcpu *vcpu)
{
	kvmod_vcpu_cpuid_free(vcpu);
}

long kvmod_arch_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_RUN:
		/* No guest execution yet: say so rather than pretend. */
		pr_warn_once("kvmod: KVM_RUN: guest execution is not implemented yet\n");
		return -EOPNOTSUPP;
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
