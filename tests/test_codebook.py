"""Codebook validation (each error names file and line) and cue matching (known answers)."""

from __future__ import annotations

import textwrap

import pytest

from framelens.codebook import load_codebook, match_cues, parse_codebook
from framelens.errors import FramelensError

GOOD = """
[codebook]
name = "test"

[[frame]]
id = "talks"
name = "Talks"
definition = "Negotiation."
cues = ["negotiate", "trade war", "peace talk*", "=rights"]
exclude = ["trade war games"]
citation = "none"

[[frame]]
id = "conflict"
name = "Conflict"
definition = "Fights."
cues = ["war", "attack"]
exclude = ["heart attack"]
"""


def _write(tmp_path, text, name="cb.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture()
def cb(tmp_path):
    return load_codebook(_write(tmp_path, GOOD))


def test_default_codebook_has_required_frames():
    cb = load_codebook()
    ids = cb.ids
    for fid in ["conflict", "economic_consequences", "human_interest", "morality", "responsibility"]:
        assert fid in ids and cb.frame(fid).family == "generic"
    assert sum(f.family == "policy" for f in cb.frames) == 9
    assert sum(f.family == "foreign_policy" for f in cb.frames) == 7
    assert all(f.cues and f.citation for f in cb.frames)


@pytest.mark.parametrize("text, line, why", [
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["x"]\ncolour = "red"\n', 6, "unknown key 'colour'"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = []\n', 5, "empty cue list"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["ok", "b*d"]\n', 5, "'*' is only allowed at the end"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["ab*"]\n', 5, "at least 3 letters"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["x"]\n\n[[frame]]\nid = "a"\nname = "B"\ndefinition = "d"\ncues = ["y"]\n',
     8, "duplicate frame id 'a'"),
    ('[[frame]]\nid = "a"\nname = "A"\ncues = ["x"]\n', 1, "missing 'definition'"),
    ('[[frame]]\nid = "Bad Id"\nname = "A"\ndefinition = "d"\ncues = ["x"]\n', 2, "must be lower-case"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["x"]\nmin_hits = 0\n', 6, "min_hits"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["x"]\nexclude_scope = "doc"\n', 6, "exclude_scope"),
    ('[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["x", "a!b"]\n', 5, "bad cue"),
    ('[codebook]\nname = "x"\nflavour = 1\n', 3, "unknown key 'flavour'"),
    ('title = "x"\n', 1, "unknown key 'title'"),
    ('[[frame]]\nid = "a"\nname = "A\n', 3, "not valid TOML"),
])
def test_validation_errors_name_file_and_line(tmp_path, text, line, why):
    p = _write(tmp_path, text, name=f"bad{abs(hash(text)) % 10000}.toml")
    with pytest.raises(FramelensError) as e:
        load_codebook(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}:{line}: "), msg
    assert why in msg


def test_missing_file():
    with pytest.raises(FramelensError, match="codebook not found"):
        load_codebook("/nonexistent/cb.toml")


def test_inflection_matches_through_lemma(cb):
    got = match_cues(["They negotiated all night.", "Negotiating is hard.", "The negotiation failed."], cb)
    assert got[["sent_id", "frame", "cues"]].values.tolist() == [["s0", "talks", "negotiate"], ["s1", "talks", "negotiate"]]


def test_multiword_case_and_prefix(cb):
    got = match_cues(["The TRADE WARS went on.", "Peace talks began.", "Peace-talking is not a word here."], cb)
    rows = got[["sent_id", "frame", "hits", "cues"]].values.tolist()
    # "trade war" is one talks hit; the "war" inside it is still a conflict hit (other frame)
    assert ["s0", "talks", 1, "trade war"] in rows and ["s0", "conflict", 1, "war"] in rows
    assert ["s1", "talks", 1, "peace talk*"] in rows
    assert not any(r[0] == "s2" and r[1] == "talks" for r in rows)


def test_exact_form_cue(cb):
    got = match_cues(["Human rights matter.", "Turn right here."], cb)
    assert got[["sent_id", "frame"]].values.tolist() == [["s0", "talks"]]


def test_exclusions_cancel_overlapping_hits_only(cb):
    got = match_cues(["He died of a heart attack.", "A heart attack, then an attack on the town."], cb)
    rows = got[["sent_id", "frame", "hits"]].values.tolist()
    assert rows == [["s1", "conflict", 1]]
    occ = match_cues("Trade war games were played.", cb, hits=True)
    assert "talks" not in set(occ["frame"])


def test_sentence_scope_and_min_hits(tmp_path):
    p = _write(tmp_path, """
    [[frame]]
    id = "f"
    name = "F"
    definition = "d"
    cues = ["storm", "flood"]
    exclude = ["weather report"]
    exclude_scope = "sentence"
    min_hits = 2
    """)
    cb = load_codebook(p)
    got = match_cues(["A storm and a flood.", "A storm came.", "The weather report: storm and flood."], cb)
    assert got[["sent_id", "hits"]].values.tolist() == [["s0", 2]]
    assert len(match_cues(["A storm came."], cb, min_hits=1)) == 1


def test_hits_offsets(cb):
    occ = match_cues("Nations negotiate.", cb, hits=True)
    assert occ[["cue", "i", "start", "end"]].values.tolist() == [["negotiate", 1, 8, 17]]


def test_generic_frames_on_unrelated_story():
    text = [
        "Protesters clashed with police outside parliament.",                 # conflict
        "The new tax will cost households an extra $300 a year.",             # economic consequences
        "Her daughter wept as the family buried their son.",                  # human interest
        "Critics called the decision morally wrong.",                         # morality
        "The mayor blamed the utility company for the outage.",               # responsibility
        "The weather was mild on Tuesday.",                                   # none
    ]
    got = match_cues(text, load_codebook().select(family="generic"))
    carried = set(zip(got["sent_id"], got["frame"]))
    assert {("s0", "conflict"), ("s1", "economic_consequences"), ("s2", "human_interest"),
            ("s3", "morality"), ("s4", "responsibility")} <= carried
    assert not any(s == "s5" for s, _ in carried)
