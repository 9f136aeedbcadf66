// SPDX-License-Identifier: GPL-2.0
/*
 * Guest FPU state for userspace: KVM_GET/SET_FPU, KVM_GET/SET_XSAVE and
 * KVM_GET/SET_XCRS.
 *
 * The state itself is a struct fpu_guest owned by the kernel's FPU code;
 * outside KVM_RUN it sits in memory and is copied in the XSAVE "user ABI"
 * layout, whose first 512 bytes are the legacy FXSAVE area.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>

#include <kvmod_x86.h>

static u64 uabi_xfeatures(void)
{
	return kvmod_supported_xcr0() | XFEATURE_MASK_FPSSE;
}

static struct kvm_xsave *get_xsave(struct kvmod_vcpu *vcpu)
{
	struct kvm_xsave *xs = kzalloc(sizeof(*xs), GFP_KERNEL_ACCOUNT);

	if (xs)
		fpu_copy_guest_fpstate_to_uabi(&vcpu->arch.guest_fpu, xs->region,
					       sizeof(xs->region),
					       uabi_xfeatures(), 0);
	return xs;
}

static int set_xsave(struct kvmod_vcpu *vcpu, struct kvm_xsave *xs)
{
	u32 pkru = 0;

	return fpu_copy_uabi_to_guest_fpstate(&vcpu->arch.guest_fpu, xs->region,
					      uabi_xfeatures(), &pkru);
}

static void fxsave_to_kvm_fpu(const struct fxregs_state *fx,
			      struct kvm_fpu *fpu)
{
	int i;

	memset(fpu, 0, sizeof(*fpu));
	for (i = 0; i < 8; i++)
		memcpy(fpu->fpr[i], &fx->st_space[i * 4], sizeof(fpu->fpr[i]));
	fpu->fcw = fx->cwd;
	fpu->fsw = fx->swd;
	fpu->ftwx = fx->twd;
	fpu->last_opcode = fx->fop;
	fpu->last_ip = fx->rip;
	fpu->last_dp = fx->rdp;
	memcpy(fpu->xmm, fx->xmm_space, sizeof(fpu->xmm));
	fpu->mxcsr = fx->mxcsr;
}

static void kvm_fpu_to_fxsave(const struct kvm_fpu *fpu,
			      struct fxregs_state *fx)
{
	int i;

	for (i = 0; i < 8; i++)
		memcpy(&fx->st_space[i * 4], fpu->fpr[i], sizeof(fpu->fpr[i]));
	fx->cwd = fpu->fcw;
	fx->swd = fpu->fsw;
	fx->twd = fpu->ftwx;
	fx->fop = fpu->last_opcode;
	fx->rip = fpu->last_ip;
	fx->rdp = fpu->last_dp;
	memcpy(fx->xmm_space, fpu->xmm, sizeof(fpu->xmm));
	fx->mxcsr = fpu->mxcsr;
}

static long fpu_get_set(struct kvmod_vcpu *vcpu, struct kvm_fpu __user *argp,
			bool set)
{
	struct kvm_xsave *xs = get_xsave(vcpu);
	struct xregs_state *x;
	struct kvm_fpu fpu;
	long r = 0;

	if (!xs)
		return -ENOMEM;
	x = (struct xregs_state *)xs->region;
	if (!set) {
		fxsave_to_kvm_fpu(&x->i387, &fpu);
		if (copy_to_user(argp, &fpu, sizeof(fpu)))
			r = -EFAULT;
	} else if (copy_from_user(&fpu, argp, sizeof(fpu))) {
		r = -EFAULT;
	} else {
		kvm_fpu_to_fxsave(&fpu, &x->i387);
		/* The legacy area only counts if the header says it is in use. */
		x->header.xfeatures |= XFEATURE_MASK_FPSSE;
		r = set_xsave(vcpu, xs);
	}
	kfree(xs);
	return r;
}

static long xsave_get_set(struct kvmod_vcpu *vcpu,
			  struct kvm_xsave __user *argp, bool set)
{
	struct kvm_xsave *xs;
	long r = 0;

	if (!set) {
		xs = get_xsave(vcpu);
		if (!xs)
			return -ENOMEM;
		if (copy_to_user(argp, xs, sizeof(*xs)))
			r = -EFAULT;
		kfree(xs);
		return r;
	}
	xs = memdup_user(argp, sizeof(*xs));
	if (IS_ERR(xs))
		return PTR_ERR(xs);
	r = set_xsave(vcpu, xs);
	kfree(xs);
	return r;
}

static long xcrs_get_set(struct kvmod_vcpu *vcpu, struct kvm_xcrs __user *argp,
			 bool set)
{
	struct kvm_xcrs xcrs;
	u32 i;

	if (!set) {
		memset(&xcrs, 0, sizeof(xcrs));
		if (boot_cpu_has(X86_FEATURE_XSAVE)) {
			xcrs.nr_xcrs = 1;
			xcrs.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
			xcrs.xcrs[0].value = vcpu->arch.xcr0;
		}
		return copy_to_user(argp, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
	}

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return -EINVAL;
	if (copy_from_user(&xcrs, argp, sizeof(xcrs)))
		return -EFAULT;
	if (xcrs.nr_xcrs > KVM_MAX_XCRS || xcrs.flags)
		return -EINVAL;
	for (i = 0; i < xcrs.nr_xcrs; i++) {
		/* XCR0 is the only extended control register there is. */
		if (xcrs.xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK ||
		    kvmod_set_xcr0(vcpu, xcrs.xcrs[i].value))
			return -EINVAL;
	}
	return 0;
}

/**
 * kvmod_fpu_ioctl() - the FPU, XSAVE and XCR ioctls of a vCPU
 * @vcpu: the vCPU, with its mutex held
 * @ioctl: the ioctl
 * @argp: its argument
 */
long kvmod_fpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
		     void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_FPU:
	case KVM_SET_FPU:
		return fpu_get_set(vcpu, argp, ioctl == KVM_SET_FPU);
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
		/* Without XSAVE the area holds the legacy FXSAVE part only. */
		return xsave_get_set(vcpu, argp, ioctl == KVM_SET_XSAVE);
	case KVM_GET_XCRS:
	case KVM_SET_XCRS:
		return xcrs_get_set(vcpu, argp, ioctl == KVM_SET_XCRS);
	default:
		return -EINVAL;
	}
}
