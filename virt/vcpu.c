// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects and the vCPU fd.
 *
 * A vCPU lives as long as its VM: closing the vCPU fd only drops the
 * reference the fd held on the VM, and the VM frees its vCPUs when it dies.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>

#include <kvmod/kvmod_host.h>

static vm_fault_t kvmod_vcpu_fault(struct vm_fault *vmf)
{
	struct kvmod_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff >= KVMOD_VCPU_MMAP_PAGES)
		return VM_FAULT_SIGBUS;
	page = vcpu->run_pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct kvmod_vcpu_vm_ops = {
	.fault = kvmod_vcpu_fault,
};

static int kvmod_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &kvmod_vcpu_vm_ops;
	return 0;
}

static long set_signal_mask(struct kvmod_vcpu *vcpu,
			    struct kvm_signal_mask __user *argp)
{
	struct kvm_signal_mask hdr;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, argp->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/* KVM_RUN, with the vCPU's signal mask in force while it runs. */
static long vcpu_run(struct kvmod_vcpu *vcpu, unsigned long arg)
{
	long r;

	if (arg)
		return -EINVAL;
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &current->real_blocked);
	r = kvmod_arch_vcpu_run(vcpu);
	if (vcpu->sigset_active) {
		sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
		sigemptyset(&current->real_blocked);
	}
	return r;
}

static long kvmod_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			     unsigned long arg)
{
	struct kvmod_vcpu *vcpu = filp->private_data;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (ioctl) {
	case KVM_RUN:
		r = vcpu_run(vcpu, arg);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = set_signal_mask(vcpu, (void __user *)arg);
		break;
	default:
		r = kvmod_arch_vcpu_ioctl(vcpu, ioctl, arg);
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static int kvmod_vcpu_release(struct inode *inode, struct file *filp)
{
	struct kvmod_vcpu *vcpu = filp->private_data;

	/* NULL: creation failed before the file took a VM reference. */
	if (vcpu)
		kvmod_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations kvmod_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmod_vcpu_release,
	.unlocked_ioctl	= kvmod_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kvmod_vcpu_mmap,
	.llseek		= noop_llseek,
};

static void vcpu_free(struct kvmod_vcpu *vcpu)
{
	int i;

	for (i = 0; i < KVMOD_VCPU_MMAP_PAGES; i++)
		if (vcpu->run_pages[i])
			__free_page(vcpu->run_pages[i]);
	kfree(vcpu);
}

static struct kvmod_vcpu *vcpu_alloc(struct kvmod_vm *vm, u32 id)
{
	struct kvmod_vcpu *vcpu;
	int i;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	for (i = 0; i < KVMOD_VCPU_MMAP_PAGES; i++) {
		vcpu->run_pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!vcpu->run_pages[i]) {
			vcpu_free(vcpu);
			return NULL;
		}
	}
	BUILD_BUG_ON(sizeof(struct kvm_run) > PAGE_SIZE);
	vcpu->run = page_address(vcpu->run_pages[0]);
	vcpu->vm = vm;
	vcpu->vcpu_id = id;
	mutex_init(&vcpu->mutex);
	return vcpu;
}

static bool vcpu_id_taken(struct kvmod_vm *vm, u32 id)
{
	struct kvmod_vcpu *vcpu;
	unsigned long idx;

	xa_for_each(&vm->vcpus, idx, vcpu)
		if (vcpu->vcpu_id == id)
			return true;
	return false;
}

/* Reserve a vCPU slot in @vm, enforcing the VM's limits. */
static int vcpu_reserve(struct kvmod_vm *vm, u32 id)
{
	int r = 0;

	mutex_lock(&vm->lock);
	if (vm->created_vcpus >= KVMOD_MAX_VCPUS) {
		r = -EINVAL;
		goto out;
	}
	/* The first vCPU fixes the id limit if userspace did not. */
	if (!vm->max_vcpu_ids)
		vm->max_vcpu_ids = KVMOD_MAX_VCPU_IDS;
	if (id >= vm->max_vcpu_ids) {
		r = -EINVAL;
		goto out;
	}
	vm->created_vcpus++;
out:
	mutex_unlock(&vm->lock);
	return r;
}

static void vcpu_unreserve(struct kvmod_vm *vm)
{
	mutex_lock(&vm->lock);
	vm->created_vcpus--;
	mutex_unlock(&vm->lock);
}

/**
 * kvmod_create_vcpu() - KVM_CREATE_VCPU
 * @vm: the VM
 * @id: the vCPU id userspace asked for
 *
 * Return: the new vCPU fd, or a negative errno.
 */
int kvmod_create_vcpu(struct kvmod_vm *vm, u32 id)
{
	struct kvmod_vcpu *vcpu;
	struct file *file;
	char name[24];
	int r, fd;

	if (id >= KVMOD_MAX_VCPU_IDS)
		return -EINVAL;
	r = vcpu_reserve(vm, id);
	if (r)
		return r;

	vcpu = vcpu_alloc(vm, id);
	if (!vcpu) {
		r = -ENOMEM;
		goto err_unreserve;
	}
	r = kvmod_arch_vcpu_init(vcpu);
	if (r)
		goto err_free;

	/*
	 * Get the fd and file first: once the vCPU is in vm->vcpus others may
	 * use it (kvmod_flush_remote_tlbs()), so nothing after that may fail.
	 */
	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_destroy;
	}
	snprintf(name, sizeof(name), "kvm-vcpu:%u", id);
	file = anon_inode_getfile(name, &kvmod_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		goto err_put_fd;
	}

	mutex_lock(&vm->lock);
	if (vcpu_id_taken(vm, id)) {
		r = -EEXIST;
		goto err_unlock;
	}
	vcpu->vcpu_idx = vm->online_vcpus;
	r = xa_insert(&vm->vcpus, vcpu->vcpu_idx, vcpu, GFP_KERNEL_ACCOUNT);
	if (r)
		goto err_unlock;
	/* The file's reference on the VM. */
	kvmod_vm_get(vm);
	vm->online_vcpus++;
	mutex_unlock(&vm->lock);
	fd_install(fd, file);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	/* The file was never installed: drop it without its release hook. */
	file->private_data = NULL;
	fput(file);
err_put_fd:
	put_unused_fd(fd);
err_destroy:
	kvmod_arch_vcpu_destroy(vcpu);
err_free:
	vcpu_free(vcpu);
err_unreserve:
	vcpu_unreserve(vm);
	return r;
}

/* Called only when the VM has no users left. */
void kvmod_destroy_vcpus(struct kvmod_vm *vm)
{
	struct kvmod_vcpu *vcpu;
	unsigned long idx;

	xa_for_each(&vm->vcpus, idx, vcpu) {
		kvmod_arch_vcpu_destroy(vcpu);
		vcpu_free(vcpu);
	}
}
