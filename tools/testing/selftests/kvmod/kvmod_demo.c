// SPDX-License-Identifier: GPL-2.0
/*
 * kvmod_demo: a short tour of the KVM API as kvmod serves it.  Opens
 * /dev/kvm, shows the API version and some capabilities, builds a VM
 * with one memory slot and one vCPU, prints the vCPU's reset registers
 * and tears everything down.
 */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

KH_DEFINE_STATE;

#define GUEST_MEM_SIZE	(2UL << 20)

static const struct {
	long cap;
	const char *name;
} caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_NR_VCPUS, "KVM_CAP_NR_VCPUS" },
	{ KVM_CAP_MAX_VCPUS, "KVM_CAP_MAX_VCPUS" },
	{ KVM_CAP_MAX_VCPU_ID, "KVM_CAP_MAX_VCPU_ID" },
	{ KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS" },
	{ KVM_CAP_MULTI_ADDRESS_SPACE, "KVM_CAP_MULTI_ADDRESS_SPACE" },
	{ KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM" },
	{ KVM_CAP_COALESCED_MMIO, "KVM_CAP_COALESCED_MMIO" },
};

static void print_seg(const char *name, const struct kvm_segment *s)
{
	printf("  %-3s selector=0x%04x base=0x%016llx limit=0x%08x type=0x%x%s\n",
	       name, s->selector, (unsigned long long)s->base, s->limit,
	       s->type, s->present ? "" : " (not present)");
}

int main(void)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int kvm, vm, vcpu;
	size_t run_size;
	unsigned int i;
	void *mem;

	kvm = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("cannot open %s: %s\n", KVM_DEV_PATH, strerror(errno));
		return 1;
	}
	printf("opened %s\n", KVM_DEV_PATH);
	printf("KVM_GET_API_VERSION: %d\n",
	       ioctl(kvm, KVM_GET_API_VERSION, 0UL));
	for (i = 0; i < ARRAY_SIZE(caps); i++)
		printf("  %-28s %d\n", caps[i].name,
		       ioctl(kvm, KVM_CHECK_EXTENSION, caps[i].cap));
	printf("KVM_GET_VCPU_MMAP_SIZE: %d bytes\n",
	       ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0UL));

	vm = vm_create(kvm);
	printf("created VM (fd %d)\n", vm);

	mem = host_mem_alloc(GUEST_MEM_SIZE);
	ASSERT_OK(memslot_set(vm, 0, 0, 0, GUEST_MEM_SIZE, (uintptr_t)mem));
	printf("memslot 0: guest 0x0-0x%lx backed by %p\n",
	       GUEST_MEM_SIZE - 1, mem);

	vcpu = vcpu_create(vm, 0);
	run = vcpu_map_run(kvm, vcpu, &run_size);
	printf("created vCPU 0 (fd %d), kvm_run mapped at %p (%zu bytes)\n",
	       vcpu, (void *)run, run_size);

	vcpu_get_regs(vcpu, &regs);
	vcpu_get_sregs(vcpu, &sregs);
	printf("vCPU 0 reset state:\n");
	printf("  rip=0x%llx rflags=0x%llx rdx=0x%llx rsp=0x%llx\n",
	       (unsigned long long)regs.rip,
	       (unsigned long long)regs.rflags,
	       (unsigned long long)regs.rdx,
	       (unsigned long long)regs.rsp);
	print_seg("cs", &sregs.cs);
	print_seg("ds", &sregs.ds);
	print_seg("ss", &sregs.ss);
	print_seg("tr", &sregs.tr);
	printf("  cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx apic_base=0x%llx\n",
	       (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
	       (unsigned long long)sregs.cr4, (unsigned long long)sregs.efer,
	       (unsigned long long)sregs.apic_base);
	printf("  first instruction fetch at 0x%llx (CS.base + RIP)\n",
	       (unsigned long long)(sregs.cs.base + regs.rip));

	ASSERT_OK(munmap(run, run_size));
	ASSERT_OK(close(vcpu));
	ASSERT_OK(close(vm));
	ASSERT_OK(close(kvm));
	ASSERT_OK(munmap(mem, GUEST_MEM_SIZE));
	printf("cleaned up: vCPU, VM and /dev/kvm closed\n");
	return 0;
}
