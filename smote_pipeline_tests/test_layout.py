"""The package's layering: no import cycle anywhere, no group importing a group above
its own, no Dagster in the Dagster-free layers, and Dagster definitions short enough
to read in one screen.

Imports inside functions and under ``TYPE_CHECKING`` count: a cycle they hold
together is still a cycle for a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "smote_pipeline"
LAYERS = ("core", "samplers")
#: Longest function allowed anywhere in the package, docstring included.
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(layers: tuple[str, ...] = LAYERS) -> dict[str, Path]:
    files = [p for layer in layers for p in (PACKAGE / layer).rglob("*.py")]
    return {_module_name(p): p for p in [*files, PACKAGE / "__init__.py"]}


def _imports(path: Path, known: set[str]) -> set[str]:
    """Package modules that ``path`` imports (``from pkg import mod`` resolves to mod)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    modules = _modules((*LAYERS, "defs"))
    return {name: _imports(path, set(modules)) - {name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or an empty list."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_package_has_no_import_cycle():
    graph = _graph()
    # a package's __init__ re-exporting its own modules is how packages work, not a cycle
    for package in ("smote_pipeline", "smote_pipeline.samplers", "smote_pipeline.core"):
        graph[package] = set()
    assert {"smote_pipeline.core.options", "smote_pipeline.defs.assets"} <= set(graph)
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


#: The groups from the bottom up: a module imports only its own group and lower ranks.
RANKS = (
    ("core.columns", "core.vocabulary", "core.thresholds", "core.records", "core.html"),
    ("core.stats", "core.options", "samplers"),
    ("core.ingest", "core.clean"),
    ("core.oversample",),
    ("core.train",),
    ("core.holdout",),
    ("core.serve",),
    ("core.spec", "core.pipeline"),
    ("defs", "definitions", "cli", "core", ""),
)


def _group(module: str) -> str:
    """``core.<group>`` for the core, else the first package under smote_pipeline."""
    parts = module.split(".")[1:]
    return ".".join(parts[:2]) if parts[:1] == ["core"] and len(parts) > 1 else ".".join(parts[:1])


def test_no_group_imports_a_group_above_its_own():
    rank = {group: i for i, groups in enumerate(RANKS) for group in groups}
    graph = _graph()
    assert {_group(m) for m in graph} <= set(rank), "a new group needs a rank in RANKS"
    packages = ("core", "")  # package __init__ files: re-exports, not a layer
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if _group(module) not in packages and _group(target) not in packages
        if _group(target) != _group(module) and rank[_group(target)] >= rank[_group(module)]
    )
    assert upward == []


def test_core_and_samplers_never_import_dagster():
    offenders = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(
                n == "dagster" or n.startswith("dagster.") or n.startswith("dagster_")
                for n in names
            ):
                offenders.append(name)
    assert offenders == []


def _function_lengths() -> dict[str, int]:
    lengths = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{path.relative_to(PACKAGE).as_posix()}:{node.name}"
                lengths[name] = max(lengths.get(name, 0), node.end_lineno - node.lineno + 1)
    return lengths


def test_no_function_in_the_package_is_longer_than_a_screen():
    long = {n: k for n, k in _function_lengths().items() if k > MAX_FUNCTION_LINES}
    assert long == {}


#: The steps of the asset graph that make the data and judge the model (the race's
#: internals, screen and champion, may be tested alone), under their names in the
#: pipeline and in their groups.
GRAPH_STEPS = {
    "raw_dataset": "ingest",
    "split_holdout": "split_holdout",
    "filter_noise": "filter_noise",
    "oversampling_space": "choose_space",
    "minority_clusters": "cluster_minority",
    "synthetic_samples": "generate_synthetic",
    "synthetic_realism": "assess_synthetic",
    "augment": "augment",
    "candidate_models": "candidate_models",
    "holdout_evaluation": "evaluate_on_holdout",
    "promoted_model": "register",
}


def _called_steps(function: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = name or getattr(node.func, "id", None)
            names.add(name)
    return {step for step, alias in GRAPH_STEPS.items() if {step, alias} & names}


def test_no_test_benchmark_or_definition_chains_the_steps_itself():
    """Three graph steps called in one function is a step sequence of its own: call
    ``pipeline.run`` or ``pipeline.training_sets`` instead."""
    roots = [PACKAGE.parent / "smote_pipeline_tests", PACKAGE.parent / "benchmarks"]
    roots += [PACKAGE / "defs", PACKAGE / "cli"]
    chains = []
    for path in (p for root in roots for p in root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and len(_called_steps(node)) >= 3:
                chains.append(f"{path.name}:{node.name} {sorted(_called_steps(node))}")
    assert chains == []
