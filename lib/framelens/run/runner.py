"""Run the notebook suite on a corpus and write the report site (``framelens run``).

The suite is ONE list, :data:`NOTEBOOKS`: a notebook joins the run by being added there (name,
file, and whether it runs once per source with ``source_id``).

How a run works (:func:`run_suite`), in phases that can each be called and tested alone:

1. :func:`plan_run` checks everything before any kernel starts, raising
   :class:`~framelens.errors.FramelensError` for bad input: the corpus exists and loads; the output
   folder is not, does not contain and is not inside the corpus, the notebooks or the package, and
   what a run replaces there (``notebooks/``, ``reports/``, ``tables/``, ``figures/``,
   ``findings/``, ``articles/``, ``index.html``, ``provenance.json``) was written by framelens (the folder holds
   ``.framelens-output``); every ``--param`` is declared by a notebook, has the declared type and is
   plain JSON data (papermill writes values into code: see :func:`json_value`); file parameters
   resolve against the caller's working folder and load without error. It lists the runs: one per
   notebook, and one per profiled source for per-source notebooks (the largest
   :data:`DEFAULT_PROFILES` sources unless ``profiles`` says otherwise).
2. :class:`RunLock`: one run per output folder (a lock file beside it holds the PID; a dead run's
   lock is taken over). Staging folders left by dead runs are removed.
3. :func:`compute_store` computes the lens-store parts the notebooks read while :class:`Reports`
   executes the notebooks in-process (papermill parameterizes them; nbclient runs each in its own
   kernel, started in the notebooks folder — the process's working folder is never changed),
   ``jobs`` at a time on threads, each as soon as the parts it reads are stored, with one progress
   line per notebook. A notebook that fails keeps its partial report; the others still run. An
   interrupt kills the kernels before the staging folder is removed.
4. Everything is written into a staging folder next to the output folder
   (``<parent>/.framelens-run-<pid>-*``) and moved into place at the end, one ``os.replace`` per
   sub-folder and the index last: an interrupted run leaves the previous site intact.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import datetime as _dt
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from framelens.config import resources_path
from framelens.errors import FramelensError
from framelens import config
from framelens.core.engine import (get_engine, lean_arrow_memory, parallel_workers, pool as process_pool, stop_pool,
                                   TickingEngine)
from framelens.core.progress import as_progress
from framelens.run.kernels import KERNEL, KERNEL_START_TIMEOUT, kernel_arguments, Kernels, Zygote
from framelens.lenses.overview import date_label
from framelens.report import site
from framelens.store.compute import compute, requested_parts
from framelens.store.ingest import ingest_engine
from framelens.store.lens_store import hash_inputs as _hash, LensStore, STORE_FILE
from framelens.store.parts import check_range, option_types, options_for
from framelens.tables.parquet import MANIFEST, PARTITION_DOCUMENTS

PACKAGE_DIR = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = resources_path("notebooks")  # bundled in a wheel, else the repository's folder
SEEDS_DIR = resources_path("seeds")
SUBDIRS = ("notebooks", "reports", "tables", "figures", "findings", "articles")
MARKER = ".framelens-output"
RESERVED = {"corpus": "--corpus", "output_dir": "--out", "store": "--store",
            "source_id": "the runner (one run per source)"}


@dataclass(frozen=True)
class Notebook:
    """One notebook of the suite.

    ``per_source``: run once per source of the corpus, with the parameter ``source_id``. Notebooks
    are independent of each other (each reads the corpus and the lens tables), so they run in any
    order, ``jobs`` at a time.
    """
    name: str
    path: str
    per_source: bool = False
    start_here: bool = False  # the index points readers to it first
    parts: tuple[str, ...] = ()  # lens-store parts it reads (computed before the notebooks run)


#: The suite, in reading order. Add a notebook here and it is run, listed and indexed.
NOTEBOOKS: list[Notebook] = [
    Notebook("01_corpus_overview", "01_corpus_overview.ipynb", parts=("overview", "reuse")),
    Notebook("02_vocabulary", "02_vocabulary.ipynb", parts=("vocabulary",)),
    Notebook("03_sentiment", "03_sentiment.ipynb", parts=("sentiment",)),
    Notebook("04_framing", "04_framing.ipynb", parts=("framing",)),
    Notebook("05_source_profile", "05_source_profile.ipynb", per_source=True, parts=("profile", "synthesis", "reuse")),
    Notebook("06_synthesis", "06_synthesis.ipynb", start_here=True, parts=("synthesis", "reuse")),
    Notebook("07_over_time", "07_over_time.ipynb", parts=("over_time",)),
    Notebook("08_reuse", "08_reuse.ipynb", parts=("reuse",)),
]


@dataclass
class Job:
    notebook: Notebook
    name: str  # run name: the notebook name, or "<name>-<source>" for per-source runs
    source_id: str | None
    parameters: dict[str, Any]
    title: str = ""


@dataclass
class Result:
    name: str
    notebook: str
    title: str
    source_id: str | None
    status: str  # ok | failed | skipped
    seconds: float
    parameters: dict[str, Any]
    report: str | None = None  # relative to the output folder
    executed: str | None = None
    error: str = ""
    cell: int | None = None
    headline: str = ""
    removed_unsafe: int = 0
    start_here: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunSummary:
    out: Path
    results: list[Result]
    provenance: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed


_INTERRUPT = threading.Event()


def request_interrupt() -> None:
    """Note that the run was asked to stop (SIGTERM or Ctrl-C, see :mod:`framelens.run.cli`). The
    KeyboardInterrupt the signal raises is lost when it lands while the main thread runs a
    finalizer (Python prints "Exception ignored" and goes on): the run also checks this note
    before each step that writes the site (:func:`check_interrupt`)."""
    _INTERRUPT.set()


def check_interrupt() -> None:
    """Raise KeyboardInterrupt if the run was asked to stop (:func:`request_interrupt`)."""
    if _INTERRUPT.is_set():
        raise KeyboardInterrupt


def skip_slow_optional_imports() -> None:
    """Make ``import nbformat`` (needed by papermill and nbconvert) ~1.5–4 s faster.

    nbformat imports jsonschema, whose format checkers import ``rfc3987_syntax`` when it is
    installed (it is, through jupyterlab) and compile ~40 lark grammars on import. Notebook
    validation never uses the "iri" format it serves; jsonschema skips a missing optional checker.
    Only has an effect before jsonschema is first imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# parameters


def parse_param(text: str) -> tuple[str | None, str, Any]:
    """``KEY=VALUE`` or ``NOTEBOOK.KEY=VALUE`` → (notebook or None, key, value).

    The value is read as a Python literal (``3``, ``0.5``, ``True``, ``['a', 'b']``); anything
    that is not a literal is kept as a string (``--param codebook=my.toml``).
    """
    if "=" not in text:
        raise FramelensError(f"--param {text}: expected KEY=VALUE")
    key, raw = text.split("=", 1)
    key = key.strip()
    scope = None
    if "." in key:
        scope, key = key.rsplit(".", 1)
    if not key.isidentifier():
        raise FramelensError(f"--param {text}: {key!r} is not a parameter name")
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = raw
    return scope, key, value


def json_value(value: Any, name: str = "value") -> Any:
    """``value`` as plain JSON data (str, int, float, bool, None, lists and str-keyed dicts of
    those): tuples become lists; anything else (bytes, sets, complex numbers, objects, NaN or
    infinite floats) is refused with a :class:`FramelensError`.

    papermill writes parameter values into the notebook as source code, and turns a value of any
    other type into text *unescaped*: a tuple holding a crafted string would run as code in the
    kernel. Only JSON values, which papermill escapes, may reach it.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise FramelensError(f"--param {name}={value!r}: not a finite number")
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(v, name) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise FramelensError(f"--param {name}: dictionary keys must be strings, got {type(k).__name__}")
            out[k] = json_value(v, name)
        return out
    raise FramelensError(
        f"--param {name}: a {type(value).__name__} value is not allowed "
        "(use a string, number, true/false, None, or a list or dict of those)")


def safe_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Every parameter value as plain JSON data (see :func:`json_value`)."""
    return {str(k): json_value(v, str(k)) for k, v in parameters.items()}


_TYPE_NAMES = {
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict,
    "tuple": tuple, "List": list, "Dict": dict, "Tuple": tuple,
}


def expected_type(spec: dict[str, Any]) -> type | None:
    """The type a parameter expects: its annotation if any, else the type of its default literal
    (None when the default is ``None`` or not a literal: then anything goes)."""
    name = str(spec.get("inferred_type_name") or "None")
    base = re.split(r"[\[\s|]", name, maxsplit=1)[0]
    if base in _TYPE_NAMES:
        return _TYPE_NAMES[base]
    try:
        default = ast.literal_eval(str(spec.get("default", "")))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if default is None:
        return None
    return type(default)


def type_ok(value: Any, expected: type | None) -> bool:
    if expected is None:
        return True
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected in (list, tuple):
        return isinstance(value, (list, tuple))
    return isinstance(value, expected)


def _ast_parameters(nb) -> dict[str, dict[str, Any]]:
    """Parameters read from the ``parameters`` cell with Python's parser: papermill's own reader
    drops a line whose comment contains ``=`` (e.g. ``sources = []  # empty = all``)."""
    import ast as _ast
    import io
    import tokenize

    cell = next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return {}
    src = cell.source
    try:
        tree = _ast.parse(src)
    except SyntaxError:
        return {}
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    found = {}
    for node in tree.body:
        if isinstance(node, _ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], _ast.Name):
            name, value, ann = node.targets[0].id, node.value, None
        elif isinstance(node, _ast.AnnAssign) and isinstance(node.target, _ast.Name) and node.value is not None:
            name, value, ann = node.target.id, node.value, _ast.get_source_segment(src, node.annotation)
        else:
            continue
        found[name] = {"name": name, "inferred_type_name": ann or "None",
                       "default": _ast.get_source_segment(src, value) or "",
                       "help": comments.get(node.end_lineno, "")}
    return found


def inspect_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The notebook's parameters: ``papermill.inspect_notebook`` completed by a Python parse of
    the ``parameters`` cell. Errors become :class:`FramelensError`."""
    import logging

    import nbformat
    import papermill

    if not path.is_file():
        raise FramelensError(f"{path}: notebook not found")
    log = logging.getLogger("papermill")
    level = log.level
    log.setLevel(logging.ERROR)  # papermill warns about lines it cannot parse; we parse them below
    try:
        specs = dict(papermill.inspect_notebook(str(path)))
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # unreadable JSON, not a notebook, ...
        raise FramelensError(f"{path}: cannot read notebook parameters ({type(exc).__name__}: {exc})") from None
    finally:
        log.setLevel(level)
    for name, spec in _ast_parameters(nb).items():
        if name not in specs:
            specs[name] = spec
        elif not specs[name].get("help") and spec["help"]:
            specs[name] = {**specs[name], "help": spec["help"]}
    return specs


def validate_params(
    user: Sequence[tuple[str | None, str, Any]],
    specs: dict[str, dict[str, dict[str, Any]]],
) -> dict[str, dict[str, Any]]:
    """Check user parameters against the notebooks' declared ones; return values per notebook.

    ``specs`` maps notebook name → inspect_notebook() result. An unscoped parameter goes to every
    selected notebook that declares it and must be declared by at least one; a scoped one
    (``02_vocabulary.min_count``) to that notebook only. Types must match the declared default:
    the parts registry's for a lens-store option (:func:`framelens.store.parts.option_types`), else the
    notebook's.
    """
    registry = option_types()  # a part option's type is declared once, in the parts registry
    per_nb: dict[str, dict[str, Any]] = {name: {} for name in specs}
    for scope, key, value in user:
        shown = f"{scope}.{key}" if scope else key
        if key in RESERVED:
            raise FramelensError(f"--param {shown}: set by {RESERVED[key]}, not by --param")
        if scope is not None and scope not in specs:
            raise FramelensError(
                f"--param {shown}: no notebook {scope!r} in this run (notebooks: {', '.join(specs) or 'none'})"
            )
        targets = [scope] if scope else list(specs)
        declared = [nb for nb in targets if key in specs[nb]]
        if not declared:
            known = sorted({k for nb in targets for k in specs[nb] if k not in RESERVED})
            raise FramelensError(
                f"--param {shown}: unknown parameter (known: {', '.join(known) or 'none'})"
            )
        value = json_value(value, shown)
        for nb in declared:
            spec = specs[nb][key]
            want = registry.get(key) or expected_type(spec)
            if not type_ok(value, want):
                raise FramelensError(
                    f"--param {shown}={value!r}: {nb} expects {want.__name__} (default {spec.get('default')}), "
                    f"got {type(value).__name__}"
                )
            check_range(key, value, f"--param {shown}")
            per_nb[nb][key] = value
    return per_nb


# ---------------------------------------------------------------------------------------------
# paths and safety


def _is_within(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
        return True
    except ValueError:
        return False


def check_output_dir(out: Path, corpus: Path, notebooks_dir: Path) -> None:
    """Refuse output folders that could damage the input or someone's files."""
    out, corpus, notebooks_dir = (Path(p).expanduser().resolve() for p in (out, corpus, notebooks_dir))
    if out == corpus or (corpus.is_dir() and _is_within(out, corpus)):
        raise FramelensError(f"{out}: the output folder may not be the corpus folder or inside it")
    if _is_within(corpus, out):
        raise FramelensError(f"{out}: the output folder may not contain the corpus ({corpus})")
    if _is_within(notebooks_dir, out) or _is_within(PACKAGE_DIR, out):
        raise FramelensError(f"{out}: the output folder may not contain the notebooks or the framelens package")
    if _is_within(out, notebooks_dir) or _is_within(out, PACKAGE_DIR):
        raise FramelensError(f"{out}: the output folder may not be inside the notebooks folder or the framelens package")
    if out == Path(out.anchor) or out == Path.home():
        raise FramelensError(f"{out}: refusing to write reports into the root or home folder")
    if out.exists():
        if not out.is_dir():
            raise FramelensError(f"{out}: exists and is not a folder")
        if not (out / MARKER).exists():
            # a run replaces these; other files (outputs/README.md, ...) are left alone
            clash = [name for name in (*SUBDIRS, "index.html", "provenance.json") if (out / name).exists()]
            if clash:
                raise FramelensError(
                    f"{out}: holds {', '.join(clash)} not written by framelens (no {MARKER} file); "
                    "choose a new or empty folder"
                )


def _writable(folder: Path) -> bool:
    """Can a file be created in ``folder``? (a real probe: permissions, a read-only mount, root)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".framelens-probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(tmp)
    return True


def check_store(store: str | os.PathLike | None, corpus: Path, out: Path) -> bool:
    """Refuse a ``--store`` folder the run could not use, before the run lock and any kernel: a
    path through a file, a folder inside the corpus (it would modify the input, and change the
    corpus's key on every run) or inside a folder the run replaces, a folder that cannot be
    created. Returns whether the store can be written: a read-only store may serve the parts it
    holds, and :func:`compute_store` stops the run if it lacks one."""
    if store is None or str(store) == "":
        return True

    root = Path(store).expanduser().resolve()
    corpus, out = Path(corpus).resolve(), Path(out).resolve()
    if corpus.is_dir() and _is_within(root, corpus):
        raise FramelensError(f"--store {root}: the lens store may not be inside the corpus folder ({corpus}): "
                             "it would modify the input")
    if _is_within(corpus, root):
        raise FramelensError(f"--store {root}: the lens store may not contain the corpus ({corpus})")
    if root == out or any(_is_within(root, out / sub) for sub in SUBDIRS):
        raise FramelensError(f"--store {root}: the lens store may not be the output folder or inside a folder "
                             f"each run replaces ({', '.join(SUBDIRS)})")
    near = root
    while not near.exists() and not near.is_symlink():
        near = near.parent
    if not near.is_dir():
        raise FramelensError(f"--store {root}: {near} is a file, not a folder")
    if near == root and not (root / STORE_FILE).is_file() and any(not p.name.startswith(".") for p in root.iterdir()):
        raise FramelensError(f"--store {root}: not a lens store (no {STORE_FILE}) and not empty; "
                             "choose a new or empty folder")
    if _writable(near):
        return True
    if near != root or not (root / STORE_FILE).is_file():
        raise FramelensError(f"--store {root}: cannot create the lens store ({near} is not writable)")
    return False


#: a lens-store failure that is the store's, not a lens's: the run stops (see :func:`compute_store`)
_STORE_WRITE_ERROR = re.compile(r"\b(PermissionError|OSError|NotADirectoryError|IsADirectoryError|"
                                r"FileNotFoundError|FileExistsError)\b|Read-only file system|No space left")


def hash_inputs(corpus: Path) -> dict[str, Any]:
    """SHA-256 of every input file (see :func:`framelens.store.lens_store.hash_inputs`)."""
    return _hash(corpus)


def package_versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for dist in ("framelens", "pandas", "numpy", "scipy", "nltk", "textblob", "vaderSentiment", "simplemma",
                 "matplotlib", "papermill", "nbconvert", "nbformat", "ipykernel"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-.")
    return s or "source"


def _utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# corpus summary for the index page


def _text(v: Any) -> str:
    if v is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(v):
            return ""
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat()
    except (TypeError, ValueError):
        pass
    return str(v)


def corpus_sources(corp) -> list[dict[str, Any]]:
    """One row per source: label/outlet, titles, dates, genres, number of documents and words."""
    import pandas as pd


    docs = corp.documents.assign(published_label=[
        date_label(ts, p) for ts, p in zip(corp.documents["published"], corp.documents["published_precision"])])
    rows = []
    for source in corp.sources:
        d = docs[docs["source"] == source]

        def col(name: str) -> str:
            if name not in d.columns:
                return ""
            vals = [_text(v) for v in d[name].tolist()]
            uniq = [v for i, v in enumerate(vals) if v and v not in vals[:i]]
            if len(uniq) > 3:
                return f"{'; '.join(uniq[:3])}; … ({len(uniq):,} in all)"
            return "; ".join(uniq)

        n_words = int(d["n_words"].sum()) if "n_words" in d.columns else ""
        outlets = d["outlet"].fillna("").astype(str).str.strip() if "outlet" in d.columns else pd.Series([], dtype=str)
        members = [{"outlet": o or "(no outlet)", "n_documents": int(n)}
                   for o, n in outlets.value_counts(sort=True).items()] if len(outlets) else []
        rows.append({
            "source": str(source), "label": _text(corp.label(source)), "outlet": col("outlet"), "members": members,
            "title": col("title"), "published": col("published_label"), "genre": col("genre"),
            "url": col("url") if len(d) == 1 else "", "n_documents": int(len(d)), "n_words": n_words,
        })
    return rows


# ---------------------------------------------------------------------------------------------
# running


Progress = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _headline_from(nb, findings_dir: Path, job: Job) -> str:
    """The one-line finding of a run: from display metadata written by report.headline (per run,
    so per-source runs are told apart), else from findings/<report>.json."""
    if nb is not None:
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                meta = output.get("metadata", {}).get("framelens", {})
                if isinstance(meta, dict) and meta.get("headline"):
                    return str(meta["headline"])
    names = [job.name]
    if job.source_id is not None:
        names += [f"{job.notebook.name}_{_slug(job.source_id)}"]
    else:
        names += [job.notebook.name]
    for name in names:
        p = findings_dir / f"{name}.json"
        if p.is_file():
            try:
                return str(json.loads(p.read_text(encoding="utf-8")).get("headline", ""))
            except (OSError, ValueError):
                return ""
    return ""


def execute_notebook(src: Path, dst: Path, parameters: dict[str, Any], *, cwd: Path,
                     kernel_manager_class: type | None = None, km: Any = None) -> None:
    """Parameterize ``src`` with papermill, execute it in a kernel whose working folder is
    ``cwd``, and write the executed notebook to ``dst``.

    papermill's own ``execute_notebook(cwd=...)`` changes the *process's* working folder
    (``os.chdir``) for the length of the run, which races between threads and can leave the
    process in a deleted folder. Here the kernel gets its folder from nbclient's
    ``resources={"metadata": {"path": ...}}`` (the kernel process starts there) and papermill
    never touches the process's folder. Raises papermill's ``PapermillExecutionError`` for a
    failing cell (the executed notebook, with the error, is written first).
    ``kernel_manager_class``: a jupyter_client kernel manager class (the runner passes one that
    records its kernels, so an interrupt can stop them). ``km``: a kernel manager whose kernel is
    already running in ``cwd`` (started ahead, :meth:`framelens.run.kernels.Kernels.take`): the
    notebook runs in it, and the caller shuts it down after.
    """
    import nbformat
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    # papermill's file IO changes folder only inside its own execute_notebook (never called here)
    nb = load_notebook_node(str(Path(src).resolve()))
    if parameters:
        nb = parameterize_notebook(nb, safe_parameters(parameters), kernel_name=KERNEL, language="python")
    nb = prepare_notebook_metadata(nb, str(src), str(dst))
    nb = remove_error_markers(nb)
    extra = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class is not None else {}
    if km is not None:
        extra["km"] = km  # nbclient runs in it (and leaves it running: see Kernels.release)
    nb = papermill_engines.execute_notebook_with_engine(
        None, nb, kernel_name=KERNEL, input_path=str(src), output_path=None, progress_bar=False,
        log_output=False, resources={"metadata": {"path": str(cwd)}}, start_timeout=KERNEL_START_TIMEOUT,
        extra_arguments=kernel_arguments(), **extra,
    )
    raise_for_execution_errors(nb, str(dst))  # writes dst (with an error cell) before raising
    nbformat.write(nb, str(dst))


def export_executed(executed: str, report: str, *, title: str, meta: str, failure: str | None,
                    with_code: bool) -> dict[str, int]:
    """:func:`framelens.report.site.export_report` of an executed notebook read from ``executed``:
    what an export process runs (nbconvert holds about 40 times the notebook's size while it
    renders, and a process keeps what it once held: in separate processes that memory is not
    added to the run's own)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    return site.export_report(nb, report, title=title, meta=meta, failure=failure, with_code=with_code)


def export_pool(jobs: int) -> cf.ProcessPoolExecutor:
    """The processes that export the reports (one per notebook run at a time; started fresh by
    the forkserver, never forked from this threaded process; each exits when this process dies,
    however it dies: :func:`framelens.core.engine.pool`)."""
    import multiprocessing

    pool = process_pool(max(1, jobs), multiprocessing.get_context("forkserver"),  # they exit with this process
                        initializer=skip_slow_optional_imports)  # nbconvert's import: 1.1 s, not 1.9 s
    for _ in range(max(1, jobs)):  # start the processes and load nbconvert while the first notebooks run
        pool.submit(_warm_exporter)
    return pool


def _warm_exporter() -> None:
    site._exporter(False)


def _execute(job: Job, nb_dir: Path, stage: Path, final: Path, with_code: bool, meta: str,
             cancel: threading.Event, kernels: "Kernels | None" = None,
             exporter: cf.Executor | None = None) -> Result:
    """Run one notebook into the staging folder and export its report (runs in a worker thread;
    the export runs on ``exporter``, a process pool, when given)."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError


    t0 = time.perf_counter()
    if cancel.is_set():
        return Result(job.name, job.notebook.name, job.title, job.source_id, "failed", 0.0,
                      job.parameters, error="interrupted")
    src = nb_dir / job.notebook.path
    executed = stage / "notebooks" / f"{job.name}.ipynb"
    report = stage / "reports" / f"{job.name}.html"
    status, error, cell = "ok", "", None
    km = kernels.take() if kernels else None  # a kernel started ahead, if there is one
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("papermill").setLevel(logging.ERROR)  # parameters are validated already
            execute_notebook(src, executed, job.parameters, cwd=nb_dir,
                             kernel_manager_class=kernels.manager_class if kernels else None, km=km)
    except PapermillExecutionError as exc:
        status, cell = "failed", exc.exec_count
        where = f"cell In [{exc.exec_count}]" if exc.exec_count else f"cell #{exc.cell_index}"
        first = next((ln.strip() for ln in str(exc.source or "").splitlines() if ln.strip()), "")
        if first:
            where += f" `{first[:60]}{'…' if len(first) > 60 else ''}`"
        evalue = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        error = f"{where}: {exc.ename}: {evalue}".rstrip(": ")
    except Exception as exc:  # kernel died, no such kernel, unreadable notebook, ...
        status = "failed"
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error = f"{type(exc).__name__}: {msg}".rstrip(": ")
    finally:
        if kernels is not None:
            kernels.release(km)
    seconds = time.perf_counter() - t0
    if cancel.is_set():  # the run was interrupted: write nothing more into the staging folder
        return Result(job.name, job.notebook.name, job.title, job.source_id, "failed", seconds,
                      job.parameters, error="interrupted")

    nb = None
    if executed.is_file():
        try:
            text = executed.read_text(encoding="utf-8")
            # the injected output_dir points at the staging folder: show where files really are
            text = text.replace(json.dumps(str(stage))[1:-1], json.dumps(str(final))[1:-1])
            executed.write_text(text, encoding="utf-8")
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # pragma: no cover - corrupted output
            status, error = "failed", error or f"cannot read executed notebook: {exc}"
    removed = 0
    title = job.title
    if nb is not None:
        try:
            kw = {"title": title, "meta": meta, "failure": error if status != "ok" else None, "with_code": with_code}
            info = (exporter.submit(export_executed, str(executed), str(report), **kw).result() if exporter is not None
                    else site.export_report(nb, report, **kw))
            removed = info["removed_unsafe"]
        except Exception as exc:
            status = "failed"
            error = (error + "; " if error else "") + f"HTML export failed: {type(exc).__name__}: {exc}"
            site.error_page(report, title=title, message=error)
    else:
        site.error_page(report, title=title, message=error or "the notebook produced no output")
    return Result(
        name=job.name, notebook=job.notebook.name, title=title, source_id=job.source_id, status=status,
        seconds=round(seconds, 2), parameters=job.parameters,
        report=f"reports/{job.name}.html", executed=f"notebooks/{job.name}.ipynb" if nb is not None else None,
        error=error, cell=cell, headline=_headline_from(nb, stage / "findings", job) if status == "ok" else "",
        removed_unsafe=removed, start_here=job.notebook.start_here,
    )


def select_notebooks(registry: Sequence[Notebook], only: Iterable[str] | None, nb_dir: Path,
                     notes: list[str]) -> list[Notebook]:
    """The notebooks to run: all present ones, or those named by ``only`` (names, prefixes like
    ``02`` or full names; an unknown or missing one is an error)."""
    registry = list(registry)
    if only:
        chosen: list[Notebook] = []
        for raw in only:
            for want in filter(None, (w.strip() for w in str(raw).split(","))):
                want = want.removesuffix(".ipynb")
                hits = [n for n in registry if n.name == want] or [
                    n for n in registry if n.name.startswith(want + "_") or n.name.split("_", 1)[0] == want]
                if not hits:
                    raise FramelensError(
                        f"--only {want}: no such notebook (known: {', '.join(n.name for n in registry)})")
                for n in hits:
                    if not (nb_dir / n.path).is_file():
                        raise FramelensError(f"{nb_dir / n.path}: notebook not found")
                    if n not in chosen:
                        chosen.append(n)
        return [n for n in registry if n in chosen]
    present = []
    for n in registry:
        if (nb_dir / n.path).is_file():
            present.append(n)
        else:
            notes.append(f"{n.name}: {n.path} not found in {nb_dir}, skipped")
    return present


class _DeferInterrupt:
    """Hold Ctrl-C while the staged files are moved into place (a few renames)."""
    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self):
        self.pending = False
        self.old: dict = {}
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self.old[sig] = signal.getsignal(sig)
                signal.signal(sig, lambda *a: setattr(self, "pending", True))
        return self

    def __exit__(self, *exc):
        for sig, handler in self.old.items():
            signal.signal(sig, handler)
        if self.pending:
            raise KeyboardInterrupt
        return False


def _commit(stage: Path, out: Path) -> None:
    """Move the staged site into ``out``: each sub-folder swapped by rename, the index last."""
    check_interrupt()  # asked to stop before: the previous site stays
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("This folder is written by `framelens run`; its contents are replaced on each run.\n",
                              encoding="utf-8")
    with _DeferInterrupt():
        trash = stage / ".old"
        trash.mkdir(exist_ok=True)
        for sub in SUBDIRS:
            dst = out / sub
            if dst.exists():
                os.replace(dst, trash / sub)
            os.replace(stage / sub, dst)
        os.replace(stage / "provenance.json", out / "provenance.json")
        os.replace(stage / "index.html", out / "index.html")


def _previous(out: Path, digest: str) -> list[dict[str, Any]]:
    """Results of the previous run in ``out`` if it was on the same corpus (for --only runs)."""
    try:
        prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if prov.get("corpus", {}).get("digest") != digest:
        return []
    return [r for r in prov.get("results", []) if isinstance(r, dict) and r.get("name")]


# ---------------------------------------------------------------------------------------------
# one run per output folder, and no staging folder left behind


STAGE_PREFIX = ".framelens-run-"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    except OSError:
        return False
    return True


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), from /proc; None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        btime = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                     if line.startswith("btime "))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return None


def _holder_alive(info: dict[str, Any]) -> bool:
    """Is the process that wrote a lock or staging folder still running (and the same process,
    not a new one that reused its PID)?"""
    import socket

    pid = int(info.get("pid", 0) or 0)
    if info.get("host") and info["host"] != socket.gethostname():
        return True  # another machine's run: cannot check, assume it is live
    if not _pid_alive(pid):
        return False
    started, locked = _process_started(pid), info.get("started_at")
    if started is not None and isinstance(locked, (int, float)) and started > locked + 2:
        return False  # the PID was reused by a process younger than the lock
    return True


def lock_path(out: Path) -> Path:
    """The lock of a run writing into ``out``: a file next to it (the folder may not exist yet)."""
    return out.parent / f".{out.name}.framelens-lock"


class RunLock:
    """One ``framelens run`` per output folder: a lock file beside it, held with ``flock`` for the
    whole run and holding the PID of the run.

    A second run into the same folder stops at once with a :class:`FramelensError` naming the
    other run. The kernel takes the lock and releases it when its holder exits, however it exits
    (``kill -9`` too), so there is no stale lock to judge: a lock file nobody holds — left by a
    killed run, or still empty — is simply taken. After taking it, the holder checks that the file
    is still the one at the lock's path (a run that just finished removes it), else tries again.
    Where ``flock`` is missing, the file is created with ``O_CREAT | O_EXCL`` only after its
    content is written (a hard link of a complete temporary file).
    """
    def __init__(self, out: Path, command: str = ""):
        self.out, self.path, self.command = out, lock_path(out), command
        self.held = False
        self._fd: int | None = None

    def _info(self) -> bytes:
        import socket

        return json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started_at": time.time(),
                           "started": _utc_now(), "command": self.command, "out": str(self.out)}).encode()

    def _refuse(self) -> FramelensError:
        other: dict[str, Any] = {}
        for _ in range(20):  # the holder writes its details just after taking the lock
            try:
                other = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                other = {}
            if other:
                break
            time.sleep(0.05)
        return FramelensError(
            f"{self.out}: another framelens run is writing into this folder "
            f"(PID {other.get('pid', '?')}, started {other.get('started', '?')}; lock {self.path})")

    def __enter__(self) -> "RunLock":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux/macOS
            return self._enter_exclusive()
        for _ in range(50):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise FramelensError(f"{self.path}: cannot create the run lock ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise self._refuse() from None
            try:
                st, mine = os.stat(self.path), os.fstat(fd)
                same = (st.st_ino, st.st_dev) == (mine.st_ino, mine.st_dev)
            except FileNotFoundError:
                same = False
            if not same:  # the previous holder removed it as we opened it: take the new one
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, self._info(), 0)
            self._fd, self.held = fd, True
            return self
        raise FramelensError(f"{self.path}: cannot take the run lock (another run keeps taking it)")

    def check_free(self) -> None:
        """Stop at once when a live run holds the lock — before a run's costly first steps (the
        ingest); the lock itself is taken afterwards, by ``with RunLock(...)``."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux/macOS
            return
        try:
            fd = os.open(self.path, os.O_RDWR)
        except OSError:  # no lock file: nobody holds it
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise self._refuse() from None
        finally:
            os.close(fd)  # releases the probe's flock

    def _enter_exclusive(self) -> "RunLock":  # pragma: no cover - platforms without flock
        for _ in range(3):
            fd, tmp = tempfile.mkstemp(prefix=f"{self.path.name}.", dir=self.path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._info())
            try:
                os.link(tmp, self.path)  # appears with its content, or not at all
                self.held = True
                return self
            except FileExistsError:
                try:
                    other = json.loads(self.path.read_text(encoding="utf-8") or "{}")
                except (OSError, ValueError):
                    other = {}
                if not other or _holder_alive(other):
                    raise self._refuse() from None
                self.path.unlink(missing_ok=True)  # its process is gone
            except OSError as exc:
                raise FramelensError(f"{self.path}: cannot create the run lock ({exc.strerror})") from None
            finally:
                os.unlink(tmp)
        raise FramelensError(f"{self.path}: cannot take the run lock (another run keeps taking it)")

    def __exit__(self, *exc) -> bool:
        if self.held:
            try:
                self.path.unlink()  # while still holding it: a waiting run sees the file is gone
            except FileNotFoundError:
                pass
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self.held = False
        return False


def make_stage(parent: Path) -> Path:
    """A fresh staging folder ``<parent>/.framelens-run-<pid>-<random>`` (the PID lets a later run
    tell a dead run's leftovers from a live run's folder)."""
    try:
        return Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise FramelensError(f"{parent}: cannot create a staging folder ({exc.strerror})") from None


def remove_stale_stages(parent: Path) -> list[Path]:
    """Remove staging folders left in ``parent`` by runs whose process is gone."""
    removed = []
    try:
        candidates = list(parent.glob(f"{STAGE_PREFIX}*"))
    except OSError:
        return removed
    for p in candidates:
        m = re.match(re.escape(STAGE_PREFIX) + r"(\d+)-", p.name)
        if not m or not p.is_dir():
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or _pid_alive(pid):
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


# ---------------------------------------------------------------------------------------------
# file parameters


def is_path_parameter(name: str, spec: dict[str, Any]) -> bool:
    """A parameter that names a file: its help text says it is a path (``# path to your own ...``)."""
    if name in RESERVED:
        return False
    return bool(re.match(r"\s*(path|file)\b", str(spec.get("help", "")), re.I))


def resolve_path_parameters(per_nb: dict[str, dict[str, Any]], specs: dict[str, dict[str, dict[str, Any]]],
                            *, base: Path) -> None:
    """Make every file parameter the user gave absolute, resolved against ``base`` (the caller's
    working folder, not the notebooks' folder), and check it before any kernel starts: the file
    must exist and, for the configuration files framelens knows, load without error."""
    checked: dict[tuple[str, str], str] = {}
    for nb, values in per_nb.items():
        for key, value in list(values.items()):
            if not isinstance(value, str) or not value.strip() or not is_path_parameter(key, specs[nb].get(key, {})):
                continue
            path = Path(value.strip()).expanduser()
            path = (path if path.is_absolute() else base / path).resolve()
            if (key, str(path)) not in checked:
                if not path.exists():
                    raise FramelensError(f"--param {key}={value}: no such file ({path})")
                if not path.is_file():
                    raise FramelensError(f"--param {key}={value}: not a file ({path})")
                config.check(key, path)
                checked[(key, str(path))] = str(path)
            values[key] = str(path)


# ---------------------------------------------------------------------------------------------
# the run


#: Per-source profiles made by default: the largest sources, by number of sentences.
DEFAULT_PROFILES = 30


def profile_sources(corp, profiles: int | Sequence[str] | None) -> tuple[list[str], list[str]]:
    """Which sources get a per-source profile: ``(profiled, not_profiled)``.

    ``profiles``: a number N (the N largest sources by sentences, ties by corpus order; 0 or None:
    all) or a list of source ids (those; an unknown id is an error).
    """
    sources = [str(s) for s in corp.sources]
    if profiles is None or (isinstance(profiles, int) and not isinstance(profiles, bool) and profiles <= 0):
        return sources, []
    if isinstance(profiles, int) and not isinstance(profiles, bool):
        size = corp.documents.groupby("source", sort=False)["n_sentences"].sum()
        order = sorted(range(len(sources)), key=lambda i: (-int(size.get(sources[i], 0)), i))
        keep = {sources[i] for i in order[:profiles]}
    else:
        wanted = [str(s).strip() for s in profiles if str(s).strip()]
        unknown = [s for s in wanted if s not in set(sources)]
        if unknown:
            raise FramelensError(f"--profiles: unknown source {unknown[0]!r} (run `framelens check` to list them)")
        keep = set(wanted)
    return [s for s in sources if s in keep], [s for s in sources if s not in keep]


def parse_profiles(text: str) -> int | list[str]:
    """``--profiles``: a number (the N largest sources; 0: all) or comma-separated source ids."""
    text = str(text).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    ids = [t.strip() for t in text.split(",") if t.strip()]
    if not ids:
        raise FramelensError(f"--profiles {text!r}: give a number or source ids separated by commas")
    return ids


@dataclass
class Plan:
    """Everything a run needs, checked before any kernel starts."""
    corpus_path: Path
    out_path: Path
    nb_dir: Path
    corpus: Any
    jobs: list[Job]
    specs: dict[str, dict[str, dict[str, Any]]]
    user: list[tuple[str | None, str, Any]]
    inputs: dict[str, Any]
    load_warnings: list[str]
    notes: list[str]
    not_profiled: list[str]
    by: str = "source"
    unit_corpus: Any = None  # the corpus compared by ``by``
    store_root: Path | None = None  # the lens store holding the ingested corpus
    temp_store: bool = False  # a temporary store, removed after the run


def _run_by(per_nb: dict[str, dict[str, Any]]) -> str:
    """The comparison unit of a run: the ``by`` value the notebooks get (one for all of them)."""
    values = {str(v["by"]) for v in per_nb.values() if "by" in v}
    if len(values) > 1:
        raise FramelensError(f"--param by: one comparison unit per run (got {', '.join(sorted(values))})")
    return values.pop() if values else "source"


def plan_run(corpus, out, *, jobs: int, only, params, registry, notebooks_dir, profiles, say, store=None) -> Plan:
    """Check the paths, the parameters and the corpus, and list the notebook runs. Raises
    :class:`FramelensError` for bad input; starts no kernel. The corpus is checked by ingesting it
    into the lens store (``store``, else a temporary one beside ``out``, removed on error and
    after the run): batches mapped on a process pool, never the whole corpus in this process;
    the plan keeps its documents table."""
    registry = list(NOTEBOOKS if registry is None else registry)
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR).resolve()
    corpus_path = Path(corpus if corpus is not None else SEEDS_DIR).expanduser().resolve()
    out_path = Path(out).expanduser().resolve()
    if jobs < 1:
        raise FramelensError(f"--jobs {jobs}: must be at least 1")
    if not corpus_path.exists():
        raise FramelensError(f"{corpus_path}: no such file or folder")
    check_output_dir(out_path, corpus_path, nb_dir)
    if not out_path.parent.is_dir():
        raise FramelensError(f"{out_path.parent}: parent of the output folder does not exist")

    notes: list[str] = []
    selected = select_notebooks(registry, only, nb_dir, notes)
    if not selected:
        raise FramelensError(f"{nb_dir}: no notebooks to run")
    specs = {n.name: inspect_parameters(nb_dir / n.path) for n in selected}
    user = [p if isinstance(p, tuple) else parse_param(p) for p in params]
    per_nb = validate_params(user, specs)
    resolve_path_parameters(per_nb, specs, base=Path.cwd())
    for n in selected:
        if n.per_source and "source_id" not in specs[n.name]:
            raise FramelensError(f"{nb_dir / n.path}: runs once per source but has no 'source_id' parameter")

    # the corpus: validated once, before any kernel starts, as the lens store's ingest (map/reduce)
    inputs = hash_inputs(corpus_path)
    temp_store = not store
    store_root = Path(store).expanduser().resolve() if store else make_stage(out_path.parent)
    try:
        return _plan_jobs(corpus_path, out_path, nb_dir, selected, specs, user, per_nb, inputs, notes, profiles,
                          say, store_root, temp_store, jobs)
    except BaseException:
        if temp_store:
            shutil.rmtree(store_root, ignore_errors=True)
        raise


def stored_corpus(corpus_path: Path, store_root: Path, *, inputs: dict[str, Any], workers: int = 1, say=None):
    """The corpus ingested into the lens store at ``store_root`` (nothing to do when it is
    stored already): read in batches, the map steps on a pool of ``workers`` processes for a large
    input; returns its documents-only view (:attr:`framelens.store.lens_store.LensStore.view_corpus`, with the
    loader's warnings) — what a run plans with, never the text."""
    lens = LensStore(store_root, corpus_path, inputs=inputs)
    prog = as_progress(say)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if not lens.has_corpus():  # timed as its own phase ("ingest": partitions written)
                base = ingest_engine(inputs, workers)
                try:
                    with prog.phase("ingest", None, "partitions"):
                        lens.ingest(engine=TickingEngine(base, lambda label: prog.advance("ingest")
                                                         if label == "ingest" else None))
                finally:
                    base.close()
        except OSError as exc:  # a store that cannot take the corpus stops the run, as a part would
            raise FramelensError(f"{store_root}: the lens store cannot be written ({type(exc).__name__}: {exc})") from None
        return lens.view_corpus


def _plan_jobs(corpus_path, out_path, nb_dir, selected, specs, user, per_nb, inputs, notes, profiles, say,
               store_root, temp_store, jobs) -> Plan:
    corp = stored_corpus(corpus_path, store_root, inputs=inputs, workers=jobs, say=say)
    load_warnings: list[str] = list(dict.fromkeys(corp.warnings))
    for msg in load_warnings:
        say(f"framelens: warning: {msg}")

    import nbformat


    titles = {}
    for n in selected:
        try:
            titles[n.name] = site.notebook_title(nbformat.read(str(nb_dir / n.path), as_version=4), n.name)
        except Exception:
            titles[n.name] = n.name
    by = _run_by(per_nb)
    unit_corp = corp.by(by)  # an unknown column fails here, before any kernel
    for msg in unit_corp.warnings[len(corp.warnings):]:
        if msg not in load_warnings:
            load_warnings.append(msg)
            say(f"framelens: warning: {msg}")
    profiled, not_profiled = profile_sources(unit_corp, profiles)
    job_list: list[Job] = []
    for n in selected:
        base = {}
        if "corpus" in specs[n.name]:
            base["corpus"] = str(corpus_path)
        base.update(per_nb[n.name])
        if not n.per_source:
            job_list.append(Job(n, n.name, None, base, titles[n.name]))
            continue
        chosen = set(map(str, per_nb[n.name].get("sources") or profiled))
        used: set[str] = set()
        for s in [s for s in profiled if s in chosen]:
            run_name = f"{n.name}-{_slug(s)}"
            k = 2
            while run_name in used:  # two ids with the same file-safe form
                run_name, k = f"{n.name}-{_slug(s)}-{k}", k + 1
            used.add(run_name)
            job_list.append(Job(n, run_name, s, {**base, "source_id": s},
                                f"{titles[n.name]} — {unit_corp.label(s)}"))
    if any(n.per_source for n in selected) and not_profiled:
        notes.append(f"per-source profiles for the {len(profiled)} largest of {len(unit_corp.sources)} sources; "
                     f"the other {len(not_profiled)} are listed on the index (--profiles N or --profiles ID,ID,... "
                     "to choose)")
    return Plan(corpus_path, out_path, nb_dir, corp, job_list, specs, user, inputs, load_warnings, notes,
                not_profiled if any(n.per_source for n in selected) else [], by, unit_corp, store_root, temp_store)


class Reports:
    """The run's notebooks, executed on ``jobs`` threads (each run has its own kernel, one of the
    run's ``kernels`` started ahead when there is one: see :class:`framelens.run.kernels.Kernels`).

    ``ready``: each report's lens-store part folders (:func:`report_parts`). With it, a report
    starts as soon as the parts it reads are in the store — while the store is still computed for
    the others, on ``jobs - 1`` threads (the store's compute holds a core) — and every report may
    start once :meth:`store_done` is called; without it, all may start at once. Reports start in
    their order among those ready, the many short reports run once per source (the profiles) after
    the others, so that they, not a long one, fill the last slots. Each report's line is printed as
    it ends.

    A failing notebook does not stop the others. :meth:`abort` (an interrupt, including SIGTERM
    through the CLI, or a store that cannot be written) kills the kernels and waits briefly for the
    threads, so nothing writes into the staging folder after it is removed.
    """

    POLL = 0.2  # seconds between looks at the store while it is computed

    def __init__(self, jobs_list: list[Job], *, nb_dir: Path, stage: Path, out_path: Path, with_code: bool,
                 meta: str, jobs: int, say: Progress, kernels: Kernels,
                 ready: dict[str, list[Path]] | None = None, intro: str = ""):
        self.jobs_list, self.jobs, self.say, self.intro = list(jobs_list), max(1, int(jobs)), as_progress(say), intro
        self._run = (nb_dir, stage, out_path, with_code, meta)
        self.kernels = kernels
        self._ready = ready
        self._store_done = ready is None
        self._waiting = sorted(self.jobs_list, key=lambda j: j.source_id is not None)  # per source: last
        self._running = 0
        self._results: dict[str, Result] = {}
        self._cond = threading.Condition()
        self._cancel = threading.Event()
        self._threads: list[threading.Thread] = []
        self._exporter: cf.ProcessPoolExecutor | None = None
        self._started = False
        self._error: BaseException | None = None

    # ---------------------------------------------------------------- the run's side
    def start(self) -> "Reports":
        """Start the threads (once: a second call does nothing)."""
        if self._exporter is not None:
            return self
        self._exporter = export_pool(self.jobs)
        for i in range(min(self.jobs, len(self.jobs_list))):
            t = threading.Thread(target=self._worker, name=f"framelens-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def store_done(self) -> None:
        """The store is computed: every report may start, ``jobs`` at a time."""
        with self._cond:
            self._store_done = True
            self._cond.notify_all()

    def wait(self) -> list[Result]:
        """Wait for every report (an interrupt meanwhile: see :meth:`abort`); the results in the
        order of the jobs."""
        self.store_done()
        for t in self._threads:
            while t.is_alive():
                t.join(timeout=0.5)
        if self._error is not None:
            raise self._error
        check_interrupt()
        with self._cond:
            if self._started:
                self.say.end("notebooks")
        self._exporter.shutdown(wait=True)
        return [self._results[j.name] for j in self.jobs_list]

    def abort(self) -> None:
        """Stop: no report starts any more, the kernels are killed, the threads waited for briefly."""
        self._cancel.set()
        with self._cond:
            self._waiting.clear()
            self._cond.notify_all()
            if self._started:
                self.say.end("notebooks", silent=True)
                self._started = False
        self.kernels.kill_all()
        self.kernels.close()  # no kernel started ahead any more (those starting were just killed)
        deadline = time.monotonic() + 20
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        self.kernels.kill_all()  # a kernel that started while we waited
        stop_pool(self._exporter, kill=True)  # an export in progress writes nothing more (the processes hold our stderr)

    # ---------------------------------------------------------------- the threads' side
    def _is_ready(self, job: Job) -> bool:
        if self._store_done:
            return True
        files = self._ready.get(job.name)  # None: not known, so after the whole store
        return files is not None and all(f.is_file() for f in files)

    def _next(self) -> Job | None:
        """The next report to run (``None``: none left, or the run is stopped)."""
        with self._cond:
            while self._waiting and not self._cancel.is_set() and not _INTERRUPT.is_set():
                limit = self.jobs if self._store_done else self.jobs - 1
                job = next((j for j in self._waiting if self._is_ready(j)), None) if self._running < limit else None
                if job is not None:
                    self._waiting.remove(job)
                    self._running += 1
                    if not self._started:
                        self._begin()
                    return job
                self._cond.wait(timeout=None if self._store_done else self.POLL)
            return None

    def _begin(self) -> None:
        """The first report starts: its phase opens, and kernels are started ahead of the reports."""
        self._started = True
        total = len(self.jobs_list)
        if self.intro:
            self.say(self.intro)
        self.say.start("notebooks", total, "notebooks")
        self.kernels.expect(len(self._waiting) + 1, ahead=self.jobs)

    def _worker(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # the caller's progress callback, or a bug of the runner's: raised
            # again in wait(), and no other report starts
            with self._cond:
                self._error = self._error or exc
                self._cancel.set()
                self._cond.notify_all()

    def _work(self) -> None:
        nb_dir, stage, out_path, with_code, meta = self._run
        while (job := self._next()) is not None:
            res = _execute(job, nb_dir, stage, out_path, with_code, meta, self._cancel, self.kernels, self._exporter)
            with self._cond:
                self._running -= 1
                self._results[job.name] = res
                self._cond.notify_all()
                if not self._cancel.is_set():
                    self._report(job, res)  # the caller's progress callback: if it raises, see _worker

    def _report(self, job: Job, res: Result) -> None:
        say = self.say
        say.advance("notebooks")
        line = f"[{len(self._results)}/{len(self.jobs_list)}] {job.name} ... " \
               f"{'ok' if res.status == 'ok' else 'FAILED'} ({res.seconds:.1f} s)"
        if res.status != "ok":
            line += f": {res.error}"
        say(line)
        if res.removed_unsafe:
            say(f"framelens: warning: {job.name}: removed {res.removed_unsafe} unsafe HTML item(s) "
                "(script/event handler) from the report; some output was not HTML-escaped")


def run_suite(
    corpus: str | os.PathLike | None = None,
    out: str | os.PathLike = "outputs",
    *,
    jobs: int = 2,
    only: Iterable[str] | None = None,
    with_code: bool = False,
    params: Sequence[str] | Sequence[tuple[str | None, str, Any]] = (),
    registry: Sequence[Notebook] | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    progress: Progress | None = _stderr,
    command: str = "",
    profiles: int | Sequence[str] | None = DEFAULT_PROFILES,
    store: str | os.PathLike | None = None,
    by: str | None = None,
    dask: Any = None,
    kernels_ahead: bool = True,
) -> RunSummary:
    """Execute the suite on ``corpus`` and write the report site into ``out``.

    Phases: :func:`plan_run` (paths, parameters, corpus: bad input raises :class:`FramelensError`
    before any kernel starts) → the run lock (:class:`RunLock`) → a staging folder → the store and
    the reports (:class:`Reports`, :func:`beside_store`) → the article pages → provenance and
    index → :func:`_commit` (moved into place).
    A failing notebook does not raise: see ``RunSummary.failed``. ``profiles``: how many per-source
    profiles (the largest sources) or which ones (see :func:`profile_sources`). ``store``: a lens
    store folder to keep and reuse across runs (default: a temporary one, removed after the run).
    ``by``: the comparison unit (a manifest column or a period, see
    :meth:`framelens.read.corpus.Corpus.by`); the same as ``params=[(None, "by", ...)]``.
    ``dask``: compute the lens store's map steps on Dask — ``"local"`` (a LocalCluster of
    ``jobs`` workers, closed after the store is computed), a scheduler address
    (``"tcp://HOST:8786"``) or a ``dask.distributed.Client`` (see :func:`framelens.store.parts.compute`).
    ``kernels_ahead``: start the reports' kernels ahead (:class:`Kernels`; ``False``: papermill's own).
    """
    skip_slow_optional_imports()
    lean_arrow_memory()  # this process and the workers and kernels it starts
    t_start = time.perf_counter()
    started = _utc_now()
    say = as_progress(True if progress is _stderr else progress)  # phases timed, even when quiet
    params = [*params, (None, "by", str(by))] if by else params
    _INTERRUPT.clear()
    zygote = Zygote() if kernels_ahead and Zygote.possible() else None  # its imports beside the ingest
    plan, store_writable = _checked_plan(corpus, out, store, zygote, jobs=jobs, only=only, params=params,
                                         registry=registry, notebooks_dir=notebooks_dir, profiles=profiles, say=say)
    say.record("load", time.perf_counter() - t_start)  # no line: a refused run prints only its error
    out_path = plan.out_path
    for note in plan.notes:
        say(f"framelens: note: {note}")

    with RunLock(out_path, command):
        for old in remove_stale_stages(out_path.parent):
            say(f"framelens: note: removed {old.name}, left by an interrupted run")
        stage = make_stage(out_path.parent)
        kernels = kernels_for(plan, jobs=jobs, ahead=kernels_ahead, zygote=zygote)
        reports = _reports(plan, stage, with_code=with_code, started=started, jobs=jobs, say=say, kernels=kernels)
        try:
            store_root = plan.store_root
            previous = _prepare_stage(plan, stage, store_root, keep_previous=bool(only))
            if beside_store(plan):  # each report as soon as the parts it reads are stored
                reports.start()
            with say.phase("store", None, ""):
                store_notes = compute_store(plan, store_root, workers=jobs, say=say, dask=dask)
            stop_on_store_errors(store_notes["failures"], store_root, store_writable)
            ordered = reports.start().wait()
            _write_articles(plan, store_root, stage, jobs=jobs, say=say)
            prov = _provenance(plan, ordered, previous, stage, registry, started=started, command=command,
                               jobs=jobs, with_code=with_code, duration=time.perf_counter() - t_start)
            _write_index(prov, ordered, stage, store=store, store_root=store_root, store_notes=store_notes, say=say)
            _commit(stage, out_path)
        except BaseException:
            reports.abort()
            raise
        finally:
            kernels.close()
            shutil.rmtree(stage, ignore_errors=True)
            if plan.temp_store:
                shutil.rmtree(plan.store_root, ignore_errors=True)
    return RunSummary(out=out_path, results=ordered, provenance=prov, warnings=plan.load_warnings)


def _checked_plan(corpus, out, store, zygote: Zygote | None, **kw: Any) -> tuple[Plan, bool]:
    """The store's and the output folder's checks, then :func:`plan_run` (``kw``: its options);
    whether the store is writable. Input refused: the run's early ``zygote`` is ended."""
    try:
        store_writable = check_store(store, Path(corpus if corpus is not None else SEEDS_DIR).expanduser(),
                                     Path(out).expanduser())
        RunLock(Path(out).expanduser().resolve()).check_free()  # a live run into `out`: stop before the ingest
        return plan_run(corpus, out, store=store, **kw), store_writable
    except BaseException:
        if zygote is not None:
            zygote.discard()
        raise


def _reports(plan: Plan, stage: Path, *, with_code: bool, started: str, jobs: int, say: Progress,
             kernels: Kernels) -> Reports:
    """The run's reports (:class:`Reports`), each to start once the store parts it reads are stored."""
    total = len(plan.jobs)
    return Reports(plan.jobs, nb_dir=plan.nb_dir, stage=stage, out_path=plan.out_path, with_code=with_code,
                   meta=f"{plan.corpus_path.name} · {len(plan.corpus.documents)} documents · {started[:10]}",
                   jobs=jobs, say=say, kernels=kernels, ready=report_parts(plan, plan.store_root),
                   intro=f"framelens: running {total} notebook{'s' * (total != 1)} on {plan.corpus_path} "
                         f"({jobs} at a time, each once the store parts it reads are computed)")


def kernels_for(plan: Plan, *, jobs: int, ahead: bool = True, zygote: Zygote | None = None) -> Kernels:
    """The run's kernels (:class:`Kernels`; forked from ``zygote`` when given, started at the run's
    start so that its imports run beside the ingest). With ``ahead``, the first ``jobs`` start now,
    beside the store's compute, when that is short (a corpus of one partition,
    :data:`PARTITION_DOCUMENTS` articles: seconds); before a longer one they would wait through it
    holding about 200 MB each, so they start with the first report (:class:`Reports`)."""
    kernels = Kernels(plan.nb_dir if ahead else None, zygote=zygote)
    if beside_store(plan):
        kernels.expect(len(plan.jobs), ahead=jobs)
    return kernels


def beside_store(plan: Plan) -> bool:
    """Do reports (and their kernels) start while the store is computed? For a corpus of one
    partition (:data:`PARTITION_DOCUMENTS` articles), whose store takes seconds and leaves a core
    free for much of them: yes. A larger store keeps every core busy for minutes; reports beside it
    only took turns with it (10,000 articles: the same wall time, 1.3 GB more memory in all), so
    they start when it is done."""
    return len(plan.corpus.documents) <= PARTITION_DOCUMENTS


def _prepare_stage(plan: Plan, stage: Path, store_root: Path, *, keep_previous: bool) -> list[dict[str, Any]]:
    """The staging folder's subfolders (a partial run, ``--only``, keeps the other reports of an
    earlier run on the same corpus: returned) and each job's ``output_dir`` and ``store``."""
    out_path = plan.out_path
    previous = _previous(out_path, plan.inputs["digest"]) if keep_previous else []
    for sub in SUBDIRS:
        src = out_path / sub
        if previous and src.is_dir():
            shutil.copytree(src, stage / sub)
        else:
            (stage / sub).mkdir()
    for job in plan.jobs:
        if "output_dir" in plan.specs[job.notebook.name]:
            job.parameters["output_dir"] = str(stage)
        if "store" in plan.specs[job.notebook.name]:
            job.parameters["store"] = str(store_root)
    return previous


def _write_articles(plan: Plan, store_root: Path, stage: Path, *, jobs: int, say: Progress) -> None:
    """The run's article pages (timed; one line says what was written)."""
    t_pages = time.perf_counter()
    pages = site.write_run_articles(plan.corpus_path, store_root, stage, inputs=plan.inputs, workers=jobs)
    say.record("articles", time.perf_counter() - t_pages)  # timed; the line below says what was written
    say(f"framelens: articles: {pages['pages']:,} page{'s' * (pages['pages'] != 1)} of "
        f"{pages['articles']:,} articles ({pages['seconds']:.1f} s)")


def _write_index(prov: dict[str, Any], ordered: list[Result], stage: Path, *, store, store_root: Path,
                 store_notes: dict[str, Any], say: Progress) -> None:
    """``provenance.json`` and ``index.html`` in the staging folder (a temporary store is named so)."""

    prov["store"] = {"path": str(store_root) if store else "(temporary)", **store_notes}
    prov["timings"] = list(say.timings)  # each phase's seconds (make bench-scale reads them)
    for r in ordered:
        if r.parameters.get("store") == str(store_root) and not store:
            r.parameters = {**r.parameters, "store": "(temporary)"}
    (stage / "provenance.json").write_text(
        json.dumps(prov, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    (stage / "index.html").write_text(site.render_index(prov), encoding="utf-8")


def _job_requests(plan: Plan, job: Job) -> tuple[tuple[Any, ...], list[tuple[str, dict[str, Any]]]]:
    """The lens-store parts one report reads, with the options it will ask for (the notebook's
    declared defaults, overridden by the user's values), and its view
    ``(by, own_text, drop_near_duplicates, *sources)`` (the comparison unit, the text analysed and the
    selection)."""
    spec = plan.specs[job.notebook.name]
    declared = {}
    for k, sp in spec.items():
        try:
            declared[k] = ast.literal_eval(str(sp.get("default", "")))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    values = {**declared, **job.parameters}
    view = (str(values.get("by") or "source"), bool(values.get("own_text", False)),
            bool(values.get("drop_near_duplicates", False))) + tuple(sorted(str(x) for x in (values.get("sources") or [])))
    requests = []
    for part in job.notebook.parts:
        opts = options_for(part, values)
        if part == "profile":
            opts["source_id"] = job.source_id or values.get("source_id", "")
        requests.append((part, opts))
    return view, requests


def store_requests(plan: Plan) -> dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]]:
    """The lens-store parts the notebooks of a run will read, with the options each will ask for,
    grouped by view (see :func:`_job_requests`). Equal requests are listed once."""
    out: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = {}
    seen: set[str] = set()
    for job in plan.jobs:
        view, requests = _job_requests(plan, job)
        for part, opts in requests:
            key = json.dumps([view, part, opts], sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                out.setdefault(view, []).append((part, opts))
    return out


def report_parts(plan: Plan, root: Path) -> dict[str, list[Path]]:
    """Each report's lens-store parts, as the manifest file each part's folder has once it is
    stored: the parts the report reads and those they are built from (a report can start when all
    are there, see :class:`Reports`). A report whose parts cannot be named waits for the whole store."""
    lenses: dict[tuple, LensStore] = {}
    out: dict[str, list[Path]] = {}
    for job in plan.jobs:
        try:
            view, requests = _job_requests(plan, job)
            if view not in lenses:
                by, own, dedup, *sources = view
                lenses[view] = LensStore(root, plan.corpus_path, sources=sources, by=by, own_text=own,
                                         drop_near_duplicates=dedup, inputs=plan.inputs)
            lens = lenses[view]
            out[job.name] = [lens.corpus_dir / MANIFEST,
                             *(lens.part_dir(n, o) / MANIFEST for n, o in requested_parts(lens, requests))]
        except Exception:  # noqa: BLE001 - an option the store will refuse: it says so when computing
            continue
    return out


def compute_store(plan: Plan, root: Path, *, workers: int, say: Progress, dask: Any = None) -> dict[str, Any]:
    """Compute every lens-store part the run's notebooks read, before any notebook starts. A part
    that fails is reported (the notebooks that need it then show the error); it does not stop the
    run. ``dask``: where the map steps run (see :func:`run_suite`); one engine for the whole run.
    With a :class:`framelens.core.progress.Progress` as ``say``, the ingest and each part's map steps
    and reduce are shown and timed."""
    t0 = time.perf_counter()
    # serial below the pool's threshold; else up to `workers` processes, no more than the cores
    n_workers = parallel_workers(workers, sentences=int(plan.corpus.documents["n_sentences"].sum()))
    failures: list[str] = []
    engine = get_engine(dask, workers=workers) if dask not in (None, "") else None
    where = engine.describe() if engine is not None else ""
    if engine is not None:
        say(f"framelens: lens store on {where}")
    try:
        for (by, own, dedup, *sources), requests in store_requests(plan).items():
            try:
                failures += compute(plan.corpus_path, store=root, sources=sources, by=by, own_text=own,
                                    drop_near_duplicates=dedup, requests=requests,
                                    workers=n_workers, progress=say, inputs=plan.inputs,
                                    engine=engine)  # the corpus is in the store since the plan
            except FramelensError:
                raise
            except Exception as exc:  # a bug in a lens: the notebooks will show it
                failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        if engine is not None and engine is not dask:
            engine.close()
    check_interrupt()
    for f in failures:
        say(f"framelens: warning: lens store: {f}")
    return {"seconds": round(time.perf_counter() - t0, 2), "failures": failures,
            **({"engine": where} if engine is not None else {})}


def stop_on_store_errors(failures: list[str], root: Path, writable: bool = True) -> None:
    """A lens part that fails because the store cannot be written (or a read-only store that lacks
    a part) stops the run before any notebook starts, so the previous site stays as it was; a bug
    in one lens does not (its notebooks show the error)."""
    bad = [f for f in failures if _STORE_WRITE_ERROR.search(f)] or (failures if not writable else [])
    if bad:
        what = "is read-only and lacks a part this run needs" if not writable else "cannot be written"
        raise FramelensError(f"{root}: the lens store {what} ({bad[0]})")


def _provenance(plan: Plan, ordered: list[Result], previous: list[dict[str, Any]], stage: Path,
                registry: Sequence[Notebook] | None, *, started: str, command: str, jobs: int, with_code: bool,
                duration: float) -> dict[str, Any]:
    """The run's record (provenance.json), which the index page is drawn from."""
    for r in ordered:  # record the real output folder, not the staging one
        if r.parameters.get("output_dir") == str(stage):
            r.parameters = {**r.parameters, "output_dir": str(plan.out_path)}
    ran = {r.name for r in ordered}
    order = {n.name: i for i, n in enumerate(NOTEBOOKS if registry is None else registry)}
    merged = [{**prev, "earlier_run": True} for prev in previous
              if prev["name"] not in ran and (stage / str(prev.get("report", ""))).is_file()]
    all_results = merged + [r.as_dict() for r in ordered]
    all_results.sort(key=lambda r: (order.get(r.get("notebook", ""), 99), r.get("name", "")))
    corp = plan.corpus
    return {
        "framelens_version": package_versions().get("framelens", ""),
        "command": command,
        "started": started,
        "finished": _utc_now(),
        "duration_s": round(duration, 2),
        "jobs": jobs,
        "with_code": with_code,
        "corpus": {
            "path": str(plan.corpus_path), "name": plan.corpus_path.name,
            "n_documents": int(len(corp.documents)), "n_sources": len(corp.sources),
            "warnings": plan.load_warnings, **plan.inputs,
        },
        "by": plan.by,
        "sources": corpus_sources(plan.unit_corpus if plan.unit_corpus is not None else corp),
        "not_profiled": [{"source": s, "label": _text((plan.unit_corpus if plan.unit_corpus is not None else corp).label(s))} for s in plan.not_profiled],
        "user_parameters": [{"notebook": s, "name": k, "value": v} for s, k, v in plan.user],
        "versions": package_versions(),
        "results": all_results,
    }


def list_notebooks(registry: Sequence[Notebook] | None = None,
                   notebooks_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The suite with each notebook's parameters (name, type, default, help)."""
    skip_slow_optional_imports()
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR).resolve()
    rows = []
    for n in (NOTEBOOKS if registry is None else registry):
        path = nb_dir / n.path
        row: dict[str, Any] = {"name": n.name, "path": str(path), "present": path.is_file(),
                               "per_source": n.per_source, "parameters": []}
        if path.is_file():
            for name, spec in inspect_parameters(path).items():
                want = expected_type(spec)
                row["parameters"].append({"name": name, "type": want.__name__ if want else "any",
                                          "default": spec.get("default"), "help": spec.get("help", "")})
        rows.append(row)
    return rows
