"""A failure drill runbook in Markdown: for each host, how to fail it in a lab, and what the impact
engine predicts in each phase, as a checklist to confirm before production."""

from __future__ import annotations

import re

from generator import catalog
from generator.analysis.design import Analysis
from generator.analysis.engine import Engine
from generator.analysis.scenarios import Scenario
from generator.catalog import Catalog
from generator.exports.common import header
from generator.model.architecture import Architecture, Host
from generator.render import phrases

STATE = {"ok": "works", "degraded": "works, degraded", "down": "FAILS"}


def code(value: str) -> str:
    """Inline code that no backtick in the value can close early: a fence longer than any run inside."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {value} {fence}" if longest else f"{fence}{value}{fence}"


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None,
          hosts: list[Host] | None = None) -> str:
    """The drill for every host, or for `hosts` (the build guide shows one)."""
    engine = analysis.engine if analysis else Engine(arch, facts)
    evaluate = analysis.evaluate if analysis else engine.evaluate
    commands = catalog.deployment().drill_commands.commands
    restart = engine.restart_seconds
    out = [f"# Failure drill: {arch.id}\n\n", header(arch, "Failure drill", ">"),
           "\nRun it in a lab that mirrors production, one host at a time, before going live. Each step lists\n"
        "what refarch predicts; tick it when the lab agrees, and report a difference as a bug in the design\n"
        "or in refarch's catalog.\n"]
    for host in arch.hosts if hosts is None else hosts:
        impact = evaluate(Scenario(hosts=frozenset([host.name])))
        out.append(f"\n## Host {code(host.name)}\n\n")
        out.append("- [ ] Before: every host up, every operation below works.\n")
        out.append(f"- [ ] Fail it hard: power {code(host.name)} off from its BMC (not a clean shutdown).\n")
        for phase, title in (("immediate", "Right after the failure"),
                             ("after-restart", f"After the platform restarts VMs (about {restart} s)")):
            said = phrases.summary(impact.scenario, impact.phase(phase))
            out.append(f"- [ ] {title}: {said} Check each operation:\n")
            for oid, op in impact.phase(phase).operations.items():
                why = f" ({phrases.why(op)})" if op.explanation else ""
                base, _, cell = oid.partition("@")  # a Nova cell's operation: check it on an instance there
                check = commands.get(base, "n/a") + (f" (on an instance in {cell})" if cell else "")
                out.append(f"    - [ ] {oid}: {STATE[op.state]}{why}. Check: {check}\n")
        moved = sorted((vm, where) for vm, where in impact.after_restart.where.items()
                       if where and impact.immediate.where.get(vm) is None)
        down = sorted(vm for vm, where in impact.after_restart.where.items() if where is None)
        if moved:
            out.append("- [ ] Restarted elsewhere as predicted: "
                       + ", ".join(f"{code(vm)} on {code(where)}" for vm, where in moved) + "\n")
        if down:
            out.append("- [ ] Still down until the host returns, as predicted: " + ", ".join(map(code, down)) + "\n")
        out.append(f"- [ ] Bring {code(host.name)} back; every operation works again and VMs return to their hosts.\n")
    return "".join(out)
