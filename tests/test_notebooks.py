"""The committed notebooks: output-free, one annotated `parameters` cell, thin (no logic)."""

import ast
import json
from pathlib import Path

import papermill as pm
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
COMMON = {"corpus", "output_dir", "sources", "seed"}


def test_notebooks_exist():
    names = [p.stem for p in NOTEBOOKS]
    assert names[0] == "01_corpus_overview"
    assert all(n[:2].isdigit() and n[2] == "_" for n in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_clean_and_parameterized(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "exactly one parameters cell, the first code cell"
    assert nb["cells"][0]["cell_type"] == "markdown"
    params = pm.inspect_notebook(str(path))
    assert COMMON <= set(params), f"missing common parameters: {COMMON - set(params)}"
    for name, p in params.items():
        assert p["inferred_type_name"] != "None", f"parameter {name} has no type annotation"
        ast.literal_eval(p["default"])  # literals only


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda)), (
                f"{path.name}: logic belongs in lib/framelens, found {type(node).__name__}")


@pytest.mark.notebook
def test_a_notebook_runs_top_to_bottom_with_its_defaults(tmp_path):
    """As in JupyterLab: no parameter but where to write; the corpus default (../seeds) resolves in
    the notebooks folder and the lens store is computed by the notebook itself (output_dir/.store)."""
    from framelens.run.runner import execute_notebook

    nb_dir = Path(__file__).resolve().parents[1] / "notebooks"
    out = tmp_path / "out"
    out.mkdir()
    execute_notebook(nb_dir / "03_sentiment.ipynb", tmp_path / "03.ipynb", {"output_dir": str(out)}, cwd=nb_dir)
    assert (out / "tables" / "sentiment_intervals.csv").read_text(encoding="utf-8").count("\n") == 6  # 5 sources
    assert len(list((out / ".store").glob("corpus-*/sentiment-*"))) == 1
