"""Known-answer tests for framelens.text.tokens."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import SEEDS
from framelens.errors import FramelensError

SEED_PHRASES = SEEDS / "phrases.toml"  # the demo event's names (the packaged list names no event)
from framelens.text.tokens import (
    TERM_COLUMNS,
    TOKEN_COLUMNS,
    bigram_llr,
    build_token_tables,
    detect_collocations,
    lemmatize,
    load_phrases,
    load_stopwords,
    ngrams,
    proper_noun_collocations,
    tokenize,
)


def toks(text):
    return [t for t, _, _ in tokenize(text)]


# ------------------------------------------------------------------ tokenize
def test_tokenize_words_possessive_numbers():
    assert toks("Kazakhstan's $94.8 billion, 78% of China-Kazakhstan trade.") == [
        "Kazakhstan", "'s", "$94.8", "billion", ",", "78%", "of", "China-Kazakhstan", "trade", "."]


def test_tokenize_spans_index_text():
    text = "Xi’s visit: 650,000 people don't care."
    out = tokenize(text)
    assert [t for t, _, _ in out] == ["Xi", "’s", "visit", ":", "650,000", "people", "don't", "care", "."]
    for t, s, e in out:
        assert text[s:e] == t


def test_tokenize_abbreviations_urls_emails_ellipsis():
    assert toks("The U.S. and e.g. www.example.org/a?b=1. Mail a.b@news.org ...") == [
        "The", "U.S.", "and", "e.g.", "www.example.org/a?b=1", ".", "Mail", "a.b@news.org", "..."]


def test_tokenize_number_forms_and_apostrophe_words():
    assert toks("1.2m in the 1990s, 2nd Xi'an 10-year plan (C5+1)") == [
        "1.2m", "in", "the", "1990s", ",", "2nd", "Xi'an", "10-year", "plan", "(", "C5", "+", "1", ")"]


def test_tokenize_plural_possessive_and_quotes():
    assert toks("the workers' union \"said\" it's") == [
        "the", "workers", "'", "union", '"', "said", '"', "it", "'s"]


# ------------------------------------------------------------------ lemmas
@pytest.mark.parametrize("word,lemma", [
    ("countries", "country"), ("was", "be"), ("talks", "talk"), ("children", "child"),
    ("Kazakhstan", "kazakhstan"), ("US", "us"), ("BRICS", "brics"), ("meeting", "meeting"),
    ("meetings", "meeting"), ("media", "media"), ("leaders", "leader"), ("94.8", "94.8"),
    ("supply-chains", "supply-chain"), ("'s", "'s"), ("Strategies", "strategy"),
])
def test_lemmatize(word, lemma):
    assert lemmatize(word) == lemma


# ------------------------------------------------------------------ stopwords / phrases
def test_default_stopwords():
    sw = load_stopwords()
    assert 280 <= len(sw) <= 400
    assert {"the", "of", "and", "'s", "is", "don't"} <= sw
    assert not {"president", "china", "said", "new", "cooperation"} & sw


def test_stopwords_custom_file(tmp_path):
    p = tmp_path / "sw.txt"
    p.write_text("# comment\nThe\n\nfoo  # trailing comment\nDon’t\n", encoding="utf-8")
    assert load_stopwords(p) == frozenset({"the", "foo", "don't"})


def test_stopwords_errors(tmp_path):
    with pytest.raises(FramelensError, match="not found"):
        load_stopwords(tmp_path / "missing.txt")
    p = tmp_path / "bad.txt"
    p.write_text("the\ntwo words\n", encoding="utf-8")
    with pytest.raises(FramelensError, match=r"bad\.txt:2: one stopword per line"):
        load_stopwords(p)


def test_default_phrases():
    # the packaged list holds general names only; the demo event's are the seeds' own list
    ph = load_phrases()
    for name in ["European Union", "United States", "Shanghai Cooperation Organisation", "climate change"]:
        assert name in ph
    for name in ["Xi Jinping", "Kassym-Jomart Tokayev", "Belt and Road Initiative", "China-Central Asia Summit"]:
        assert name not in ph
    seeds = load_phrases(SEED_PHRASES)
    assert set(ph) < set(seeds) and "Belt and Road Initiative" in seeds


@pytest.mark.parametrize("body,msg", [
    ('[phrases]\nterms = [\n  "Xi Jinping",\n  "xi  jinping",\n]\n', r":4: duplicate phrase"),
    ('[phrases]\nterms = [\n  "Astana",\n]\n', r":3: phrase 'Astana' is a single word"),
    ('[phrases]\nterms = [\n  "Xi Jinping",\n  3,\n]\n', r":4: phrase must be a string"),
    ('[phrases]\nterms = "Xi Jinping"\n', r":1: \[phrases\] needs a 'terms' list"),
    ('[other]\nx = 1\n', r": missing \[phrases\] table"),
    ('[phrases]\nterms = [\n  "Xi Jinping"\n  "Li Qiang",\n]\n', r":4: invalid TOML"),
    ('[phrases]\nterms = [\n  "China–Central Asia",\n  "China-Central Asia",\n]\n', r":4: duplicate"),
])
def test_phrase_file_errors(tmp_path, body, msg):
    p = tmp_path / "ph.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(FramelensError, match=msg) as ei:
        load_phrases(p)
    assert str(ei.value).startswith(str(p))


def test_phrase_file_missing(tmp_path):
    with pytest.raises(FramelensError, match="phrase file not found"):
        load_phrases(tmp_path / "nope.toml")


# ------------------------------------------------------------------ n-grams, collocations
def test_ngrams():
    assert ngrams(["a", "b", "c"], 2) == [("a", "b"), ("b", "c")]
    assert ngrams(["a", "b", "c"], 3) == [("a", "b", "c")]
    assert ngrams(["a"], 2) == []
    with pytest.raises(ValueError):
        ngrams(["a"], 0)


def test_bigram_llr_matches_nltk():
    from nltk.metrics import BigramAssocMeasures

    for args in [(30, 40, 35, 10_000), (3, 3, 3, 50), (5, 100, 7, 2_000)]:
        assert bigram_llr(*args) == pytest.approx(
            BigramAssocMeasures.likelihood_ratio(args[0], args[1:3], args[3]), rel=1e-12)


def test_detect_collocations_known_counts():
    docs = [["new", "york", "is", "big"], ["new", "york", "again"], ["new", "york", "!"], ["a", "new", "day"]]
    df = detect_collocations(docs, min_count=2, stopwords=frozenset({"is"}))
    assert list(df.columns) == ["bigram", "count", "pmi", "llr"]
    assert df.bigram.tolist() == ["new york"]
    assert df["count"].tolist() == [3]
    # pmi = log2(3 * 13 / (4 * 3)) with 13 tokens, new=4, york=3
    import math
    assert df.pmi.iloc[0] == pytest.approx(math.log2(3 * 13 / (4 * 3)))


def test_proper_noun_collocations():
    sents = [["The", "Astana", "Times", "said", "so", "."],
             ["Readers", "of", "the", "Astana", "Times", "agree", "."],
             ["The", "Astana", "Times", "is", "old", "."],
             ["President", "Xi", "spoke", "."], ["Then", "President", "Xi", "left", "."],
             ["And", "President", "Xi", "returned", "."],
             ["the", "new", "plan", "."], ["a", "new", "plan", "."], ["one", "new", "plan", "."]]
    # 'president xi' excluded (title word), 'new plan' excluded (lower case)
    assert proper_noun_collocations(sents, min_llr=0) == ["astana times"]


# ------------------------------------------------------------------ tables
def _sent_df(texts, doc="d", source="src"):
    return pd.DataFrame({
        "sent_id": [f"{doc}:s{i}" for i in range(len(texts))],
        "doc_id": [doc] * len(texts), "source": [source] * len(texts),
        "text": texts, "norm": texts,
    })


def test_build_tables_phrase_merge_example():
    df = _sent_df(["Kazakhstan's President Kassym-Jomart Tokayev met Xi Jinping."])
    tokens, terms = build_token_tables(df, collocations=False, phrases=load_phrases(SEED_PHRASES))
    assert list(tokens.columns) == TOKEN_COLUMNS
    assert list(terms.columns) == TERM_COLUMNS
    assert tokens.token.tolist() == ["Kazakhstan", "'s", "President", "Kassym-Jomart", "Tokayev", "met",
                                     "Xi", "Jinping", "."]
    assert tokens.i.tolist() == list(range(9))
    assert tokens.is_word.tolist() == [True] * 8 + [False]
    assert tokens.is_stop.tolist() == [False, True, False, False, False, False, False, False, False]
    assert tokens.lemma.tolist()[:6] == ["kazakhstan", "'s", "president", "kassym-jomart", "tokayev", "meet"]
    assert terms.term.tolist() == ["kazakhstan", "'s", "president", "kassym-jomart tokayev", "met", "xi jinping"]
    assert terms.is_phrase.tolist() == [False, False, False, True, False, True]
    assert terms.lemma.tolist() == ["kazakhstan", "'s", "president", "kassym-jomart tokayev", "meet", "xi jinping"]
    row = terms[terms.term == "kassym-jomart tokayev"].iloc[0]
    assert (row.start, row.end) == (23, 44)
    assert row.sent_id == "d:s0" and row.doc_id == "d" and row.source == "src"


def test_build_tables_dashes_longest_first_and_possessive():
    texts = ["The China–Central Asia Summit's agenda.", "Central Asia and the Belt and Road Initiative."]
    norm = [t.replace("–", "-") for t in texts]
    df = _sent_df(texts)
    df["norm"] = norm
    tokens, terms = build_token_tables(df, collocations=False, phrases=load_phrases(SEED_PHRASES))
    s0 = terms[terms.sent_id == "d:s0"]
    assert s0.term.tolist() == ["the", "china-central asia summit", "'s", "agenda"]
    s1 = terms[terms.sent_id == "d:s1"]
    assert s1.term.tolist() == ["central asia", "and", "the", "belt and road initiative"]
    # token surface is the normalized text
    assert "China-Central" in tokens.token.tolist()


def test_build_tables_phrase_inside_hyphen_compound():
    df = _sent_df(["A Sino-Central Asia forum."])
    _, terms = build_token_tables(df, phrases=["Central Asia"], collocations=False)
    assert terms.term.tolist() == ["a", "sino", "central asia", "forum"]
    assert terms[["start", "end"]].values.tolist() == [[0, 1], [2, 6], [7, 19], [20, 25]]


def test_em_dash_splits_but_en_dash_joins():
    text = "Central Asia—more than ever—matters to Kazakhstan–China ties."
    df = _sent_df([text])
    df["norm"] = text.replace("—", "-").replace("–", "-")
    tokens, terms = build_token_tables(df, phrases=["Central Asia"], collocations=False)
    assert tokens.token.tolist()[:4] == ["Central", "Asia", "-", "more"]
    assert "Kazakhstan-China" in tokens.token.tolist()
    assert terms.term.tolist()[:2] == ["central asia", "more"]


def test_collocations_are_merged_when_enabled():
    texts = ["The Ishim River flows north.", "People walk by the Ishim River daily.",
             "Boats use the Ishim River in summer.", "The lake is calm."]
    df = _sent_df(texts)
    _, with_c = build_token_tables(df, phrases=[], collocations=True)
    _, without = build_token_tables(df, phrases=[], collocations=False)
    assert (with_c.term == "ishim river").sum() == 3
    assert (without.term == "ishim river").sum() == 0
    assert (without.term == "ishim").sum() == 3


def test_build_tables_empty_and_multi_doc():
    tokens, terms = build_token_tables(_sent_df([]), collocations=True)
    assert list(tokens.columns) == TOKEN_COLUMNS and len(tokens) == 0
    assert list(terms.columns) == TERM_COLUMNS and len(terms) == 0
    a = _sent_df(["One two."], doc="a", source="x")
    b = _sent_df(["Three."], doc="b", source="y")
    tokens, terms = build_token_tables(pd.concat([a, b], ignore_index=True), collocations=False)
    assert tokens.sent_id.tolist() == ["a:s0", "a:s0", "a:s0", "b:s0", "b:s0"]
    assert tokens.i.tolist() == [0, 1, 2, 0, 1]
    assert terms.source.tolist() == ["x", "x", "y"]


def test_seeds_own_phrase_list_adds_the_event_names(seed_corpus):
    import warnings

    import framelens as fl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = fl.load_corpus(SEEDS, phrases=SEED_PHRASES)
    assert c.terms.term.value_counts()["china-central asia summit"] == 5


def test_seed_corpus_terms(seed_corpus):
    terms = seed_corpus.terms
    counts = terms.term.value_counts()
    assert counts["xi jinping"] == 10
    assert counts["kassym-jomart tokayev"] == 6
    assert "china-central asia summit" not in counts   # the event's name: seeds/phrases.toml (test below)
    # punctuation is never a term; offsets point into the sentence text
    assert not terms.term.str.fullmatch(r"[^\w]+").any()
    sents = seed_corpus.sentences.set_index("sent_id")
    sample = terms[terms.is_phrase].head(20)
    for r in sample.itertuples():
        norm = sents.loc[r.sent_id, "norm"]
        assert " ".join(norm[r.start:r.end].lower().split()) == r.term


def test_collocation_needs_capitalized_majority():
    # 'river' is lower-case in 1 of 4 non-initial uses (75 % < 80 %): no merge
    texts = ["The Ishim River flows north.", "People walk by the Ishim River daily.",
             "Boats use the Ishim River in summer.", "The river is calm."]
    _, terms = build_token_tables(_sent_df(texts), phrases=[], collocations=True)
    assert (terms.term == "ishim river").sum() == 0


def test_possessive_after_abbreviation_number_and_apostrophe_word():
    assert toks("The U.S.'s role, 2024's data, Xi'an's rail, 'so'") == [
        "The", "U.S.", "'s", "role", ",", "2024", "'s", "data", ",", "Xi'an", "'s", "rail", ",",
        "'", "so", "'"]


# ------------------------------------------------------------------ chunked tables, mergeable counts
@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_chunked_tables_equal_unchunked_on_the_seeds(seed_corpus):
    from framelens.text.tokens import CollocationCounts, corpus_collocations

    s = seed_corpus.sentences
    one_tok, one_terms = build_token_tables(s, collocations=True)
    for size in (1, 37, 100):
        tok_c, terms_c = build_token_tables(s, collocations=True, chunk_size=size)
        pd.testing.assert_frame_equal(one_tok, tok_c)
        pd.testing.assert_frame_equal(one_terms, terms_c)
    # the same corpus tables as the loader's
    pd.testing.assert_frame_equal(one_tok, seed_corpus.tokens)
    pd.testing.assert_frame_equal(one_terms, seed_corpus.terms)
    # merged per-chunk counts decide exactly as the whole-corpus function
    surface = [g["token"].tolist() for _, g in one_tok.groupby("sent_id", sort=False)]
    whole = proper_noun_collocations(surface)
    parts = [one_tok.iloc[a:a + 1000] for a in range(0, len(one_tok), 1000)]  # borders may cut sentences
    assert corpus_collocations([one_tok], stopwords=load_stopwords()) == whole
    assert whole  # the seeds have some
    counts = CollocationCounts.merge(CollocationCounts.from_tokens(p) for p in parts)
    assert counts.n == len(one_tok)
    assert counts.words.loc["kazakhstan", "uni"] == int((one_tok["token"].str.lower() == "kazakhstan").sum())


def test_collocation_counts_known_answer():
    from collections import Counter

    from framelens.text.tokens import CollocationCounts, decide_collocations, pair_counts, token_table

    a = token_table(_sent_df(["The Ishim River flows north.", "People walk by the Ishim River daily."]))
    b = token_table(_sent_df(["Boats use the Ishim River in summer.", "The river Ishim is long."], doc="e"))
    ca, cb = CollocationCounts.from_tokens(a), CollocationCounts.from_tokens(b)
    merged = CollocationCounts.merge([ca, cb])
    assert merged.n == len(a) + len(b) == 6 + 8 + 8 + 6
    # 'river': 4 occurrences, none sentence-initial, 3 capitalized; 'the': 2 initial of 4
    assert merged.words.loc["river"].tolist() == [4, 4, 3]
    assert merged.words.loc["the"].tolist() == [4, 2, 0]
    proper = merged.proper_words(load_stopwords())
    assert "ishim" in proper and "river" not in proper  # 3/4 = 75 % < 80 % capitalized
    assert "river" in merged.proper_words(load_stopwords(), min_capital_share=0.75)
    pairs = pair_counts(a, frozenset({"ishim", "river"})) + pair_counts(b, frozenset({"ishim", "river"}))
    assert pairs == Counter({("ishim", "river"): 3, ("river", "ishim"): 1})
    assert decide_collocations(merged, pairs, min_count=3, min_llr=0) == ["ishim river"]
    assert decide_collocations(merged, pairs, min_count=4, min_llr=0) == []


def test_the_one_trie_regex_prefers_the_longest_key_and_flexes_spaces_and_dashes_only_when_asked():
    import re

    from framelens.text.tokens import trie_regex

    keys = ["belt", "belt and road", "x-ray"]
    exact = re.compile(r"(?<!\w)(?:" + trie_regex(keys) + r")(?!\w)")
    assert exact.findall("the belt and road and the belt") == ["belt and road", "belt"]
    assert exact.findall("belt  and\nroad; x\u2013ray") == ["belt"]  # a literal space, a literal hyphen
    flex = re.compile(r"(?<!\w)(?:" + trie_regex(keys, flexible=True) + r")(?!\w)")
    assert flex.findall("belt  and\nroad; x\u2013ray") == ["belt  and\nroad", "x\u2013ray"]
    assert trie_regex([]) == ""


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_column_values_converts_once_shares_distinct_strings_and_dies_with_its_column():
    import gc

    import numpy as np

    from framelens.text import tokens as T

    df = pd.DataFrame({"token": pd.Series(["Xi", "met", "Xi", "Tokayev"], dtype="str"),
                       "sent_id": pd.Categorical(["d:s0", "d:s0", "d:s1", "d:s1"]),
                       "i": np.array([0, 1, 0, 1], dtype=np.int32)})
    tok = T.column_values(df, "token")
    assert tok.tolist() == ["Xi", "met", "Xi", "Tokayev"] and tok.dtype == object
    assert tok[0] is tok[2]                       # one string object per distinct value
    assert T.column_values(df, "token") is tok    # converted once
    assert not tok.flags.writeable                # shared: nobody may change it
    with pytest.raises(ValueError):
        tok[0] = "Putin"
    assert T.column_values(df, "sent_id").tolist() == ["d:s0", "d:s0", "d:s1", "d:s1"]
    assert T.column_values(df, "i").tolist() == [0, 1, 0, 1] and T.column_values(df, "i").dtype == np.int32
    df["token"] = pd.Series(["a", "b", "c", "d"], dtype="str")  # a column set anew: a new array
    assert T.column_values(df, "token").tolist() == ["a", "b", "c", "d"]
    missing = pd.DataFrame({"lower": pd.Series(["a", None, "a"], dtype="str")})
    got = T.column_values(missing, "lower")
    assert got[0] == "a" and got[2] == "a" and pd.isna(got[1])  # as to_numpy gives a missing value
    held = len(T._VALUES)
    del df, missing, tok, got
    gc.collect()
    assert len(T._VALUES) <= held - 3             # freed with their tables' columns
