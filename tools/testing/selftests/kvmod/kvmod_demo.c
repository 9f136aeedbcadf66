// SPDX-License-Identifier: GPL-2.0
/*
 * kvmod_demo: a short tour of the KVM API as kvmod serves it.  Opens
 * /dev/kvm, shows the API version and some capabilities, builds a VM
 * with one memory slot and one vCPU, prints the vCPU's reset registers,
 * runs a 64-bit guest that prints a line through port I/O, and tears
 * everything down.
 */
#include <fcntl.h>
#include <stdbool.h>
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

/* Guest-physical layout of the hello guest. */
#define HELLO_PML4	0x1000
#define HELLO_PDPT	0x2000
#define HELLO_PD	0x3000
#define HELLO_GDT	0x4000
#define HELLO_CODE	0x5000
#define HELLO_STACK	0x8000
#define HELLO_PORT	0x3f8

/*
 * 64-bit code: print the NUL-terminated string after the code to port
 * 0x3f8, one OUT per byte, then HLT.
 */
static const unsigned char hello_code[] = {
	0x48, 0x8d, 0x35, 0x0d, 0x00, 0x00, 0x00,	/* lea msg(%rip), %rsi */
	0x66, 0xba, 0xf8, 0x03,				/* mov $0x3f8, %dx */
	0xac,						/* 1: lods %ds:(%rsi), %al */
	0x84, 0xc0,					/* test %al, %al */
	0x74, 0x03,					/* jz 2f */
	0xee,						/* out %al, (%dx) */
	0xeb, 0xf8,					/* jmp 1b */
	0xf4,						/* 2: hlt */
	/* msg: */
	'H', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', 'a', ' ',
	'6', '4', '-', 'b', 'i', 't', ' ', 'g', 'u', 'e', 's', 't', ' ',
	'o', 'n', ' ', 'k', 'v', 'm', 'o', 'd', '!', '\n', 0,
};

static void set_flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
			 bool code64)
{
	*s = (struct kvm_segment) {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .l = code64, .db = !code64, .g = 1,
	};
}

/* Identity-map the first 2 MiB, enter long mode through KVM_SET_SREGS. */
static void hello_setup(int vcpu, uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + HELLO_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + HELLO_PDPT);
	uint64_t *pd = (uint64_t *)(mem + HELLO_PD);
	uint64_t *gdt = (uint64_t *)(mem + HELLO_GDT);
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	pml4[0] = HELLO_PDPT | 0x3;		/* present, writable */
	pdpt[0] = HELLO_PD | 0x3;
	pd[0] = 0x0 | 0x83;			/* 2 MiB page */
	gdt[1] = 0x00209a0000000000ULL;		/* 64-bit code, selector 8 */
	gdt[2] = 0x00cf92000000ffffULL;		/* data, selector 0x10 */
	memcpy(mem + HELLO_CODE, hello_code, sizeof(hello_code));

	vcpu_get_sregs(vcpu, &sregs);
	set_flat_seg(&sregs.cs, 0x8, 0xb, true);
	set_flat_seg(&sregs.ds, 0x10, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = HELLO_GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cr0 = 0x80000011;			/* PG | ET | PE */
	sregs.cr3 = HELLO_PML4;
	sregs.cr4 = 0x20;			/* PAE */
	sregs.efer = 0x500;			/* LMA | LME */
	vcpu_set_sregs(vcpu, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = HELLO_CODE;
	regs.rsp = HELLO_STACK;
	regs.rflags = 0x2;
	vcpu_set_regs(vcpu, &regs);
}

/* Run until HLT, printing what the guest writes to its port. */
static int hello_run(int vcpu, struct kvm_run *run)
{
	unsigned int exits = 0;

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			printf("KVM_RUN failed: %s\n", strerror(errno));
			return 1;
		}
		exits++;
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_OUT ||
		    run->io.port != HELLO_PORT) {
			printf("unexpected exit %u\n", run->exit_reason);
			return 1;
		}
		putchar(*((char *)run + run->io.data_offset));
	}
	printf("guest halted after %u exits to userspace\n", exits);
	return 0;
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

	printf("loading a 64-bit guest (long mode, paging on) and running it:\n");
	hello_setup(vcpu, mem);
	if (hello_run(vcpu, run))
		return 1;

	ASSERT_OK(munmap(run, run_size));
	ASSERT_OK(close(vcpu));
	ASSERT_OK(close(vm));
	ASSERT_OK(close(kvm));
	ASSERT_OK(munmap(mem, GUEST_MEM_SIZE));
	printf("cleaned up: vCPU, VM and /dev/kvm closed\n");
	return 0;
}
