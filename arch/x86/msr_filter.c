// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's RDMSR and WRMSR: KVM_X86_SET_MSR_FILTER's filter, and exits
 * to userspace (KVM_CAP_X86_USER_SPACE_MSR) for the accesses that would
 * otherwise raise #GP.
 *
 * An access the filter denies, or one kvmod_get_msr()/kvmod_set_msr()
 * refuses, goes to userspace as KVM_EXIT_X86_RDMSR or KVM_EXIT_X86_WRMSR
 * when the VM asked for exits of that reason, and raises #GP otherwise.
 * The next KVM_RUN completes it with userspace's answer.  Accesses from
 * userspace (KVM_GET/SET_MSRS) are never filtered.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/traps.h>

#include <kvmod_x86.h>

/* The x2APIC MSRs: never filtered (Documentation/virt/kvm/api.rst). */
#define X2APIC_MSR_FIRST	0x800
#define X2APIC_MSR_LAST		0x8ff

/* Beside kvmod_get_msr()'s and kvmod_set_msr()'s answers: the filter said no. */
#define MSR_FILTERED		(KVMOD_MSR_UNKNOWN + 1)

#define USER_SPACE_MSR_REASONS	(KVM_MSR_EXIT_REASON_INVAL | \
				 KVM_MSR_EXIT_REASON_UNKNOWN | \
				 KVM_MSR_EXIT_REASON_FILTER)

/**
 * struct kvmod_msr_range - one range of a filter
 * @flags: KVM_MSR_FILTER_READ and/or KVM_MSR_FILTER_WRITE: the accesses
 *	the range decides.
 * @base: the first MSR it covers.
 * @nmsrs: how many MSRs it covers.
 * @bitmap: one bit per MSR from @base: 1 allows, 0 denies.
 */
struct kvmod_msr_range {
	u32 flags;
	u32 base;
	u32 nmsrs;
	unsigned long *bitmap;
};

/**
 * struct kvmod_msr_filter - a filter installed by KVM_X86_SET_MSR_FILTER
 * @default_deny: what an access no range decides gets.
 * @count: ranges in @ranges, in the order userspace gave them.
 * @ranges: the ranges with MSRs in them.
 *
 * Immutable once published; replaced whole.
 */
struct kvmod_msr_filter {
	bool default_deny;
	unsigned int count;
	struct kvmod_msr_range ranges[KVM_MSR_FILTER_MAX_RANGES];
};

static void filter_free(struct kvmod_msr_filter *f)
{
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		kfree(f->ranges[i].bitmap);
	kfree(f);
}

/* Whether the VM's filter lets the guest access @index the @type way. */
static bool msr_allowed(struct kvmod_vcpu *vcpu, u32 index, u32 type)
{
	const struct kvmod_msr_filter *f;
	bool allowed = true;
	unsigned int i;

	if (index >= X2APIC_MSR_FIRST && index <= X2APIC_MSR_LAST)
		return true;

	rcu_read_lock();
	f = rcu_dereference(vcpu->vm->arch.msr_filter);
	if (f) {
		allowed = !f->default_deny;
		/* The first range covering the access decides. */
		for (i = 0; i < f->count; i++) {
			const struct kvmod_msr_range *r = &f->ranges[i];
			u64 off = (u64)index - r->base;

			if (!(r->flags & type) || index < r->base ||
			    off >= r->nmsrs)
				continue;
			allowed = test_bit(off, r->bitmap);
			break;
		}
	}
	rcu_read_unlock();
	return allowed;
}

static u32 exit_reason_of(int r)
{
	switch (r) {
	case MSR_FILTERED:
		return KVM_MSR_EXIT_REASON_FILTER;
	case KVMOD_MSR_UNKNOWN:
		return KVM_MSR_EXIT_REASON_UNKNOWN;
	default:
		return KVM_MSR_EXIT_REASON_INVAL;
	}
}

/*
 * A failed access: to userspace if the VM asked for this reason (return
 * 0, kvm_run filled), else #GP (return 1).
 */
static int msr_failed(struct kvmod_vcpu *vcpu, int r, bool read, u32 index,
		      u64 data, u64 next_rip)
{
	u32 reason = exit_reason_of(r);
	struct kvm_run *run = vcpu->run;

	if (!(READ_ONCE(vcpu->vm->arch.user_space_msr) & reason)) {
		kvmod_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	run->exit_reason = read ? KVM_EXIT_X86_RDMSR : KVM_EXIT_X86_WRMSR;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = reason;
	run->msr.index = index;
	run->msr.data = data;
	vcpu->arch.msr_exit = (struct kvmod_msr_exit) {
		.pending = true,
		.read = read,
		.rip = vcpu->arch.regs.rip,
		.next_rip = next_rip,
	};
	return 0;
}

/**
 * kvmod_emulate_rdmsr() - the guest's RDMSR of MSR ECX
 * @vcpu: the vCPU
 * @next_rip: RIP after the instruction
 *
 * Return: 1 to resume the guest (done, or #GP queued), 0 to exit to
 * userspace with KVM_EXIT_X86_RDMSR.
 */
int kvmod_emulate_rdmsr(struct kvmod_vcpu *vcpu, u64 next_rip)
{
	struct kvm_regs *regs = &vcpu->arch.regs;
	u32 index = regs->rcx;
	u64 data = 0;
	int r;

	if (msr_allowed(vcpu, index, KVM_MSR_FILTER_READ))
		r = kvmod_get_msr(vcpu, index, &data, false);
	else
		r = MSR_FILTERED;
	if (r)
		return msr_failed(vcpu, r, true, index, 0, next_rip);
	regs->rax = (u32)data;
	regs->rdx = data >> 32;
	kvmod_advance_rip(vcpu, next_rip);
	return 1;
}

/**
 * kvmod_emulate_wrmsr() - the guest's WRMSR of EDX:EAX to MSR ECX
 * @vcpu: the vCPU
 * @next_rip: RIP after the instruction
 *
 * Return: 1 to resume the guest (done, or #GP queued), 0 to exit to
 * userspace with KVM_EXIT_X86_WRMSR.
 */
int kvmod_emulate_wrmsr(struct kvmod_vcpu *vcpu, u64 next_rip)
{
	struct kvm_regs *regs = &vcpu->arch.regs;
	u64 data = (regs->rdx << 32) | (u32)regs->rax;
	u32 index = regs->rcx;
	int r;

	if (msr_allowed(vcpu, index, KVM_MSR_FILTER_WRITE))
		r = kvmod_set_msr(vcpu, index, data, false);
	else
		r = MSR_FILTERED;
	if (r)
		return msr_failed(vcpu, r, false, index, data, next_rip);
	kvmod_advance_rip(vcpu, next_rip);
	return 1;
}

/**
 * kvmod_msr_exit_complete() - finish an RDMSR/WRMSR userspace handled
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * kvm_run->msr.error set raises #GP; otherwise an RDMSR's EDX:EAX get
 * kvm_run->msr.data and RIP moves past the instruction.
 *
 * Return: 1 (go on into the guest).
 */
int kvmod_msr_exit_complete(struct kvmod_vcpu *vcpu)
{
	struct kvmod_msr_exit *x = &vcpu->arch.msr_exit;
	struct kvm_regs *regs = &vcpu->arch.regs;
	struct kvm_run *run = vcpu->run;
	u64 data;

	if (!x->pending)
		return 1;
	x->pending = false;
	/* Userspace took the vCPU elsewhere (KVM_SET_REGS): nothing to do. */
	if (regs->rip != x->rip)
		return 1;
	if (READ_ONCE(run->msr.error)) {
		kvmod_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	if (x->read) {
		data = READ_ONCE(run->msr.data);
		regs->rax = (u32)data;
		regs->rdx = data >> 32;
	}
	kvmod_advance_rip(vcpu, x->next_rip);
	return 1;
}

/**
 * kvmod_enable_user_space_msr() - KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)
 * @vm: the VM
 * @reasons: KVM_MSR_EXIT_REASON_* bits to exit to userspace for (0: none)
 *
 * Return: 0, or -EINVAL for unknown bits.
 */
int kvmod_enable_user_space_msr(struct kvmod_vm *vm, u64 reasons)
{
	if (reasons & ~(u64)USER_SPACE_MSR_REASONS)
		return -EINVAL;
	WRITE_ONCE(vm->arch.user_space_msr, reasons);
	return 0;
}

/* Copy one range from userspace; an empty one (nmsrs 0) is skipped. */
static int filter_add_range(struct kvmod_msr_filter *f,
			    const struct kvm_msr_filter_range *user)
{
	struct kvmod_msr_range *r;
	size_t size;

	if (!user->nmsrs)
		return 0;
	if (!user->flags ||
	    (user->flags & ~(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE)))
		return -EINVAL;
	/* Whole longs, as KVM reads them; at most 0x600 bytes. */
	size = BITS_TO_LONGS(user->nmsrs) * sizeof(long);
	if (size > KVM_MSR_FILTER_MAX_BITMAP_SIZE)
		return -EINVAL;

	r = &f->ranges[f->count];
	r->bitmap = memdup_user((void __user *)user->bitmap, size);
	if (IS_ERR(r->bitmap)) {
		int err = PTR_ERR(r->bitmap);

		r->bitmap = NULL;
		return err;
	}
	r->flags = user->flags;
	r->base = user->base;
	r->nmsrs = user->nmsrs;
	f->count++;
	return 0;
}

/**
 * kvmod_set_msr_filter() - KVM_X86_SET_MSR_FILTER
 * @vm: the VM
 * @argp: the userspace &struct kvm_msr_filter
 *
 * Replaces the VM's filter.  Unknown flags, a range with no or unknown
 * access flags or a bitmap over KVM_MSR_FILTER_MAX_BITMAP_SIZE bytes, and
 * DEFAULT_DENY with no range at all are -EINVAL, as on KVM.  vCPUs see
 * either the old filter or the new one.
 *
 * Return: 0 or a negative errno.
 */
long kvmod_set_msr_filter(struct kvmod_vm *vm,
			  struct kvm_msr_filter __user *argp)
{
	struct kvmod_msr_filter *f, *old;
	struct kvm_msr_filter user;
	bool empty = true;
	int i, r;

	if (copy_from_user(&user, argp, sizeof(user)))
		return -EFAULT;
	if (user.flags & ~KVM_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		empty &= !user.ranges[i].nmsrs;
	if (empty && (user.flags & KVM_MSR_FILTER_DEFAULT_DENY))
		return -EINVAL;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->default_deny = user.flags & KVM_MSR_FILTER_DEFAULT_DENY;
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
		r = filter_add_range(f, &user.ranges[i]);
		if (r) {
			filter_free(f);
			return r;
		}
	}

	mutex_lock(&vm->lock);
	old = rcu_replace_pointer(vm->arch.msr_filter, f,
				  lockdep_is_held(&vm->lock));
	mutex_unlock(&vm->lock);
	synchronize_rcu();
	filter_free(old);
	return 0;
}

/**
 * kvmod_msr_filter_free() - free the VM's filter
 * @vm: the VM being destroyed (no vCPU runs)
 */
void kvmod_msr_filter_free(struct kvmod_vm *vm)
{
	filter_free(rcu_dereference_protected(vm->arch.msr_filter, true));
	RCU_INIT_POINTER(vm->arch.msr_filter, NULL);
}
