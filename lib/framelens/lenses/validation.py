"""The validity figures the reports show, and the known failure modes run now.

The figures are computed by the validation harness outside the package (``python -m
tools.validate`` in a checkout, from the hand-labelled sets in ``tests/fixtures`` and, when given,
NewsMTSC): ``python -m tools.validate --write`` stores its summary table as
``data/validity.json``, which :func:`validity` reads. :func:`failure_modes` runs its examples
through framelens each time it is called; the lens store runs them once, where the scorers and the
tagger are already loaded (the ``failure_modes`` tables of the sentiment and framing parts), and
reports 03 and 04 show those tables, so no kernel loads TextBlob, NLTK and the tagger's lexicon
for eight examples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from framelens.lenses.framing import load_codebook
from framelens.lenses.sentiment import evidence_stance, target_sentiment
from framelens.resources.codebook import match_cues

GENERIC = ("conflict", "economic_consequences", "human_interest", "morality", "responsibility")
SUMMARY_COLUMNS = ["lens", "measure", "data", "n", "metric", "value", "low", "high", "baseline", "note"]


def validity_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("framelens") / "data" / "validity.json"))


def validity(lens: str | None = None) -> pd.DataFrame:
    """The stored validity table (``tools.validate.summary``, ``data/validity.json``) for one lens
    (``"sentiment"`` / ``"framing"``) or all."""
    p = validity_path()
    if not p.exists():
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    df = pd.DataFrame(json.loads(p.read_text(encoding="utf-8")), columns=SUMMARY_COLUMNS)
    return df if lens is None else df[df["lens"] == lens].reset_index(drop=True)


# ------------------------------------------------------------------------------ failure modes
def failure_modes(lens: str | None = None) -> pd.DataFrame:
    """Known failure modes, each with an example run through framelens now: ``lens, measure,
    failure, example, expected, got``. ``lens``: ``"sentiment"`` or ``"framing"`` (default both).
    The ``got`` column is computed, so the table shows what the code does today (a fixed failure
    would show the right answer — and the table would need editing)."""
    want = {"framing", "sentiment"} if lens is None else {lens}  # run only the examples of the lens shown
    cb = load_codebook() if "framing" in want else None

    def frames_of(text: str) -> str:
        if "framing" not in want:
            return ""
        got = match_cues(text, cb)
        got = got[got["frame"].isin(GENERIC)]
        return ", ".join(f"{f} ({c})" for f, c in zip(got["frame"], got["cues"])) or "no frame"

    def tone_of(text: str, target: str) -> str:
        if "sentiment" not in want:
            return ""
        i = text.index(target)
        sc, lab = target_sentiment(text, i, i + len(target))
        return f"{lab} ({sc:+.2f})"

    rows = [
        ("framing", "generic frames", "implicit framing: no cue word, no frame",
         "Donald Trump is using Stalinist techniques against climate science.", "morality",
         frames_of("Donald Trump is using Stalinist techniques against climate science.")),
        ("framing", "generic frames", "a negated cue still counts",
         "The inquiry did not blame the minister for the flooding.", "no responsibility (blame denied)",
         frames_of("The inquiry did not blame the minister for the flooding.")),
        ("framing", "generic frames", "a cue in another sense the constraints do not cover",
         "The company's new phone is a solution looking for a problem, reviewers joked.",
         "no responsibility (a product review)",
         frames_of("The company's new phone is a solution looking for a problem, reviewers joked.")),
        ("framing", "generic frames", "a quoted cue counts for the outlet that quotes it",
         "\"This is a war on drivers,\" the motoring group said of the new speed limit.",
         "conflict is the group's, not the outlet's",
         frames_of("\"This is a war on drivers,\" the motoring group said of the new speed limit.")),
        ("sentiment", "tone toward an actor", "bad news without evaluative words reads neutral",
         "Mayor Lin was convicted of fraud on Tuesday.", "negative toward Mayor Lin",
         tone_of("Mayor Lin was convicted of fraud on Tuesday.", "Mayor Lin")),
        ("sentiment", "tone toward an actor", "irony reads literally",
         "Great work, Mr Hale: a third bridge has collapsed on your watch.", "negative toward Mr Hale",
         tone_of("Great work, Mr Hale: a third bridge has collapsed on your watch.", "Mr Hale")),
        ("sentiment", "tone toward an actor", "the tone of a sentence about others spills onto a bystander",
         "Critics slammed the deal that Senator Ortiz attended as a guest.", "neutral toward Senator Ortiz",
         tone_of("Critics slammed the deal that Senator Ortiz attended as a guest.", "Senator Ortiz")),
        ("sentiment", "stance", "reporting bad events reads as a stance against the actor in them",
         "two mentions of a union in a strike report, mean −0.58, sd 0.32 (tests/fixtures/unseen, strike)",
         "neutral (the author takes no side)", str(evidence_stance(-0.58, 2, 0.32))),
    ]
    out = pd.DataFrame(rows, columns=["lens", "measure", "failure", "example", "expected", "got"])
    return out if lens is None else out[out["lens"] == lens].reset_index(drop=True)
