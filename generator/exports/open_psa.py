"""The failure model as an Open-PSA Model Exchange Format (MEF) fault tree, for SCRAM or any MEF tool.

One top gate per operation, named by the operation id, true when the operation stops in the immediate
phase (before the platform restarts anything); shared gates for the services under it; quorum as
`<atleast min="k">`. The basic events are every event of the reliability model
(`generator.analysis.reliability`), each with its probability as `<float>` and its cause class in a
label: the parts by name (hosts, and the witness, storage and switches where the design declares them),
and `vm__<vm>`, `process__<service>__<vm>`, `ccf__<service>` and `maintenance__<host>`. It is that
model's tree with every VM on its host, written at the level of basic events: a VM is down with its
host (or, in maintenance, the host it moved to), itself, its host's switches, its storage or the
cluster's quorum, so a gate over VMs becomes a gate over those events. Its minimal cut sets made of
parts alone are the model's; its probabilities and importance measures are refarch's
(`generator.analysis.availability`). Operations that never work (they need a service the design does
not deploy) or that nothing can stop are left out, with a comment naming them.
Format: https://open-psa.github.io/mef/ ; SCRAM: https://scram-pra.org/
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from generator.analysis import reliability
from generator.analysis.compile import compile_model
from generator.analysis.cut_sets import minimal_combinations
from generator.analysis.design import Analysis
from generator.analysis.gates import TRUE
from generator.analysis.reliability import ReliabilityModel
from generator.catalog import Catalog
from generator.exports.common import header
from generator.model.architecture import Architecture

# A resolved formula: ("true",), ("false",), ("event", host) or ("gate", name of a defined gate).
Formula = tuple[str, ...]
_TRUE: Formula = ("true",)
_FALSE: Formula = ("false",)


def write(arch: Architecture, facts: Catalog, analysis: Analysis | None = None) -> str:
    return document(arch, reliability.build(compile_model(arch, facts), arch, facts))


def document(arch: Architecture, tree_model: ReliabilityModel) -> str:
    """The MEF document of a reliability model (`write` gives it the design's whole one)."""
    tree = _Tree(tree_model)
    tops, skipped = [], []
    for oid, gate in tree_model.operations.items():
        formula = tree.resolve(gate)
        if formula in (_TRUE, _FALSE):
            why = "never works in this design" if formula == _TRUE else "nothing stops it"
            skipped.append(f"{oid} ({why})")
            continue
        tops.append(f'    <define-gate name={quoteattr(top_gate(oid))}>\n      {_ref(formula)}\n    </define-gate>\n')
    comment = header(arch, "Open-PSA MEF fault tree", "  ").replace("--", "-")
    if skipped:
        comment += "   Left out: " + "; ".join(skipped) + ".\n"
    events = "".join(f"    <define-basic-event name={quoteattr(event.name)}>\n"
                     f"      <label>{escape(event.cause)}: {escape(event.what)}</label>\n"
                     f'      <float value="{event.probability:.12g}"/>\n    </define-basic-event>\n'
                     for event in tree_model.events)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!--\n{comment}-->\n<opsa-mef>\n'
            f"  <define-fault-tree name={quoteattr(arch.id)}>\n{''.join(tops)}{''.join(tree.defined)}"
            f"  </define-fault-tree>\n  <model-data>\n{events}  </model-data>\n</opsa-mef>\n")


class _Tree:
    """The reliability model's gates resolved to its basic events, each gate defined once, trivial ones
    inlined."""

    def __init__(self, model: ReliabilityModel) -> None:
        self.model = model
        self.memo: dict[str, Formula] = {}
        self.defined: list[str] = []
        self.by_body: dict[tuple, Formula] = {}  # (connective, arguments) -> the gate defined for them

    def resolve(self, name: str) -> Formula:
        if name not in self.memo:
            self.memo[name] = self._resolve(name)
        return self.memo[name]

    def _resolve(self, name: str) -> Formula:
        if name == TRUE:
            return _TRUE
        if name in self.model.by_event:
            return ("event", self.model.by_event[name].name)
        if name not in self.model.gates:
            return _FALSE  # an event no basic event is (`before:`, an unshared service's): never true here
        gate = self.model.gates[name]
        if gate.kind == "and" and any(self.resolve(child) == _FALSE for child in gate.inputs[:1]):
            return _FALSE  # e.g. `latched:`, which needs a `before:` event: no gate of it is defined
        children = [self.resolve(child) for child in gate.inputs]
        if gate.kind == "or":
            return self._or(name, children)
        if gate.kind == "and":
            return self._and(name, children)
        return self._at_least(name, children, list(gate.weights), gate.k)

    def _or(self, name: str, children: list[Formula]) -> Formula:
        if _TRUE in children:
            return _TRUE
        args = list(dict.fromkeys(c for c in children if c != _FALSE))
        return _FALSE if not args else args[0] if len(args) == 1 else self._define(name, "or", args)

    def _and(self, name: str, children: list[Formula]) -> Formula:
        if _FALSE in children:
            return _FALSE
        args = list(dict.fromkeys(c for c in children if c != _TRUE))
        return _TRUE if not args else args[0] if len(args) == 1 else self._define(name, "and", args)

    def _at_least(self, name: str, children: list[Formula], weights: list[int], k: int) -> Formula:
        weight_of: dict[Formula, int] = {}
        for child, weight in zip(children, weights, strict=True):
            if child == _TRUE:
                k -= weight
            elif child != _FALSE:  # votes on one host fall together: one argument with their weight
                weight_of[child] = weight_of.get(child, 0) + weight
        args = list(weight_of)
        if k <= 0:
            return _TRUE
        if sum(weight_of.values()) < k:
            return _FALSE
        if all(weight == 1 for weight in weight_of.values()):
            if k == 1:
                return self._or(name, args)
            if k == len(args):
                return self._and(name, args)
            return self._define(name, f'atleast min="{k}"', args)
        # Unequal weights (MEF's atleast has none): the minimal combinations that reach k, as an `or`.
        combos = list(minimal_combinations(weight_of, k))
        terms = [c[0] if len(c) == 1 else self._define(f"{name}#{i}", "and", list(c)) for i, c in enumerate(combos)]
        return self._or(name, terms)

    def _define(self, name: str, connective: str, args: list[Formula]) -> Formula:
        # One gate per formula: two VMs on one host with the same parts under them are one argument, so a
        # quorum over them becomes a weighted vote (SCRAM 0.16 also mislabels events in its cut sets
        # when a tree holds two identical gates).
        body = (connective, tuple(args))
        if body in self.by_body:
            return self.by_body[body]
        gate = _gate_name(name)
        text = "".join(f"        {_ref(arg)}\n" for arg in args)
        tag = connective.split()[0]
        self.defined.append(f"    <define-gate name={quoteattr(gate)}>\n      <{connective}>\n{text}"
                            f"      </{tag}>\n    </define-gate>\n")
        self.by_body[body] = ("gate", gate)
        return ("gate", gate)


def top_gate(oid: str) -> str:
    """An operation's top gate: its id, a Nova cell's operation `x@cell1` as `x-in-cell1` (MEF names
    take no `@`)."""
    return oid.replace("@", "-in-")


def _gate_name(name: str) -> str:
    """A model gate's name as an MEF identifier (no `:`, `@` or `#`, never an operation id or a host)."""
    return "g__" + name.replace(":", "__").replace("@", "__at__").replace("#", "__")


def _ref(formula: Formula) -> str:
    kind, value = formula
    return f"<basic-event name={quoteattr(value)}/>" if kind == "event" else f"<gate name={quoteattr(value)}/>"
