"""Deployment exports of an architecture: hypervisor command scripts, OpenStack inventories, a failure drill.

`FORMATS` maps each format to the module that writes it; `formats_for` tells which apply to an
architecture (the hypervisor's own script, both inventories, the drill and the Open-PSA fault tree).
Every writer is `write(arch, facts, analysis=None)`. Every output starts with a header naming the
architecture and the generator, and quotes names for the shell or PowerShell even though the schema
only lets slugs through.
"""

from __future__ import annotations

from types import ModuleType

from generator.analysis.design import Analysis
from generator.catalog import Catalog
from generator.exports import drill, hyperv, kolla, open_psa, openstack_ansible, pcs, powercli
from generator.model.architecture import Architecture

FORMATS: dict[str, ModuleType] = {
    "pcs": pcs, "powercli": powercli, "hyperv": hyperv,
    "kolla-inventory": kolla, "openstack-ansible": openstack_ansible, "drill": drill, "open-psa": open_psa,
}
HYPERVISOR_FORMAT = {"kvm": "pcs", "vsphere": "powercli", "hyperv": "hyperv"}


class ExportError(ValueError):
    """The format does not apply to this architecture."""


def formats_for(arch: Architecture) -> list[str]:
    return [HYPERVISOR_FORMAT[arch.platform.hypervisor], "kolla-inventory", "openstack-ansible", "drill", "open-psa"]


def export(arch: Architecture, facts: Catalog, fmt: str, analysis: Analysis | None = None) -> str:
    """The architecture in that format; `analysis`, the caller's analysis of it, if it has one."""
    if fmt not in formats_for(arch):
        raise ExportError(f"{fmt} does not apply to a {arch.platform.hypervisor} architecture; "
                          f"use one of: {', '.join(formats_for(arch))}")
    # Every writer takes the same arguments; those that read the impact engine's answers (pcs, drill)
    # reuse the caller's analysis when there is one.
    return FORMATS[fmt].write(arch, facts, analysis)
