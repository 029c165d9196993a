"""framelens.lenses.reuse: planted passages with known spans, edits and shares; boilerplate; no reuse."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import framelens
from framelens.lenses import reuse
from framelens.errors import FramelensError

# Distinct filler sentences (no shared phrasing), 12+ words each, plain words only (no hyphens,
# apostrophes or numbers), so word counts are the whitespace counts.
FILLER = [
    "The harbour authority counted twelve delayed ferries during the storm on Tuesday morning.",
    "Farmers in the northern valley planted barley earlier than usual because of the mild spring.",
    "A small museum reopened its textile gallery after two years of careful restoration work.",
    "Local bakers complained that flour prices had doubled since the autumn harvest failed.",
    "The city council postponed a vote on bicycle lanes until engineers finish their survey.",
    "Volunteers cleared plastic waste from the river banks over three consecutive weekends.",
    "Several schools extended their library hours so that pupils could study for examinations.",
    "An orchestra from the coast performed forgotten symphonies in a converted railway depot.",
    "Hospital managers hired additional nurses to shorten the waiting lists for knee surgery.",
    "Police closed the mountain pass after heavy snow trapped dozens of lorries overnight.",
    "The regional airline announced cheaper fares on routes linking smaller island airports.",
    "Engineers tested a floating solar array on the reservoir behind the old hydroelectric dam.",
    "Residents of the old quarter petitioned for quieter streets and fewer delivery vans.",
    "A chess club for retired teachers now meets every Thursday in the public library basement.",
    "Bird watchers reported an unusual number of storks nesting on chimneys near the lake.",
    "The football stadium will host an open air cinema festival during the summer holidays.",
    "Grocery chains promised to label imported vegetables more clearly after consumer complaints.",
    "Students built a weather station on the school roof and publish readings every hour.",
    "A landslide blocked the coastal railway, forcing commuters onto crowded replacement buses.",
    "The zoo welcomed twin panda cubs, and keepers said both were feeding well.",
    "Tax inspectors audited dozens of restaurants suspected of underreporting cash sales last year.",
    "A new ferry terminal with covered waiting rooms opened beside the fish market.",
    "Winemakers on the southern slopes expect a smaller but sweeter vintage this autumn.",
    "The university launched evening courses in carpentry, welding and plumbing for adults.",
    "Firefighters rescued a stranded hiker from a ledge above the frozen waterfall.",
    "Street musicians need a permit from next month, under rules approved by the mayor.",
    "A heatwave pushed electricity demand to a record as offices ran air conditioning.",
    "The national library digitized thousands of handwritten letters from emigrant families.",
    "Dentists warned that sugary drinks sold near schools were harming the teeth of children.",
    "Archaeologists uncovered a Roman mosaic beneath the car park of a supermarket.",
]

# The planted passage: three sentences, 16 + 15 + 14 = 45 words.
P1 = "The finance minister said the new budget would raise spending on rural roads and bridges next year."
P2 = "Critics argued that the plan relied on optimistic growth forecasts and ignored rising debt."
P3 = "The parliament is expected to debate the proposal before the end of the month."
P_WORDS = (17, 14, 14)

DISCLAIMER_1 = ("The views expressed in this article are those of the author and do not necessarily reflect "
                "the official policy or position of the publication.")
DISCLAIMER_2 = ("Disclaimer: The views and opinions expressed in this article are those of the author and do not "
                "necessarily reflect the position of this newspaper.")
FOOTER = "Our newsroom corrects errors promptly and welcomes tips from readers across the whole region."


def nwords(text: str) -> int:
    return len(text.replace(".", " ").replace(",", " ").replace(":", " ").split())


def test_hand_counts_of_the_planted_passage():
    assert tuple(nwords(p) for p in (P1, P2, P3)) == P_WORDS


def load(tmp_path: Path, docs: list[dict]):
    """A corpus from records ``{id, source, published?, text}`` (a .jsonl file)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(path)


def para(*sentences: str) -> str:
    return " ".join(sentences)


def replace_words(sentence: str, pairs: dict[str, str]) -> str:
    words = sentence.split(" ")
    for old, new in pairs.items():
        k = words.index(old)
        words[k] = new
    return " ".join(words)


def planted_corpus(tmp_path, b_passage: list[str], *, b_extra: list[str] | None = None):
    """Doc a (source alpha, 2024-03-01): F0–F4, P1–P3, F5–F6. Doc b (source beta, 2024-03-05):
    F10–F12, the given passage, F13. Listed b first (the orientation must come from the dates)."""
    a = [FILLER[0], FILLER[1], FILLER[2], FILLER[3], FILLER[4], P1, P2, P3, FILLER[5], FILLER[6]]
    b = [FILLER[10], FILLER[11], FILLER[12], *b_passage, FILLER[13], *(b_extra or [])]
    return load(tmp_path, [
        {"id": "b", "source": "beta", "published": "2024-03-05", "text": para(*b)},
        {"id": "a", "source": "alpha", "published": "2024-03-01", "text": para(*a)},
    ]), a, b


# --------------------------------------------------------------------------------------------
# Planted passages
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("candidates", ["all", "lsh"])
def test_verbatim_passage_spans_share_and_direction(tmp_path, candidates):
    corp, a, b = planted_corpus(tmp_path, [P1, P2, P3])
    p = reuse.shared_passages(corp, candidates=candidates)
    assert len(p) == 1
    row = p.iloc[0]
    # doc a was published first, so it is doc_a although it is listed second
    assert (row.doc_a, row.doc_b, row.source_a, row.source_b) == ("a", "b", "alpha", "beta")
    assert row.first == "a"
    assert row.sent_ids_a == ("a:s5", "a:s6", "a:s7")
    assert row.sent_ids_b == ("b:s3", "b:s4", "b:s5")
    assert row.words == row.words_b == sum(P_WORDS) == 45
    assert row.similarity == 1.0
    assert (row.n_added, row.n_removed, row.n_replaced) == (0, 0, 0)
    assert not row.reordered
    docs = reuse.document_reuse(corp, candidates=candidates).set_index("doc_id")
    words_a = sum(nwords(s) for s in a)
    words_b = sum(nwords(s) for s in b)
    assert docs.loc["a", "words"] == words_a and docs.loc["b", "words"] == words_b
    assert docs.loc["a", "reused_share"] == pytest.approx(round(45 / words_a, 4))
    assert docs.loc["b", "reused_share"] == pytest.approx(round(45 / words_b, 4))
    assert (docs.loc["a", "first_in"], docs.loc["a", "later_in"]) == (1, 0)
    assert (docs.loc["b", "first_in"], docs.loc["b", "later_in"]) == (0, 1)


@pytest.mark.parametrize("candidates", ["all", "lsh"])
def test_ten_percent_of_words_replaced(tmp_path, candidates):
    # 2 of 17, 1 of 14 and 1 of 14 words replaced: 4 of 45 words (9%)
    e1 = replace_words(P1, {"raise": "boost", "rural": "remote"})
    e2 = replace_words(P2, {"optimistic": "rosy"})
    e3 = replace_words(P3, {"debate": "discuss"})
    corp, _, _ = planted_corpus(tmp_path, [e1, e2, e3])
    p = reuse.shared_passages(corp, candidates=candidates)
    assert len(p) == 1
    row = p.iloc[0]
    assert row.sent_ids_a == ("a:s5", "a:s6", "a:s7") and row.sent_ids_b == ("b:s3", "b:s4", "b:s5")
    # similarity 2·LCS/(len_a + len_b) = 2·41/90
    assert row.similarity == pytest.approx(round(82 / 90, 4))
    assert row.n_replaced == 4 and row.n_added == 0 and row.n_removed == 0
    assert row.replaced == "raise → boost; rural → remote; optimistic → rosy; debate → discuss"
    ed = reuse.passage_edits(corp, candidates=candidates)
    assert ed[["sent_id_a", "sent_id_b", "op", "text_a", "text_b"]].values.tolist() == [
        ["a:s5", "b:s3", "replaced", "raise", "boost"], ["a:s5", "b:s3", "replaced", "rural", "remote"],
        ["a:s6", "b:s4", "replaced", "optimistic", "rosy"], ["a:s7", "b:s5", "replaced", "debate", "discuss"]]


@pytest.mark.parametrize("candidates", ["all", "lsh"])
def test_twenty_percent_of_words_edited_with_additions_and_removals(tmp_path, candidates):
    # P1: 3 of 17 replaced and "new" removed; P2: 3 of 14 replaced; P3: "quickly" added and 2 replaced.
    e1 = replace_words(P1, {"finance": "economy", "raise": "lift", "rural": "village"}).replace("the new budget", "the budget")
    e2 = replace_words(P2, {"Critics": "Opponents", "argued": "said", "optimistic": "rosy"})
    e3 = replace_words(P3, {"parliament": "assembly", "debate": "examine"}).replace("expected to", "expected quickly to")
    corp, _, _ = planted_corpus(tmp_path, [e1, e2, e3])
    p = reuse.shared_passages(corp, candidates=candidates)
    assert len(p) == 1
    row = p.iloc[0]
    assert row.sent_ids_a == ("a:s5", "a:s6", "a:s7") and row.sent_ids_b == ("b:s3", "b:s4", "b:s5")
    assert (row.words, row.words_b) == (45, 45)
    # LCS: 17−3−1 = 13, 14−3 = 11, 14−2 = 12 → 36 of 45 words kept; similarity 2·36 / (45 + 45)
    assert row.similarity == pytest.approx(0.8)
    assert (row.n_replaced, row.n_removed, row.n_added) == (8, 1, 1)
    assert row.removed == "new" and row.added == "quickly"
    assert "finance → economy" in row.replaced and "parliament → assembly" in row.replaced


@pytest.mark.parametrize("candidates", ["all", "lsh"])
def test_reordered_sentences_are_one_passage(tmp_path, candidates):
    corp, _, _ = planted_corpus(tmp_path, [P2, P3, P1])
    p = reuse.shared_passages(corp, candidates=candidates)
    assert len(p) == 1
    row = p.iloc[0]
    assert row.reordered
    assert row.sent_ids_a == ("a:s5", "a:s6", "a:s7") and row.sent_ids_b == ("b:s3", "b:s4", "b:s5")
    assert row.similarity == 1.0 and row.words == 45


def test_inserted_sentence_is_a_gap_inside_the_passage(tmp_path):
    corp, _, _ = planted_corpus(tmp_path, [P1, FILLER[20], P2, P3])
    row = reuse.shared_passages(corp).iloc[0]
    assert row.sent_ids_b == ("b:s3", "b:s5", "b:s6")
    assert row.gap_sent_ids_b == ("b:s4",) and row.gap_sent_ids_a == ()
    assert row.added == FILLER[20]


def test_one_sentence_needs_min_single_similarity_two_sentences_do_not(tmp_path):
    # P1 with 3 of 17 words replaced: similarity 2·14/34 = 0.82 alone; P2 with 4 of 14: 2·10/28 = 0.71
    e1 = replace_words(P1, {"finance": "economy", "raise": "lift", "rural": "village"})
    e2 = replace_words(P2, {"Critics": "Opponents", "argued": "said", "optimistic": "rosy", "rising": "mounting"})
    corp = load(tmp_path, [  # in a and b the two sentences are far apart; in c and d adjacent
        {"id": "a", "source": "alpha", "text": para(FILLER[0], P1, *FILLER[1:4], P2, FILLER[4])},
        {"id": "b", "source": "beta", "text": para(FILLER[10], e1, *FILLER[11:14], e2, FILLER[14])},
        {"id": "c", "source": "gamma", "text": para(FILLER[20], P1, P2, FILLER[21])},
        {"id": "d", "source": "delta", "text": para(FILLER[25], e1, e2, FILLER[26])},
    ])
    p = reuse.shared_passages(corp)
    ids = {(a, b): sorted(g["sent_ids_a"]) for (a, b), g in p.groupby(["doc_a", "doc_b"])}
    assert ids == {
        ("a", "b"): [("a:s1",)],                 # P1 (0.82) alone is kept, P2 (0.71) alone is not
        ("a", "c"): [("a:s1",), ("a:s5",)],      # verbatim, but not adjacent in a: two passages
        ("a", "d"): [("a:s1",)],
        ("b", "c"): [("b:s1",)],
        ("b", "d"): [("b:s1",), ("b:s5",)],
        ("c", "d"): [("c:s1", "c:s2")],          # adjacent on both sides: one passage of two pairs
    }
    cd = p[(p["doc_a"] == "c") & (p["doc_b"] == "d")].iloc[0]
    assert cd.similarity == pytest.approx(round(2 * (14 + 10) / 62, 4))  # 0.71 inside a passage is kept
    strict = reuse.shared_passages(corp, min_single_similarity=0.9)
    assert sorted(set(zip(strict["doc_a"], strict["doc_b"]))) == [("a", "c"), ("b", "d"), ("c", "d")]


def test_sentences_one_apart_join_one_passage_with_a_gap(tmp_path):
    corp = load(tmp_path, [
        {"id": "a", "source": "alpha", "text": para(FILLER[0], P1, FILLER[1], P2, FILLER[2])},
        {"id": "b", "source": "beta", "text": para(FILLER[10], P1, FILLER[11], P2, FILLER[12])},
    ])
    row = reuse.shared_passages(corp).iloc[0]
    assert row.sent_ids_a == ("a:s1", "a:s3") and row.gap_sent_ids_a == ("a:s2",) and row.gap_sent_ids_b == ("b:s2",)
    assert row.removed == FILLER[1] and row.added == FILLER[11]
    assert len(reuse.shared_passages(corp, max_gap=0)) == 2


def test_short_shared_sentence_is_below_min_words(tmp_path):
    short = "The minister resigned on Friday evening."  # 6 words
    corp = load(tmp_path, [
        {"id": "a", "source": "alpha", "text": para(FILLER[0], short, FILLER[1])},
        {"id": "b", "source": "beta", "text": para(FILLER[2], short, FILLER[3])},
    ])
    assert reuse.shared_passages(corp).empty
    assert len(reuse.shared_passages(corp, min_words=5)) == 1


def test_same_source_reuse_is_not_a_shared_passage_but_counts_for_near_duplicates(tmp_path):
    text = para(*FILLER[:6])
    corp = load(tmp_path, [
        {"id": "a1", "source": "alpha", "published": "2024-01-02", "text": text},
        {"id": "a2", "source": "alpha", "published": "2024-01-01", "text": text + " " + FILLER[7]},
        {"id": "b", "source": "beta", "text": para(*FILLER[10:16])},
    ])
    assert reuse.shared_passages(corp).empty
    nd = reuse.near_duplicates(corp)
    assert sorted(nd["doc_id"]) == ["a1", "a2"]
    assert nd.set_index("doc_id")["keep"].to_dict() == {"a1": False, "a2": True}  # a2 is earlier
    pairs = reuse.pair_reuse(corp)
    assert len(pairs) == 1 and pairs.iloc[0].same_source and pairs.iloc[0].near_duplicate
    words6 = sum(nwords(s) for s in FILLER[:6])
    assert pairs.iloc[0].share_a == pytest.approx(round(words6 / (words6 + nwords(FILLER[7])), 4))
    assert pairs.iloc[0].share_b == 1.0
    assert ("**Near-duplicates:** 2 articles fall into 1 group of near-identical articles; keeping one article "
            "per group would drop 1") in reuse.summary(corp).replace("\\", "")
    kept = reuse.drop_near_duplicates(corp)
    assert list(kept.documents["doc_id"]) == ["a2", "b"]
    assert set(kept.tokens["doc_id"].astype(str)) == {"a2", "b"}


def test_near_duplicate_threshold(tmp_path):
    corp = load(tmp_path, [
        {"id": "a", "source": "alpha", "text": para(*FILLER[:4])},
        {"id": "b", "source": "beta", "text": para(*FILLER[:4], *FILLER[10:14])},
    ])
    # all of a, about half of b is shared: not near-duplicates at 0.8, near-duplicates at 0.4
    assert reuse.near_duplicates(corp).empty
    assert sorted(reuse.near_duplicates(corp, threshold=0.4)["doc_id"]) == ["a", "b"]


# --------------------------------------------------------------------------------------------
# No reuse, boilerplate
# --------------------------------------------------------------------------------------------
def test_passage_in_many_documents_survives_over_full_lsh_buckets(tmp_path, monkeypatch):
    # seven outlets carry the same two sentences; with buckets capped at 2 members, the LSH links
    # them as a star around one sentence, and every pair of documents must still be aligned
    monkeypatch.setattr(reuse, "MAX_BUCKET", 2)
    docs = [{"id": f"d{k}", "source": f"s{k}", "text": para(FILLER[k], P1, P2, FILLER[k + 10])} for k in range(7)]
    corp = load(tmp_path, docs)
    r = reuse.analyze(corp, candidates="lsh")
    assert len(r.passages) == 21  # 7·6/2 pairs
    assert (r.passages["words"] == 31).all() and (r.passages["units_sharing"] == 7).all()
    o = reuse.common_origin(r)
    assert len(o) == 1 and o.iloc[0].n_units == 7


@pytest.mark.parametrize("chunk", [None, 1, 3])  # the sentence pairs read 1 or 3 at a time: the same
def test_cluster_above_the_clique_limit_is_aligned_as_a_star(tmp_path, monkeypatch, chunk):
    # the same seven documents, but a sentence in more than 3 documents is aligned with its first
    # document only: 6 pairs (d0 with each other), not 21; the facts say so
    if chunk:
        monkeypatch.setattr(reuse, "PAIR_CHUNK", chunk)
    monkeypatch.setattr(reuse, "MAX_BUCKET", 2)
    monkeypatch.setattr(reuse, "MAX_CLIQUE_DOCUMENTS", 3)
    docs = [{"id": f"d{k}", "source": f"s{k}", "text": para(FILLER[k], P1, P2, FILLER[k + 10])} for k in range(7)]
    corp = load(tmp_path, docs)
    r = reuse.analyze(corp, candidates="lsh")
    assert sorted(zip(r.passages["doc_a"], r.passages["doc_b"])) == [("d0", f"d{k}") for k in range(1, 7)]
    assert (r.passages["words"] == 31).all()
    assert r.stats["document_pairs_aligned"] == 6 and r.stats["star_cluster_documents"] == 7
    facts = dict(zip(*reuse.facts(r).T.to_numpy()))
    assert facts["document pairs aligned"] == ("6: the 7 articles of 2 sentence(s) found in more than 3 articles "
                                               "each with the sentence's first article only")


@pytest.mark.parametrize("chunk", [None, 1, 3])  # partners ranked for 1 or 3 rows' documents at a time
def test_each_article_is_aligned_with_its_strongest_partners(tmp_path, monkeypatch, chunk):
    # d0 and d1 share two sentences, d2 one with each: with one partner each, d0 and d1 keep each
    # other, d2 keeps d0 (a tie: the first in corpus order); the pair d1–d2 is found, not aligned
    if chunk:
        monkeypatch.setattr(reuse, "PAIR_CHUNK", chunk)
    monkeypatch.setattr(reuse, "MAX_PARTNERS", 1)
    docs = [{"id": "d0", "source": "s0", "text": para(FILLER[0], P1, P2, FILLER[10])},
            {"id": "d1", "source": "s1", "text": para(FILLER[1], P1, P2, FILLER[11])},
            {"id": "d2", "source": "s2", "text": para(FILLER[2], P1, FILLER[12])}]
    r = reuse.analyze(load(tmp_path, docs))
    assert sorted(zip(r.passages["doc_a"], r.passages["doc_b"])) == [("d0", "d1"), ("d0", "d2")]
    assert r.stats["document_pairs_found"] == 3 and r.stats["document_pairs_aligned"] == 2
    facts = dict(zip(*reuse.facts(r).T.to_numpy()))
    assert facts["document pairs aligned"] == "2 of 3 found: each article with at most the 1 articles it shares the most sentences with"
    # seven articles sharing the same two sentences, two partners each: 11 of the 21 pairs
    monkeypatch.setattr(reuse, "MAX_PARTNERS", 2)
    docs = [{"id": f"d{k}", "source": f"s{k}", "text": para(FILLER[k], P1, P2, FILLER[k + 10])} for k in range(7)]
    r = reuse.analyze(load(tmp_path / "seven", docs))
    assert sorted(zip(r.passages["doc_a"], r.passages["doc_b"])) == sorted(
        [("d0", "d1"), ("d0", "d2"), ("d1", "d2")] + [(a, f"d{k}") for k in range(3, 7) for a in ("d0", "d1")])


def test_ranges_of_documents_hold_about_the_limit():
    # weights 2, 0, 1 fit 3; the 5 is a range of its own; then the 1
    assert reuse._ranges(np.array([2, 0, 1, 5, 1]), 3) == [(0, 3), (3, 4), (4, 5)]
    assert reuse._ranges(np.array([1, 1]), 10) == [(0, 2)] and reuse._ranges(np.zeros(0), 3) == []


def test_keys_are_counted_chunk_by_chunk():
    k, c = reuse._count_keys([np.array([7, 3, 7]), np.array([], dtype=np.int64), np.array([3, 9, 7])])
    assert k.tolist() == [3, 7, 9] and c.tolist() == [2, 3, 1]


@pytest.mark.parametrize("cut", [0, 1, 2, 4])
@pytest.mark.parametrize("chunk", [1, 3, 100])  # pairs folded 1 or 3 at a time: the same
def test_strongest_partners_folded_range_by_range(cut, chunk, monkeypatch):
    monkeypatch.setattr(reuse, "TOP_CHUNK", chunk)
    # pairs 0-1 (3 shared), 0-2 (1), 1-2 (2), 2-3 (1), added in two ranges cut anywhere; one partner
    # each: 0 keeps 1, 1 keeps 0, 2 keeps 1 (2 shared), 3 keeps 2: pair 0-2 is nobody's strongest
    x, y, shared = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 3]), np.array([3, 1, 2, 1])
    top = reuse._TopPartners(1)
    top.add(x[:cut], y[:cut], shared[:cut])
    top.add(x[cut:], y[cut:], shared[cut:])
    assert [v.tolist() for v in top.pairs()] == [[0, 1, 2], [1, 2, 3]]
    top = reuse._TopPartners(3)  # nobody has more than 3 partners: all kept
    top.add(x[:cut], y[:cut], shared[:cut])
    top.add(x[cut:], y[cut:], shared[cut:])
    assert [v.tolist() for v in top.pairs()] == [[0, 0, 1, 2], [1, 2, 2, 3]]
    span = np.int64(10)  # the same pairs given as keys x * 10 + y
    key = x * span + y
    top = reuse._TopPartners(1)
    top.add_keys(key[:cut], span, shared[:cut])
    top.add_keys(key[cut:], span, shared[cut:])
    assert [v.tolist() for v in top.pairs()] == [[0, 1, 2], [1, 2, 3]]


def test_star_centres_give_their_document_pairs_range_by_range(monkeypatch):
    # centre sentence 0 (document 0) verified with sentences of documents 1, 2, 3; centre 10
    # (document 4) with document 1: pairs 0-1, 0-2, 0-3, 1-2, 1-3, 2-3 once and 1-4 once; document 0
    # is the smaller of 3 pairs, 1 of 3 (2, 3, 4), 2 of 1
    monkeypatch.setattr(reuse, "PAIR_CHUNK", 2)
    g = SimpleNamespace(doc_of=np.array([0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 4, 1]))
    vi, vj, vh = np.array([0, 0, 0, 10]), np.array([1, 2, 3, 11]), np.array([0, 0, 0, 10])
    stats = {}
    c = reuse._Cliques(g, vi, vj, vh, np.zeros(12, bool), stats)
    assert c.links(6).tolist() == [3, 3, 1, 0, 0, 0] and stats == {"star_clusters": 0, "star_cluster_documents": 0}
    span = np.int64(6)
    keys = sorted(k for lo, hi in [(0, 2), (2, 6)] for chunk in c.keys(lo, hi, span) for k in chunk.tolist())
    assert [(k // 6, k % 6) for k in keys] == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (1, 4), (2, 3)]
    monkeypatch.setattr(reuse, "MAX_CLIQUE_DOCUMENTS", 3)  # the first centre's 4 documents: a star
    c = reuse._Cliques(g, vi, vj, vh, np.zeros(12, bool), stats)
    assert stats == {"star_clusters": 1, "star_cluster_documents": 4} and c.links(6).tolist() == [0, 1, 0, 0, 0, 0]


def test_corpus_without_reuse_gives_no_pairs(tmp_path):
    corp = load(tmp_path, [
        {"id": "a", "source": "alpha", "text": para(*FILLER[0:10])},
        {"id": "b", "source": "beta", "text": para(*FILLER[10:20])},
        {"id": "c", "source": "gamma", "text": para(*FILLER[20:30])},
    ])
    r = reuse.analyze(corp)
    assert r.passages.empty and r.pairs.empty and r.boilerplate.empty and r.near_duplicates.empty
    assert list(r.passages.columns[:8]) == ["passage_id", "doc_a", "doc_b", "source_a", "source_b",
                                           "sent_ids_a", "sent_ids_b", "words"]
    assert (r.documents["reused_share"] == 0).all()
    assert reuse.unit_matrix(corp).to_numpy().sum() == 0
    assert reuse.own_text(corp) is corp
    assert reuse.summary(corp).startswith("**No passage is shared between sources**")
    assert reuse.headline(corp) == "No passage is shared between sources."
    lsh = reuse.analyze(corp, candidates="lsh")
    assert lsh.passages.empty and lsh.stats["verified_pairs"] == 0


def test_shared_disclaimer_removed_by_the_cleaner_is_boilerplate(tmp_path):
    corp = load(tmp_path, [
        {"id": "a", "source": "alpha", "text": para(*FILLER[0:5]) + "\n\n" + DISCLAIMER_1},
        {"id": "b", "source": "beta", "text": para(*FILLER[10:15]) + "\n\n" + DISCLAIMER_2},
    ])
    assert set(corp.audit["rule"]) == {"disclaimer"}
    r = reuse.analyze(corp)
    assert r.passages.empty
    assert len(r.boilerplate) == 1
    b = r.boilerplate.iloc[0]
    assert (b.kind, b.rules, b.sources, b.n_documents) == ("removed by the cleaner", "disclaimer", "alpha, beta", 2)
    assert b.sent_ids == ("a:a0", "b:a0")
    text = reuse.summary(r)
    assert "Boilerplate, not reuse:** disclaimer" in text, text
    assert "(2 documents, similarity ≥ 0.79): “The views expressed" in text  # curly: the text may open with a quote
    assert text.count("“") == text.count("”") == 1
    # a boilerplate sentence that is itself a quotation is shown as written, not in a second pair of marks
    assert reuse._quoted('"Clean athletes are the victims," he said.') == '"Clean athletes are the victims," he said.'
    assert reuse._quoted("Subscribe now.") == "“Subscribe now.”"
    assert "boilerplate reported apart: disclaimer (alpha, beta)" in reuse.headline(r)


def test_footer_repeated_by_one_source_is_boilerplate_not_reuse(tmp_path):
    docs = [{"id": f"a{k}", "source": "alpha", "text": para(*FILLER[3 * k:3 * k + 3], FOOTER)} for k in range(3)]
    # another outlet carries the same footer line once (e.g. a syndicated page): not content reuse
    docs.append({"id": "b", "source": "beta", "text": para(*FILLER[20:24], FOOTER)})
    corp = load(tmp_path, docs)
    assert corp.audit.empty  # the cleaner did not catch it: the repetition does
    r = reuse.analyze(corp)
    assert r.passages.empty
    assert len(r.boilerplate) == 1
    b = r.boilerplate.iloc[0]
    assert b.kind == "repeated by one source (alpha) in 3 of its documents" and b.n_documents == 4 and b.sources == "alpha, beta"
    assert b.text == FOOTER
    docs_t = r.documents.set_index("doc_id")
    assert docs_t.loc["b", "boilerplate_words"] == nwords(FOOTER)
    assert docs_t.loc["b", "words"] == sum(nwords(s) for s in FILLER[20:24])
    # the boilerplate is masked from "own text"
    assert reuse.reused_mask(corp).sum() == 4
    # an outlet that repeats the line in fewer than boilerplate_min_share of its documents: not boilerplate
    assert reuse.analyze(corp, boilerplate_min_share=1.0).boilerplate.empty is False  # 3 of 3
    extra = [{"id": f"x{k}", "source": "alpha", "text": FILLER[9 + k]} for k in range(8)]
    corp2 = load(tmp_path / "more", docs + extra)
    assert reuse.analyze(corp2, boilerplate_min_share=0.3).boilerplate.empty  # 3 of 11 < 30%
    assert len(reuse.analyze(corp2, boilerplate_min_share=0.25).boilerplate) == 1


def test_footer_repeated_by_several_sources_names_each_of_them(tmp_path):
    # two outlets each end three of their own, different articles with the same line: the cluster is
    # neither's alone, and its label says so (with each source's count, the most first)
    # (the label names the outlets as the rest of the report does, not by their ids)
    docs = [{"id": f"a{k}", "source": "alpha", "outlet": "Alpha Daily", "text": para(*FILLER[3 * k:3 * k + 3], FOOTER)}
            for k in range(3)]
    docs += [{"id": f"b{k}", "source": "beta", "outlet": "Beta Wire", "text": para(*FILLER[10 + 3 * k:13 + 3 * k], FOOTER)}
             for k in range(4)]
    r = reuse.analyze(load(tmp_path, docs))
    assert r.passages.empty and len(r.boilerplate) == 1
    b = r.boilerplate.iloc[0]
    assert b.kind == "repeated by each of 2 sources in several of its own documents (Beta Wire in 4, Alpha Daily in 3)"
    assert (b.sources, b.n_documents, b.n_sentences) == ("alpha, beta", 7, 7)
    many = [(f"s{k}", n) for k, n in enumerate([3, 5, 3, 9, 4])]
    assert reuse._repeated_kind(many) == ("repeated by each of 5 sources in several of its own documents "
                                          "(s3 in 9, s1 in 5, s4 in 4, s0 in 3, …)")
    assert reuse._repeated_kind([("s1", 6)]) == "repeated by one source (s1) in 6 of its documents"
    named = {"s1": "Xinhua", "s3": "Tengri News"}.get
    assert reuse._repeated_kind([("s1", 6)], name=named) == "repeated by one source (Xinhua) in 6 of its documents"
    assert reuse._repeated_kind([("s1", 2), ("s3", 2)], name=named) == (
        "repeated by each of 2 sources in several of its own documents (Xinhua in 2, Tengri News in 2)")


def test_story_updates_by_one_source_are_not_boilerplate(tmp_path):
    # one outlet publishes three versions of one story: the shared lead is reuse within a source
    # (near-duplicates), not boilerplate
    lead = [P1, P2, P3]
    docs = [{"id": f"a{k}", "source": "alpha", "text": para(*lead, *FILLER[k:k + 1])} for k in range(3)]
    docs.append({"id": "b", "source": "beta", "text": para(*FILLER[20:24], P1, P2, P3)})
    r = reuse.analyze(load(tmp_path, docs))
    assert r.boilerplate.empty
    assert len(r.passages) == 3 and set(r.passages["doc_b"]) | set(r.passages["doc_a"]) == {"a0", "a1", "a2", "b"}


def test_seeds_report_the_shared_disclaimer_as_boilerplate(seed_corpus):
    r = reuse.analyze(seed_corpus)
    assert r.passages.empty
    assert len(r.boilerplate) == 1
    b = r.boilerplate.iloc[0]
    assert (b.rules, b.sources, b.sent_ids) == ("disclaimer", "cgtn, astanatimes", ("cgtn:a0", "astanatimes:a2"))
    assert b.min_similarity == pytest.approx(0.69, abs=0.01)
    assert reuse.headline(r) == ("No passage is shared between sources; shared boilerplate reported apart: "
                                 "disclaimer (CGTN, The Astana Times).")


# --------------------------------------------------------------------------------------------
# Three units, matrices, own text
# --------------------------------------------------------------------------------------------
def three_outlets(tmp_path):
    return load(tmp_path, [
        {"id": "a", "source": "alpha", "published": "2024-03-02", "text": para(FILLER[0], P1, P2, P3, FILLER[1])},
        {"id": "b", "source": "beta", "published": "2024-03-01", "text": para(FILLER[10], P1, P2, P3)},
        {"id": "c", "source": "gamma", "published": "2024-03", "text": para(P1, P2, FILLER[20], FILLER[21])},
    ])


def test_passage_shared_by_three_units_is_a_likely_common_origin(tmp_path):
    corp = three_outlets(tmp_path)
    p = reuse.shared_passages(corp)
    assert len(p) == 3
    by = p.set_index(["doc_a", "doc_b"])
    assert by.loc[("b", "a"), "first"] == "b"           # 2024-03-01 before 2024-03-02
    assert by.loc[("a", "c"), "first"] == ""            # a day against a month in the same month
    assert by.loc[("b", "c"), "first"] == ""
    assert (p["units_sharing"] == 3).all() and p["group"].nunique() == 1
    o = reuse.common_origin(corp)
    assert len(o) == 1
    row = o.iloc[0]
    assert (row.n_units, row.n_documents, row.first) == (3, 3, "")  # c's day unknown: no single first
    assert row.words == 45 and row.units == "alpha, beta, gamma"


def test_unit_matrix_counts_reused_words(tmp_path):
    corp = three_outlets(tmp_path)
    m = reuse.unit_matrix(corp)
    assert m.loc["alpha", "beta"] == 45 and m.loc["beta", "alpha"] == 45
    assert m.loc["alpha", "gamma"] == 31 and m.loc["gamma", "beta"] == 31
    assert np.diag(m.to_numpy()).sum() == 0
    d = reuse.unit_matrix(corp, directed=True)
    assert d.loc["beta", "alpha"] == 45 and d.to_numpy().sum() == 45  # only b → a has a known order


def test_own_text_drops_reused_sentences(tmp_path):
    corp = three_outlets(tmp_path)
    mask = reuse.reused_mask(corp)
    assert list(mask.index) == list(corp.sentences["sent_id"])
    assert sorted(mask[mask].index) == ["a:s1", "a:s2", "a:s3", "b:s1", "b:s2", "b:s3", "c:s0", "c:s1"]
    own = reuse.own_text(corp)
    assert list(own.sentences["sent_id"]) == ["a:s0", "a:s4", "b:s0", "c:s2", "c:s3"]
    assert set(own.tokens["sent_id"].astype(str)) == set(own.sentences["sent_id"])
    assert set(own.terms["sent_id"].astype(str)) <= set(own.sentences["sent_id"])
    assert own.documents.set_index("doc_id")["n_words"].to_dict() == {
        "a": nwords(FILLER[0]) + nwords(FILLER[1]), "b": nwords(FILLER[10]),
        "c": nwords(FILLER[20]) + nwords(FILLER[21])}
    assert len(corp.sentences) == 13  # the input corpus is unchanged
    # keep_first: b published before a, so b keeps P3 (shared with a only); P1 and P2 are also in c,
    # whose day is unknown (same month as b), so they stay masked everywhere
    kf = reuse.reused_mask(corp, keep_first=True)
    assert sorted(kf[kf].index) == ["a:s1", "a:s2", "a:s3", "b:s1", "b:s2", "c:s0", "c:s1"]


def test_prepare_gives_the_lenses_a_corpus_of_own_text(tmp_path):
    from framelens.lenses import sentiment
    from framelens.lenses import vocabulary

    corp = three_outlets(tmp_path)
    assert reuse.prepare(corp) is corp
    own = reuse.prepare(corp, own_text=True)
    assert list(own.sentences["sent_id"]) == ["a:s0", "a:s4", "b:s0", "c:s2", "c:s3"]
    assert list(sentiment.sentence_scores(own)["sent_id"]) == list(own.sentences["sent_id"])
    assert set(vocabulary.distinctive_terms(own, min_count=1)["source"]) <= {"alpha", "beta", "gamma"}
    summ = reuse.own_text_summary(corp).set_index("source")
    assert summ[["sentences", "left_out"]].to_dict("index") == {
        "alpha": {"sentences": 5, "left_out": 3}, "beta": {"sentences": 4, "left_out": 3},
        "gamma": {"sentences": 4, "left_out": 2}}


# --------------------------------------------------------------------------------------------
# MinHash-LSH internals agree with datasketch
# --------------------------------------------------------------------------------------------
def test_signatures_equal_datasketch_minhash():
    from datasketch import MinHash

    sets = [["the", "minister", "said"], ["budget", "roads"], [], ["a"] * 3 + ["b"]]
    hashes = [reuse.word_hashes(sorted(set(s))) for s in sets]
    offsets = np.cumsum([0] + [len(h) for h in hashes])
    sig = reuse.signatures(offsets, np.concatenate(hashes), num_perm=32, seed=7, chunk=3)
    for k, s in enumerate(sets):
        m = MinHash(num_perm=32, seed=7, scheme="affine32")
        m.update_batch([w.encode("utf-8") for w in s])
        assert np.array_equal(sig[k], m.hashvalues.astype(np.uint32)), k


def test_lsh_buckets_equal_datasketch_lsh():
    from datasketch import MinHash, MinHashLSH

    rng = np.random.default_rng(0)
    vocab = [f"w{k}" for k in range(60)]
    base = [list(rng.choice(vocab, 12, replace=False)) for _ in range(30)]
    sets = base + [s[:10] + ["x1", "x2"] for s in base[:10]]  # ten near-copies
    hashes = [reuse.word_hashes(sorted(set(s))) for s in sets]
    offsets = np.cumsum([0] + [len(h) for h in hashes])
    sig = reuse.signatures(offsets, np.concatenate(hashes), num_perm=24, seed=0)
    keys = reuse._band_keys(sig, 6, 4)
    ours = set()
    for k in range(6):
        a, b = reuse._bucket_pairs(keys[k], np.arange(len(sets)))
        ours |= {(min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist())}
    lsh = MinHashLSH(num_perm=24, params=(6, 4))
    mh = []
    for k, s in enumerate(sets):
        m = MinHash(num_perm=24, seed=0, scheme="affine32")
        m.update_batch([w.encode() for w in sorted(set(s))])
        lsh.insert(k, m)
        mh.append(m)
    theirs = {(min(k, q), max(k, q)) for k in range(len(sets)) for q in lsh.query(mh[k]) if q != k}
    assert ours == theirs
    assert {(k, k + 30) for k in range(10)} <= ours


def test_big_buckets_are_linked_as_a_star():
    keys = np.array([5] * 6 + [7, 7, 9], dtype=np.uint64)
    a, b = reuse._bucket_pairs(keys, np.arange(9), cap=4)
    pairs = sorted(zip(a.tolist(), b.tolist()))
    assert pairs == [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (6, 7)]


# --------------------------------------------------------------------------------------------
# Contract
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("opts, message", [
    ({"min_similarity": 1.5}, "reuse: min_similarity must be a number in (0, 1], got 1.5"),
    ({"min_words": 0}, "reuse: min_words must be at least 1, got 0"),
    ({"candidates": "some"}, "reuse: candidates must be 'auto', 'lsh' or 'all', got 'some'"),
    ({"bandz": 3}, "reuse: unknown option 'bandz'"),
])
def test_bad_options_raise_one_line_errors(seed_corpus, opts, message):
    with pytest.raises(FramelensError) as exc:
        reuse.analyze(seed_corpus, **opts) if "bandz" not in opts else reuse.shared_passages(seed_corpus, **opts)
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)


def test_result_is_cached_per_corpus_and_options(seed_corpus):
    assert reuse.analyze(seed_corpus) is reuse.analyze(seed_corpus)
    assert reuse.analyze(seed_corpus, min_words=12) is not reuse.analyze(seed_corpus)
    r = reuse.analyze(seed_corpus)
    assert reuse.shared_passages(r) is r.passages
    with pytest.raises(FramelensError):
        reuse.shared_passages(r, min_words=3)


def test_reuse_tables_keep_evidence_ids(seed_corpus):
    r = reuse.analyze(seed_corpus)
    body = r.sentences[~r.sentences["removed_by_cleaner"]]
    assert list(body["sent_id"]) == list(seed_corpus.sentences["sent_id"])
    removed = r.sentences[r.sentences["removed_by_cleaner"]]
    assert removed["sent_id"].str.contains(r":a\d+(?:\.\d+)?$").all()
    # astanatimes: byline (a0), a two-sentence author bio (a1.0, a1.1), the disclaimer (a2)
    ast = removed[removed["doc_id"] == "astanatimes"]["sent_id"].tolist()
    assert ast[:4] == ["astanatimes:a0", "astanatimes:a1.0", "astanatimes:a1.1", "astanatimes:a2"]
    assert isinstance(r.documents, pd.DataFrame) and list(r.documents["doc_id"]) == list(seed_corpus.documents["doc_id"])


# --------------------------------------------------------------------------------------------
# The benchmark's corpus and scorer (the benchmark itself runs in `make bench`)
# --------------------------------------------------------------------------------------------
def test_bench_corpus_has_distinct_sentences_and_the_planted_copies(tmp_path):
    from benchmarks import reuse_bench

    path, truth = reuse_bench.synthetic_reuse_corpus(tmp_path, 40, n_planted=6, seed=1)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 40 and len({r["source"] for r in rows}) == reuse_bench.N_OUTLETS
    by_id = {r["id"]: r["text"] for r in rows}
    assert [t["level"] for t in truth] == [0.0, 0.1, 0.2, 0.0, 0.1, 0.2]
    for t in truth:
        assert all(s in by_id[t["recipient"]] for s in t["recipient_sentences"])
        assert 2 <= len(t["donor_sentences"]) <= 4
        if t["level"] == 0.0:
            assert sorted(t["recipient_sentences"]) == sorted(t["donor_sentences"])
        else:
            assert t["recipient_sentences"] != t["donor_sentences"]
    sentences = [s for r in rows for s in r["text"].replace("\n\n", " ").split(". ") if s]
    copies = sum(len(t["recipient_sentences"]) for t in truth)
    assert len(set(sentences)) >= len(sentences) - copies  # only planted copies repeat


def test_bench_scorer_counts_found_and_correct_passages():
    from benchmarks import reuse_bench

    sentences = pd.DataFrame({
        "sent_id": ["d:s0", "d:s1", "r:s0", "r:s1", "x:s0", "y:s0"],
        "doc_id": ["d", "d", "r", "r", "x", "y"],
        "text": ["One.", "Two.", "One.", "Two!", "Three.", "Four."],
    })
    truth = [{"donor": "d", "recipient": "r", "level": 0.1, "reordered": False,
              "donor_sentences": ["One.", "Two."], "recipient_sentences": ["One.", "Two!"], "origins": ["One.", "Two."]}]
    passages = pd.DataFrame({"doc_a": ["d", "x"], "doc_b": ["r", "y"], "sent_ids_a": [("d:s0",), ("x:s0",)],
                             "sent_ids_b": [("r:s0",), ("y:s0",)]})
    sc = reuse_bench.score(passages, sentences, truth)
    assert (sc["planted"], sc["reported"], sc["recall"], sc["precision"]) == (1, 2, 1.0, 0.5)
    assert sc["recall_complete"] == 0.0 and sc["recall_10pct"] == 1.0


# --------------------------------------------------------------------------------------------
# Map/reduce: any partitioning, any engine, the lens store, tasks that see only their documents
# --------------------------------------------------------------------------------------------
OTHER = [  # five more distinct sentences, for documents that share nothing
    "Ferry operators painted their oldest vessels bright yellow to attract summer tourists again.",
    "A retired judge donated her collection of rare maps to the provincial archive last week.",
    "Beekeepers counted fewer hives after a wet spring, though honey prices stayed stable.",
    "Cyclists raced through the vineyards in a charity event that raised money for orphans.",
    "The observatory invited families to watch a meteor shower from its hilltop terrace.",
]


def mixed_corpus(tmp_path):
    """16 documents of 7 outlets: a passage shared by four outlets (one copy edited, one reordered),
    a footer one outlet repeats, a disclaimer the cleaner removes in two outlets, near-duplicates of
    one outlet, dates of several precisions, and documents sharing nothing."""
    edited = [replace_words(P1, {"new": "revised", "rural": "remote"}), P2, P3]
    docs = [
        {"id": "d00", "source": "s0", "published": "2024-03-01", "text": para(FILLER[0], P1, P2, P3, FILLER[1])},
        {"id": "d01", "source": "s1", "published": "2024-03-03", "text": para(FILLER[2], *edited)},
        {"id": "d02", "source": "s2", "published": "2024-03", "text": para(P2, P1, FILLER[3], FILLER[4])},
        {"id": "d03", "source": "s3", "text": para(FILLER[5], P1, P2, FILLER[6], P3)},
        {"id": "d04", "source": "s4", "published": "2024-02-01",
         "text": para(*FILLER[7:10]) + "\n\n" + DISCLAIMER_1},
        {"id": "d05", "source": "s5", "published": "2024-02-02",
         "text": para(*FILLER[10:13]) + "\n\n" + DISCLAIMER_2},
    ]
    docs += [{"id": f"d{6 + k:02d}", "source": "s6", "published": f"2024-01-{10 + k}",
              "text": para(*FILLER[13 + 3 * k:16 + 3 * k], FOOTER)} for k in range(3)]
    docs += [{"id": f"d{9 + k:02d}", "source": "s0", "published": f"2024-04-0{1 + k}",
              "text": para(*FILLER[22:28], FILLER[28 + k])} for k in range(2)]
    docs += [{"id": f"d{11 + k:02d}", "source": f"s{k}", "text": para(text)} for k, text in enumerate(OTHER)]
    return load(tmp_path, docs)


def assert_same_result(a, b):
    for name in reuse.REUSE_TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False, obj=name)
    assert a.sources == b.sources and a.labels == b.labels


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return mixed_corpus(tmp_path_factory.mktemp("mixed"))


def test_the_mixed_corpus_holds_what_it_plants(mixed):
    r = reuse.analyze(mixed, candidates="lsh")
    # the four-outlet passage: 6 pairs of documents of different outlets, one group
    assert len(r.passages) == 6 and r.passages["group"].nunique() == 1 and (r.passages["units_sharing"] == 4).all()
    assert len(r.origins) == 1 and r.origins.iloc[0]["n_units"] == 4
    assert set(r.boilerplate["rules"]) == {"disclaimer", ""} and len(r.boilerplate) == 2
    nd = r.near_duplicates
    assert set(nd["doc_id"]) == {"d09", "d10"} and nd.loc[nd["keep"], "doc_id"].tolist() == ["d09"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
@pytest.mark.parametrize("candidates", ["all", "lsh"])
@pytest.mark.parametrize("partitions", [3, 16])
def test_equal_tables_for_any_partitioning(mixed, candidates, partitions):
    one = reuse.analyze(mixed, candidates=candidates)
    assert one.stats["partitions"] == 1
    many = reuse.analyze(mixed, candidates=candidates, partitions=partitions)
    assert many.stats["partitions"] == partitions
    assert_same_result(one, many)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
@pytest.mark.parametrize("candidates", ["all", "lsh"])
def test_equal_tables_for_tasks_of_two_documents(mixed, candidates, monkeypatch):
    one = reuse.analyze(mixed, candidates=candidates)
    monkeypatch.setattr(reuse, "TASK_DOCUMENTS", 2)  # every task reads at most 2 × 2 documents
    many = reuse.analyze(mixed, candidates=candidates, partitions=3)
    assert_same_result(one, many)
    assert one.stats["tasks"] <= 4 < 10 < many.stats["tasks"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_tiles_of_blocks_give_the_same_tables_in_fewer_tasks(mixed, monkeypatch):
    one = reuse.analyze(mixed, candidates="lsh")
    monkeypatch.setattr(reuse, "TASK_DOCUMENTS", 1)  # 16 blocks of one document
    blocks = reuse.analyze(mixed, candidates="lsh", partitions=3)  # TILES = 24: a tile is one block
    monkeypatch.setattr(reuse, "TILES", 4)  # 16 blocks → tiles of min(TILE_BLOCKS = 4, 16 / 4) = 4 blocks
    tiles = reuse.analyze(mixed, candidates="lsh", partitions=3)
    assert_same_result(one, blocks)
    assert_same_result(one, tiles)
    assert tiles.stats["tasks"] < blocks.stats["tasks"]


def test_pairs_are_grouped_by_their_pair_of_tiles():
    pa = np.array([0, 1, 5, 2, 3, 4, 0])
    pb = np.array([1, 0, 4, 3, 7, 0, 6])
    # one block per tile: block pairs {0,1}: 0, 1; {2,3}: 3; {0,4}: 5; {0,6}: 6; {3,7}: 4; {4,5}: 2
    assert [k.tolist() for k in reuse._partition_groups(pa, pb)] == [[0, 1], [5], [6], [3], [4], [2]]
    # tiles of 2 blocks (0-1, 2-3, 4-5, 6-7): {t0}: 0, 1; {t0,t2}: 5; {t0,t3}: 6; {t1}: 3; {t1,t3}: 4; {t2}: 2
    assert [k.tolist() for k in reuse._partition_groups(pa, pb, 2)] == [[0, 1], [5], [6], [3], [4], [2]]
    # tiles of 4 blocks (0-3, 4-7): {t0}: 0, 1, 3; {t0,t1}: 4, 5, 6; {t1}: 2
    assert [k.tolist() for k in reuse._partition_groups(pa, pb, 4)] == [[0, 1, 3], [4, 5, 6], [2]]


def test_sentence_ids_of_many_chunks_are_taken_from_one():
    col = pd.concat([pd.Series([f"d{k}:s{j}" for j in range(3)], dtype="string[pyarrow]") for k in range(4)],
                    ignore_index=True)
    assert col.array._pa_array.num_chunks == 4
    ids = reuse._Ids(col)
    assert ids.column.array._pa_array.num_chunks == 1
    assert ids[[11, 0, 4]].tolist() == ["d3:s2", "d0:s0", "d1:s1"] and len(ids) == 12
    assert ids[np.arange(12) % 5 == 0].tolist() == ["d0:s0", "d1:s2", "d3:s1"]


def test_distinct_documents_are_counted_against_the_kept_ones_only():
    sigs = np.array([[1, 2, 3, 4],   # kept
                     [1, 2, 7, 7],   # resemblance 2/4 = 0.5 to the first: the same story, dropped
                     [8, 2, 7, 7],   # 1/4 to the first (0.75 to the dropped one, not counted): kept
                     [8, 2, 7, 6]],  # 3/4 to the third: dropped
                    dtype=np.uint32)
    assert reuse.SAME_STORY_RESEMBLANCE == 0.5
    assert reuse._distinct_documents(sigs) == 2
    assert reuse._distinct_documents(sigs[[0, 2]]) == 2 and reuse._distinct_documents(sigs[:0]) == 0


def test_pairs_are_counted_by_their_first_member_without_making_them():
    keys = np.array([5, 7, 5, 5, 7, 9, 5, 5, 5, 5], dtype=np.uint64)  # bucket 5: positions 0, 2, 3, 6, 7, 8, 9
    # small buckets (cap 8): position 0 is first in 6 pairs, 2 in 5, ... 9 in none; bucket 7: 1 in one pair
    assert reuse._first_of_pairs(keys, cap=8).tolist() == [6, 1, 5, 4, 0, 0, 3, 2, 1, 0]
    # a star (cap 4): the bucket's first member links all six others; bucket 7 stays a pair
    assert reuse._first_of_pairs(keys, cap=4).tolist() == [6, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    rng = np.random.default_rng(3)
    for cap in (3, 50):
        keys = rng.integers(0, 40, size=300).astype(np.uint64)
        a, b = reuse._bucket_pairs(keys, np.arange(300), cap=cap)
        np.testing.assert_array_equal(reuse._first_of_pairs(keys, cap=cap),
                                      np.bincount(np.minimum(a, b), minlength=300))


def test_candidate_shards_cut_the_bucket_pairs_by_their_first_sentence():
    # one band; buckets {0, 1, 2} (pairs 0-1, 1-2, 0-2: first sentences 0, 1, 0) and {3, 4} (3-4)
    keys = np.array([[5, 5, 5, 7, 7, 9]], dtype=np.uint64)
    assert reuse._lsh_shards(keys, limit=4) == [(0, 6)]  # 4 pairs fit: one shard
    assert reuse._lsh_shards(keys, limit=2) == [(0, 1), (1, 6)]  # 2 pairs at sentence 0, then 2
    idx, doc_of = np.arange(6) * 2, np.arange(12)  # indexed units 0, 2, ..., 10, each its own document
    whole = reuse._lsh_candidates(keys, idx, doc_of, 12)
    first = reuse._lsh_candidates(keys, idx, doc_of, 12, (0, 1))
    rest = reuse._lsh_candidates(keys, idx, doc_of, 12, (1, 6))
    assert [a.tolist() for a in whole] == [[0, 0, 2, 6], [2, 4, 4, 8], [-1, -1, -1, -1]]
    assert [a.tolist() for a in first] == [[0, 0], [2, 4], [-1, -1]]
    assert [a.tolist() for a in rest] == [[2, 6], [4, 8], [-1, -1]]


def test_a_shard_sorts_only_the_buckets_it_touches_and_makes_the_same_pairs():
    band = np.array([5, 7, 5, 9, 7, 5, 8], dtype=np.uint64)
    keys, at = reuse._shard_buckets(band, (1, 3))  # positions 1, 2: buckets 7 and 5, whole
    assert at.tolist() == [0, 1, 2, 4, 5] and keys.tolist() == [5, 7, 5, 7, 5]
    assert reuse._shard_buckets(band, (0, 7))[1].tolist() == list(range(7))  # every position: all
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 60, size=(3, 400)).astype(np.uint64)  # small buckets: ordinary pairs
    keys[:, 50:120] = 7  # one bucket of 70 in every band (over MAX_BUCKET = 64: a star)
    idx, doc_of = np.arange(400) * 3, np.arange(1200) // 6
    whole = reuse._lsh_candidates(keys, idx, doc_of, 1200)
    parts = [reuse._lsh_candidates(keys, idx, doc_of, 1200, sh) for sh in [(0, 60), (60, 333), (333, 400)]]
    for k in range(3):
        np.testing.assert_array_equal(whole[k], np.concatenate([p[k] for p in parts]))
    assert (whole[2] >= 0).any() and len(whole[0]) > 1000


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_equal_tables_when_the_candidates_are_verified_in_shards(mixed, monkeypatch):
    one = reuse.analyze(mixed, candidates="lsh")
    monkeypatch.setattr(reuse, "SHARD_PAIRS", 5)
    sharded = reuse.analyze(mixed, candidates="lsh", partitions=3)
    assert one.stats["candidate_shards"] == 1 and sharded.stats["candidate_shards"] > 5
    assert one.stats["candidate_pairs"] == sharded.stats["candidate_pairs"] > 0
    assert_same_result(one, sharded)


@pytest.mark.notebook  # slow: a process pool or a lens store (make test-fast skips it)
def test_equal_tables_on_the_process_pool(mixed):
    from framelens.core.engine import get_engine

    one = reuse.analyze(mixed, candidates="lsh")
    with get_engine("processes", workers=2) as eng:
        pooled = reuse.analyze(mixed, candidates="lsh", partitions=3, engine=eng)
    assert_same_result(one, pooled)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_part_is_the_same_map_and_reduce_over_its_partitions(mixed, tmp_path):
    from framelens.store import lens_store as S

    lens = S.LensStore(tmp_path / "store", mixed.path)
    # the stored corpus cut into partitions of 3 documents: the reduce reads text by partition folder
    S.write_corpus(mixed, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=3)
    assert len(lens.partitions()) == 6
    stored = reuse.from_tables(lens.part("reuse"))
    assert stored.stats["partitions"] == 6
    assert_same_result(reuse.analyze(mixed), stored)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_part_spills_the_verified_pairs_and_gives_the_same_tables(mixed, tmp_path, monkeypatch):
    from framelens.store import lens_store as S

    want = reuse.analyze(mixed, candidates="lsh")
    monkeypatch.setattr(reuse, "EXACT_LIMIT", 0)  # the store uses LSH here too
    monkeypatch.setattr(reuse, "SHARD_PAIRS", 5)  # many shards: many chunks of verified pairs on disk
    monkeypatch.setattr(reuse, "PAIR_CHUNK", 3)
    folders, real = [], reuse._Pairs.add
    monkeypatch.setattr(reuse._Pairs, "add", lambda self, *a: (folders.append(self.folder), real(self, *a))[1])
    stored = reuse.from_tables(S.LensStore(tmp_path / "store", mixed.path).part("reuse"))
    assert len(folders) > 5 and None not in folders  # each chunk written to the part's spill folder
    assert stored.stats["verified_pairs"] == want.stats["verified_pairs"] > 0
    assert_same_result(want, stored)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_a_document_pair_task_sees_only_its_two_documents(mixed, tmp_path):
    from framelens.store import lens_store as S

    r = reuse.analyze(mixed, candidates="lsh")
    row = r.passages.set_index(["doc_a", "doc_b"]).loc[("d00", "d01")]
    o = dict(r.options)
    # in memory: the task carries the two documents only
    where = reuse._Reader(None, mixed).where([0], ["d01", "d00"])
    assert set(read := reuse.read_units(where).table["doc_id"]) == {"d00", "d01"} and len(read) == 5 + 4
    (got, edits), = reuse._align_task((where, [("d00", "d01", True)], [], o))[0]
    for c in ("sent_ids_a", "sent_ids_b", "words", "words_b", "similarity", "first", "n_replaced", "replaced",
              "text_a", "text_b"):
        assert got[c] == row[c], c
    assert got["replaced"] == "new → revised; rural → remote" and got["first"] == "d00"
    assert [e[2] for e in edits] == ["replaced", "replaced"]
    # from the store: the task reads the two documents from their partition folders, nothing else
    lens = S.LensStore(tmp_path / "store", mixed.path)
    S.write_corpus(mixed, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=1)
    dirs = [str(p) for p in lens.partitions()]
    where = reuse._Reader(dirs, None).where([0, 1], ["d00", "d01"])
    assert where[1] == dirs[:2]
    (again, _), = reuse._align_task((where, [("d00", "d01", True)], [], o))[0]
    assert again == got


def test_own_text_and_near_duplicates_apply_partition_by_partition(mixed):
    from framelens.tables.mapreduce import split_corpus

    r = reuse.analyze(mixed)
    whole = reuse.prepare(mixed, own_text=True, drop_near_duplicates=True, result=r)
    assert "d10" not in set(whole.documents["doc_id"]) and "d00:s1" not in set(whole.sentences["sent_id"])
    pieces = [reuse.prepare(p, own_text=True, drop_near_duplicates=True, result=r) for p in split_corpus(mixed, 3)]
    for t in ("documents", "sentences", "tokens"):
        got = pd.concat([getattr(p, t) for p in pieces], ignore_index=True)
        assert got["doc_id"].astype(str).tolist() == getattr(whole, t)["doc_id"].astype(str).tolist(), t
    assert pd.concat([p.sentences for p in pieces])["sent_id"].tolist() == whole.sentences["sent_id"].tolist()


def test_the_reuse_part_computed_in_partitions_equals_analyze(mixed):
    from framelens.store import parts

    opts = parts.resolve_options("reuse", {})
    got, info = parts.compute_part("reuse", mixed, opts, {}, partitions=4)
    want, _ = reuse.to_tables(reuse.analyze(mixed, **{k: opts[k] for k in parts.REUSE_OPTIONS}))
    assert info["stats"]["partitions"] == 4
    for name in reuse.REUSE_TABLES:
        pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)


@pytest.mark.notebook  # slow: a lens store (make test-fast skips it)
def test_pages_read_only_the_reuse_columns_they_show_and_say_the_same(mixed, tmp_path):
    """A profile's note and the overview's near-duplicates read a few columns of the stored reuse
    tables (Tables.only): the same answers as from the whole tables, for every source."""
    from framelens.lenses import profile
    from framelens.store import lens_store as S

    lens = S.LensStore(tmp_path / "store", mixed.path)
    T = lens.part("reuse")
    whole = reuse.from_tables(T)
    assert len(whole.passages) and len(whole.boilerplate) and len(whole.near_duplicates)
    notes = [profile.reuse_note(T, s) for s in whole.sources]
    assert notes == [reuse.source_note(whole, s) for s in whole.sources]
    assert any("shares no passage" in n for n in notes) and any("passage(s) with other sources" in n for n in notes)
    view = T.only(profile.REUSE_NOTE_COLUMNS)
    assert list(view["passages"].columns) == ["source_a", "source_b", "words"]
    assert len(view["passages"]) == len(whole.passages) and len(view["edits"]) == 0
    pd.testing.assert_frame_equal(reuse.near_duplicates(reuse.from_tables(T.only({"near_duplicates": None}))),
                                  reuse.near_duplicates(whole))
    from framelens.lenses import synthesis

    assert synthesis.reuse_summary(T) == reuse.summary(whole) and "shared passage" in reuse.summary(whole)


# --------------------------------------------------------------------------------------------
# Task blocks: each block's units built once per reduce, shared by every round
# --------------------------------------------------------------------------------------------
def test_merged_block_units_compare_as_units_read_together(mixed):
    from framelens.tables.mapreduce import split_corpus

    a, b = split_corpus(mixed, 2)
    merged = reuse._merge_units([reuse._units(a), reuse._units(b)])
    together = reuse._units(mixed)
    cols = ["sent_id", "doc_id", "seg", "words", "text", "doc_i"]
    pd.testing.assert_frame_equal(merged.table[cols], together.table[cols], check_dtype=False)
    assert merged.n_docs == together.n_docs == 16
    assert [list(merged.words(u)) for u in range(merged.n)] == [list(together.words(u)) for u in range(together.n)]
    # one vocabulary: two units share a word id exactly when they share the word (P1 is in d00 and d03)
    u0 = int(np.flatnonzero(merged.table["sent_id"] == "d00:s1")[0])
    u3 = int(np.flatnonzero(merged.table["sent_id"] == "d03:s1")[0])
    assert merged.strings[u0] == merged.strings[u3] and merged.table.loc[u0, "text"] == P1
    # every pair of units compares as when read together (the alignment's similarities)
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cdist

    m1 = cdist(merged.strings, merged.strings, scorer=Indel.normalized_similarity)
    m2 = cdist(together.strings, together.strings, scorer=Indel.normalized_similarity)
    assert np.array_equal(m1, m2) and (m1[u0] == 1).sum() >= 2


@pytest.mark.notebook  # slow: a lens store (make test-fast skips it)
def test_blocks_across_partitions_are_built_once_and_give_the_same_tables(mixed, tmp_path, monkeypatch):
    from framelens.store import lens_store as S

    one = reuse.analyze(mixed)  # one partition, one block: every task reads all the documents
    lens = S.LensStore(tmp_path / "store", mixed.path)
    S.write_corpus(mixed, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=3)
    monkeypatch.setattr(reuse, "TASK_DOCUMENTS", 2)  # 6 partitions of 3 documents: 11 blocks of 1 or 2
    built, loaded = [], []
    build, load = reuse._build_block_task, reuse._block_units
    monkeypatch.setattr(reuse, "_build_block_task", lambda task: built.append(task[1]) or build(task))
    monkeypatch.setattr(reuse, "_block_units", lambda spec: loaded.append(spec[1]) or load(spec))
    stored = reuse.from_tables(lens.part("reuse"))
    assert_same_result(one, stored)
    # the shared passage joins documents of different partitions (d00, d01, d02 | d03 ...)
    part_of = {f"d{k:02d}": k // 3 for k in range(16)}
    p = stored.passages
    assert (p["doc_a"].map(part_of) != p["doc_b"].map(part_of)).sum() >= 3
    # each block built once, then read by the verification, alignment and text rounds
    assert len(built) == len(set(built)) and 1 < len(built) <= 11
    assert set(loaded) == set(built) and len(loaded) > 2 * len(built)
    # the blocks' scratch folder is gone
    assert not any(x.name.startswith(".reuse-blocks-") for x in lens.corpus_dir.iterdir())


def test_sentence_ids_are_packed_one_string_per_cell_and_back():
    ids = [("d0:s1", "d0:s2"), ("d1:s0",), ()]
    packed = reuse._pack(ids)
    assert packed == ["d0:s1\x1fd0:s2", "d1:s0", ""]
    assert [reuse._unpack(v) for v in packed] == ids
    odd = [("d0:s1",), ("d\x1f1:s0",)]  # an id holding the separator: kept as tuples
    assert reuse._pack(odd) is odd and [reuse._unpack(v) for v in odd] == odd


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_writes_passages_and_edits_in_pieces_with_the_same_rows(mixed, tmp_path, monkeypatch):
    """The lens store's passages and edits are written in pieces by the reduce (the tasks spill
    their rows; no process holds the tables whole): read back, the same rows in the same order."""
    from framelens.store import lens_store as S

    one = reuse.analyze(mixed)
    lens = S.LensStore(tmp_path / "store", mixed.path)
    S.write_corpus(mixed, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=3)
    monkeypatch.setattr(reuse, "PIECE_PAIRS", 2)  # pieces of the passages of two document pairs
    T = lens.part("reuse")
    assert T.is_partitioned("passages") and T.is_partitioned("edits")
    assert not T.is_partitioned("documents")
    n_pieces = len(T.files("passages"))
    assert n_pieces >= 3 and len(T.files("edits")) >= 1
    assert sum(e["rows"] for _, e in T.files("passages")) == len(one.passages) > n_pieces
    assert_same_result(one, reuse.from_tables(T))
    pd.testing.assert_frame_equal(T.scan("passages", columns=["passage_id", "words"]),
                                  one.passages[["passage_id", "words"]], check_dtype=False)
    # the passage ids are numbered across the pieces as in one table (each id once, in order)
    ids = T["passages"]["passage_id"].tolist()
    assert ids == one.passages["passage_id"].tolist() and len(set(ids)) == len(ids)
    # nothing of the spill is left in the part's folder
    assert not list(T.folder.glob(".reuse-spill-*")) and not list(T.folder.rglob("*.pkl"))


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_pieces_of_a_store_without_shared_passages_keep_the_columns(tmp_path):
    from framelens.store import lens_store as S

    corp = load(tmp_path, [{"id": f"d{k}", "source": f"s{k}", "text": para(t)} for k, t in enumerate(OTHER)])
    lens = S.LensStore(tmp_path / "store", corp.path)
    T = lens.part("reuse")
    assert T.is_partitioned("passages") and len(T.files("passages")) == 1
    assert list(T["passages"].columns) == reuse.PASSAGE_COLUMNS and not len(T["passages"])
    assert list(T["edits"].columns) == reuse.EDIT_COLUMNS and not len(T["edits"])


@pytest.mark.notebook  # slow: a process pool and a lens store (make test-fast skips it)
def test_pieces_spilled_by_pool_workers_give_the_same_tables(mixed, tmp_path, monkeypatch):
    """On a pool, the alignment tasks write their rows themselves (cut as the reduce tells them):
    the pieces read back equal the tables computed in one process."""
    from framelens.core.engine import get_engine
    from framelens.store import lens_store as S

    one = reuse.analyze(mixed)
    monkeypatch.setattr(reuse, "PIECE_PAIRS", 3)  # read in the reduce, sent to the tasks with their pairs
    with get_engine("processes", workers=2) as eng:
        lens = S.LensStore(tmp_path / "store", mixed.path, engine=eng)
        S.write_corpus(mixed, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=4)
        T = lens.part("reuse")
    assert len(T.files("passages")) >= 2 and T.info["stats"]["task_engine"] == "processes (2 workers)"
    assert_same_result(one, reuse.from_tables(T))


def test_a_part_computed_beside_another_gets_a_pool_for_its_tasks(monkeypatch):
    """In a part worker the store's engine is serial ("no pool inside a pool"): the reduce's tasks
    still get the machine's cores when the store chose that engine and the corpus is large."""

    from framelens.core import engine as E

    monkeypatch.setattr(E, "available_cores", lambda: 2)
    big = pd.DataFrame({"n_sentences": [30_000]})
    red = SimpleNamespace(auto_engine=True, documents=big)
    got = reuse._task_engine(red, E.Engine())
    assert isinstance(got, E.PoolEngine) and got.workers == 2
    got.close()
    assert reuse._task_engine(SimpleNamespace(auto_engine=False, documents=big), E.Engine()) is None  # asked for
    assert reuse._task_engine(SimpleNamespace(documents=big), E.Engine()) is None  # no store: as given
    small = SimpleNamespace(auto_engine=True, documents=pd.DataFrame({"n_sentences": [3_000]}))
    assert reuse._task_engine(small, E.Engine()) is None
    assert reuse._task_engine(red, E.PoolEngine(2)) is None  # a pool already
    monkeypatch.setattr(E, "available_cores", lambda: 1)
    assert reuse._task_engine(red, E.Engine()) is None


# --------------------------------------------------------------------------------------------
# Report 08 reads only what it shows: the same numbers and rows as from the whole tables
# --------------------------------------------------------------------------------------------
def _pieces_store(mixed, path, monkeypatch):
    from framelens.store import lens_store as S

    lens = S.LensStore(path, mixed.path)
    S.write_corpus(mixed, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=3)
    monkeypatch.setattr(reuse, "PIECE_PAIRS", 2)  # pieces of the passages of two document pairs
    T = lens.part("reuse")
    assert len(T.files("passages")) >= 3 and len(T.files("edits")) >= 2
    return T


def _uuid_free(html: str) -> str:
    import re

    return re.sub(r"T_[0-9a-f]{5}", "T_x", html)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_report_08_read_from_the_store_shows_what_the_whole_tables_show(mixed, tmp_path, monkeypatch):
    from framelens.report import show

    T = _pieces_store(mixed, tmp_path / "store", monkeypatch)
    whole, light = reuse.from_tables(T), reuse.from_store(T)
    assert list(light.passages.columns) == reuse.STORED_COLUMNS["passages"] and not len(light.edits)
    assert len(light.passages) == len(whole.passages) > 3 and len(whole.edits) > 5
    assert reuse.summary(light) == reuse.summary(whole) and "shared passage" in reuse.summary(whole)
    assert reuse.headline(T) == reuse.headline(light) == reuse.headline(whole)
    for f in (reuse.facts, reuse.common_origin, reuse.document_reuse, reuse.near_duplicates, reuse.own_text_summary,
              reuse.unit_matrix, lambda r: reuse.unit_matrix(r, directed=True)):
        pd.testing.assert_frame_equal(f(light), f(whole))
    assert reuse.unit_matrix(whole).to_numpy().sum() > 0
    # the passages shown: the longest first, across pieces; only the rows a page embeds
    view = reuse.passages_view(whole)
    pd.testing.assert_frame_equal(reuse.stored_passages_view(T, max_rows=2, max_embed=3), view.head(3))
    pd.testing.assert_frame_equal(reuse.stored_passages_view(T, max_rows=50), view)
    pd.testing.assert_frame_equal(reuse.stored_head(T, "edits", max_rows=3, max_embed=5), whole.edits.head(5))
    pd.testing.assert_frame_equal(reuse.stored_head(T, "edits"), whole.edits)
    assert reuse.stored_rows(T, "passages") == len(whole.passages)
    assert reuse.stored_rows(T, "edits") == len(whole.edits)
    # the CSVs streamed piece by piece are the whole tables' CSVs, byte for byte
    a, b = tmp_path / "whole", tmp_path / "stored"
    pa_ = show.export_table(reuse.flat(whole.passages), "reuse_passages", a)
    pb = show.export_stored(T, "passages", "reuse_passages", b, transform=reuse.flat)
    assert pa_.read_bytes() == pb.read_bytes() and b"d00:s" in pb.read_bytes()
    ea = show.export_table(whole.edits, "reuse_edits", a)
    assert ea.read_bytes() == show.export_stored(T, "edits", "reuse_edits", b).read_bytes()
    # the edits table as a page shows it: the same HTML from its first rows as from all of them
    monkeypatch.setattr(show, "LONG_TABLE", 4)  # a long table (with the table tools) of these few rows
    full = show.show_table(whole.edits, caption="Edits", max_rows=3, max_embed=5).to_html()
    head = show.show_table(reuse.stored_head(T, "edits", max_rows=3, max_embed=5), caption="Edits", max_rows=3,
                           max_embed=5, rows=reuse.stored_rows(T, "edits"), csv="reuse_edits").to_html()
    assert _uuid_free(full) == _uuid_free(head) and 'data-fl-csv="reuse_edits"' in head
    assert f'data-fl-rows="{len(whole.edits)}"' in head


@pytest.mark.notebook  # slow: a kernel and a lens store (make test-fast skips it)
def test_report_08_writes_the_whole_tables_csvs(mixed, tmp_path, monkeypatch):
    """Report 08 run on a store whose passages and edits are in pieces: every CSV it writes is the
    one the whole tables give."""
    from framelens.report import show
    from framelens.run.runner import execute_notebook

    T = _pieces_store(mixed, tmp_path / "store", monkeypatch)
    whole = reuse.from_tables(T)
    nb_dir = Path(__file__).resolve().parents[1] / "notebooks"
    out, ref = tmp_path / "out", tmp_path / "ref"
    out.mkdir()
    execute_notebook(nb_dir / "08_reuse.ipynb", tmp_path / "08.ipynb",
                     {"corpus": str(mixed.path), "output_dir": str(out), "store": str(tmp_path / "store"),
                      "max_rows": 3}, cwd=nb_dir)
    expected = {
        "reuse_boilerplate": reuse.flat(whole.boilerplate), "reuse_passages": reuse.flat(whole.passages),
        "reuse_edits": whole.edits, "reuse_unit_matrix": reuse.unit_matrix(whole).reset_index(),
        "reuse_unit_matrix_directed": reuse.unit_matrix(whole, directed=True).reset_index(),
        "reuse_common_origin": reuse.flat(reuse.common_origin(whole)), "reuse_documents": reuse.document_reuse(whole),
        "reuse_near_duplicates": reuse.near_duplicates(whole),
    }
    assert sorted(p.stem for p in (out / "tables").glob("*.csv")) == sorted(expected)
    for name, df in expected.items():
        assert (out / "tables" / f"{name}.csv").read_bytes() == show.export_table(df, name, ref).read_bytes(), name
    page = json.loads((tmp_path / "08.ipynb").read_text(encoding="utf-8"))
    shown = "".join("".join(o.get("data", {}).get("text/html", "")) for c in page["cells"] for o in c.get("outputs", []))
    top = reuse.passages_view(whole)["passage"].iloc[0]
    assert f"({3} of {len(whole.passages):,} rows" in shown or f"first 3 of {len(whole.passages)} rows" in shown
    assert top in shown


def test_components_of_pairs_given_in_chunks_are_those_of_all_pairs():
    rng = np.random.default_rng(3)
    for n, m in ((1, 0), (8, 3), (60, 40), (500, 300)):
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        whole = reuse._components(n, i, j)
        for size in (1, 7, 1000):
            chunks = [(i[k:k + size], j[k:k + size]) for k in range(0, m, size)]
            assert reuse._components_of(n, chunks).tolist() == whole.tolist()
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        plain = connected_components(coo_matrix((np.ones(m), (i, j)), shape=(n, n)), directed=False)[1]
        assert whole.tolist() == plain.tolist()  # scipy's own numbering: first node first
    # by hand: 0-3, 2-4 in one chunk, 3-4 in the next: {0, 2, 3, 4}, {1}, {5}
    two = [(np.array([0, 2]), np.array([3, 4])), (np.array([3]), np.array([4]))]
    assert reuse._components_of(6, two).tolist() == [0, 1, 0, 0, 0, 2]


def test_band_keys_are_gathered_partition_by_partition_in_the_units_order():
    # two partitions of 2 and 1 indexed units, 2 bands: rows (10, 11), (20, 21) | (30, 31)
    parts = [{"units": None, "keys": pd.DataFrame({"k": np.array([10, 11, 20, 21], dtype=np.uint64)})}, {},
             {"units": None, "keys": pd.DataFrame({"k": np.array([30, 31], dtype=np.uint64)})}]
    same = reuse._band_keys_of(parts, np.array([0, 1, 2]), 2)
    assert same.tolist() == [[10, 20, 30], [11, 21, 31]]
    moved = reuse._band_keys_of(parts, np.array([1, 2, 0]), 2)  # the first unit moved last
    assert moved.tolist() == [[20, 30, 10], [21, 31, 11]]


def test_band_keys_written_to_a_file_read_back_band_by_band(tmp_path):
    parts = [{"units": None, "keys": pd.DataFrame({"k": np.array([10, 11, 20, 21], dtype=np.uint64)})}, {},
             {"units": None, "keys": pd.DataFrame({"k": np.array([30, 31], dtype=np.uint64)})}]
    keys = reuse._band_keys_of(parts, np.array([0, 1, 2]), 2, str(tmp_path))
    assert isinstance(keys, reuse._BandKeys) and keys.shape == (2, 3)
    assert keys[0].tolist() == [10, 20, 30] and keys[1].tolist() == [11, 21, 31]
    assert (tmp_path / "band-keys.u64").stat().st_size == 2 * 3 * 8
    moved = reuse._band_keys_of(parts, np.array([1, 2, 0]), 2, str(tmp_path))  # out of order: held
    assert moved.tolist() == [[20, 30, 10], [21, 31, 11]]
    keys.close()
    assert not (tmp_path / "band-keys.u64").exists()
    # the candidates and shards from the file equal those from the array (a star bucket included)
    rng = np.random.default_rng(7)
    held = rng.integers(0, 50, size=(3, 300)).astype(np.uint64)
    held[:, 20:100] = 9  # one bucket of 80 in every band: a star
    parts = [{"units": None, "keys": pd.DataFrame({"k": held[:, a:b].T.reshape(-1)})} for a, b in [(0, 120), (120, 300)]]
    on_disk = reuse._band_keys_of(parts, np.arange(300), 3, str(tmp_path))
    idx, doc_of = np.arange(300) * 2, np.arange(600) // 5
    assert reuse._lsh_shards(on_disk, limit=500) == reuse._lsh_shards(held, limit=500)
    for shard in [None, (0, 150), (150, 300)]:
        for a, b in zip(reuse._lsh_candidates(held, idx, doc_of, 600, shard),
                        reuse._lsh_candidates(on_disk, idx, doc_of, 600, shard)):
            np.testing.assert_array_equal(a, b)


def test_positions_map_content_units_to_corpus_positions_and_check_counts():
    # document "a" starts at corpus position 10 and has 4 units (its content units are its 2nd and
    # 4th); "b" starts at 20 with 2 units; "c" is in the task's table but not asked for
    units = SimpleNamespace(table=pd.DataFrame({"doc_id": ["a"] * 4 + ["b"] * 2 + ["c"]}))

    def doc(d, ids, offsets):
        return reuse._Doc(d, np.asarray(ids, dtype=object), np.ones(len(ids), np.int64), [], [],
                          np.asarray(ids, dtype=object), np.asarray(offsets, dtype=np.int64))

    docs = {"a": doc("a", ["a:1", "a:3"], [1, 3]), "b": doc("b", ["b:0"], [0]), "c": doc("c", ["c:0"], [0])}
    assert reuse._positions(units, docs, {"a": (10, 4), "b": (20, 2)}) == {"a:1": 11, "a:3": 13, "b:0": 20}
    with pytest.raises(RuntimeError, match="document b has 2 units in a task, 3 in the reduce"):
        reuse._positions(units, docs, {"a": (10, 4), "b": (20, 3)})


@pytest.mark.parametrize("candidates", ["all", "lsh"])
def test_the_reduce_reports_its_tasks_done_out_of_the_total(tmp_path, candidates):
    # one partition, two documents: one task block, so one verification task and one alignment
    # task (the one document pair); each step is a detail phase: no line when it takes < 10 s
    from framelens.core.progress import Progress
    from framelens.tables.mapreduce import Reduction

    corp, _, _ = planted_corpus(tmp_path, [P1, P2, P3])
    o = reuse._options(candidates=candidates)
    red = Reduction("reuse", [reuse._map_task((corp, o))], {}, corp)
    lines: list[str] = []
    red.progress = Progress(lines.append, bars=False)
    tables, info = reuse.reduce_tables(red, engine="serial", **o)
    got = {t["phase"]: (t["done"], t["total"]) for t in red.progress.timings}
    verify = ("reuse: comparing every pair of sentences" if candidates == "all"
              else "reuse: verifying candidate sentence pairs")
    assert got == {verify: (1, 1), "reuse: boilerplate and document pairs": (0, None),
                   "reuse: aligning document pairs": (1, 1), "reuse: tables": (0, None)}
    assert lines == [] and len(tables["passages"]) == 1


def test_earlier_many_agrees_with_earlier_pair_by_pair_in_chunks(monkeypatch):
    monkeypatch.setattr(reuse, "TOP_CHUNK", 3)  # 10 pairs in chunks of 3, 3, 3, 1
    # documents: day, month and year precision, unknown; 2025-06-01 vs 2025-06 is unknown order (0)
    dkeys = [(3, (2025, 6, 1)), (2, (2025, 6, 1)), (1, (2024, 1, 1)), None, (3, (2025, 5, 31)), (3, (2025, 6, 1))]
    x = np.array([0, 0, 0, 0, 1, 2, 4, 5, 3, 4])
    y = np.array([1, 2, 3, 4, 4, 4, 0, 0, 3, 2])
    got = reuse._earlier_many(SimpleNamespace(dkeys=dkeys), x, y)
    assert got.tolist() == [reuse._earlier(dkeys[a], dkeys[b]) for a, b in zip(x, y)]
    assert got.tolist() == [0, 1, 0, 1, 1, -1, -1, 0, 0, 1]  # by hand


def test_passage_groups_by_hand():
    # 4 passages over 10 units: p0 = a [0, 1] / b [5], p1 = [2] / [6], p2 = [1] / [7] (shares unit 1
    # with p0: one group), p3 = [8] / [9]; components {0,1,5,7} {2,6} {3} {4} {8,9} = labels 0..4
    P = SimpleNamespace(first_a=lambda: np.array([0, 2, 1, 8]), mem_p=np.array([0, 0, 0, 1, 1, 2, 2, 3, 3]),
                        mem_u=np.array([0, 1, 5, 2, 6, 1, 7, 8, 9]), df=pd.DataFrame({"x": range(4)}))
    codes = (np.array([0, 1, 2, 0]), np.array([1, 1, 3, 3]))  # each passage's two sources
    pgroup, n_units, dense_of, gid, sharing = reuse._passage_groups(SimpleNamespace(n=10), P, codes)
    assert pgroup.tolist() == [0, 0, 1, 2, 3, 0, 1, 0, 4, 4]
    assert gid.tolist() == [0, 1, 0, 2]  # groups numbered as passages list them
    assert n_units.tolist() == [4, 1, 2]  # sources {0, 1, 2, 3}, {1}, {0, 3}
    assert sharing.tolist() == [4, 1, 4, 2]
    assert dense_of.tolist() == [0, 1, -1, -1, 2]


def test_pair_table_counts_each_unit_once_per_side_range_by_range(monkeypatch):
    monkeypatch.setattr(reuse, "PAIR_CHUNK", 3)  # pairs' units taken about 3 at a time (a pair is never cut)
    # documents 0-1 share passages p0 (a: units 0, 1 / b: 10) and p1 (a: 1 / b: 11): unit 1 counted once;
    # documents 0-2 share p2 (a: 2 / b: 20, 21). Words: unit k has k + 1 words.
    P = SimpleNamespace(df=pd.DataFrame({"_x": [0, 0, 0], "_y": [1, 1, 2], "_known": [True, True, False]}),
                        mem_p=np.array([0, 0, 0, 1, 1, 2, 2, 2]), mem_u=np.array([0, 1, 10, 1, 11, 2, 20, 21]),
                        mem_b=np.array([False, False, True, False, True, False, True, True]))
    g = SimpleNamespace(n=30, words=np.arange(30) + 1, doc_ids=["d0", "d1", "d2"], doc_source=["s", "t", "u"])
    content = np.array([5, 100, 50, 0])  # content words of d0, d1, d2
    out, nd = reuse._pair_table(g, P, content, {"near_duplicate_share": 0.5})
    by = out.set_index("doc_b")
    assert by.loc["d1", ["words_a", "words_b", "passages"]].tolist() == [1 + 2, 11 + 12, 2]
    assert by.loc["d2", ["words_a", "words_b", "passages"]].tolist() == [3, 21 + 22, 1]
    assert by.loc["d1", ["share_a", "share_b"]].tolist() == [0.6, 0.23]  # 3 / 5, 23 / 100
    assert by.loc["d2", ["share_a", "share_b"]].tolist() == [0.6, 0.86]  # 3 / 5, 43 / 50
    assert by.loc["d1", "first"] == "d0" and by.loc["d2", "first"] == ""
    assert [r["doc_b"] for r in nd] == ["d2"]  # both shares >= 0.5: d0-d2 only
