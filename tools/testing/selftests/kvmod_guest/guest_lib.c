// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-code test library: VM and vCPU setup in each x86 mode, page
 * tables, the 64-bit exception stubs and the ucall decoding.
 */
#include <link.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

/* ---------------------------------------------------------------------
 * Guest side: exception entry.
 *
 * Each of the 256 stubs is 16 bytes long, so the IDT needs only the
 * address of the first.  Vectors without an error code push a zero one so
 * that every frame has the layout of struct ex_regs.
 */
asm(".pushsection .text\n"
	".balign 16\n"
	".globl guest_ex_stubs\n"
	"guest_ex_stubs:\n"
	".set vec, 0\n"
	".rept 256\n"
	".balign 16\n"
	".if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)\n"
	".else\n"
	"  pushq $0\n"
	".endif\n"
	"  pushq $vec\n"
	"  jmp guest_ex_common\n"
	".set vec, vec + 1\n"
	".endr\n"
	"guest_ex_common:\n"
	"  push %r15\n push %r14\n push %r13\n push %r12\n"
	"  push %r11\n push %r10\n push %r9\n push %r8\n"
	"  push %rdi\n push %rsi\n push %rbp\n push %rbx\n"
	"  push %rdx\n push %rcx\n push %rax\n"
	"  mov %rsp, %rdi\n"
	"  cld\n"
	"  call guest_ex_dispatch\n"
	"  pop %rax\n pop %rcx\n pop %rdx\n pop %rbx\n"
	"  pop %rbp\n pop %rsi\n pop %rdi\n pop %r8\n"
	"  pop %r9\n pop %r10\n pop %r11\n pop %r12\n"
	"  pop %r13\n pop %r14\n pop %r15\n"
	"  add $16, %rsp\n"
	"  iretq\n"
	/* Where a guest function returns to: report DONE, then stay put. */
	".globl guest_return_stub\n"
	"guest_return_stub:\n"
	"  mov $" STR(UCALL_DONE) ", %edi\n"
	"  xor %esi, %esi\n"
	"  outb %al, $" STR(UCALL_PORT) "\n"
	"1: hlt\n"
	"  jmp 1b\n"
	".popsection\n");

extern char guest_ex_stubs[], guest_return_stub[];

guest_handler_t guest_handlers[256];
volatile struct guest_caught guest_caught;
volatile uint64_t guest_catch_resume;

void guest_ex_dispatch(struct ex_regs *regs);

GUEST_CODE void guest_ex_dispatch(struct ex_regs *regs)
{
	if (guest_catch_resume) {
		guest_caught.vector = regs->vector;
		guest_caught.error_code = regs->error_code;
		guest_caught.rip = regs->rip;
		guest_caught.cr2 = read_cr2();
		guest_caught.count++;
		regs->rip = guest_catch_resume;
		guest_catch_resume = 0;
		return;
	}
	if (guest_handlers[regs->vector]) {
		guest_handlers[regs->vector](regs);
		return;
	}
	for (;;) {
		guest_ucall(UCALL_UNHANDLED, regs->vector, regs->error_code,
			    regs->rip);
		asm volatile("hlt");
	}
}

/* ---------------------------------------------------------------------
 * Host side.
 */

static int copy_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	struct kvm_vm *vm = data;
	int i;

	(void)size;
	/* The first object is the (static) executable itself. */
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t va = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		ASSERT_LE(va + ph->p_memsz, vm->mem_size);
		/* Page-aligned start: the ELF and program headers come too. */
		memcpy(vm->mem + va, (void *)va, ph->p_memsz);
	}
	return 1;
}

struct kvm_vm *vm_new(uint64_t mem_size)
{
	struct kvm_vm *vm = calloc(1, sizeof(*vm));
	extern char _end[];

	ASSERT_TRUE(vm);
	if (!mem_size)
		mem_size = DEFAULT_MEM;
	/* Leave at least 1 MiB free after the binary. */
	if (mem_size < (uintptr_t)_end + 0x100000)
		mem_size = ((uintptr_t)_end + 0x100000 + 0x1fffff) &
			   ~0x1fffffUL;
	vm->kvm_fd = kvm_open();
	vm->fd = vm_create(vm->kvm_fd);
	vm->mem_size = mem_size;
	vm->mem = host_mem_alloc(mem_size);
	vm->next_pt = PT_POOL_GPA;
	vm->run_size = vcpu_mmap_size(vm->kvm_fd);
	ASSERT_OK(memslot_set(vm->fd, 0, 0, 0, mem_size,
			      (uintptr_t)vm->mem));
	dl_iterate_phdr(copy_segment, vm);
	vm_write_tables(vm);
	return vm;
}

void vm_free(struct kvm_vm *vm)
{
	close(vm->fd);
	close(vm->kvm_fd);
	/* A test may have unmapped it already (and cleared mem). */
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	free(vm->cpuid);
	free(vm);
}

void *gpa_ptr(struct kvm_vm *vm, uint64_t gpa)
{
	ASSERT_LT(gpa, vm->mem_size);
	return vm->mem + gpa;
}

uint64_t vm_alloc_page(struct kvm_vm *vm)
{
	uint64_t gpa = vm->next_pt;

	ASSERT_LT(gpa, PT_POOL_END);
	vm->next_pt += PAGE_SIZE_4K;
	memset(vm->mem + gpa, 0, PAGE_SIZE_4K);
	return gpa;
}

void vm_load_blob(struct kvm_vm *vm, uint64_t gpa, const void *start,
		  const void *end)
{
	size_t len = (const char *)end - (const char *)start;

	ASSERT_LE(gpa + len, vm->mem_size);
	memcpy(vm->mem + gpa, start, len);
}

static uint64_t *pt_entry(struct kvm_vm *vm, uint64_t table, unsigned int i)
{
	return (uint64_t *)gpa_ptr(vm, table) + i;
}

uint64_t vm_identity_pml4(struct kvm_vm *vm)
{
	uint64_t pdpt, pd;
	unsigned int i, j;

	if (vm->pml4)
		return vm->pml4;
	vm->pml4 = vm_alloc_page(vm);
	pdpt = vm_alloc_page(vm);
	*pt_entry(vm, vm->pml4, 0) = pdpt | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++) {
		pd = vm_alloc_page(vm);
		*pt_entry(vm, pdpt, i) = pd | PTE_P | PTE_RW;
		for (j = 0; j < 512; j++)
			*pt_entry(vm, pd, j) = ((uint64_t)i << 30) |
				((uint64_t)j << 21) | PTE_P | PTE_RW | PTE_PS;
	}
	return vm->pml4;
}

uint64_t vm_clone_pml4(struct kvm_vm *vm)
{
	uint64_t pml4 = vm_alloc_page(vm);

	*pt_entry(vm, pml4, 0) = *pt_entry(vm, vm_identity_pml4(vm), 0);
	return pml4;
}

/* The next-level table under *e, created (or split from a large page). */
static uint64_t pt_next(struct kvm_vm *vm, uint64_t *e, uint64_t page_size)
{
	uint64_t t, base;
	unsigned int i;

	if (!(*e & PTE_P)) {
		t = vm_alloc_page(vm);
		*e = t | PTE_P | PTE_RW;
		return t;
	}
	if (!(*e & PTE_PS))
		return *e & PTE_ADDR;
	/* Split: the same translation with the next smaller pages. */
	t = vm_alloc_page(vm);
	base = *e & PTE_ADDR & ~(page_size * 512 - 1);
	for (i = 0; i < 512; i++)
		*pt_entry(vm, t, i) = (base + i * page_size) |
			(*e & ~PTE_ADDR & (page_size == PAGE_SIZE_4K ?
					   ~PTE_PS : ~0ULL));
	*e = t | PTE_P | PTE_RW;
	return t;
}

uint64_t vm_map_4k(struct kvm_vm *vm, uint64_t pml4, uint64_t va,
		   uint64_t pa, uint64_t flags)
{
	uint64_t pdpt, pd, pt;

	pdpt = pt_next(vm, pt_entry(vm, pml4, (va >> 39) & 511), 1ULL << 30);
	pd = pt_next(vm, pt_entry(vm, pdpt, (va >> 30) & 511), 1ULL << 21);
	pt = pt_next(vm, pt_entry(vm, pd, (va >> 21) & 511), PAGE_SIZE_4K);
	*pt_entry(vm, pt, (va >> 12) & 511) = (pa & PTE_ADDR) | flags;
	return pt + ((va >> 12) & 511) * 8;
}

uint64_t vm_identity_pd32(struct kvm_vm *vm)
{
	uint32_t *pd;
	unsigned int i;

	if (vm->pd32)
		return vm->pd32;
	vm->pd32 = vm_alloc_page(vm);
	pd = gpa_ptr(vm, vm->pd32);
	for (i = 0; i < 1024; i++)
		pd[i] = (i << 22) | PTE_P | PTE_RW | PTE_PS;
	return vm->pd32;
}

uint64_t vm_identity_pae(struct kvm_vm *vm)
{
	uint64_t pd;
	unsigned int i, j;

	if (vm->pdpt_pae)
		return vm->pdpt_pae;
	vm->pdpt_pae = vm_alloc_page(vm);
	for (i = 0; i < 4; i++) {
		pd = vm_alloc_page(vm);
		/* PAE PDPTEs have no RW bit: it is reserved there. */
		*pt_entry(vm, vm->pdpt_pae, i) = pd | PTE_P;
		for (j = 0; j < 512; j++)
			*pt_entry(vm, pd, j) = ((uint64_t)i << 30) |
				((uint64_t)j << 21) | PTE_P | PTE_RW | PTE_PS;
	}
	return vm->pdpt_pae;
}

static uint64_t gdt_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (limit & 0xffffULL) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

/* The GDT every mode shares (see the SEL_* selectors) and the IDT. */
void vm_write_tables(struct kvm_vm *vm)
{
	uint64_t *gdt = gpa_ptr(vm, GDT_GPA);
	uint64_t *idt = gpa_ptr(vm, IDT_GPA);
	uint64_t stub;
	unsigned int i;

	memset(gdt, 0, PAGE_SIZE_4K);
	gdt[SEL_CODE64 / 8] = gdt_desc(0, 0xfffff, 0x9b, 0xa);
	gdt[SEL_DATA / 8] = gdt_desc(0, 0xfffff, 0x93, 0xc);
	gdt[SEL_TSS / 8] = gdt_desc(TSS_GPA, 0x67, 0x8b, 0);
	gdt[SEL_TSS / 8 + 1] = 0;
	gdt[SEL_CODE32 / 8] = gdt_desc(0, 0xfffff, 0x9b, 0xc);
	gdt[SEL_CODE16 / 8] = gdt_desc(0, 0xffff, 0x9b, 0);
	gdt[SEL_DATA16 / 8] = gdt_desc(0, 0xffff, 0x93, 0);

	/* 64-bit interrupt gates to the stubs, DPL 0, no IST. */
	for (i = 0; i < 256; i++) {
		stub = (uintptr_t)guest_ex_stubs + 16 * i;
		idt[2 * i] = (stub & 0xffff) | (uint64_t)SEL_CODE64 << 16 |
			     0x8eULL << 40 | ((stub >> 16) & 0xffff) << 48;
		idt[2 * i + 1] = stub >> 32;
	}
}

static void seg_set(struct kvm_segment *s, uint16_t sel, uint64_t base,
		    uint32_t limit, uint8_t type, bool db, bool l, bool g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = g;
}

/* Flat protected-mode state shared by the 16/32/64-bit setups. */
static void sregs_protected(struct kvm_vcpu *vcpu, struct kvm_sregs *sr,
			    uint16_t cs_sel, bool db, bool l, bool g,
			    uint16_t ds_sel, uint32_t limit)
{
	vcpu_get_sregs(vcpu->fd, sr);
	seg_set(&sr->cs, cs_sel, 0, limit, 0xb, db, l, g);
	seg_set(&sr->ds, ds_sel, 0, limit, 0x3, db, false, g);
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	seg_set(&sr->tr, SEL_TSS, TSS_GPA, 0x67, 0xb, false, false, false);
	sr->tr.s = 0;
	sr->gdt.base = GDT_GPA;
	sr->gdt.limit = 8 * 8 - 1;
	sr->idt.base = 0;
	sr->idt.limit = 0;
	sr->cr0 = CR0_PE | CR0_ET | CR0_NE;
	sr->cr4 = 0;
	sr->efer = 0;
}

static void regs_start(struct kvm_vcpu *vcpu, uint64_t rip, uint64_t rsp)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 0x2;
	vcpu_set_regs(vcpu->fd, &regs);
}

static uint64_t stack_top(struct kvm_vcpu *vcpu)
{
	ASSERT_LT(vcpu->id, MAX_VCPUS);
	return STACK_GPA + (vcpu->id + 1) * STACK_SIZE;
}

void vcpu_setup_real(struct kvm_vcpu *vcpu, uint16_t cs, uint16_t ip)
{
	struct kvm_sregs sr;

	vcpu_get_sregs(vcpu->fd, &sr);
	seg_set(&sr.cs, cs, (uint32_t)cs << 4, 0xffff, 0xb, false, false,
		false);
	seg_set(&sr.ds, 0, 0, 0xffff, 0x3, false, false, false);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.cr0 = CR0_ET | CR0_NE;
	sr.cr4 = 0;
	sr.efer = 0;
	vcpu_set_sregs(vcpu->fd, &sr);
	/* Real-mode stack below the blob area. */
	regs_start(vcpu, ip, 0x7000);
}

void vcpu_setup_pm16(struct kvm_vcpu *vcpu, uint16_t ip, bool paging)
{
	struct kvm_sregs sr;

	sregs_protected(vcpu, &sr, SEL_CODE16, false, false, false,
			SEL_DATA16, 0xffff);
	if (paging) {
		sr.cr3 = vm_identity_pd32(vcpu->vm);
		sr.cr4 |= CR4_PSE;
		sr.cr0 |= CR0_PG;
	}
	vcpu_set_sregs(vcpu->fd, &sr);
	regs_start(vcpu, ip, 0x7000);
}

void vcpu_setup_pm32(struct kvm_vcpu *vcpu, const void *entry, bool paging)
{
	struct kvm_sregs sr;

	sregs_protected(vcpu, &sr, SEL_CODE32, true, false, true, SEL_DATA,
			0xffffffff);
	if (paging) {
		sr.cr3 = vm_identity_pd32(vcpu->vm);
		sr.cr4 |= CR4_PSE;
		sr.cr0 |= CR0_PG;
	}
	vcpu_set_sregs(vcpu->fd, &sr);
	regs_start(vcpu, (uintptr_t)entry, stack_top(vcpu));
}

void vcpu_setup_pae(struct kvm_vcpu *vcpu, const void *entry)
{
	struct kvm_sregs sr;

	sregs_protected(vcpu, &sr, SEL_CODE32, true, false, true, SEL_DATA,
			0xffffffff);
	sr.cr3 = vm_identity_pae(vcpu->vm);
	sr.cr4 |= CR4_PAE;
	sr.cr0 |= CR0_PG;
	vcpu_set_sregs(vcpu->fd, &sr);
	regs_start(vcpu, (uintptr_t)entry, stack_top(vcpu));
}

void vcpu_setup_long(struct kvm_vcpu *vcpu, void (*fn)(uint64_t),
		     uint64_t arg)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;
	uint64_t rsp = stack_top(vcpu) - 8;

	sregs_protected(vcpu, &sr, SEL_CODE64, false, true, true, SEL_DATA,
			0xffffffff);
	sr.idt.base = IDT_GPA;
	sr.idt.limit = 256 * 16 - 1;
	sr.cr3 = vm_identity_pml4(vcpu->vm);
	/* SSE on: the compiler uses it in guest C code. */
	sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.efer = EFER_LME | EFER_LMA;
	vcpu_set_sregs(vcpu->fd, &sr);

	/* As if called: the return address is the DONE stub. */
	*(uint64_t *)gpa_ptr(vcpu->vm, rsp) = (uintptr_t)guest_return_stub;
	regs_start(vcpu, (uintptr_t)fn, rsp);
	vcpu_get_regs(vcpu->fd, &regs);
	regs.rdi = arg;
	vcpu_set_regs(vcpu->fd, &regs);
}

struct kvm_cpuid2 *vm_supported_cpuid(struct kvm_vm *vm)
{
	struct kvm_cpuid2 *c;
	int n = 8, r;

	if (vm->cpuid)
		return vm->cpuid;
	/* Grow until KVM stops answering E2BIG. */
	for (;;) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		ASSERT_TRUE(c);
		c->nent = n;
		r = ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c);
		if (!r)
			break;
		ASSERT_EQ(errno, E2BIG);
		free(c);
		n *= 2;
		ASSERT_LE(n, 4096);
	}
	vm->cpuid = c;
	return c;
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn,
				    uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (!(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     c->entries[i].index == idx))
			return &c->entries[i];
	return NULL;
}

struct kvm_vcpu *vcpu_add_raw(struct kvm_vm *vm, unsigned int id)
{
	struct kvm_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	ASSERT_TRUE(vcpu);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = vcpu_create(vm->fd, id);
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	ASSERT_TRUE(vcpu->run != MAP_FAILED);
	return vcpu;
}

struct kvm_vcpu *vcpu_add(struct kvm_vm *vm, unsigned int id)
{
	struct kvm_vcpu *vcpu = vcpu_add_raw(vm, id);

	/* Like any VMM: guests need CPUID for EFER.LME/NX, RDTSCP, ... */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, vm_supported_cpuid(vm)));
	return vcpu;
}

void vcpu_free(struct kvm_vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->vm->run_size);
	close(vcpu->fd);
	free(vcpu);
}

int vcpu_run(struct kvm_vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, 0UL);
}

void vcpu_run_ok(struct kvm_vcpu *vcpu)
{
	int r = vcpu_run(vcpu);

	if (r) {
		TH_LOG("KVM_RUN returned %d, errno %d (%s)", r, errno,
		       strerror(errno));
		vcpu_fail(vcpu, "KVM_RUN failed");
	}
}

const char *exit_reason_str(uint32_t reason)
{
	static const char * const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
		[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "?";
}

void vcpu_fail(struct kvm_vcpu *vcpu, const char *why)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs sr;
	struct kvm_regs regs;

	TH_LOG("vCPU %u: %s; exit_reason %u (%s)", vcpu->id, why,
	       run->exit_reason, exit_reason_str(run->exit_reason));
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		TH_LOG("  io: %s port 0x%x size %u count %u",
		       run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		       run->io.port, run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		TH_LOG("  mmio: %s gpa 0x%llx len %u",
		       run->mmio.is_write ? "write" : "read",
		       (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		TH_LOG("  hardware_entry_failure_reason 0x%llx",
		       (unsigned long long)
		       run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		TH_LOG("  suberror %u", run->internal.suberror);
		break;
	}
	if (!ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		TH_LOG("  rip 0x%llx rsp 0x%llx rax 0x%llx rdi 0x%llx rsi 0x%llx",
		       regs.rip, regs.rsp, regs.rax, regs.rdi, regs.rsi);
	if (!ioctl(vcpu->fd, KVM_GET_SREGS, &sr))
		TH_LOG("  cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx cs 0x%x",
		       sr.cr0, sr.cr3, sr.cr4, sr.efer, sr.cs.selector);
	FAIL("%s", why);
}

uint64_t vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT)
		return UCALL_NONE;
	vcpu_get_regs(vcpu->fd, &regs);
	uc->call = regs.rdi;
	uc->args[0] = regs.rsi;
	uc->args[1] = regs.rdx;
	uc->args[2] = regs.rcx;
	return uc->call;
}

void vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	vcpu_run_ok(vcpu);
	switch (vcpu_get_ucall(vcpu, uc)) {
	case UCALL_SYNC:
	case UCALL_DONE:
		return;
	case UCALL_FAIL:
		TH_LOG("guest assertion failed at line %llu: 0x%llx vs 0x%llx",
		       (unsigned long long)uc->args[0],
		       (unsigned long long)uc->args[1],
		       (unsigned long long)uc->args[2]);
		FAIL("guest failed");
	case UCALL_UNHANDLED:
		TH_LOG("guest exception: vector %llu error code 0x%llx rip 0x%llx",
		       (unsigned long long)uc->args[0],
		       (unsigned long long)uc->args[1],
		       (unsigned long long)uc->args[2]);
		FAIL("unexpected guest exception");
	default:
		vcpu_fail(vcpu, "not a ucall");
	}
}

uint64_t vcpu_run_sync(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run_ucall(vcpu, &uc);
	if (uc.call != UCALL_SYNC)
		vcpu_fail(vcpu, "expected SYNC, got DONE");
	return uc.args[0];
}

void vcpu_run_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run_ucall(vcpu, &uc);
	if (uc.call != UCALL_DONE) {
		TH_LOG("SYNC value 0x%llx", (unsigned long long)uc.args[0]);
		vcpu_fail(vcpu, "expected DONE, got SYNC");
	}
}

void vcpu_run_exit(struct kvm_vcpu *vcpu, uint32_t exit_reason)
{
	struct ucall uc;

	vcpu_run_ok(vcpu);
	if (vcpu->run->exit_reason == exit_reason)
		return;
	/* A guest failure explains itself better than the exit does. */
	if (vcpu_get_ucall(vcpu, &uc) == UCALL_FAIL ||
	    uc.call == UCALL_UNHANDLED)
		TH_LOG("guest ucall %llu: 0x%llx 0x%llx 0x%llx",
		       (unsigned long long)uc.call,
		       (unsigned long long)uc.args[0],
		       (unsigned long long)uc.args[1],
		       (unsigned long long)uc.args[2]);
	TH_LOG("expected exit %u (%s)", exit_reason,
	       exit_reason_str(exit_reason));
	vcpu_fail(vcpu, "unexpected exit");
}

uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), 1);
	return m.e.data;
}

void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e.index = index;
	m.e.data = value;
	ASSERT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 1);
}
