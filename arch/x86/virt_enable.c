// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU virtualization enable, reference counted by VMs.
 *
 * Virtualization is on, on every online CPU, exactly while at least one VM
 * exists, as with KVM.  A CPU hotplug state keeps CPUs that come online in
 * the meantime in step and turns CPUs that go offline back off; removing
 * the state turns every CPU off again.
 */
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>

#include <kvmod_x86.h>

static DEFINE_MUTEX(virt_lock);
static unsigned int virt_users;
static int virt_hp_state;

static int virt_cpu_online(unsigned int cpu)
{
	int r = kvmod_x86->cpu_enable();

	if (r)
		pr_err("kvmod: cannot enable %s on CPU %u (%d): another hypervisor may be using it\n",
		       kvmod_x86->name, cpu, r);
	return r;
}

static int virt_cpu_offline(unsigned int cpu)
{
	kvmod_x86->cpu_disable();
	return 0;
}

/**
 * kvmod_virt_get() - have virtualization enabled on every online CPU
 *
 * Return: 0, or a negative errno with every CPU left as it was.
 */
int kvmod_virt_get(void)
{
	int r = 0;

	mutex_lock(&virt_lock);
	if (!virt_users) {
		/* Runs virt_cpu_online() on every online CPU, undoing on error. */
		r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "kvmod:online",
				      virt_cpu_online, virt_cpu_offline);
		if (r < 0)
			goto out;
		virt_hp_state = r;
		r = 0;
	}
	virt_users++;
out:
	mutex_unlock(&virt_lock);
	return r;
}

/**
 * kvmod_virt_put() - drop a reference; the last one turns every CPU off
 */
void kvmod_virt_put(void)
{
	mutex_lock(&virt_lock);
	if (!--virt_users)
		cpuhp_remove_state(virt_hp_state);
	mutex_unlock(&virt_lock);
}
