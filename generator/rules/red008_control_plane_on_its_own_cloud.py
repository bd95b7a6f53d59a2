"""Control plane on the cloud it manages

## What it checks

`platform.hypervisor` is one of the management hypervisors refarch models: `vsphere`, `hyperv` or
`kvm`. Anything else is refused, and `openstack` with the reason below. This rule is applied while
the file is checked against the schema, before the other rules.

## Why it matters

The control plane cannot run as instances of the OpenStack cloud it manages: when that cloud has a
problem, the tools to repair it are inside the problem, and a cold start has nothing to start from.
It runs on a separate management cluster, which is what every architecture here describes.

## Example

```yaml
platform: {hypervisor: openstack, ha: none}
```

## Fix

```yaml
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi}
```

## References

- https://docs.openstack.org/arch-design/arch-requirements/arch-requirements-ha.html
- https://docs.vmware.com/en/VMware-Integrated-OpenStack/5.0/com.vmware.openstack.install.doc/GUID-F59A1B7E-E349-4EAF-869E-EF40AC7E20AA.html
- https://docs.mirantis.com/mcp/q4-18/mcp-ref-arch/openstack-environment-plan/vcp-plan/ha-plan.html
"""

from generator.model.problem import Severity

ID = "RED008"
NAME = "control-plane-on-its-own-cloud"
SEVERITY = Severity.ERROR
SUMMARY = "The hypervisor is not a management cluster (vsphere, hyperv or kvm); openstack cannot host itself."
# Enforced by the schema (generator/model.py raises an error of this type), so there is no check().
SCHEMA_ERROR = NAME
