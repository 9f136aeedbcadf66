/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controllers (KVM_CREATE_IRQCHIP): a local APIC
 * per vCPU, one I/O APIC and the 8259 PIC pair per VM, the GSI routing
 * that connects interrupt lines to them, and the small bus that routes
 * guest MMIO and port I/O to in-kernel devices before userspace.
 *
 * Files: io/io_bus.c, io/lapic.c, io/ioapic.c, io/pic.c, io/irq_route.c,
 * irqchip.c (ioctls and the run loop's side); io/pit.c, the i8254 PIT
 * (KVM_CREATE_PIT2) on GSI 0.
 */
#ifndef KVMOD_IRQCHIP_H
#define KVMOD_IRQCHIP_H

#include <linux/kvm.h>
#include <linux/types.h>

struct kvmod_vm;
struct kvmod_vcpu;

/* ---- In-kernel device bus (io/io_bus.c) ---- */

enum kvmod_bus {
	KVMOD_MMIO_BUS,
	KVMOD_PIO_BUS,
	KVMOD_NR_BUSES,
};

/**
 * struct kvmod_io_ops - an in-kernel device's register accessors
 * @read: fill @data (@len bytes, little endian) from the register at
 *	@addr; @vcpu is the accessing vCPU.  Return 0, or -EOPNOTSUPP to
 *	let the access go to userspace after all.
 * @write: the same for a write of @data.
 *
 * Called from the vCPU thread with the VM's bus SRCU read lock held;
 * may take the device's own spinlock, may not sleep.
 */
struct kvmod_io_ops {
	int (*read)(void *dev, struct kvmod_vcpu *vcpu, u64 addr, void *data,
		    unsigned int len);
	int (*write)(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
		     const void *data, unsigned int len);
};

int kvmod_io_bus_register(struct kvmod_vm *vm, enum kvmod_bus bus, u64 base,
			  u64 len, const struct kvmod_io_ops *ops, void *dev);
void kvmod_io_bus_unregister(struct kvmod_vm *vm, enum kvmod_bus bus,
			     void *dev);
int kvmod_io_bus_access(struct kvmod_vcpu *vcpu, enum kvmod_bus bus,
			u64 addr, void *data, unsigned int len, bool write);
int kvmod_io_bus_init(struct kvmod_vm *vm);
void kvmod_io_bus_destroy(struct kvmod_vm *vm);

/* ---- Local APIC (io/lapic.c) ---- */

/* struct kvmod_apic_irq.delivery_mode: ICR/redirection bits 10:8. */
#define KVMOD_DM_FIXED		0
#define KVMOD_DM_LOWEST		1
#define KVMOD_DM_SMI		2
#define KVMOD_DM_NMI		4
#define KVMOD_DM_INIT		5
#define KVMOD_DM_STARTUP	6
#define KVMOD_DM_EXTINT		7

/* struct kvmod_apic_irq.shorthand: ICR bits 19:18. */
#define KVMOD_SH_NONE		0
#define KVMOD_SH_SELF		1
#define KVMOD_SH_ALL		2
#define KVMOD_SH_ALL_BUT_SELF	3

/**
 * struct kvmod_apic_irq - one interrupt message to local APICs
 * @dest_id: destination APIC id (physical) or logical mask; 0xff (xAPIC)
 *	or 0xffffffff (x2APIC) broadcasts
 * @vector: the vector (ignored for NMI/INIT)
 * @delivery_mode: KVMOD_DM_*
 * @dest_logical: logical destination mode
 * @level: level-triggered (sets the TMR bit; the EOI goes back to the
 *	I/O APIC)
 * @assert: for level INIT: assert (true) or de-assert
 * @shorthand: KVMOD_SH_* (IPIs only)
 * @source: the sending vCPU, for shorthands; NULL otherwise
 *
 * The I/O APIC's redirection entries, MSIs and IPIs are all this.
 */
struct kvmod_apic_irq {
	u32 dest_id;
	u8 vector;
	u8 delivery_mode;
	bool dest_logical;
	bool level;
	bool assert;
	u8 shorthand;
	struct kvmod_vcpu *source;
};

/**
 * kvmod_apic_deliver() - deliver @irq to every local APIC it addresses
 * @vm: the VM
 * @irq: the message
 *
 * Safe from any thread, with spinlocks held; never sleeps.
 * Return: the number of APICs that accepted it, or -1 if none could
 * (no destination, or every one disabled), as KVM_IRQ_LINE_STATUS counts.
 */
int kvmod_apic_deliver(struct kvmod_vm *vm, const struct kvmod_apic_irq *irq);

int kvmod_lapic_create(struct kvmod_vcpu *vcpu);
void kvmod_lapic_free(struct kvmod_vcpu *vcpu);
void kvmod_lapic_reset(struct kvmod_vcpu *vcpu, bool init);
void kvmod_lapic_sync(struct kvmod_vcpu *vcpu);
void kvmod_lapic_post_sipi(struct kvmod_vcpu *vcpu, u8 vector);
int kvmod_lapic_pending(struct kvmod_vcpu *vcpu, int *prio);
void kvmod_lapic_ack(struct kvmod_vcpu *vcpu, u8 vec);
bool kvmod_lapic_accepts_pic(struct kvmod_vcpu *vcpu);
u8 kvmod_lapic_get_cr8(struct kvmod_vcpu *vcpu);
void kvmod_lapic_set_cr8(struct kvmod_vcpu *vcpu, u8 cr8);
int kvmod_lapic_mmio(struct kvmod_vcpu *vcpu, u64 gpa, void *data,
		     unsigned int len, bool write);
bool kvmod_lapic_msr(u32 msr);
int kvmod_lapic_get_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 *data);
int kvmod_lapic_set_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 data);
int kvmod_lapic_set_base(struct kvmod_vcpu *vcpu, u64 data, bool host);
void kvmod_lapic_get_state(struct kvmod_vcpu *vcpu, struct kvm_lapic_state *s);
int kvmod_lapic_set_state(struct kvmod_vcpu *vcpu,
			  const struct kvm_lapic_state *s);

/* ---- GSI routing (io/irq_route.c) ---- */

/* As KVM on x86: how many routing entries one table may have. */
#define KVMOD_MAX_IRQ_ROUTES	4096

int kvmod_irq_default_routing(struct kvmod_vm *vm);
int kvmod_irq_set_routing(struct kvmod_vm *vm, void __user *argp);
void kvmod_irq_routing_free(struct kvmod_vm *vm);
int kvmod_irq_set_line(struct kvmod_vm *vm, u32 gsi, bool level);
int kvmod_irq_signal_msi(struct kvmod_vm *vm, const struct kvm_msi *msi);

/* ---- The x86 side (irqchip.c) ---- */

/* kvmod_x86_ops.run()'s irq_window: no window, or any interrupt at all. */
#define KVMOD_IRQ_WINDOW_NONE	(-1)
#define KVMOD_IRQ_WINDOW_ANY	16

void kvmod_vcpu_kick(struct kvmod_vcpu *vcpu);
bool kvmod_vcpu_is_bsp(struct kvmod_vcpu *vcpu);
long kvmod_irqchip_vm_ioctl(struct kvmod_vm *vm, unsigned int ioctl,
			    void __user *argp);
long kvmod_irqchip_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			      void __user *argp);
void kvmod_irqchip_destroy(struct kvmod_vm *vm);
int kvmod_irqchip_prepare_entry(struct kvmod_vcpu *vcpu);
void kvmod_irqchip_after_exit(struct kvmod_vcpu *vcpu);
int kvmod_irqchip_halt(struct kvmod_vcpu *vcpu);

/* ---- I/O APIC (io/ioapic.c) ---- */

#define KVMOD_IOAPIC_BASE	0xfec00000ULL
#define KVMOD_IOAPIC_PINS	KVM_IOAPIC_NUM_PINS

int kvmod_ioapic_create(struct kvmod_vm *vm);
void kvmod_ioapic_destroy(struct kvmod_vm *vm);
int kvmod_ioapic_set_irq(struct kvmod_vm *vm, unsigned int pin, bool level);
void kvmod_ioapic_eoi(struct kvmod_vm *vm, u8 vector);
void kvmod_ioapic_get_state(struct kvmod_vm *vm, struct kvm_ioapic_state *s);
int kvmod_ioapic_set_state(struct kvmod_vm *vm,
			   const struct kvm_ioapic_state *s);

/* ---- 8259 PIC pair (io/pic.c) ---- */

#define KVMOD_PIC_PINS		16

int kvmod_pic_create(struct kvmod_vm *vm);
void kvmod_pic_destroy(struct kvmod_vm *vm);
int kvmod_pic_set_irq(struct kvmod_vm *vm, unsigned int pin, bool level);
bool kvmod_pic_intr_pending(struct kvmod_vm *vm);
int kvmod_pic_intr_ack(struct kvmod_vm *vm);
void kvmod_pic_get_state(struct kvmod_vm *vm, unsigned int chip,
			 struct kvm_pic_state *s);
int kvmod_pic_set_state(struct kvmod_vm *vm, unsigned int chip,
			const struct kvm_pic_state *s);

/* The PIC's INTR output went up: the vCPU that takes ExtINT must look. */
void kvmod_irqchip_pic_kick(struct kvmod_vm *vm);

/* ---- i8254 PIT (io/pit.c) ---- */

long kvmod_pit_vm_ioctl(struct kvmod_vm *vm, unsigned int ioctl,
			void __user *argp);
void kvmod_pit_destroy(struct kvmod_vm *vm);

#endif /* KVMOD_IRQCHIP_H */
