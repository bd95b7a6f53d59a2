"""Unused waiver

## What it checks

Every entry of `waivers:` silences at least one finding: its `rule` is a rule id that exists and
reported something about its `target` (a host, VM or service name) in this file.

## Why it matters

A waiver documents an accepted risk. One that matches nothing is either a typo, so the finding it
meant to accept is still reported (or the risk is now accepted silently elsewhere), or a leftover
from a design that has changed, and then its reason misleads the next reader.

## Example

```yaml
waivers:
  - {rule: RED004, target: galera, reason: Two members share a host during the migration.}
```

## Fix

Remove the waiver, or correct its rule and target to the finding it accepts.

```yaml
waivers: []
```

## References

- https://yamllint.readthedocs.io/en/stable/disable_with_comments.html
"""

from collections.abc import Iterator

from generator.model.problem import Severity
from generator.model.suggest import suggestion
from generator.rules.context import Finding, RuleContext

ID = "RED012"
NAME = "unused-waiver"
SEVERITY = Severity.WARNING
SUMMARY = "A waiver matches no finding."


def review(ctx: RuleContext, used: set[int], rule_ids: list[str]) -> Iterator[Finding]:
    """Findings for the waivers (by index) that silenced nothing."""
    for index, waiver in enumerate(ctx.arch.waivers):
        if index in used:
            continue
        if waiver.rule not in rule_ids:
            yield Finding(("waivers", index, "rule"), f"waivers[{index}]: there is no rule {waiver.rule}",
                          waiver.target, suggestion(waiver.rule, rule_ids) or "see the rules pages for the ids")
        else:
            yield Finding(("waivers", index), f"waivers[{index}]: {waiver.rule} reports nothing about "
                          f"`{waiver.target}` in this architecture", waiver.target, "remove the waiver")
