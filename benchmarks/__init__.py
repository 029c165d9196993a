"""framelens' benchmarks (``make bench``, ``make bench-scale``): harnesses that print figures beside
their targets and assert nothing. They live beside the package, not in it: the installed
``framelens`` never imports them. Run them from the repository's root as ``python -m
benchmarks.bench`` (what the Makefile does); data paths are arguments, with defaults in the
checkout (``seeds/``, ``tests/fixtures/unseen``).
"""
from __future__ import annotations

import os
from pathlib import Path

#: The checkout these harnesses belong to (their default data live there).
REPO = Path(__file__).resolve().parents[1]


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measuring subprocess (``python -c "from benchmarks import ..."``):
    this one, with the checkout first on ``PYTHONPATH`` so that the child imports these
    harnesses from any working folder."""
    out = dict(os.environ if env is None else env)
    out["PYTHONPATH"] = os.pathsep.join([str(REPO), *(p for p in out.get("PYTHONPATH", "").split(os.pathsep) if p)])
    return out
