"""Defaults declared once: the parts registry (:data:`framelens.store.parts.PARTS`) holds each lens-store
option's default and type; the notebooks' ``parameters`` cells and the CLI's ``--param`` check agree
with it, and library functions take the resampling defaults from :mod:`framelens.lenses.stats`."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from framelens.run import cli
from framelens.lenses import framing
from framelens.lenses import over_time
from framelens.store import parts
from framelens.lenses import profile
from framelens.run import runner
from framelens.lenses import sentiment
from framelens.lenses import stats

ROOT = Path(__file__).resolve().parents[1]
_BASE = re.compile(r"[\[\s|]")
#: functions with a resampling default of their own, on purpose
_OWN_RESAMPLING = {"actor_sentiment"}  # 1,000, undocumented: left to the sentiment work (see the report)


def _notebook_options(nb: runner.Notebook) -> dict[str, object]:
    """The registry's options (with defaults) of every part a notebook reads; two parts giving one
    name two defaults would be an error of the registry itself."""
    out: dict[str, object] = {}
    for part in nb.parts:
        for k, v in parts.part_options(part).items():
            assert out.get(k, v) == v, f"{nb.name}: parts disagree on the default of {k}"
            out[k] = v
    return out


@pytest.mark.parametrize("nb", runner.NOTEBOOKS, ids=lambda nb: nb.name)
def test_notebook_parameters_have_the_registry_default_and_type(nb):
    specs = runner.inspect_parameters(ROOT / "notebooks" / nb.path)
    options = _notebook_options(nb)
    shared = [k for k in specs if k in options]
    assert shared, f"{nb.name} declares none of its parts' options"
    types = parts.option_types()
    for k in shared:
        declared = ast.literal_eval(specs[k]["default"])
        assert declared == options[k] and type(declared) is type(options[k]), (
            f"{nb.name}.{k} = {declared!r}; the parts registry says {options[k]!r}")
        annotation = _BASE.split(str(specs[k].get("inferred_type_name") or "None"), maxsplit=1)[0]
        if annotation != "None":
            assert annotation == types[k].__name__, f"{nb.name}.{k}: annotated {annotation}, registry {types[k].__name__}"


def test_one_name_has_one_type_in_every_part():
    seen: dict[str, type] = {}
    for part in parts.PARTS.values():
        for k, v in part.options.items():
            assert seen.setdefault(k, type(v)) is type(v), f"{part.name}.{k}: {type(v).__name__} vs {seen[k].__name__}"
    assert parts.option_types()["n_resamples"] is int and parts.option_types()["prior_strength"] is float
    assert parts.option_types()["similarity_lenses"] is list


def test_resampling_defaults_come_from_one_constant():
    assert parts.part_options("sentiment")["n_resamples"] == stats.N_RESAMPLES == 2000
    assert parts.part_options("sentiment")["n_permutations"] == stats.N_PERMUTATIONS == 5000
    assert parts.part_options("framing")["n_resamples"] == parts.part_options("over_time")["n_resamples"] == 2000
    checked = 0
    for mod in (stats, over_time, framing, sentiment, profile):
        for fname, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or fname in _OWN_RESAMPLING:
                continue
            sig = inspect.signature(fn).parameters
            for name, want in (("n_resamples", stats.N_RESAMPLES), ("n_permutations", stats.N_PERMUTATIONS)):
                if name in sig and sig[name].default is not inspect.Parameter.empty:
                    assert sig[name].default == want, f"{mod.__name__}.{fname}({name}={sig[name].default})"
                    checked += 1
    assert checked >= 20


def test_options_for_picks_a_parts_options_among_notebook_parameters():
    got = parts.options_for("sentiment", {"seed": 3, "n_resamples": 10, "top": 4, "corpus": "x"})
    assert got == {"seed": 3, "n_resamples": 10}  # top and corpus are not sentiment's options
    assert parts.options_for("framing", {"actors": "a.csv"}) == {"actors": "a.csv"}  # from the actors part it needs


def test_the_cli_checks_a_part_option_against_the_registry_type():
    specs = {"x": {"n_resamples": {"name": "n_resamples", "inferred_type_name": "None", "default": "None"}}}
    # the notebook's default (None) would accept anything; the registry says int
    with pytest.raises(parts.FramelensError, match=re.escape("--param n_resamples='many': x expects int")):
        runner.validate_params([runner.parse_param("n_resamples=many")], specs)
    assert runner.validate_params([runner.parse_param("n_resamples=50")], specs) == {"x": {"n_resamples": 50}}


@pytest.mark.parametrize("param, want", [("n_resamples=many", "int"), ("prior_strength='high'", "float"),
                                         ("similarity_lenses=vocabulary", "list"), ("min_hits=1.5", "int")])
def test_the_cli_rejects_a_wrong_type_with_one_line(capsys, tmp_path, param, want):
    try:
        code = cli.main(["run", "--param", param, "--out", str(tmp_path / "o")])
    except SystemExit as exc:
        code = exc.code
    _, err = capsys.readouterr()
    key = param.split("=")[0]
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"framelens: error: --param {key}=") and f"expects {want}" in lines[0]
    assert not (tmp_path / "o").exists()
