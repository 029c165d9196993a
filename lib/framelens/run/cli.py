"""The ``framelens`` command (also ``python -m framelens``).

    framelens run   [--corpus PATH] [--out DIR] [--by COLUMN] [--store DIR] [--jobs N] [--only NAMES] [--profiles N|IDS] [--with-code]
                    [--dask local|tcp://HOST:PORT]
                    [--param KEY=VALUE ...]
    framelens list  [--json]
    framelens check PATH
    framelens actors suggest CORPUS [--top N] [--min-mentions N]   > my_actors.toml

Exit status: 0 success; 1 a notebook failed (the others' reports are written, the index marks
the failure) or an internal error; 2 bad input, bad parameters or bad usage (one line on stderr:
``framelens: error: <message>``, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
import warnings

from framelens.errors import FramelensError
from framelens.core.engine import require_dask
from framelens.lenses import actors
from framelens.lenses.overview import check
from framelens.read.corpus import load_corpus
from framelens.run import runner

PROG = "framelens"


def _err(message: str) -> None:
    line = " ".join(str(message).split())  # one line, whatever the message holds
    print(f"{PROG}: error: {line}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compare how news outlets frame the same event: run the notebook suite and write HTML reports.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser("run", help="run the notebooks on a corpus and write the report site",
                       description="Run the notebook suite on a corpus and write reports, tables, figures and index.html.")
    r.add_argument("--corpus", metavar="PATH", default=None,
                   help=f"corpus folder (with or without sources.csv) or .csv/.jsonl file (default: {runner.SEEDS_DIR})")
    r.add_argument("--out", metavar="DIR", default="outputs", help="output folder (default: ./outputs)")
    r.add_argument("--jobs", "-j", metavar="N", type=int, default=2, help="notebooks run in parallel (default: 2)")
    r.add_argument("--only", metavar="NAMES", action="append", default=None,
                   help="run only these notebooks (comma-separated names or numbers, e.g. 02,03)")
    r.add_argument("--with-code", action="store_true", help="show the code cells in the HTML reports")
    r.add_argument("--by", metavar="COLUMN", default=None,
                   help="compare by this manifest column (outlet, genre, your own group, ...) or by period "
                        "(day, week, month, year) instead of source")
    r.add_argument("--store", metavar="DIR", default=None,
                   help="keep the lens store (every lens table, computed once) in DIR and reuse it in later runs "
                        "(default: a temporary store)")
    r.add_argument("--profiles", metavar="N|IDS", default=None,
                   help=f"per-source profiles: the N largest sources (default {runner.DEFAULT_PROFILES}; 0: all) "
                        "or comma-separated source ids")
    r.add_argument("--param", metavar="KEY=VALUE", action="extend", nargs="+", default=[],
                   help="set a notebook parameter (Python literal, else text); NOTEBOOK.KEY=VALUE for one notebook")
    r.add_argument("--dask", metavar="local|ADDRESS", default=None,
                   help="compute the lens store on Dask: 'local' starts a LocalCluster of --jobs workers, "
                        "tcp://HOST:PORT uses a running scheduler (workers need framelens and the same --store path)")
    r.add_argument("--quiet", "-q", action="store_true",
                   help="no progress (default: a bar per phase on a terminal, else one line per phase with its duration)")

    ls = sub.add_parser("list", help="list the notebooks and their parameters")
    ls.add_argument("--json", action="store_true", help="machine-readable output")

    c = sub.add_parser("check", help="load a corpus and print a summary (validates the input)")
    c.add_argument("path", metavar="PATH", help="corpus folder or .csv/.jsonl file")

    a = sub.add_parser("actors", help="the actor table a corpus gets: discover, review, edit, pass back",
                       description="Actor tables. `suggest` prints the table a corpus gets when none is given (the "
                                   "actors discovered in it, then the packaged countries and international "
                                   "organisations it mentions) as TOML, ready to edit and pass back with "
                                   "--param actors=FILE.")
    asub = a.add_subparsers(dest="actors_command", metavar="ACTION", required=True)
    s = asub.add_parser("suggest", help="print the discovered actor table as TOML (redirect it to a file)")
    s.add_argument("corpus", metavar="CORPUS", help="corpus folder or .csv/.jsonl file")
    s.add_argument("--top", metavar="N", type=int, default=30, help="discovered actors kept (default: 30)")
    s.add_argument("--min-mentions", metavar="N", type=int, default=2,
                   help="mentions an actor needs to be kept (default: 2)")
    return p


def _terminate(signum, frame):  # SIGTERM and Ctrl-C: noted (a KeyboardInterrupt can be lost), then raised
    runner.request_interrupt()
    raise KeyboardInterrupt


def _unraisable(info) -> None:
    """An interrupt that landed in a finalizer is dropped by Python with an "Exception ignored"
    traceback; the run has noted it (``runner.request_interrupt``) and stops: no traceback."""
    if not isinstance(info.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(info)


def cmd_run(args: argparse.Namespace) -> int:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _terminate)
        sys.unraisablehook = _unraisable

    if args.dask and args.dask.strip() not in ("serial", "processes", "pool"):

        require_dask()  # before any work: dask is the optional extra framelens[dask]
    progress = None if args.quiet else True  # stderr: bars on a terminal, else one line per phase
    command = " ".join(shlex.quote(a) for a in [PROG, *sys.argv[1:]]) if sys.argv else PROG
    profiles = runner.DEFAULT_PROFILES if args.profiles is None else runner.parse_profiles(args.profiles)
    summary = runner.run_suite(
        args.corpus, args.out, jobs=args.jobs, only=args.only, with_code=args.with_code,
        params=args.param, progress=progress, command=command, profiles=profiles, store=args.store, by=args.by,
        dask=args.dask,
    )
    index = summary.out / "index.html"
    n = len(summary.results)
    failed = summary.failed
    for r in failed:
        print(f"{PROG}: {r.name} {r.status}: {r.error} (report: {summary.out / r.report if r.report else '-'})",
              file=sys.stderr)
    print(f"{PROG}: wrote {index} ({n} report{'s' * (n != 1)}, {len(failed)} failed, "
          f"{summary.provenance.get('duration_s', 0):.1f} s)")
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = runner.list_notebooks()
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        flags = []
        if row["per_source"]:
            flags.append("once per source")
        if not row["present"]:
            flags.append("not present")
        print(row["name"] + (f"  ({'; '.join(flags)})" if flags else ""))
        for prm in row["parameters"]:
            note = f"  # {prm['help']}" if prm["help"] else ""
            print(f"    {prm['name']}: {prm['type']} = {prm['default']}{note}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from pathlib import Path


    # map/reduce over batches of the input: per-batch summaries merged, never the whole corpus's text;
    # a large file's batches are mapped on a pool of two processes
    path = Path(args.path).expanduser()
    big = path.is_file() and path.stat().st_size >= 3_000_000
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = check(args.path, workers=min(2, os.cpu_count() or 1) if big else 1)
    docs, t = summary.documents, summary.totals
    print(f"{args.path}: {len(docs):,} documents, {len(summary.sources):,} sources, "
          f"{t['paragraphs']:,} paragraphs, {t['sentences']:,} sentences, {t['tokens']:,} tokens")
    size = docs.groupby("source", sort=False).agg(n=("doc_id", "size"), words=("n_words", "sum"))
    for source in summary.sources:
        n, words = int(size.at[source, "n"]), int(size.at[source, "words"])
        print(f"  {source}: {summary.label(source)} — {n:,} document{'s' * (n != 1)}, {words:,} words")
    seen = set()
    for msg in [*summary.warnings, *(str(w.message) for w in caught)]:
        msg = " ".join(str(msg).split())
        if msg not in seen:
            seen.add(msg)
            print(f"{PROG}: warning: {msg}", file=sys.stderr)
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    from pathlib import Path


    if args.top < 1 or args.min_mentions < 1:
        raise FramelensError(f"actors suggest: --top and --min-mentions must be at least 1 "
                             f"(got {args.top}, {args.min_mentions})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(args.corpus)
    text = actors.suggest(corp, top=args.top, min_mentions=args.min_mentions, corpus_name=Path(args.corpus).name)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors: argparse prints and exits 2
    handler = {"run": cmd_run, "list": cmd_list, "check": cmd_check, "actors": cmd_actors}[args.command]
    try:
        return handler(args)
    except FramelensError as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was changed in the output folder", file=sys.stderr, flush=True)
        if any(t is not threading.main_thread() and t.is_alive() and not t.daemon for t in threading.enumerate()):
            sys.stdout.flush()
            os._exit(130)  # notebook threads cannot be interrupted; their kernels exit with us
        return 130
    except OSError as exc:  # e.g. permission denied, disk full
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _err(f"{where}{exc.strerror or exc}")
        return 2
    except Exception as exc:  # a bug, not bad input: still one line, ask for the traceback explicitly
        if os.environ.get("FRAMELENS_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc} (set FRAMELENS_DEBUG=1 to see the traceback)")
        return 1


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
