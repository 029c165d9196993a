"""The harnesses live beside the package (issue 21, "harnesses outside the package"): benchmarks/
and tools/ import framelens, never the other way round, and the package reads no repository path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from pysource import nodes as _nodes

pytestmark = pytest.mark.slow  # parsing the whole package: ≥ 0.3 s (make test-fast skips it)

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "framelens"


def _imported(path: Path) -> set[str]:
    out: set[str] = set()
    for node in _nodes(path):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            out.add("." + node.module.split(".")[0])
    return out


def test_the_package_imports_no_harness():
    moved = {"benchmarks", "tools", ".bench", ".scale_bench", ".reuse_bench", "tests"}
    offenders = {p.name: sorted(_imported(p) & moved) for p in LIB.rglob("*.py") if _imported(p) & moved}
    assert offenders == {}
    assert not any((LIB / f"{m}.py").exists() for m in ("bench", "scale_bench", "reuse_bench"))


def _fixture_paths(path: Path) -> list[int]:
    """Lines where a path is built with a ``"tests"`` or ``"fixtures"`` segment (``root / "tests"``)."""
    out = []
    for node in _nodes(path):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and str(side.value).split("/")[0] in ("tests", "fixtures"):
                    out.append(node.lineno)
    return out


def test_the_package_builds_no_path_into_the_tests():
    # the harnesses take data paths as arguments; the package does not reach into tests/fixtures
    assert {p.name: _fixture_paths(p) for p in LIB.rglob("*.py") if _fixture_paths(p)} == {}
    assert _fixture_paths(ROOT / "tools" / "validate.py")  # the check sees such a path where there is one


@pytest.mark.notebook  # starts a Python process (make test-fast skips it)
def test_harnesses_import_without_the_package_importing_them():
    code = ("import sys, framelens, framelens.lenses.tone_model, framelens.lenses.validation, framelens.run.runner; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('benchmarks', 'tools')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
    code = "import benchmarks.bench, benchmarks.scale_bench, benchmarks.reuse_bench, tools.validate, tools.train_tone_model"
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)


def test_the_training_tool_holds_what_only_training_uses():
    from framelens.lenses import tone_model

    from tools import train_tone_model

    for name in ("fit", "read_newsmtsc", "feature_matrix", "cross_validate", "cross_validated_predictions",
                 "entity_groups", "pairs_ordered", "calibrate_band", "calibrate_interval", "main"):
        assert hasattr(train_tone_model, name) and not hasattr(tone_model, name), name
    for name in ("mention_features", "load_model", "load_lexicon", "interval_stance", "stance_interval"):
        assert hasattr(tone_model, name), name
