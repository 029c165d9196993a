"""Codebook validation (each error names file and line) and cue matching (known answers)."""

from __future__ import annotations

import textwrap

import pytest

from framelens.resources.codebook import load_codebook, match_cues
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
    assert str(e.value) == f"{p}:6: unknown cue class '<salary>' (known: <age>, <audience_kids>, <figure_age>, <figure_kin>, <kin_name>, <lie_place>, <money>, <ordinary_people>, <person_from>)"


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
    from framelens.lenses import framing

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
    ev = framing.frame_evidence(corp, "money", "a", top=1, codebook=classes_cb)
    # the sentence with the most hits comes first, with the class name as its cue
    assert ev[["hits", "cues", "text"]].values.tolist() == [[2, "<money>", "It cost 40 million euros, or £35m."]]


# ------------------------------------------------------------------ questions (Semetko & Valkenburg)
QUESTIONS = """
[[frame]]
id = "resp"
name = "Responsibility"
definition = "Who caused it, who can fix it."
cues = ["blame"]

  [[frame.question]]
  id = "R1"
  text = "Can the government alleviate the problem?"
  cues = ["government should", "promised to"]

  [[frame.question]]
  id = "R3"
  text = "Are solutions proposed?"
  cues = ["solution", "reform"]

  [[frame.question]]
  id = "V1"
  text = "A question about pictures."
  cues = []
"""


def test_questions_parse_and_hits_name_their_question(tmp_path):
    cb = load_codebook(_write(tmp_path, QUESTIONS, name="q.toml"))
    f = cb.frame("resp")
    assert f.cues == ("blame", "government should", "promised to", "solution", "reform")
    assert [q.id for q in f.questions] == ["R1", "R3", "V1"]
    assert f.question_of("reform") == "R3" and f.question_of("blame") == ""
    qt = cb.question_table()
    assert qt[["question", "n_cues"]].values.tolist() == [["R1", 2], ["R3", 2], ["V1", 0]]
    assert cb.table().loc[0, "questions"] == "R1, R3, V1"
    occ = match_cues("They blame the mayor; the government should propose a solution.", cb, hits=True)
    assert occ[["cue", "question"]].values.tolist() == [["blame", ""], ["government should", "R1"], ["solution", "R3"]]


@pytest.mark.parametrize("extra, line, why", [
    ('\n  [[frame.question]]\n  id = "R1"\n  text = "again"\n  cues = ["x"]\n', 24, "duplicate question id 'R1'"),
    ('\n  [[frame.question]]\n  id = "R9"\n  text = "t"\n  cues = ["x"]\n  colour = 1\n', 27, "unknown key 'colour' in question"),
    ('\n  [[frame.question]]\n  id = "R9"\n  cues = ["x"]\n', 23, "question 'R9' needs a non-empty 'text'"),
    ('\n  [[frame.question]]\n  id = "R9"\n  text = "t"\n  cues = ["reform"]\n', 26, "cue 'reform' answers both question 'R3' and 'R9'"),
    ('\n  [[frame.question]]\n  id = "R9"\n  text = "t"\n  cues = ["blame"]\n', 6, "'blame' is listed both in 'cues' and under question 'R9'"),
    ('\n  [[frame.question]]\n  id = "R9"\n  text = "t"\n  cues = ["a!b"]\n', 26, "question 'R9': bad cue"),
])
def test_question_errors_name_file_and_line(tmp_path, extra, line, why):
    p = _write(tmp_path, QUESTIONS + extra, name=f"qbad{abs(hash(extra)) % 10000}.toml")
    with pytest.raises(FramelensError) as e:
        load_codebook(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}:{line}: "), msg
    assert why in msg, msg


def test_frame_with_only_question_cues_is_valid_and_empty_everywhere_is_not(tmp_path):
    ok = '[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\n  [[frame.question]]\n  id = "Q"\n  text = "t"\n  cues = ["x"]\n'
    assert load_codebook(_write(tmp_path, ok, name="ok.toml")).frame("a").cues == ("x",)
    bad = '[[frame]]\nid = "a"\nname = "A"\ndefinition = "d"\n  [[frame.question]]\n  id = "Q"\n  text = "t"\n  cues = []\n'
    with pytest.raises(FramelensError, match="empty cue list"):
        load_codebook(_write(tmp_path, bad, name="bad.toml"))


def test_default_generic_frames_follow_semetko_valkenburg_questions():
    cb = load_codebook()
    expected = {"responsibility": ["R1", "R2", "R3", "R4", "R5"],
                "human_interest": ["H1", "H2", "H3", "H4", "H5"],
                "conflict": ["C1", "C2", "C3", "C4"], "morality": ["M1", "M2", "M3"],
                "economic_consequences": ["E1", "E2", "E3"]}
    for fid, qids in expected.items():
        f = cb.frame(fid)
        assert [q.id for q in f.questions] == qids
        assert all(f.question_of(c) for c in f.cues), fid     # every generic cue answers a question
        assert all(q.text.endswith("?") or "not measurable" in q.text for q in f.questions)
    assert sum(len(v) for v in expected.values()) == 20
    assert [f.id for f in cb.frames if f.family == "entman"] == [
        "problem_definition", "causal_interpretation", "moral_evaluation", "treatment_recommendation"]
    # responsibility covers the treatment, not only blame
    resp = cb.frame("responsibility")
    assert {"R1", "R3", "R5"} <= {resp.question_of(c) for c in ("government should", "solution", "urgent")}


@pytest.mark.parametrize("text, hi", [
    ("The Mother Jones investigation revealed the practice.", False),       # kin word in a name
    ("The president's eldest son, Tom, runs the firm.", False),            # kin of a public figure
    ("Senator Lee's wife attended the gala.", False),
    ("The 78-year-old president gave a speech.", False),                    # age identifying an office holder
    ("The report was shown on Big Brother.", False),
    ("Her mother was found dead in her flat.", True),
    ("A 12-year-old boy was injured.", True),
    ("Residents said they had lost their homes.", True),                    # ordinary people who speak
    ("Jane Collins, a nurse from Swindon, said it was hard.", True),       # the human-interest appositive
    ("Residents of the city pay more tax.", False),
])
def test_human_interest_people_and_exclusions(text, hi):
    got = match_cues(text)
    assert ("human_interest" in set(got["frame"])) is hi, match_cues(text, hits=True)


@pytest.mark.parametrize("cls, text, span", [
    ("kin_name", "a report by Mother Jones said", "Mother"),
    ("kin_name", "the Sisters of Mercy ran it", "Sisters"),
    ("figure_kin", "Whitmore's eldest son, Brandon, said", "Whitmore's eldest son"),
    ("figure_kin", "President Ana Ruiz's daughter", "President Ana Ruiz's daughter"),
    ("figure_age", "the 62-year-old chief executive", "62-year-old chief executive"),
    ("ordinary_people", "Tenants fear eviction", "Tenants fear"),
    ("person_from", "Gareth Price, a delivery driver from Swansea, said", ", a delivery driver from S"),
])
def test_people_cue_classes(cls, text, span):
    from framelens.resources.codebook import _CLASS_RE

    m = _CLASS_RE[cls].search(text)
    assert m is not None and m.group(0) == span


@pytest.mark.parametrize("cls, text", [
    ("kin_name", "Her mother said so."),
    ("kin_name", "Mother and child were safe."),
    ("figure_kin", "Marie's son died."),
    ("figure_age", "A 12-year-old boy was hurt."),
    ("ordinary_people", "Residents of the area"),
    ("person_from", "He flew from Paris."),
])
def test_people_cue_classes_negative(cls, text):
    from framelens.resources.codebook import _CLASS_RE

    assert _CLASS_RE[cls].search(text) is None


# ------------------------------------------------------------------ senses (issue 22)
def _frames_of(text: str) -> set[str]:
    return set(match_cues(text, load_codebook())["frame"])


def test_lie_of_place_is_not_morality():
    assert "morality" not in _frames_of("Scientists do not know how many lie below the ice.")
    assert "morality" not in _frames_of("The town lies on the coast, and bigger challenges lie ahead.")
    assert "morality" in _frames_of("The minister lied to parliament about the contract.")
    assert "morality" in _frames_of("Voters were told a lie about the hospital.")


def test_children_as_an_audience_are_not_human_interest():
    assert "human_interest" not in _frames_of("Kids will love the new season of the cartoon.")
    assert "human_interest" not in _frames_of("The studio's family-friendly film opens on Friday.")
    assert "human_interest" in _frames_of("Three kids were injured when the bus left the road.")


def test_generic_remedy_nouns_need_a_purpose_for_responsibility():
    assert "responsibility" not in _frames_of("The programme was broadcast on Sunday evening.")
    assert "responsibility" not in _frames_of("The proposal was discussed at length.")
    assert "responsibility" not in _frames_of("The device measures air quality every minute.")
    assert "responsibility" in _frames_of("The government announced measures to cut hospital waiting lists.")


def test_responsibility_covers_cause_and_remedy():
    assert "responsibility" in _frames_of("The flooding was caused by a pump the council failed to repair.")
    assert "responsibility" in _frames_of("Residents blamed the outage on years of underinvestment.")
    assert "responsibility" in _frames_of("Campaigners said more needs to be done before next winter.")
