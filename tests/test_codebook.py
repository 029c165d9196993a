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


# ------------------------------------------------------------------------------ cue classes
CLASSES = """
[[frame]]
id = "money"
name = "Money"
definition = "Amounts of money."
cues = ["<money>"]

[[frame]]
id = "age"
name = "Age"
definition = "A person's age."
cues = ["<age>"]
"""


@pytest.fixture()
def classes_cb(tmp_path):
    return load_codebook(_write(tmp_path, CLASSES, name="classes.toml"))


@pytest.mark.parametrize("text, span", [
    ("Trade reached $94.8 billion last year.", "$94.8 billion"),
    ("The total was US$94.8 billion.", "US$94.8 billion"),
    ("The trust diverted almost £40m of government money.", "£40m"),
    ("Google was fined €2bn.", "€2bn"),
    ("Profit of more than $100bn.", "$100bn"),
    ("The bill could exceed 3.5 billion euros.", "3.5 billion euros"),
    ("It would cost 9 million pounds a day.", "9 million pounds"),
    ("It could cost him millions of dollars.", "millions of dollars"),
    ("A loan of USD 5 million was signed.", "USD 5 million"),
    ("Tickets cost 500 EUR each.", "500 EUR"),
    ("He paid 300 dollars.", "300 dollars"),
    ("The fee is 5,000 tenge.", "5,000 tenge"),
    ("I spend $120 a month.", "$120"),
])
def test_money_class_positive(classes_cb, text, span):
    occ = match_cues(text, classes_cb, hits=True)
    assert occ[["frame", "cue"]].values.tolist() == [["money", "<money>"]]
    assert text[occ["start"][0]:occ["end"][0]] == span


@pytest.mark.parametrize("text", [
    "The figure was 94.8 last year.",
    "The 2024 budget was approved.",
    "Turnout was 78% and rose 5 percent.",
    "She bought 200 pounds of flour.",
    "He won 3 races in 2019.",
    "Mrs 5 and a $ sign.",
    "Some 650,000 visitors came over 2,100 years.",
])
def test_money_class_negative(classes_cb, text):
    assert "money" not in set(match_cues(text, classes_cb)["frame"])


@pytest.mark.parametrize("text, span", [
    ("One of them was 86-year-old Margaret Doyle.", "86-year-old"),
    ("A 12-year-old boy was rescued.", "12-year-old"),
    ("A man aged 34 was arrested.", "aged 34"),
    ("She is 12 years old.", "12 years old"),
    ("Five-year-olds start school.", "Five-year-olds"),
    ("He retired at the age of 70.", "at the age of 70"),
])
def test_age_class_positive(classes_cb, text, span):
    occ = match_cues(text, classes_cb, hits=True)
    assert occ[["frame", "cue"]].values.tolist() == [["age", "<age>"]]
    assert text[occ["start"][0]:occ["end"][0]] == span


@pytest.mark.parametrize("text", [
    "They agreed a 12-year plan.",
    "It happened 12 years ago.",
    "The aged cheese and the age of reason.",
    "A 150-year-old church stands there.",
])
def test_age_class_negative(classes_cb, text):
    assert match_cues(text, classes_cb).empty


def test_unknown_cue_class_is_an_error_naming_file_and_line(tmp_path):
    p = _write(tmp_path, '[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["cost",\n  "<salary>"]\n',
               name="badclass.toml")
    with pytest.raises(FramelensError) as e:
        load_codebook(p)
    assert str(e.value) == f"{p}:6: unknown cue class '<salary>' (known: <age>, <figure_age>, <figure_kin>, <kin_name>, <money>, <ordinary_people>, <person_from>)"


@pytest.mark.parametrize("cue", ["<money> fine", "<money", "money>"])
def test_cue_class_must_stand_alone(tmp_path, cue):
    p = _write(tmp_path, f'[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\ncues = ["{cue}"]\n',
               name=f"alone{abs(hash(cue)) % 1000}.toml")
    with pytest.raises(FramelensError, match=rf"^{p}:5: frame 'a': bad cue"):
        load_codebook(p)


def test_cue_class_in_exclusions(tmp_path):
    p = _write(tmp_path, """
    [[frame]]
    id = "old"
    name = "Old"
    definition = "Old things."
    cues = ["old"]
    exclude = ["<age>"]
    """, name="excl.toml")
    got = match_cues(["An old bridge.", "She is 12 years old.", "She is 12 years old, an old hand."], load_codebook(p))
    assert got[["sent_id", "hits"]].values.tolist() == [["s0", 1], ["s2", 1]]


def test_default_codebook_uses_classes():
    cb = load_codebook()
    assert "<money>" in cb.frame("economic_consequences").cues and "<money>" in cb.frame("economic").cues
    assert "<age>" in cb.frame("human_interest").cues
    got = match_cues(["Federal officials promised $150 million in reconstruction aid.",
                      "One of them was 86-year-old Margaret Doyle.",
                      "Exports reached 5 billion yuan.",
                      "The 2024 plan runs for 12 years."], cb)
    rows = got[["sent_id", "frame", "hits", "cues"]].values.tolist()
    assert ["s0", "economic_consequences", 1, "<money>"] in rows and ["s0", "economic", 1, "<money>"] in rows
    assert ["s1", "human_interest", 1, "<age>"] in rows
    # "yuan" (a word cue) lies inside the <money> span: one hit, not two
    assert ["s2", "economic_consequences", 1, "<money>"] in rows
    assert not any(r[0] == "s3" for r in rows)


def test_frame_salience_with_classes(tmp_path, classes_cb):
    import warnings

    import framelens as fl
    from framelens import framing

    d = tmp_path / "c"
    d.mkdir()
    (d / "a.txt").write_text("The deal is worth $2bn. A 12-year-old boy watched. Nothing else happened.\n"
                             "It cost 40 million euros, or £35m.", encoding="utf-8")
    (d / "b.txt").write_text("The 2024 budget passed. Officials met for 3 hours.", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = fl.load_corpus(d)
    sal = framing.frame_salience(corp, classes_cb, n_resamples=200).set_index(["source", "frame"])
    assert sal.loc[("a", "money"), ["sentences", "n_sentences", "hits"]].tolist() == [2, 4, 3]
    assert sal.loc[("a", "money"), "share"] == pytest.approx(0.5)
    assert sal.loc[("a", "age"), ["sentences", "hits"]].tolist() == [1, 1]
    words_a = int(corp.sentences.loc[corp.sentences["source"] == "a", "n_words"].sum())
    assert sal.loc[("a", "money"), "per_1000_words"] == pytest.approx(3000 / words_a)
    assert sal.loc[("b", "money"), "sentences"] == 0 and sal.loc[("b", "age"), "sentences"] == 0
    ev = framing.frame_evidence(corp, "money", "a", k=1, codebook=classes_cb)
    # the sentence with the most hits comes first, with the class name as its cue
    assert ev[["hits", "cues", "text"]].values.tolist() == [[2, "<money>", "It cost 40 million euros, or £35m."]]
