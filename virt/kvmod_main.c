// SPDX-License-Identifier: GPL-2.0
/*
 * kvmod: module entry points and the /dev/kvm character device.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <kvmod/kvmod_host.h>

static long kvmod_dev_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVMOD_API_VERSION;
	case KVM_CREATE_VM:
		return kvmod_create_vm(arg);
	case KVM_CHECK_EXTENSION:
		return kvmod_check_extension(NULL, arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : KVMOD_VCPU_MMAP_PAGES * PAGE_SIZE;
	default:
		return kvmod_arch_dev_ioctl(ioctl, arg);
	}
}

static const struct file_operations kvmod_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= kvmod_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice kvmod_dev = {
	.minor	= KVM_MINOR,
	.name	= "kvm",
	.fops	= &kvmod_dev_fops,
	.mode	= 0666,
};

static int __init kvmod_init(void)
{
	int r;

	r = kvmod_arch_init();
	if (r)
		return r;

	r = misc_register(&kvmod_dev);
	if (r) {
		/* The minor is taken when kvm.ko is loaded. */
		pr_err("kvmod: cannot register /dev/kvm (%d): is another hypervisor module (kvm) loaded?\n",
		       r);
		kvmod_arch_exit();
		return r;
	}
	return 0;
}

static void __exit kvmod_exit(void)
{
	misc_deregister(&kvmod_dev);
	kvmod_arch_exit();
	pr_info("kvmod: unloaded\n");
}

module_init(kvmod_init);
module_exit(kvmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmod: a hypervisor behind the KVM userspace API");
