"""A rule's documentation, read from its module docstring.

The docstring starts with the rule's title, then has exactly these sections, in this order, as
`## Heading` lines: What it checks, Why it matters, Example, Fix, References. Example and Fix each hold
a YAML block: top-level keys to put on top of `EXAMPLE_BASE`, a small architecture that fits the
schema; the Example must raise the rule, and the Fix must not.
"""

from __future__ import annotations

import dataclasses
import re
from types import ModuleType

SECTIONS = ("What it checks", "Why it matters", "Example", "Fix", "References")

EXAMPLE_BASE = """\
id: example
title: A rule example
summary: A small architecture that rule examples are put on top of.
platform: {hypervisor: kvm, ha: pacemaker, fencing: ipmi}
hosts:
  - {name: host-1}
  - {name: host-2}
  - {name: host-3}
vms:
  - {name: vm-1, host: host-1, services: [keystone]}
"""

_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)
_YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclasses.dataclass(frozen=True)
class RuleDoc:
    title: str
    sections: dict[str, str]

    @property
    def example(self) -> str:
        return _only_yaml(self.sections["Example"])

    @property
    def fix(self) -> str:
        return _only_yaml(self.sections["Fix"])


class RuleDocError(ValueError):
    pass


def parse(rule: ModuleType) -> RuleDoc:
    text = rule.__doc__ or ""
    parts = _HEADING.split(text)
    title, rest = parts[0].strip(), parts[1:]
    headings = rest[0::2]
    if not title or "\n" in title:
        raise RuleDocError(f"{rule.ID}: the docstring must start with a one-line title")
    if tuple(headings) != SECTIONS:
        raise RuleDocError(f"{rule.ID}: sections must be {', '.join(SECTIONS)}; found {', '.join(headings) or 'none'}")
    sections = {heading: body.strip() for heading, body in zip(headings, rest[1::2], strict=True)}
    if empty := [heading for heading, body in sections.items() if not body]:
        raise RuleDocError(f"{rule.ID}: empty sections: {', '.join(empty)}")
    doc = RuleDoc(title, sections)
    doc.example, doc.fix  # noqa: B018 (each must hold exactly one YAML block)
    return doc


def _only_yaml(section: str) -> str:
    blocks = _YAML_BLOCK.findall(section)
    if len(blocks) != 1:
        raise RuleDocError(f"expected one ```yaml block, found {len(blocks)}")
    return blocks[0]
