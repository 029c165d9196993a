"""Run the notebook suite on a corpus and write the report site (``framelens run``).

The suite is ONE list, :data:`NOTEBOOKS`: a notebook joins the run by being added there (name,
file, what it needs to run after, and whether it runs once per source with ``source_id``).

How a run works (:func:`run_suite`):

1. Check the paths: the corpus exists; the output folder is not the corpus folder, does not
   contain it and is not inside it; what a run replaces in an existing output folder
   (``notebooks/``, ``reports/``, ``tables/``, ``figures/``, ``findings/``, ``index.html``,
   ``provenance.json``) must have been written by framelens (the folder holds
   ``.framelens-output``) — so a typo never wipes someone's files. Other files are left alone.
2. Load the corpus once (bad input fails here, before any kernel starts, with a
   :class:`~framelens.errors.FramelensError`) — for the index page and the per-source runs.
3. Read every notebook's parameters with ``papermill.inspect_notebook`` and validate the user's
   ``--param`` values against them: unknown names and wrong types are errors (papermill alone
   only warns).
4. Execute the notebooks in-process with papermill's Python API (kernel ``python3``, cwd =
   the notebooks folder, absolute ``corpus``/``output_dir`` injected), independent ones in
   parallel on a thread pool (each papermill call starts its own kernel), and print one
   progress line per finished notebook. A notebook that fails keeps its partial report (papermill
   saves the executed notebook with the error; it is exported like the others); notebooks that
   depend on it are skipped; the rest still run.
5. Everything is written into a staging folder next to the output folder
   (``<parent>/.framelens-run-*``) and moved into place at the end, one ``os.replace`` per
   sub-folder and the index last: an interrupted run leaves the previous site intact.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import datetime as _dt
import hashlib
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

from .errors import FramelensError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
SEEDS_DIR = REPO_DIR / "seeds"
KERNEL = "python3"
SUBDIRS = ("notebooks", "reports", "tables", "figures", "findings")
MARKER = ".framelens-output"
RESERVED = {"corpus": "--corpus", "output_dir": "--out", "source_id": "the runner (one run per source)"}


@dataclass(frozen=True)
class Notebook:
    """One notebook of the suite.

    ``depends_on``: names of notebooks whose outputs this one reads (it runs after them and is
    skipped if one of them fails). ``per_source``: run once per source of the corpus, with the
    parameter ``source_id``.
    """

    name: str
    path: str
    depends_on: tuple[str, ...] = ()
    per_source: bool = False
    start_here: bool = False  # the index points readers to it first


#: The suite, in reading order. Add a notebook here and it is run, listed and indexed.
NOTEBOOKS: list[Notebook] = [
    Notebook("01_corpus_overview", "01_corpus_overview.ipynb"),
    Notebook("02_vocabulary", "02_vocabulary.ipynb"),
    Notebook("03_sentiment", "03_sentiment.ipynb"),
    Notebook("04_framing", "04_framing.ipynb"),
    Notebook("05_source_profile", "05_source_profile.ipynb", per_source=True),
    Notebook("06_synthesis", "06_synthesis.ipynb", start_here=True),
    Notebook("08_reuse", "08_reuse.ipynb"),
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
    (``02_vocabulary.min_count``) to that notebook only. Types must match the declared default.
    """
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
            want = expected_type(spec)
            if not type_ok(value, want):
                raise FramelensError(
                    f"--param {shown}={value!r}: {nb} expects {want.__name__} (default {spec.get('default')}), "
                    f"got {type(value).__name__}"
                )
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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hash_inputs(corpus: Path) -> dict[str, Any]:
    """SHA-256 of every input file (all non-hidden files of a corpus folder, or the file)."""
    if corpus.is_dir():
        files = sorted(p for p in corpus.rglob("*") if p.is_file() and not any(
            part.startswith(".") for part in p.relative_to(corpus).parts))
        base = corpus
    else:
        files, base = [corpus], corpus.parent
    rows = [{"path": p.relative_to(base).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)} for p in files]
    digest = hashlib.sha256("".join(f"{r['path']}\0{r['sha256']}\n" for r in rows).encode()).hexdigest()
    return {"files": rows, "digest": digest}


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
    from .overview import date_label

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
                return f"{'; '.join(uniq[:3])}; … ({len(uniq)} in all)"
            return "; ".join(uniq)

        n_words = int(d["n_words"].sum()) if "n_words" in d.columns else ""
        rows.append({
            "source": str(source), "label": _text(corp.label(source)), "outlet": col("outlet"),
            "title": col("title"), "published": col("published_label"), "genre": col("genre"),
            "url": col("url") if len(d) == 1 else "", "n_documents": int(len(d)), "n_words": n_words,
        })
    return rows


# ---------------------------------------------------------------------------------------------
# the corpus cache shared by the kernels of a run

CACHE_ENV = "FRAMELENS_CACHE_DIR"


def prewarm_cache(corp) -> Path | None:
    """Store the runner's loaded corpus in the cache the notebooks' ``load_corpus(corpus)`` will
    read (``$FRAMELENS_CACHE_DIR``), so no kernel loads the corpus from scratch. Best effort."""
    from .corpus import store_in_cache

    try:
        return store_in_cache(corp)
    except Exception:  # pragma: no cover - a cache is an optimisation, never a failure
        return None


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


def execute_notebook(src: Path, dst: Path, parameters: dict[str, Any], *, cwd: Path) -> None:
    """Parameterize ``src`` with papermill, execute it in a kernel whose working folder is
    ``cwd``, and write the executed notebook to ``dst``.

    papermill's own ``execute_notebook(cwd=...)`` changes the *process's* working folder
    (``os.chdir``) for the length of the run, which races between threads and can leave the
    process in a deleted folder. Here the kernel gets its folder from nbclient's
    ``resources={"metadata": {"path": ...}}`` (the kernel process starts there) and papermill
    never touches the process's folder. Raises papermill's ``PapermillExecutionError`` for a
    failing cell (the executed notebook, with the error, is written first).
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
    nb = papermill_engines.execute_notebook_with_engine(
        None, nb, kernel_name=KERNEL, input_path=str(src), output_path=None, progress_bar=False,
        log_output=False, resources={"metadata": {"path": str(cwd)}},
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )
    raise_for_execution_errors(nb, str(dst))  # writes dst (with an error cell) before raising
    nbformat.write(nb, str(dst))


def _execute(job: Job, nb_dir: Path, stage: Path, final: Path, with_code: bool, meta: str,
             cancel: threading.Event) -> Result:
    """Run one notebook into the staging folder and export its report (runs in a worker thread)."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from . import site

    t0 = time.perf_counter()
    src = nb_dir / job.notebook.path
    executed = stage / "notebooks" / f"{job.name}.ipynb"
    report = stage / "reports" / f"{job.name}.html"
    status, error, cell = "ok", "", None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("papermill").setLevel(logging.ERROR)  # parameters are validated already
            execute_notebook(src, executed, job.parameters, cwd=nb_dir)
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
            info = site.export_report(nb, report, title=title, meta=meta,
                                      failure=error if status != "ok" else None, with_code=with_code)
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
) -> RunSummary:
    """Execute the suite on ``corpus`` and write the report site into ``out``.

    Raises :class:`FramelensError` for bad input (corpus, output folder, parameters) before any
    notebook runs. A failing notebook does not raise: see ``RunSummary.failed``.
    """
    skip_slow_optional_imports()
    from . import site

    t_start = time.perf_counter()
    started = _utc_now()
    say = progress or (lambda line: None)
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
    for n in selected:
        if n.per_source and "source_id" not in specs[n.name]:
            raise FramelensError(f"{nb_dir / n.path}: runs once per source but has no 'source_id' parameter")

    # the corpus: validated once, before any kernel starts
    from .corpus import load_corpus

    load_warnings: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corp = load_corpus(corpus_path)
    for w in caught:
        msg = str(w.message)
        if msg not in load_warnings:
            load_warnings.append(msg)
    for msg in load_warnings:
        say(f"framelens: warning: {msg}")
    inputs = hash_inputs(corpus_path)

    # jobs
    import nbformat

    from . import site as _site

    titles = {}
    for n in selected:
        try:
            titles[n.name] = _site.notebook_title(nbformat.read(str(nb_dir / n.path), as_version=4), n.name)
        except Exception:
            titles[n.name] = n.name
    job_list: list[Job] = []
    for n in selected:
        base = {}
        if "corpus" in specs[n.name]:
            base["corpus"] = str(corpus_path)
        base.update(per_nb[n.name])
        if n.per_source:
            wanted = per_nb[n.name].get("sources") or corp.sources
            used: set[str] = set()
            for s in [s for s in corp.sources if str(s) in set(map(str, wanted))]:
                run_name = f"{n.name}-{_slug(s)}"
                k = 2
                while run_name in used:  # two ids with the same file-safe form
                    run_name, k = f"{n.name}-{_slug(s)}-{k}", k + 1
                used.add(run_name)
                job_list.append(Job(n, run_name, str(s), {**base, "source_id": str(s)},
                                    f"{titles[n.name]} — {corp.label(s)}"))
        else:
            job_list.append(Job(n, n.name, None, base, titles[n.name]))
    for note in notes:
        say(f"framelens: note: {note}")

    # staging
    try:
        stage = Path(tempfile.mkdtemp(prefix=".framelens-run-", dir=out_path.parent))
    except OSError as exc:
        raise FramelensError(f"{out_path.parent}: cannot create a staging folder ({exc.strerror})") from None
    results: dict[str, Result] = {}
    cancel = threading.Event()
    # the kernels share one loaded corpus through the on-disk cache (they inherit os.environ):
    # the user's $FRAMELENS_CACHE_DIR if set, else a hidden folder of the staging area, which is
    # deleted with it (never published)
    env_before = os.environ.get(CACHE_ENV)
    try:
        if not (env_before or "").strip():
            os.environ[CACHE_ENV] = str(stage / ".cache")
        prewarm_cache(corp)
        previous = _previous(out_path, inputs["digest"]) if only else []
        for sub in SUBDIRS:
            src = out_path / sub
            if previous and src.is_dir():
                shutil.copytree(src, stage / sub)
            else:
                (stage / sub).mkdir()
        for job in job_list:
            if "output_dir" in specs[job.notebook.name]:
                job.parameters["output_dir"] = str(stage)

        meta = f"{corpus_path.name} · {len(corp.documents)} documents · {started[:10]}"
        total = len(job_list)
        say(f"framelens: running {total} notebook{'s' * (total != 1)} on {corpus_path} ({jobs} at a time)")
        names = {j.notebook.name for j in job_list}
        pending = list(job_list)
        running: dict[cf.Future, Job] = {}
        done_nb: dict[str, list[str]] = {}  # notebook name → statuses of its runs
        finished = 0
        pool = cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="framelens")
        runs_of = {name: sum(j.notebook.name == name for j in job_list) for name in names}

        def deps_state(job: Job) -> str:
            deps = [d for d in job.notebook.depends_on if d in names]
            if any(len(done_nb.get(d, [])) < runs_of[d] for d in deps):
                return "wait"
            return "bad" if any(s != "ok" for d in deps for s in done_nb[d]) else "ready"

        try:
            while pending or running:
                progressed = True
                while progressed:
                    progressed = False
                    for job in list(pending):
                        state = deps_state(job)
                        if state == "wait":
                            continue
                        if state == "bad":
                            pending.remove(job)
                            bad = [d for d in job.notebook.depends_on if any(s != "ok" for s in done_nb.get(d, []))]
                            res = Result(job.name, job.notebook.name, job.title, job.source_id, "skipped", 0.0,
                                         job.parameters, report=f"reports/{job.name}.html",
                                         error=f"not run: {', '.join(bad)} failed")
                            site.error_page(stage / "reports" / f"{job.name}.html", title=job.title, message=res.error)
                            results[job.name] = res
                            done_nb.setdefault(job.notebook.name, []).append(res.status)
                            finished += 1
                            say(f"[{finished}/{total}] {job.name} ... skipped ({res.error})")
                            progressed = True
                            continue
                        if len(running) >= jobs:
                            break
                        pending.remove(job)
                        fut = pool.submit(_execute, job, nb_dir, stage, out_path, with_code, meta, cancel)
                        running[fut] = job
                        progressed = True
                if not running:
                    if pending:
                        raise FramelensError(
                            "notebook registry: circular depends_on among " + ", ".join(j.name for j in pending))
                    break
                done, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    res = fut.result()
                    results[job.name] = res
                    done_nb.setdefault(job.notebook.name, []).append(res.status)
                    finished += 1
                    line = f"[{finished}/{total}] {job.name} ... {'ok' if res.status == 'ok' else 'FAILED'} ({res.seconds:.1f} s)"
                    if res.status != "ok":
                        line += f": {res.error}"
                    say(line)
                    if res.removed_unsafe:
                        say(f"framelens: warning: {job.name}: removed {res.removed_unsafe} unsafe HTML item(s) "
                            "(script/event handler) from the report; some output was not HTML-escaped")
        except BaseException:
            cancel.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

        # results in registry order, merged with an earlier run's for --only
        ordered = [results[j.name] for j in job_list]
        for r in ordered:  # record the real output folder, not the staging one
            if r.parameters.get("output_dir") == str(stage):
                r.parameters = {**r.parameters, "output_dir": str(out_path)}
        merged: list[dict[str, Any]] = []
        ran = {r.name for r in ordered}
        order = {n.name: i for i, n in enumerate(registry)}
        for prev in previous:
            if prev["name"] not in ran and (stage / str(prev.get("report", ""))).is_file():
                merged.append({**prev, "earlier_run": True})
        all_results = merged + [r.as_dict() for r in ordered]
        all_results.sort(key=lambda r: (order.get(r.get("notebook", ""), 99), r.get("name", "")))

        duration = time.perf_counter() - t_start
        prov = {
            "framelens_version": package_versions().get("framelens", ""),
            "command": command,
            "started": started,
            "finished": _utc_now(),
            "duration_s": round(duration, 2),
            "jobs": jobs,
            "with_code": with_code,
            "corpus": {
                "path": str(corpus_path), "name": corpus_path.name,
                "n_documents": int(len(corp.documents)), "n_sources": len(corp.sources),
                "warnings": load_warnings, **inputs,
            },
            "sources": corpus_sources(corp),
            "user_parameters": [{"notebook": s, "name": k, "value": v} for s, k, v in user],
            "versions": package_versions(),
            "results": all_results,
        }
        (stage / "provenance.json").write_text(
            json.dumps(prov, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        (stage / "index.html").write_text(site.render_index(prov), encoding="utf-8")
        _commit(stage, out_path)
    finally:
        if env_before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = env_before
        shutil.rmtree(stage, ignore_errors=True)
    summary = RunSummary(out=out_path, results=ordered, provenance=prov, warnings=load_warnings)
    return summary


def list_notebooks(registry: Sequence[Notebook] | None = None,
                   notebooks_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The suite with each notebook's parameters (name, type, default, help)."""
    skip_slow_optional_imports()
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR).resolve()
    rows = []
    for n in (NOTEBOOKS if registry is None else registry):
        path = nb_dir / n.path
        row: dict[str, Any] = {"name": n.name, "path": str(path), "present": path.is_file(),
                               "depends_on": list(n.depends_on), "per_source": n.per_source, "parameters": []}
        if path.is_file():
            for name, spec in inspect_parameters(path).items():
                want = expected_type(spec)
                row["parameters"].append({"name": name, "type": want.__name__ if want else "any",
                                          "default": spec.get("default"), "help": spec.get("help", "")})
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# benchmark (``make bench``)


def empty_notebook(path: Path) -> Path:
    """A notebook with only a ``parameters`` cell (the suite's common parameters): the floor of
    what running a notebook through the runner costs."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook()
    nb.metadata.kernelspec = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    cell = new_code_cell('corpus: str = "../seeds"  # corpus folder or file\n'
                         'output_dir: str = "../outputs"  # where tables and figures go\n'
                         "seed: int = 0  # random seed\n"
                         "sources: list = []  # source ids; empty means all\n")
    cell.metadata.tags = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, str(path))
    return path


def benchmark_suite(jobs: int = 2, *, corpus: str | os.PathLike | None = None,
                    registry: Sequence[Notebook] | None = None,
                    notebooks_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """Wall time of the whole suite (default: the seeds) beside its floor.

    Runs the suite with :func:`run_suite` into a temporary folder, then runs the same number of
    notebook executions (per-source runs count one each; skipped ones not at all) of an empty
    notebook (:func:`empty_notebook`) through the same runner with the same job count — corpus
    check and load, parameter validation, kernels, HTML export, index. Returns ``suite`` and
    ``floor`` (seconds), ``notebooks`` (executions) and ``failed`` (names of failed runs).
    """
    with tempfile.TemporaryDirectory(prefix="framelens-bench-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        summary = run_suite(corpus, root / "suite", jobs=jobs, registry=registry,
                            notebooks_dir=notebooks_dir, progress=None)
        suite_s = time.perf_counter() - t
        executed = [r for r in summary.results if r.status != "skipped"]
        n = len(executed)
        nb_dir = root / "empty"
        nb_dir.mkdir()
        empty_notebook(nb_dir / "empty.ipynb")
        floor_registry = [Notebook(f"empty_{k:02d}", "empty.ipynb") for k in range(n)]
        t = time.perf_counter()
        floor = run_suite(corpus, root / "floor", jobs=jobs, registry=floor_registry, notebooks_dir=nb_dir,
                          progress=None)
        floor_s = time.perf_counter() - t
    return {"suite": suite_s, "floor": floor_s, "notebooks": n, "jobs": jobs,
            "failed": [r.name for r in summary.results if r.status != "ok"],
            "floor_failed": [r.name for r in floor.results if r.status != "ok"]}
