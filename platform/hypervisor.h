/* Hypervisors by their CPUID signature, for every platform's plat_facts
 * (no other part of the program includes this). */
#ifndef ES_HYPERVISOR_H
#define ES_HYPERVISOR_H

#include <string.h>

/* The name plat_facts gives the hypervisor whose signature (the 12 bytes
 * of CPUID leaf 0x40000000 in EBX, ECX, EDX, as a string) is sig; the
 * names are systemd-detect-virt(1)'s where it has one. "unknown" for a
 * signature not listed. */
static inline const char *
plat_hypervisor_by_signature(const char *sig)
{
	static const struct {
		const char *sig;
		const char *name;
	} table[] = {
		{ "KVMKVMKVM", "kvm" },
		{ "Microsoft Hv", "hyperv" },
		{ "VMwareVMware", "vmware" },
		{ "XenVMMXenVMM", "xen" },
		{ "VBoxVBoxVBox", "virtualbox" },
		{ "TCGTCGTCGTCG", "qemu" },
		{ "bhyve bhyve ", "bhyve" },
		{ "ACRNACRNACRN", "acrn" },
		{ " prl hyperv ", "parallels" },
	};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(sig, table[i].sig) == 0)
			return table[i].name;
	return "unknown";
}

#endif
