/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmod generic core: the objects behind /dev/kvm, VM fds and vCPU fds.
 *
 * Nothing here knows about x86; the architecture supplies its limits and
 * its per-VM and per-vCPU state through <kvmod_arch.h>, found on the
 * include path of the architecture being built.
 */
#ifndef KVMOD_HOST_H
#define KVMOD_HOST_H

#include <linux/kvm.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/signal_types.h>
#include <linux/srcu.h>
#include <linux/xarray.h>

#include <kvmod/memslot.h>
#include <kvmod_arch.h>

#define KVMOD_API_VERSION	12

/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 flags kvmod implements. */
#define KVMOD_DIRTY_LOG_CAPS	(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | \
				 KVM_DIRTY_LOG_INITIALLY_SET)

/**
 * struct kvmod_vm - one virtual machine (one VM fd)
 * @users: references: the VM fd and one per vCPU fd; the VM is destroyed
 *	when the last goes away.
 * @mm: the address space of the process that created the VM; VM and vCPU
 *	ioctls from any other address space fail with -EIO.
 * @lock: serializes vCPU creation and VM-wide capability changes.
 * @slots_lock: serializes memslot updates (writers only).
 * @srcu: protects readers of @memslots.
 * @memslots: the current memslot snapshot, replaced whole on every update.
 * @slots_by_id: memslots indexed by slot id; only used under @slots_lock.
 * @nr_memslot_pages: total pages over all memslots, under @slots_lock.
 * @dirty_log_caps: KVM_DIRTY_LOG_* flags enabled with
 *	KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, read and written under @slots_lock.
 * @vcpus: vCPUs indexed by creation order (0..@online_vcpus-1).
 * @created_vcpus: vCPUs created or being created, under @lock.
 * @online_vcpus: vCPUs published in @vcpus.
 * @max_vcpu_ids: vCPU ids must be below this (KVM_CAP_MAX_VCPU_ID); 0
 *	until set by userspace or fixed by the first vCPU creation.
 * @arch: architecture state.
 */
struct kvmod_vm {
	refcount_t users;
	struct mm_struct *mm;
	struct mutex lock;
	struct mutex slots_lock;
	struct srcu_struct srcu;
	struct kvmod_memslots __rcu *memslots;
	struct xarray slots_by_id;
	u64 nr_memslot_pages;
	u64 dirty_log_caps;
	struct xarray vcpus;
	unsigned int created_vcpus;
	unsigned int online_vcpus;
	unsigned int max_vcpu_ids;
	struct kvmod_vm_arch arch;
};

/**
 * struct kvmod_vcpu - one virtual CPU (one vCPU fd)
 * @vm: the VM it belongs to; the vCPU holds a reference through its fd.
 * @vcpu_id: the id userspace chose (the APIC id on x86).
 * @vcpu_idx: index in @vm->vcpus.
 * @mutex: serializes ioctls on this vCPU.
 * @run: the shared &struct kvm_run page (mmap page 0).
 * @run_pages: every page of the vCPU mmap area, @run first.
 * @sigset: signals blocked while in KVM_RUN, if @sigset_active
 *	(KVM_SET_SIGNAL_MASK).
 * @sigset_active: KVM_RUN swaps the thread's mask for @sigset.
 * @slot_cache: the memslot this vCPU's last lookup found
 *	(kvmod_vcpu_gfn_to_memslot()).
 * @arch: architecture state.
 */
struct kvmod_vcpu {
	struct kvmod_vm *vm;
	u32 vcpu_id;
	unsigned int vcpu_idx;
	struct mutex mutex;
	struct kvm_run *run;
	struct page *run_pages[KVMOD_VCPU_MMAP_PAGES];
	sigset_t sigset;
	bool sigset_active;
	struct kvmod_memslot_cache slot_cache;
	struct kvmod_vcpu_arch arch;
};

/* virt/vm.c */
int kvmod_create_vm(unsigned long type);
void kvmod_vm_get(struct kvmod_vm *vm);
void kvmod_vm_put(struct kvmod_vm *vm);
int kvmod_check_extension(struct kvmod_vm *vm, long ext);

/* virt/vcpu.c */
int kvmod_create_vcpu(struct kvmod_vm *vm, u32 id);
void kvmod_destroy_vcpus(struct kvmod_vm *vm);

/* virt/memslot.c */
int kvmod_memslots_init(struct kvmod_vm *vm);
void kvmod_memslots_destroy(struct kvmod_vm *vm);
int kvmod_set_memory_region(struct kvmod_vm *vm,
			    const struct kvm_userspace_memory_region *mem);
struct kvmod_memslot *kvmod_gfn_to_memslot(struct kvmod_vm *vm, u64 gfn);
struct kvmod_memslot *kvmod_vcpu_gfn_to_memslot(struct kvmod_vcpu *vcpu,
						u64 gfn);
int kvmod_enable_dirty_log_caps(struct kvmod_vm *vm, u64 caps);
int kvmod_get_dirty_log(struct kvmod_vm *vm, const struct kvm_dirty_log *log);
int kvmod_clear_dirty_log(struct kvmod_vm *vm,
			  const struct kvm_clear_dirty_log *log);
void kvmod_memslot_mark_dirty(const struct kvmod_memslot *slot, u64 gfn);

/*
 * Hooks every architecture implements (arch/<arch>/).  Called with no
 * locks held unless said otherwise.
 */
int kvmod_arch_init(void);
void kvmod_arch_exit(void);
long kvmod_arch_dev_ioctl(unsigned int ioctl, unsigned long arg);
/* @vm is NULL when asked on /dev/kvm. */
int kvmod_arch_check_extension(struct kvmod_vm *vm, long ext);
int kvmod_arch_vm_init(struct kvmod_vm *vm, unsigned long type);
void kvmod_arch_vm_destroy(struct kvmod_vm *vm);
long kvmod_arch_vm_ioctl(struct kvmod_vm *vm, unsigned int ioctl,
			 unsigned long arg);
/* KVM_ENABLE_CAP on a VM fd for a capability virt/ does not know. */
int kvmod_arch_vm_enable_cap(struct kvmod_vm *vm,
			     const struct kvm_enable_cap *cap);
/* Highest guest frame number a memslot may cover. */
u64 kvmod_arch_max_gfn(void);
/*
 * A memslot's frames stop being guest memory (delete or move): begin is
 * called, with vm->slots_lock held, before the new memslots are published,
 * end after no reader can see the old ones any more.
 */
void kvmod_arch_memslot_unmap_begin(struct kvmod_vm *vm,
				    const struct kvmod_memslot *old);
void kvmod_arch_memslot_unmap_end(struct kvmod_vm *vm);
/*
 * Write-protect the pages [@first, @first + @npages) of @slot (offsets in
 * the slot) whose bit is set in @bits (bit 0 for page @first; NULL: all
 * of them), so that the next guest write to each is seen, and flush guest
 * TLBs before returning.  Called with vm->slots_lock held and @slot
 * published.
 */
void kvmod_arch_dirty_log_protect(struct kvmod_vm *vm,
				  const struct kvmod_memslot *slot,
				  const unsigned long *bits, u64 first,
				  u64 npages);
int kvmod_arch_vcpu_init(struct kvmod_vcpu *vcpu);
void kvmod_arch_vcpu_destroy(struct kvmod_vcpu *vcpu);
/* Called with @vcpu->mutex held; KVM_RUN only with arg 0. */
int kvmod_arch_vcpu_run(struct kvmod_vcpu *vcpu);
/* Called with @vcpu->mutex held. */
long kvmod_arch_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg);

#endif /* KVMOD_HOST_H */
