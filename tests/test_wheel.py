"""The wheel runs anywhere: it carries the notebooks and the demo corpus (``framelens/_bundled``),
``config.resources_path`` finds the bundled copy or the repository's folder, and ``--dask``
without the optional extra stops with one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from framelens import config
from framelens.run import cli
from framelens.core import engine
from framelens.run import runner
from framelens.errors import FramelensError

ROOT = Path(__file__).resolve().parents[1]
DASK_ERROR = "framelens: error: --dask: needs the 'dask' extra: pip install 'framelens[dask]'"


def _repo_files(folder: str, pattern: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ROOT / folder).glob(pattern)) if p.is_file()}


def _uv() -> str | None:
    local = ROOT / ".tools" / "bin" / "uv"
    return shutil.which("uv") or (str(local) if local.is_file() else None)


# ------------------------------------------------------------------------------ resource lookup
def test_resources_path_prefers_the_bundled_copy(tmp_path):
    for name in ("notebooks", "seeds"):
        (tmp_path / "_bundled" / name).mkdir(parents=True)
        assert config.resources_path(name, package=tmp_path) == tmp_path / "_bundled" / name


def test_resources_path_falls_back_to_the_repository(tmp_path):
    (tmp_path / "_bundled").mkdir()  # a package without the copies (editable install)
    assert config.resources_path("notebooks", package=tmp_path) == ROOT / "notebooks"
    assert config.resources_path("seeds", package=tmp_path) == ROOT / "seeds"
    # this checkout is an editable install: no bundled copy inside lib/, so the runner reads the repository
    assert not (ROOT / "lib" / "framelens" / "_bundled").exists()
    assert runner.NOTEBOOKS_DIR == ROOT / "notebooks" and runner.SEEDS_DIR == ROOT / "seeds"


def test_resources_path_rejects_other_names():
    with pytest.raises(FramelensError, match=r"^tests: not a bundled folder \(notebooks, seeds\)$"):
        config.resources_path("tests")


# ------------------------------------------------------------------------------ the dask extra
def test_dask_without_the_extra_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    rc = cli.main(["run", "--dask", "local", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err == DASK_ERROR + "\n"
    assert not (tmp_path / "out").exists()  # stopped before any work
    for spec in ("local", "tcp://127.0.0.1:8786"):
        with pytest.raises(FramelensError) as exc:
            engine.get_engine(spec, workers=2)
        assert "framelens: error: " + str(exc.value) == DASK_ERROR


def test_engines_without_dask_need_no_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with engine.get_engine("serial") as eng:
        assert eng.map(len, ["ab", "c"]) == [2, 1]


# ------------------------------------------------------------------------------ the built wheel
@pytest.mark.notebook  # starts uv and a setuptools build in child processes (~15 s)
def test_wheel_and_sdist_carry_every_notebook_and_seed_byte_for_byte(tmp_path):
    uv = _uv()
    if uv is None:
        pytest.skip("uv not found (make env installs it into .tools/)")
    # build from a copy, as from a fresh clone: a stale lib/framelens.egg-info/SOURCES.txt in the
    # checkout would otherwise add files that MANIFEST.in no longer names
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "lib", "notebooks", "seeds"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path / "dist"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    proc = subprocess.run([uv, "build", "--out-dir", str(dist), "--python", sys.executable, str(src)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    notebooks = _repo_files("notebooks", "*.ipynb")
    seeds = _repo_files("seeds", "*")
    assert len(notebooks) >= 8 and "sources.csv" in seeds and len(seeds) >= 6

    (whl,) = dist.glob("framelens-*.whl")  # built from the sdist: so MANIFEST.in is checked too
    with zipfile.ZipFile(whl) as z:
        names = set(z.namelist())
        for folder, files in (("notebooks", notebooks), ("seeds", seeds)):
            prefix = f"framelens/_bundled/{folder}/"
            assert {n[len(prefix):] for n in names if n.startswith(prefix)} == set(files)
            for fname, data in files.items():
                assert z.read(prefix + fname) == data, fname
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    assert not any("pytest" in r for r in requires)  # a development tool, not a runtime dependency
    assert {r.split()[1].split(">")[0] for r in requires if "extra ==" in r} == {"dask", "distributed"}

    (sdist,) = dist.glob("framelens-*.tar.gz")
    with tarfile.open(sdist) as t:
        top = t.getnames()[0].split("/")[0]
        for folder, files in (("notebooks", notebooks), ("seeds", seeds)):
            for fname, data in files.items():
                assert t.extractfile(f"{top}/{folder}/{fname}").read() == data, fname
