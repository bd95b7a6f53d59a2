"""The redundancy rules: one module each, with a stable id, a kebab-case name and a severity.

A module's docstring is the rule's documentation page, in fixed sections: What it checks, Why it
matters, Example (fails), Fix (passes), References. Most rules have `check(ctx)`, which yields
findings; RED008 is applied by the schema (`SCHEMA_ERROR`), and RED012 and RED013 review the other
rules' outcome (`generator/lint.py` calls them).

Ids are never reused: a rule that is withdrawn keeps its id in `RETIRED`, with the reason, and a waiver
that still names it is reported (RED012).
"""

import importlib
from types import ModuleType

# Every rule module, in id order; listed once, here.
_MODULES = (
    "red001_required_service_missing",
    "red002_too_few_instances",
    "red003_even_quorum_cluster",
    "red004_instances_share_host",
    "red005_single_failure_domain",
    "red006_single_host_failure_stops_operation",
    "red007_no_restart_capacity",
    "red008_control_plane_on_its_own_cloud",
    "red009_quorum_witness_missing",
    "red010_pacemaker_without_fencing",
    "red012_unused_waiver",
    "red013_counterexample_without_errors",
    "red014_service_of_other_networking",
    "red015_host_capacity_exceeded",
    "red016_quorum_service_on_one_storage",
    "red017_quorum_service_behind_one_switch",
    "red018_witness_with_majority",
    "red019_fencing_shares_power_with_host",
    "red020_management_server_on_its_cluster",
    "red021_quorum_majority_in_one_failure_domain",
    "red022_quorum_policy_ignore",
    "red023_two_node_without_wait_for_all",
    "red024_service_stood_in_for",
    "red025_round_robin_heartbeats_too_sparse",
)
# Withdrawn rules: id -> why. Their ids stay taken.
RETIRED: dict[str, str] = {
    "RED011": "anti-affinity-not-enforced assumed Hyper-V cannot enforce mandatory anti-affinity, but it can since "
              "Windows Server 2012 (ClusterEnforcedAntiAffinity=1), and no platform in the catalog has an "
              "unenforced mandatory mechanism any more.",
}
RULES: tuple[ModuleType, ...] = tuple(importlib.import_module(f"{__name__}.{name}") for name in _MODULES)
BY_ID = {rule.ID: rule for rule in RULES}
BY_SCHEMA_ERROR = {rule.SCHEMA_ERROR: rule for rule in RULES if hasattr(rule, "SCHEMA_ERROR")}
CHECKS = tuple(rule for rule in RULES if hasattr(rule, "check"))
if reused := set(RETIRED) & set(BY_ID):
    raise RuntimeError(f"retired rule ids must not be reused: {', '.join(sorted(reused))}")
UNUSED_WAIVER = BY_ID["RED012"]
COUNTEREXAMPLE = BY_ID["RED013"]


def get(rule_id: str) -> ModuleType:
    try:
        return BY_ID[rule_id]
    except KeyError:
        if rule_id in RETIRED:
            raise KeyError(f"rule {rule_id} is retired: {RETIRED[rule_id]}") from None
        raise KeyError(f"no rule {rule_id!r}; known: {', '.join(BY_ID)}") from None
