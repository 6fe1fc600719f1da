"""The API reference pages (``book/api/*.md``), one per subpackage of ``unified_attribution``,
generated from the modules themselves: a table of the functions and classes of each module
(Sphinx's autosummary) above their documentation (autodoc), and on the methods page the
registry of the fourteen methods as a table. The pages are committed; a test fails when they
differ from what this module writes (``python -m attribution_book.bookbuild.api_pages``).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "book" / "api"

#: page: (title, what it holds, modules)
PAGES = {
    "methods": (
        "Methods",
        "The fourteen attribution methods of paper A behind one call, `attribute`, the "
        "propagation machinery they share, and the argument checks every entry point uses.",
        (
            "unified_attribution.methods",
            "unified_attribution.methods.propagation",
            "unified_attribution.checks",
        ),
    ),
    "games": (
        "Games",
        "Cooperative games of a model (masking, marginal, tabular), their exact Harsanyi "
        "dividends and the values computed from them.",
        ("unified_attribution.games",),
    ),
    "taylor": (
        "Taylor interaction effects",
        "Paper A's independent and interaction effects: symbolic (sympy), numeric and by "
        "Taylor jets of a torch model.",
        (
            "unified_attribution.taylor",
            "unified_attribution.taylor.symbolic",
            "unified_attribution.taylor.numeric",
            "unified_attribution.taylor.jets",
        ),
    ),
    "theory": (
        "Theory",
        "The checks behind paper A's Tables 1 and 2: allocation weights, the one-neuron proofs, "
        "the measured departures, the principles and their probes.",
        (
            "unified_attribution.theory",
            "unified_attribution.theory.allocation",
            "unified_attribution.theory.layerwise",
            "unified_attribution.theory.table_1",
            "unified_attribution.theory.reformulations",
            "unified_attribution.theory.departures",
            "unified_attribution.theory.equalities",
            "unified_attribution.theory.principles",
            "unified_attribution.theory.probes",
            "unified_attribution.theory.networks",
        ),
    ),
    "faithfulness": (
        "Faithfulness",
        "Infidelity and localization of attribution maps, and their correlation with the "
        "principles a method follows.",
        ("unified_attribution.faithfulness",),
    ),
    "sasanet": (
        "SASANet and FastSHAP",
        "Paper B's self-attributing network as a scikit-learn-style estimator, and FastSHAP, "
        "the amortized post-hoc explainer it is compared with; both return a ShapleyEstimate.",
        (
            "unified_attribution.amortized",
            "unified_attribution.sasanet",
            "unified_attribution.sasanet.inputs",
            "unified_attribution.sasanet.persistence",
            "unified_attribution.fastshap",
        ),
    ),
}
#: Modules whose documented members are listed: fastshap's module-level type alias would
#: bring typing.Callable's own docstring with it
MEMBERS = {
    "unified_attribution.fastshap": ("FastSHAP", "shapley_kernel_sizes", "sample_coalitions")
}
#: scikit-learn's metadata-routing methods, inherited and not the library's own
EXCLUDED = ("set_fit_request", "set_score_request", "get_metadata_routing")


def public(module_name: str) -> list[str]:
    """The functions and classes a module offers: its ``__all__``, or else those defined in it
    whose names do not start with an underscore."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module_name
    ]
    return [
        name
        for name in names
        if (inspect.isfunction(getattr(module, name)) or inspect.isclass(getattr(module, name)))
        and getattr(module, name).__doc__  # autodoc leaves out what has no docstring
    ]


def registry_table() -> str:
    """The registered methods as a MyST table: title, the name ``attribute`` takes, the
    baseline it takes (and whether it plays with groups of elements), the options with their
    defaults."""
    from unified_attribution import methods

    rows = ["| method | name | baseline | options (default) |", "|---|---|---|---|"]
    for name in methods.PAPER_A_METHODS:
        spec = methods.get(name)
        options = ", ".join(f"`{k}={v!r}`" for k, v in spec.options.items()) or "none"
        baseline = spec.baseline + (", players" if spec.players else "")
        rows.append(f"| {spec.title} | `{name}` | {baseline} | {options} |")
    return "\n".join(rows)


def options_table() -> str:
    """Every option of the registered methods as a MyST table: method, option, default and
    its registered one-line meaning."""
    from unified_attribution import methods

    rows = ["| method | option | default | meaning |", "|---|---|---|---|"]
    for name in methods.PAPER_A_METHODS:
        spec = methods.get(name)
        for option, default in spec.options.items():
            meaning = spec.meanings[option].replace("|", "\\|")
            rows.append(f"| {spec.title} | `{option}` | `{default!r}` | {meaning} |")
    return "\n".join(rows)


def rules_table() -> str:
    """The propagation rules as data (``propagation.KINDS``, ``RULES``, ``REFUSED``) as MyST
    tables: each kind of node with its LRP and DeepLIFT rules; the module types, functions
    and tensor methods of each kind; what is refused, and why."""
    from unified_attribution.methods.propagation import KINDS, REFUSED, RULES, rewrites, table

    def names(targets) -> str:
        return ", ".join(f"`{table.label(t)}`" for t in targets)

    rows = ["| kind | what | LRP | DeepLIFT, DeepShap |", "|---|---|---|---|"]
    for kind in KINDS.values():
        deeplift = kind.deeplift or "refused (no published rule)"
        rows.append(f"| {kind.name} | {kind.what} | {kind.lrp} | {deeplift} |")
    rows += ["", "| kind | operations of that kind |", "|---|---|"]
    for kind in KINDS.values():
        members = [t for t, k in RULES.items() if k == kind.name]
        rows.append(f"| {kind.name} | {names(members)} |")
    reasons: dict[str, list] = {}
    for target, reason in REFUSED.items():
        reasons.setdefault(reason, []).append(target)
    rows += ["", "| refused | why |", "|---|---|"]
    rows += [f"| {names(targets)} | {reason} |" for reason, targets in reasons.items()]
    rows += [
        "",
        f"Read through traceable forms of their own (`propagation.rewrites`, without masks): "
        f"{names(rewrites.REWRITES)}.",
    ]
    return "\n".join(rows).replace("*", "\\*")


def page(key: str) -> str:
    """The Markdown of API page ``key`` of :data:`PAGES`."""
    title, intro, modules = PAGES[key]
    parts = [f"(api-{key})=", f"# {title}", "", intro, ""]
    if key == "methods":
        parts += [
            "The registry (`methods.REGISTRY`, looked up with `methods.get`), then every "
            "option with its registered meaning (the method tables of {ref}`gradient-methods`, "
            "{ref}`propagation-methods` and {ref}`perturbation-methods` show the same).",
            "",
            registry_table(),
            "",
            options_table(),
            "",
            "(api-propagation-rules)=",
            "## The propagation rules, node by node",
            "",
            "LRP, Deep Taylor, DeepLIFT and DeepShap read a model as torch.fx traces it and pass "
            "relevance (LRP) or multipliers (DeepLIFT) back through each operation by the rule "
            "of its kind; Grad-CAM only needs the gradient at its feature map. "
            "`propagation.register_rule(MyModule, kind)` gives a module of one's own a kind "
            "(it is then not traced into). Any other operation is refused, naming it and the "
            "line of `forward` that applies it.",
            "",
            rules_table(),
            "",
        ]
    for module in modules:
        names = public(module)
        parts += ["```{eval-rst}"]
        if names:
            parts += [
                f".. currentmodule:: {module}",
                "",
                ".. autosummary::",
                "   :nosignatures:",
                "",
            ]
            parts += [f"   {name}" for name in names] + [""]
        members = MEMBERS.get(module)
        parts += [f".. automodule:: {module}", f"   :members: {', '.join(members or ())}".rstrip()]
        if module == "unified_attribution.sasanet":
            parts += [f"   :exclude-members: {', '.join(EXCLUDED)}"]
        parts += ["```", ""]
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for key in PAGES:
        (OUT / f"{key}.md").write_text(page(key))
        print(f"wrote {OUT / key}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
