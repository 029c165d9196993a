"""Errors and warnings raised by framelens.

Every problem with user input (a corpus, a manifest, a codebook, a parameter) is raised as
:class:`FramelensError` whose message reads ``"<what>: <why>"`` — usually ``"<file>: <why>"`` or
``"<file>:<line>: <why>"``. The command line prints it as one line,
``framelens: error: <message>``, and exits with status 2.
"""

from __future__ import annotations


class FramelensError(Exception):
    """A clear, one-line problem with the user's input or configuration."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class PartFailed(FramelensError):
    """A lens part the report needs failed when the store was computed (its reason in the message)."""


class Unavailable:
    """What a report section gets in place of a lens part that failed when the store was computed
    (:meth:`framelens.store.lens_store.LensStore.optional_part`): the part's name and the reason. It
    is false, and the functions that show such a section (``show_table``, ``export_table``, the
    notes that read the part) show the reason instead: the rest of the report is still made."""

    def __init__(self, part: str, reason: str):
        self.part, self.reason = part, reason

    def __bool__(self) -> bool:
        return False

    def clause(self) -> str:
        """``not available in this run: <reason>`` (to follow a section's name)."""
        return f"not available in this run: {self.reason.rstrip('.')}."

    def text(self) -> str:
        """One sentence for the report: what is missing and why."""
        return self.clause()[0].upper() + self.clause()[1:]

    def __repr__(self) -> str:
        return self.text()


class FramelensWarning(UserWarning):
    """Something worth telling the analyst that does not stop the run."""


def fail(what: object, why: str, *, line: int | None = None) -> FramelensError:
    """Build a :class:`FramelensError` naming ``what`` (a file, a column) and, if given, the line."""
    where = f"{what}:{line}" if line is not None else f"{what}"
    return FramelensError(f"{where}: {why}")


def parse_toml(text: str, display: object) -> dict:
    """Parse TOML text from the file ``display``; a syntax error becomes a one-line
    :class:`FramelensError` naming the file and the line (``<file>:<line>: not valid TOML (...)``)."""
    import re
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise fail(display, f"not valid TOML ({exc})", line=int(m.group(1)) if m else None) from None
