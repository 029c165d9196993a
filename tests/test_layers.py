"""The package's layers, checked from its source (AST; nothing is imported).

``lib/framelens`` is cut into subpackages in the order data flows. A module may import framelens
modules of its own layer or of a layer below, never above; imports inside functions count. The
modules form no import cycle. Code inside the package names the module it imports from (never a
subpackage's ``__init__`` re-export, never the flat names kept for users in ``framelens.__init__``).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
import pysource

pytestmark = pytest.mark.slow  # parsing the whole package: ≥ 0.3 s (make test-fast skips it)

PKG = Path(__file__).resolve().parents[1] / "lib" / "framelens"

#: bottom to top: what each layer is for is in its ``__init__`` docstring and in the README
LAYERS = (
    ("framelens", "framelens.errors", "framelens.config"),  # the package root: errors, settings, paths
    ("framelens.core",),  # engines, progress, colours, number formats: no knowledge of news
    ("framelens.text",),  # cleaning, sentences, tokens, tags and chunks
    ("framelens.read",),  # files and streams of articles -> a Corpus
    ("framelens.resources",),  # the codebook, stance markers and their loaders
    ("framelens.tables",),  # Parquet tables, partitions, map/reduce over them
    ("framelens.lenses",),  # the measures
    ("framelens.store",),  # the parts registry, the lens store, ingest, computing parts
    ("framelens.report",),  # figures, tables in notebooks, the HTML site
    ("framelens.run", "framelens.__main__"),  # the runner and the command line
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = all_modules()
#: subpackages whose ``__init__`` only documents (or re-exports for users); ``report.plots``'s
#: ``__init__`` holds the figure style and colour helpers every figure module uses, so it is a module
PACKAGES = {m for m, p in MODULES.items() if p.name == "__init__.py"} - {"framelens.report.plots"}


def layer(module: str) -> int:
    best, found = -1, None
    for i, prefixes in enumerate(LAYERS):
        for pre in prefixes:
            if (module == pre or module.startswith(pre + ".")) and len(pre) > best:
                best, found = len(pre), i
    if found is None:
        raise AssertionError(f"{module}: in no declared layer (add its subpackage to LAYERS)")
    return found


def type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            skip |= {id(x) for b in n.body for x in ast.walk(b)}
    return skip


@functools.lru_cache(maxsize=None)
def import_nodes(path: Path) -> tuple[ast.AST, ...]:
    """The file's import statements outside ``if TYPE_CHECKING:`` (each file parsed once for all
    the tests of this module)."""
    skip = type_checking_nodes(pysource.tree(path))
    return tuple(n for n in pysource.nodes(path) if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in skip)


def imports_of(module: str, path: Path) -> list[tuple[int, str, str]]:
    """(line, imported framelens module, how it was written) for every import in the file."""
    is_pkg = path.name == "__init__.py"
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    out = []
    for n in import_nodes(path):
        if isinstance(n, ast.Import):
            out += [(n.lineno, a.name, a.name) for a in n.names if a.name.split(".")[0] == "framelens"]
        elif isinstance(n, ast.ImportFrom):
            mod = n.module or ""
            if n.level:
                b = base[: len(base) - (n.level - 1)]
                mod = ".".join(b + ([mod] if mod else []))
            if mod.split(".")[0] != "framelens":
                continue
            for a in n.names:
                sub = f"{mod}.{a.name}"
                out.append((n.lineno, sub if sub in MODULES else mod, f"from {mod} import {a.name}"))
    return out


def edges() -> dict[str, set[str]]:
    return {m: {t for _, t, _ in imports_of(m, p) if t in MODULES and t != m and t not in PACKAGES}
            for m, p in MODULES.items() if m not in PACKAGES}


def test_every_module_is_in_a_layer_and_the_layers_are_the_subpackages():
    subpackages = sorted(m for m in PACKAGES if m.count(".") == 1 and m != "framelens.report.plots")
    declared = sorted(pre for prefixes in LAYERS[1:] for pre in prefixes if pre.count(".") == 1 and pre != "framelens.__main__")
    assert subpackages == declared
    for m in MODULES:
        layer(m)


def test_no_module_imports_a_higher_layer():
    bad = []
    for m, p in MODULES.items():
        for line, target, written in imports_of(m, p):
            if target in MODULES and layer(target) > layer(m):
                bad.append(f"{p.relative_to(PKG.parent)}:{line}: {written}  ({LAYERS[layer(m)][0]} -> {LAYERS[layer(target)][0]})")
    assert not bad, "imports from a higher layer:\n" + "\n".join(bad)


def test_no_import_cycles():
    g = edges()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in g:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_package_code_names_the_module_it_imports():
    """Inside the package, no import goes through a subpackage's ``__init__`` (a re-export for
    users) or through the flat names ``framelens.__init__`` keeps for old code."""
    import re

    moved = set(re.findall(r'^\s+"(\w+)": "framelens\.', (PKG / "__init__.py").read_text(), re.M))
    bad = []
    for m, p in MODULES.items():
        if m in PACKAGES:
            continue
        for line, target, written in imports_of(m, p):
            name = written.rsplit(" ", 1)[-1]
            if target in PACKAGES and target != "framelens" or target == "framelens" and name in moved:
                bad.append(f"{p.relative_to(PKG.parent)}:{line}: {written}")
    assert not bad, "imports through a package __init__:\n" + "\n".join(bad)


@pytest.mark.parametrize("case", ["up", "cycle"])
def test_the_checks_catch_a_violation(case, monkeypatch, tmp_path):
    """The checks above can fail: a lens importing the runner is refused, and so is a cycle."""
    fake = dict(MODULES)
    src = tmp_path / "x.py"
    if case == "up":
        src.write_text("def f():\n    from framelens.run import runner\n")
        bad = [t for _, t, _ in imports_of("framelens.lenses.x", src) if layer(t) > layer("framelens.lenses.x")]
        assert bad == ["framelens.run.runner"]
    else:
        a, b = tmp_path / "a.py", tmp_path / "b.py"
        a.write_text("from framelens.lenses import b\n")
        b.write_text("def g():\n    from framelens.lenses.a import f\n")
        fake.update({"framelens.lenses.a": a, "framelens.lenses.b": b})
        monkeypatch.setitem(globals(), "MODULES", fake)
        with pytest.raises(AssertionError, match="import cycles"):
            test_no_import_cycles()
