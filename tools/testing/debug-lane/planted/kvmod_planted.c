// SPDX-License-Identifier: GPL-2.0
/*
 * kvmod_planted.ko: one deliberate bug of each class the debug lane must
 * catch, fired on demand, so that tools/lanes/debug-kernel/planted.sh can
 * show the lane going red for each.  Only ever load it in that lane:
 *
 *   echo uaf  > /sys/kernel/debug/kvmod_planted/trigger   read after kfree
 *   echo lock > /sys/kernel/debug/kvmod_planted/trigger   A->B, then B->A
 *   echo leak > /sys/kernel/debug/kvmod_planted/trigger   lose kmalloc()s
 *
 * Each runs in the writer's context and returns normally, so the lane
 * goes on to unload the module and dump the kernel log.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

/* Leaked objects carry this text, so kmemleak's hex dump names them. */
static const char planted_tag[] = "kvmod-planted-leak";

/*
 * Several objects: a stale copy of the last pointer may survive in a
 * scanned stack or register and hide that one from kmemleak.
 */
#define PLANTED_LEAKS	4

static DEFINE_MUTEX(planted_a);
static DEFINE_MUTEX(planted_b);
static struct dentry *planted_dir;

/* KASAN: a read of a freed slab object (quarantine keeps it poisoned). */
static noinline void planted_uaf(void)
{
	u8 *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	memset(p, 0x5a, 64);
	kfree(p);
	/* Hide the pointer's history from the compiler's own UAF checks. */
	OPTIMIZER_HIDE_VAR(p);
	pr_info("kvmod_planted: read after free: %#x\n", READ_ONCE(p[8]));
}

/*
 * lockdep: both orders of one lock pair, one after the other in a single
 * thread.  Nothing deadlocks; lockdep reports the cycle all the same.
 */
static noinline void planted_lock_inversion(void)
{
	mutex_lock(&planted_a);
	mutex_lock(&planted_b);
	mutex_unlock(&planted_b);
	mutex_unlock(&planted_a);

	mutex_lock(&planted_b);
	mutex_lock(&planted_a);
	mutex_unlock(&planted_a);
	mutex_unlock(&planted_b);
}

/* kmemleak: objects whose only pointers go out of scope. */
static noinline void planted_leak(void)
{
	void *p;
	int i;

	for (i = 0; i < PLANTED_LEAKS; i++) {
		p = kmemdup(planted_tag, sizeof(planted_tag), GFP_KERNEL);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static ssize_t planted_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[8] = {};

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (sysfs_streq(buf, "uaf"))
		planted_uaf();
	else if (sysfs_streq(buf, "lock"))
		planted_lock_inversion();
	else if (sysfs_streq(buf, "leak"))
		planted_leak();
	else
		return -EINVAL;
	return len;
}

static const struct file_operations planted_fops = {
	.owner = THIS_MODULE,
	.write = planted_write,
};

static int __init planted_init(void)
{
	planted_dir = debugfs_create_dir("kvmod_planted", NULL);
	debugfs_create_file("trigger", 0200, planted_dir, NULL, &planted_fops);
	return 0;
}

static void __exit planted_exit(void)
{
	debugfs_remove_recursive(planted_dir);
}

module_init(planted_init);
module_exit(planted_exit);
MODULE_DESCRIPTION("Deliberate bugs for the kvmod debug lane's self-check");
MODULE_LICENSE("GPL");
