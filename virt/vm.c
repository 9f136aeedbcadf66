// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects and the VM fd.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <kvmod/kvmod_host.h>

void kvmod_vm_get(struct kvmod_vm *vm)
{
	refcount_inc(&vm->users);
}

static void kvmod_destroy_vm(struct kvmod_vm *vm)
{
	struct mm_struct *mm = vm->mm;

	/*
	 * The architecture goes first: tearing down its MMU stops the
	 * mmu_notifier, whose callbacks walk the vCPUs to flush them.
	 */
	kvmod_arch_vm_destroy(vm);
	kvmod_destroy_vcpus(vm);
	kvmod_memslots_destroy(vm);
	xa_destroy(&vm->vcpus);
	cleanup_srcu_struct(&vm->srcu);
	kfree(vm);
	mmdrop(mm);
}

void kvmod_vm_put(struct kvmod_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		kvmod_destroy_vm(vm);
}

/**
 * kvmod_check_extension() - KVM_CHECK_EXTENSION on /dev/kvm or a VM fd
 * @vm: the VM, or NULL for /dev/kvm
 * @ext: a KVM_CAP_* number
 *
 * Every answer is truthful: a capability is non-zero only once it works.
 */
int kvmod_check_extension(struct kvmod_vm *vm, long ext)
{
	switch (ext) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_ENABLE_CAP_VM:
		return 1;
	case KVM_CAP_NR_VCPUS:
		return min_t(unsigned int, num_online_cpus(), KVMOD_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
		return KVMOD_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return KVMOD_MAX_VCPU_IDS;
	case KVM_CAP_NR_MEMSLOTS:
		return KVMOD_USER_MEM_SLOTS;
	case KVM_CAP_MULTI_ADDRESS_SPACE:
		return KVMOD_ADDRESS_SPACES;
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return KVMOD_DIRTY_LOG_CAPS;
	default:
		return kvmod_arch_check_extension(vm, ext);
	}
}

static int vm_enable_cap(struct kvmod_vm *vm, struct kvm_enable_cap *cap)
{
	int r = -EINVAL;

	if (cap->flags)
		return -EINVAL;

	switch (cap->cap) {
	case KVM_CAP_MAX_VCPU_ID:
		if (cap->args[0] > KVMOD_MAX_VCPU_IDS)
			return -EINVAL;
		/* Settable once, before any vCPU fixed it; idempotent. */
		mutex_lock(&vm->lock);
		if (vm->max_vcpu_ids == cap->args[0]) {
			r = 0;
		} else if (!vm->max_vcpu_ids) {
			vm->max_vcpu_ids = cap->args[0];
			r = 0;
		}
		mutex_unlock(&vm->lock);
		return r;
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return kvmod_enable_dirty_log_caps(vm, cap->args[0]);
	default:
		return kvmod_arch_vm_enable_cap(vm, cap);
	}
}

static long kvmod_vm_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct kvmod_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* A VM belongs to the address space that created it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		return kvmod_create_vcpu(vm, arg);
	case KVM_CHECK_EXTENSION:
		return kvmod_check_extension(vm, arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return kvmod_set_memory_region(vm, &mem);
	}
	case KVM_GET_DIRTY_LOG: {
		struct kvm_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		return kvmod_get_dirty_log(vm, &log);
	}
	case KVM_CLEAR_DIRTY_LOG: {
		struct kvm_clear_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		return kvmod_clear_dirty_log(vm, &log);
	}
	case KVM_ENABLE_CAP: {
		struct kvm_enable_cap cap;

		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return vm_enable_cap(vm, &cap);
	}
	default:
		return kvmod_arch_vm_ioctl(vm, ioctl, arg);
	}
}

static int kvmod_vm_release(struct inode *inode, struct file *filp)
{
	kvmod_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations kvmod_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmod_vm_release,
	.unlocked_ioctl	= kvmod_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/**
 * kvmod_create_vm() - KVM_CREATE_VM
 * @type: machine type; the architecture decides which are valid
 *
 * Return: the new VM fd, or a negative errno.
 */
int kvmod_create_vm(unsigned long type)
{
	struct kvmod_vm *vm;
	int r, fd;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;

	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	xa_init(&vm->vcpus);
	vm->mm = current->mm;
	mmgrab(vm->mm);

	r = init_srcu_struct(&vm->srcu);
	if (r)
		goto err_mm;
	r = kvmod_memslots_init(vm);
	if (r)
		goto err_srcu;
	r = kvmod_arch_vm_init(vm, type);
	if (r)
		goto err_slots;

	fd = anon_inode_getfd("kvm-vm", &kvmod_vm_fops, vm,
			      O_RDWR | O_CLOEXEC);
	/* On failure the VM was never visible: tear it down as a whole. */
	if (fd < 0)
		kvmod_vm_put(vm);
	return fd;

err_slots:
	kvmod_memslots_destroy(vm);
err_srcu:
	cleanup_srcu_struct(&vm->srcu);
err_mm:
	mmdrop(vm->mm);
	kfree(vm);
	return r;
}
