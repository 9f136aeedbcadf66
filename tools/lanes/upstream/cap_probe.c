// SPDX-License-Identifier: GPL-2.0
/*
 * Print every KVM_CHECK_EXTENSION answer of /dev/kvm and of a VM fd, so
 * run.sh can tell an honest skip ("capability absent") from a dishonest
 * one.  build.sh generates cap_names.h from the uapi <linux/kvm.h> the
 * selftests were built against.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

struct cap_name {
	const char *name;
	long nr;
};

static const struct cap_name caps[] = {
#include "cap_names.h"
};

int main(void)
{
	int kvm, vm;
	unsigned int i;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		perror("open /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("# upstream-cap %s %d %d\n", caps[i].name,
		       ioctl(kvm, KVM_CHECK_EXTENSION, caps[i].nr),
		       vm < 0 ? -1 : ioctl(vm, KVM_CHECK_EXTENSION, caps[i].nr));
	printf("1..1\nok 1 KVM_CHECK_EXTENSION answers listed\n");
	return 0;
}
