/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small library for selftests that run guest code.
 *
 * Guest memory is one anonymous mapping in memslot 0 at GPA 0.  The test
 * binary is static and non-PIE, so its loadable segments are copied into
 * guest memory at their link addresses: with identity paging, 64-bit guest
 * code can be plain C functions of the binary, and 32-bit code can run in
 * place with flat segments.  A snapshot is taken when the VM is created;
 * afterwards the host sees the guest's copy of a global with GUEST_PTR().
 *
 * Guest physical layout:
 *
 *   0x001000  GDT           0x003000  TSS
 *   0x002000  IDT (64-bit)  0x008000  16-bit blobs (vm_load_blob)
 *   0x010000  page tables, bump-allocated up to 0x80000
 *   0x080000  free low memory (real-mode tests)
 *   0x100000  stacks, STACK_SIZE per vCPU id
 *   0x200000  SCRATCH_GPA: 2 MiB free for the tests
 *   0x400000  the test binary, then free memory up to mem_size
 *
 * The guest talks to the host with "ucalls": OUT to UCALL_PORT with the
 * call in RDI/EDI and its arguments in RSI, RDX and RCX.
 */
#ifndef KVMOD_GUEST_LIB_H
#define KVMOD_GUEST_LIB_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "../kvmod/x86_regs.h"

#define GDT_GPA		0x1000UL
#define IDT_GPA		0x2000UL
#define TSS_GPA		0x3000UL
#define BLOB_GPA	0x8000UL
#define PT_POOL_GPA	0x10000UL
#define PT_POOL_END	0x80000UL
#define LOWMEM_FREE	0x80000UL	/* free up to STACK_GPA */
#define STACK_GPA	0x100000UL
#define STACK_SIZE	0x4000UL
#define MAX_VCPUS	((0x200000UL - STACK_GPA) / STACK_SIZE)
#define SCRATCH_GPA	0x200000UL
#define SCRATCH_SIZE	0x200000UL
#define DEFAULT_MEM	0x800000UL

/* GDT selectors. */
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define SEL_CODE32	0x28
#define SEL_CODE16	0x30
#define SEL_DATA16	0x38

#define UCALL_PORT	0xe0

#define __STR(x)	#x
#define STR(x)		__STR(x)

/*
 * Ucalls from assembly, valid in 16-, 32- and 64-bit code (16-bit code
 * gets operand-size prefixes): "asm_sync 5", "asm_sync_reg %eax",
 * "asm_done".  Put GUEST_ASM_MACROS in the file's first top-level asm().
 */
#define GUEST_ASM_MACROS						\
	".macro asm_sync_reg reg\n"					\
	"  mov $" STR(UCALL_SYNC) ", %edi\n"				\
	"  mov \\reg, %esi\n"						\
	"  outb %al, $" STR(UCALL_PORT) "\n"				\
	".endm\n"							\
	".macro asm_sync val\n"						\
	"  asm_sync_reg $\\val\n"					\
	".endm\n"							\
	".macro asm_done\n"						\
	"  mov $" STR(UCALL_DONE) ", %edi\n"				\
	"  outb %al, $" STR(UCALL_PORT) "\n"				\
	".endm\n"

#define UCALL_NONE	0
#define UCALL_SYNC	1
#define UCALL_DONE	2
#define UCALL_FAIL	3	/* line, a, b */
#define UCALL_UNHANDLED	4	/* vector, error code, rip */


#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_G		(1ULL << 8)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL

#define MSR_EFER	0xc0000080

#define DE_VECTOR	0
#define BP_VECTOR	3
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13
#define PF_VECTOR	14

/* ---------------------------------------------------------------------
 * Guest side.  Everything here runs inside the guest: no libc.
 */

/* Guest functions: no stack protector (its canary lives in host TLS). */
#define GUEST_CODE __attribute__((noinline, no_stack_protector))

/* The frame guest_ex_common builds; handlers may change rip. */
struct ex_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* What the last exception caught by a GUEST_CATCH region looked like. */
struct guest_caught {
	uint64_t count;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;
};

typedef void (*guest_handler_t)(struct ex_regs *regs);

extern guest_handler_t guest_handlers[256];
extern volatile struct guest_caught guest_caught;
extern volatile uint64_t guest_catch_resume;

static inline void guest_ucall(uint64_t call, uint64_t a0, uint64_t a1,
			       uint64_t a2)
{
	asm volatile("outb %%al, %[port]"
		     : : [port] "i"(UCALL_PORT), "a"(0), "D"(call), "S"(a0),
		       "d"(a1), "c"(a2)
		     : "memory");
}

#define GUEST_SYNC(v)	guest_ucall(UCALL_SYNC, (uint64_t)(v), 0, 0)
#define GUEST_DONE()	guest_ucall(UCALL_DONE, 0, 0, 0)
#define GUEST_FAIL(a, b) \
	guest_ucall(UCALL_FAIL, __LINE__, (uint64_t)(a), (uint64_t)(b))
#define GUEST_ASSERT(c) do { if (!(c)) GUEST_FAIL(0, 0); } while (0)
#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);		\
	if (__ga != __gb)						\
		GUEST_FAIL(__ga, __gb);					\
} while (0)

/*
 * Run one instruction (asm text "insn") with exceptions caught: on a
 * fault the frame is recorded in guest_caught and execution resumes after
 * the asm.  Evaluates to the vector, or -1 when nothing was raised.
 */
#define GUEST_CATCH(insn, ...) ({					\
	uint64_t __before = guest_caught.count;				\
	asm volatile("movq $1f, guest_catch_resume(%%rip)\n\t"		\
		     insn "\n"						\
		     "1:\n\t"						\
		     "movq $0, guest_catch_resume(%%rip)"		\
		     __VA_ARGS__);					\
	guest_caught.count != __before ? (int)guest_caught.vector : -1;	\
})

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

/* Return the vector raised by RDMSR/WRMSR, or -1. */
static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int v = GUEST_CATCH("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");

	*val = lo | (uint64_t)hi << 32;
	return v;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t val)
{
	return GUEST_CATCH("wrmsr", : : "c"(msr), "a"((uint32_t)val),
			   "d"((uint32_t)(val >> 32)) : "memory");
}

#define DEFINE_CR(n)							\
static inline uint64_t read_cr##n(void)					\
{									\
	uint64_t v;							\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));			\
	return v;							\
}									\
static inline void write_cr##n(uint64_t v)				\
{									\
	asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");		\
}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)

static inline void invlpg(uint64_t va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void guest_cpuid(uint32_t leaf, uint32_t idx, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(idx));
}

/* ---------------------------------------------------------------------
 * Host side.
 */

/* Checks ../kvmod/test_harness.h does not have (yet). */
#if defined(KH_CMP) && !defined(EXPECT_GT)
#define EXPECT_GT(a, b)	KH_CMP("EXPECT_GT", a, b, >, 0)
#endif
#if defined(KH_CMP) && !defined(EXPECT_FALSE)
#define EXPECT_FALSE(c)	KH_CMP("EXPECT_FALSE", !!(c), 0, ==, 0)
#endif

struct kvm_vm {
	int kvm_fd;
	int fd;
	uint8_t *mem;		/* host address of GPA 0 */
	uint64_t mem_size;
	uint64_t next_pt;	/* bump allocator in the page-table pool */
	uint64_t pml4;		/* 64-bit identity tables, built on demand */
	uint64_t pd32;		/* 32-bit (PSE) page directory */
	uint64_t pdpt_pae;	/* PAE page-directory-pointer table */
	size_t run_size;
	bool have_cpuid;
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	int fd;
	unsigned int id;
	struct kvm_run *run;
};

struct ucall {
	uint64_t call;
	uint64_t args[3];
};

/* A VM with mem_size bytes (0: DEFAULT_MEM) in slot 0 and the binary. */
struct kvm_vm *vm_new(uint64_t mem_size);
void vm_free(struct kvm_vm *vm);

/* A vCPU with id, its run area mapped and the supported CPUID set. */
struct kvm_vcpu *vcpu_add(struct kvm_vm *vm, unsigned int id);
/* Same, without KVM_SET_CPUID2. */
struct kvm_vcpu *vcpu_add_raw(struct kvm_vm *vm, unsigned int id);
void vcpu_free(struct kvm_vcpu *vcpu);

/* KVM_GET_SUPPORTED_CPUID, cached in the VM; asserts. */
struct kvm_cpuid2 *vm_supported_cpuid(struct kvm_vm *vm);
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn,
				    uint32_t idx);

void *gpa_ptr(struct kvm_vm *vm, uint64_t gpa);
/* The guest's copy of a global of the binary. */
#define GUEST_PTR(vm, var) ((__typeof__(&(var)))gpa_ptr(vm, (uintptr_t)&(var)))

/* A zeroed page from the page-table pool; returns its GPA. */
uint64_t vm_alloc_page(struct kvm_vm *vm);

/* (Re)write the shared GDT, TSS and 64-bit IDT; vm_new does it once. */
void vm_write_tables(struct kvm_vm *vm);

/* Copy [start, end) of the binary to gpa (for 16-bit code). */
void vm_load_blob(struct kvm_vm *vm, uint64_t gpa, const void *start,
		  const void *end);

/* The 64-bit identity map of the low 4 GiB (2 MiB pages); its PML4 GPA. */
uint64_t vm_identity_pml4(struct kvm_vm *vm);
/* A new PML4 sharing the identity map of the low 512 GiB. */
uint64_t vm_clone_pml4(struct kvm_vm *vm);
/*
 * Map the 4 KiB page at va to pa with flags in the tables under pml4,
 * splitting a 2 MiB page if needed; returns the PTE's GPA.
 */
uint64_t vm_map_4k(struct kvm_vm *vm, uint64_t pml4, uint64_t va,
		   uint64_t pa, uint64_t flags);
/* 32-bit paging (4 MiB pages) and PAE (2 MiB pages) identity maps. */
uint64_t vm_identity_pd32(struct kvm_vm *vm);
uint64_t vm_identity_pae(struct kvm_vm *vm);

/*
 * Put the vCPU in a mode.  All GPRs are zeroed first; the GDT, TSS (and
 * in long mode the IDT) are written to guest memory.
 */
void vcpu_setup_real(struct kvm_vcpu *vcpu, uint16_t cs, uint16_t ip);
void vcpu_setup_pm16(struct kvm_vcpu *vcpu, uint16_t ip, bool paging);
void vcpu_setup_pm32(struct kvm_vcpu *vcpu, const void *entry, bool paging);
void vcpu_setup_pae(struct kvm_vcpu *vcpu, const void *entry);
/*
 * Long mode: call fn(arg) on the vCPU's own stack; returning from fn
 * reports DONE.
 */
void vcpu_setup_long(struct kvm_vcpu *vcpu, void (*fn)(uint64_t),
		     uint64_t arg);

/* KVM_RUN; returns its result with errno untouched. */
int vcpu_run(struct kvm_vcpu *vcpu);
/* KVM_RUN that must succeed. */
void vcpu_run_ok(struct kvm_vcpu *vcpu);

/* Decode the last exit as a ucall; UCALL_NONE if it is something else. */
uint64_t vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/*
 * Run and require a ucall; a guest FAIL or unhandled exception, or any
 * other exit, fails the test with a description.
 */
void vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);
/* Run and require SYNC; returns its value. */
uint64_t vcpu_run_sync(struct kvm_vcpu *vcpu);
/* Run and require DONE. */
void vcpu_run_done(struct kvm_vcpu *vcpu);
/* Run and require exit_reason. */
void vcpu_run_exit(struct kvm_vcpu *vcpu, uint32_t exit_reason);

/* Fail the test: report the vCPU's last exit and registers. */
void __attribute__((noreturn)) vcpu_fail(struct kvm_vcpu *vcpu,
					 const char *why);

const char *exit_reason_str(uint32_t reason);

/* KVM_GET_MSRS / KVM_SET_MSRS of one MSR; assert success. */
uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t index);
void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t index, uint64_t value);

#endif /* KVMOD_GUEST_LIB_H */
