"""The analyst-editable configuration files, in one place.

Each file a notebook parameter can name (``--param codebook=my_codebook.toml``) has a loader
that validates it (errors name the file and line) and a packaged default in ``data/``:

========== ============================== =========================================
parameter  loader                          packaged default
========== ============================== =========================================
codebook   ``codebook.load_codebook``      ``data/codebook.toml``
actors     ``actors.load_actors``          ``data/actors.toml``
markers    ``framing.load_markers``        ``data/stance_markers.toml``
referents  ``vocabulary.load_referents``   ``data/referents.toml``
phrases    ``tokens.load_phrases``         ``data/phrases.toml``
stopwords  ``tokens.load_stopwords``       ``data/stopwords.txt``
========== ============================== =========================================

The loaders live with the module that uses the file; this table is how the runner checks a
file before any kernel starts and how the lens store hashes the files its tables depend on.
"""

from __future__ import annotations

import hashlib
from importlib import import_module, resources
from pathlib import Path
from typing import Any, Callable

from framelens.errors import FramelensError

#: parameter name → (module, loader function, packaged file name)
CONFIG_FILES: dict[str, tuple[str, str, str]] = {
    "codebook": ("framelens.resources.codebook", "load_codebook", "codebook.toml"),
    "actors": ("framelens.lenses.actors", "load_actors", "actors.toml"),
    "markers": ("framelens.lenses.framing", "load_markers", "stance_markers.toml"),
    "referents": ("framelens.lenses.vocabulary", "load_referents", "referents.toml"),
    "phrases": ("framelens.text.tokens", "load_phrases", "phrases.toml"),
    "stopwords": ("framelens.text.tokens", "load_stopwords", "stopwords.txt"),
}


#: the repository's top-level folders a wheel carries as package data (``setup.py`` copies them,
#: byte for byte, into ``framelens/_bundled/``)
BUNDLED = ("notebooks", "seeds")


def resources_path(name: str, *, package: str | Path | None = None) -> Path:
    """The folder ``name`` (``"notebooks"`` or ``"seeds"``): the copy bundled in an installed wheel
    (``framelens/_bundled/NAME``, found with :mod:`importlib.resources`) when it exists, else the
    repository's top-level folder (a source checkout or an editable install, which ``uv sync``
    makes). ``package``: the package folder to look in (default: this framelens)."""
    if name not in BUNDLED:
        raise FramelensError(f"{name}: not a bundled folder ({', '.join(BUNDLED)})")
    root = Path(package) if package is not None else Path(str(resources.files("framelens")))
    bundled = root / "_bundled" / name
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent.parent / name


def data_path(name: str) -> Path:
    """A file shipped in the package's ``data/`` folder."""
    return Path(str(resources.files("framelens") / "data" / name))


def default_path(kind: str) -> Path:
    """The packaged default file for a configuration ``kind`` (``codebook``, ``actors``, ...)."""
    try:
        return data_path(CONFIG_FILES[kind][2])
    except KeyError:
        raise FramelensError(f"{kind}: not a configuration file kind ({', '.join(CONFIG_FILES)})") from None


def loader(kind: str) -> Callable[[Any], Any]:
    module, func, _ = CONFIG_FILES[kind]
    return getattr(import_module(module), func)


def check(kind: str, path: str | Path) -> None:
    """Load ``path`` with the loader of ``kind`` to validate it (a :class:`FramelensError` names the
    file and line); kinds framelens does not know are only checked to exist."""
    path = Path(path)
    if not path.is_file():
        raise FramelensError(f"{path}: no such file")
    if kind in CONFIG_FILES:
        loader(kind)(path)


def file_digest(path: str | Path | None, kind: str | None = None) -> str:
    """SHA-256 of a configuration file (the packaged default when ``path`` is empty)."""
    p = Path(path) if path else (default_path(kind) if kind else None)
    if p is None:
        return ""
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
