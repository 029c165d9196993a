"""The faster sentiment and framing maps give the very tables of the slower paths they replace.

Each speed-up keeps its slow path reachable (or is compared with the function it stands in for),
and the maps are run both ways on a generated corpus: every table must be equal, value for value.
"""

from __future__ import annotations

import random
import re
import warnings

import pandas as pd
import pytest

from framelens.lenses import actors
from framelens.resources import codebook
from framelens.store import parts
from framelens.lenses import context, sentiment


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    import framelens
    from benchmarks.bench import generate_corpus

    path = tmp_path_factory.mktemp("fastmaps") / "corpus.jsonl"
    generate_corpus(path, 80, n_sources=5, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = framelens.load_corpus(path)
    return corp, parts.compute_in_memory("actors", corp)


def _maps(corp, acts) -> dict[str, pd.DataFrame]:
    out = {}
    for name in ("sentiment", "framing"):
        got = parts._map_one(name, corp, parts.resolve_options(name, {}), {"actors": acts})
        out.update({f"{name}.{k}": v for k, v in {**got["rows"], **got["partials"]}.items()})
    corp.release_caches()  # the corpus's lens caches
    actors._MATCHERS.clear()  # and the actor tables' matchers with the mentions they found
    return out


def _slow_paths(monkeypatch) -> None:
    """Every speed-up of this module switched off: Pattern's own tokenizer, no shared clause
    scores in the tone model, every cue-class expression run on every sentence."""
    from textblob import _text as pt

    monkeypatch.setattr(context, "_pattern_tokenizer", lambda original: original)
    monkeypatch.setattr(context, "_pattern_call", lambda original: original)
    monkeypatch.setattr(context, "_PATTERN", None)
    slow = sentiment._news_probabilities
    monkeypatch.setattr(sentiment, "_news_probabilities", lambda *a, scored=None, contexts=None, **k: slow(*a, **k))
    monkeypatch.setattr(codebook, "_CLASS_NEEDS", {})
    monkeypatch.setattr(codebook, "_CLASS_LITERALS", {})
    import numpy as np

    from framelens.lenses import agency, coverage

    monkeypatch.setattr(coverage, "_may_hold", lambda toks, lows, bounds: np.ones((len(bounds) - 1, 4), dtype=bool))
    monkeypatch.setattr(agency, "_according_to", lambda norm: re.search(r"\baccording to ([^,;.]+)", norm, flags=re.I))
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from framelens.lenses import tone_model

    monkeypatch.setattr(context, "new_vader", SentimentIntensityAnalyzer)
    monkeypatch.setattr(tone_model, "new_vader", SentimentIntensityAnalyzer)  # it imports the name
    monkeypatch.setattr(context, "_VADER", None)
    tone_model._analyzer.cache_clear()


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_maps_equal_the_slow_paths(gen, monkeypatch):
    corp, acts = gen
    fast = _maps(corp, acts)
    assert len(fast["sentiment.actor_mentions"]) > 50 and len(fast["framing.sentence_frames"]) > 50
    assert len(fast["framing.items"]) > 100 and len(fast["framing.quotations"]) > 10
    with monkeypatch.context() as m:
        _slow_paths(m)
        from textblob import _text as pt

        assert context.pattern_lexicon().tokenizer.__func__ is pt.Parser.find_tokens  # the slow path is run
        assert type(context.vader_analyzer()).__name__ == "SentimentIntensityAnalyzer"
        slow = _maps(corp, acts)
    from framelens.lenses import tone_model

    context._PATTERN = None  # rebuilt with the fast tokenizer by the next caller
    tone_model._analyzer.cache_clear()
    assert fast.keys() == slow.keys()
    for k in fast:
        pd.testing.assert_frame_equal(fast[k], slow[k], check_exact=True, obj=k)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_pattern_tokenizer_equals_find_tokens(seed_corpus):
    from textblob import _text as pt

    fast = context._pattern_tokenizer()
    assert fast is not pt.find_tokens
    texts = seed_corpus.sentences["text"].tolist() + seed_corpus.paragraphs["text"].tolist()
    texts += ["", " ", "Mr. Smith's U.S. trip... (!) :) :-( it isn't.", "\"Quoted,\" he said. 'Yes!' \r\n\r\n Next",
              "a.b. e.g. etc. ...", "Hello (!) world :'( ok ;-)", "I can't won't I'd I'm we're they've you'll",
              "“Curly” ‘single’ it’s", "...wait...", ".,;:!?()[]{}`''\"@#$^&*+-|=~_", "x\n\n\ny", "$5.5bn, U.K.-based.",
              "END-OF-SENTENCE.", "He said: \"no.\" Then (quietly) left!? OK..."]
    rng = random.Random(0)
    chars = list(".,;:!?()[]{}`'\"@#$^&*+-|=~_ \n\r’“”‘aAbZ09<3")
    texts += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    for t in texts:
        assert fast(t) == pt.find_tokens(t), t
    # and the lexicon that uses it scores as TextBlob's own analyzer does
    from textblob.en import sentiment as pattern_sentiment

    lex = context.pattern_lexicon()
    assert not hasattr(lex.tokenizer, "__func__")  # the fast one
    for t in seed_corpus.sentences["text"].tolist()[:300]:
        assert tuple(lex(t)) == tuple(pattern_sentiment(t))


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_fast_pattern_call_equals_pattern_on_its_rules():
    """Random word sequences dense in what Pattern's assessments read (known adjectives, modifiers,
    negations, small words between them, punctuation, no known word at all) score the same as
    TextBlob's own ``sentiment`` on every text, and many score (0, 0) by the no-known-word path."""
    from textblob.en import sentiment as pattern_sentiment

    lex = context.pattern_lexicon()
    assert type(lex).__call__ is not type(pattern_sentiment).__call__  # the fast call is installed
    pool = ("good bad very really not never no a the is it awful great quite extremely n't terrible happy "
            "sad visit summit minister , . ! ? ( ) :-) barely hardly most least").split()
    rng = random.Random(7)
    zero = 0
    for _ in range(4000):
        t = " ".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        want = tuple(pattern_sentiment(t))
        assert tuple(lex(t)) == want, t
        zero += want == (0.0, 0.0)
    assert 300 < zero < 3700


def test_class_needs_are_necessary(seed_corpus):
    """A text a cue class matches always holds the literal its prefilter looks for."""
    texts = seed_corpus.sentences["norm"].tolist() + [
        "the 78-year-old president", "a 12-year-old boy", "aged between 18 and 25", "AT THE AGE OF 70",
        "Five-Year-Olds play", "the president's eldest son", "Senator Lee’s wife", "Whitmore's youngest daughter",
        "She was 30 years old", "at age 9", "the 26 YEAR OLD striker", "$94.8 billion", "US$5m", "£40m", "€2bn",
        "Rs 500", "USD 5 million", "500 EUR", "3.5 billion euros", "300 dollars", "MILLIONS OF DOLLARS",
        "millions of dollars", "9 million pounds", "fun for kids", "a children's series", "Kids will love it",
        "FAMILY-FRIENDLY", "for the whole family", "how many lie below the ice", "the town LIES ON the coast",
        "challenges lie ahead", "lying idle", "lay dormant", "He read Mother Jones daily", "Sisters of Mercy sang",
        '"Father Christmas came', "watching Big Brother tonight"]
    texts += ["Thirty-YEAR-Old", "AGED\tten", "at the Age\nof 9", "RESIDENTS SAID", "Fun for KIDS", "lay idle",
              "ſome 5 ſtrangers", "famıly-friendly", "Kids will love it", "Workers who struck", "5 BILLION DOLLARS"]
    matched = 0
    for name, need in codebook._CLASS_NEEDS.items():
        rx = codebook._CLASS_RE[name]
        for t in texts:
            if rx.search(t):
                matched += 1
                assert need.search(t), (name, t)
    assert matched >= 30
    # the literal prefilter too, on ASCII texts (lower-cased)
    lit_matched = 0
    for name, lits in codebook._CLASS_LITERALS.items():
        rx = codebook._CLASS_RE[name]
        for t in texts:
            if t.isascii() and rx.search(t):
                lit_matched += 1
                assert any(w in t.lower() for w in lits), (name, t)
    assert lit_matched >= 20
    # and the matched sentences are those of the full expressions alone
    lowered = codebook._Lowered(texts)
    for name, rx in codebook._CLASS_RE.items():
        assert codebook._class_sentences(texts, lowered, name) == [k for k, t in enumerate(texts) if rx.search(t)], name
    # and the class table is the same with and without them
    toks = codebook.tokens_from_texts(texts)
    cues = [(i, n) for i, n in enumerate(codebook._CLASS_RE)]
    fast = codebook.class_table(toks, cues)
    saved, saved_lits = dict(codebook._CLASS_NEEDS), dict(codebook._CLASS_LITERALS)
    try:
        codebook._CLASS_NEEDS.clear()
        codebook._CLASS_LITERALS.clear()
        slow = codebook.class_table(toks, cues)
    finally:
        codebook._CLASS_NEEDS.update(saved)
        codebook._CLASS_LITERALS.update(saved_lits)
    assert len(fast) >= 8
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_mention_features_with_known_scores():
    """Clause scores handed in (as the mentions' contexts already scored) give the same features."""
    import numpy as np

    from framelens.lenses.tone_model import mention_features

    s = "Critics said Smith badly mishandled the crisis, but Jones praised the plan."
    a, b = s.index("Smith"), s.index("Smith") + 5
    others = [(s.index("Jones"), s.index("Jones") + 5)]
    ctx = context.mention_context(s, a, b, others, None, "clause", 6, 1)
    sc = sentiment.score_texts([ctx])
    known = {ctx: (sc["vader_compound"][0], sc["textblob_polarity"][0], sc["textblob_subjectivity"][0])}
    x0, w0 = mention_features(s, a, b, others=others)
    x1, w1 = mention_features(s, a, b, others=others, scored=known)
    x2, w2 = mention_features(s, a, b, others=others, scored=known, context=ctx)
    assert np.array_equal(x0, x1) and w0 == w1 and np.array_equal(x0, x2) and w0 == w2
    assert x0[0] != 0  # the clause has a valence: the shared score is used, not a zero


def test_count_and_join_equals_the_groupby_lambda():
    df = pd.DataFrame({"sent_id": ["s2", "s1", "s2", "s2", "s1", "s3"], "frame": ["b", "a", "b", "a", "a", "b"],
                       "cue": ["x", "y", "z", "x", "y", "w"]})
    got = codebook.count_and_join(df, ["sent_id", "frame"], "cue", count="hits", joined="cues")
    want = (df.groupby(["sent_id", "frame"], sort=False)
            .agg(hits=("cue", "size"), cues=("cue", lambda s: "; ".join(dict.fromkeys(s)))).reset_index())
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["cues"].tolist() == ["x; z", "y", "x", "w"] and got["hits"].tolist() == [2, 2, 1, 1]


def _old_codes(tags, lower):  # agency._codes before it was sped up
    from framelens.text.tagging import _CODE

    out = []
    for t, w in zip(tags, lower):
        c = _CODE.get(t)
        if c is None:
            if t in ("WP", "WDT") or (t == "IN" and w == "that"):
                c = "W"
            elif t == "CC":
                c = "A"
            elif t == ",":
                c = ","
            elif t == "IN":
                c = "I"
            else:
                c = "x"
        out.append(c)
    return "".join(out)


def _old_chunk(tags, lower=None):  # agency.chunk before it was sped up
    import numpy as np

    from framelens.text.tagging import _NP_RE, _VG_RE

    lower = lower if lower is not None else [""] * len(tags)
    s = _old_codes(tags, lower)
    spans = []
    taken = np.zeros(len(s), dtype=bool)
    for m in _NP_RE.finditer(s):
        spans.append(("NP", m.start(), m.end()))
        taken[m.start():m.end()] = True
    masked = "".join("#" if taken[i] else ch for i, ch in enumerate(s))
    for m in _VG_RE.finditer(masked):
        spans.append(("VG", m.start(), m.end()))
        taken[m.start():m.end()] = True
    for i, ch in enumerate(s):
        if not taken[i]:
            spans.append((ch, i, i + 1))
    spans.sort(key=lambda x: x[1])
    return spans


def test_chunk_equals_the_old_chunker(seed_corpus):
    from framelens.text.tagging import _codes, chunk, pos_tags

    toks = seed_corpus.tokens
    tags = pos_tags(seed_corpus)
    lower = toks["lower"].astype(str).tolist()
    sid = toks["sent_id"].astype(str).to_numpy()
    n = 0
    for k in pd.Series(range(len(sid))).groupby(sid, sort=False).indices.values():
        t, w = [tags[i] for i in k], [lower[i] for i in k]
        assert _codes(t, w) == _old_codes(t, w)
        assert chunk(t, w) == _old_chunk(t, w)
        n += 1
    rng = random.Random(1)
    pool = ["NN", "NNP", "PRP", "PRP$", "DT", "CD", "JJ", "MD", "RB", "TO", "POS", "VB", "VBD", "VBN", "IN", "WP",
            "WDT", "CC", ",", ".", "RP", "UH"]
    for _ in range(3000):
        t = [rng.choice(pool) for _ in range(rng.randint(0, 25))]
        w = [rng.choice(["that", "and", "x"]) for _ in t]
        assert chunk(t, w) == _old_chunk(t, w), t
        assert chunk(t) == _old_chunk(t)
    assert n > 100


def test_fast_vader_equals_vader(seed_corpus):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    fast, slow = context.new_vader(), SentimentIntensityAnalyzer()
    assert type(fast) is not SentimentIntensityAnalyzer
    texts = seed_corpus.sentences["text"].tolist() + [
        "", "   ", "I love it 😀 so much", "😀", "no 😡😡 way!!!", "  The plan is NOT good at all , but kind of fine ?  ",
        "Never so GREAT :) :( <3", "It isn't bad.\tReally\n good", 'He said: "The least helpful, but awesome."']
    for t in texts:
        assert fast.polarity_scores(t) == slow.polarity_scores(t), t


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_fast_vader_equals_vader_on_its_rules():
    """Random word sequences dense in what VADER's rules read (negations, boosters, "no", "least",
    "never so", "without doubt", "kind of", idioms, capitals, "but") score the same as VADER's own
    analyzer, with the plain lexicon and with the news lexicon added."""
    from vaderSentiment import vaderSentiment as vs

    from framelens.lenses import tone_model

    pool = ("good bad great terrible love hate kind of sort no not never isn't without doubt least at very so this "
            "but or nor the bomb kiss death yeah right cut mustard hand to mouth extremely barely quite GOOD BAD NOT "
            "Great failure crisis praised condemned , . ! ? :) hardly ain't nothing").split()
    rng = random.Random(5)
    news = tone_model.news_vader(None)
    pairs = [(context.new_vader(), vs.SentimentIntensityAnalyzer()), (news, vs.SentimentIntensityAnalyzer())]
    pairs[1][1].lexicon = news.lexicon
    n_changed = 0
    for _ in range(4000):
        t = " ".join(rng.choice(pool) for _ in range(rng.randint(0, 14)))
        for fast, slow in pairs:
            want = slow.polarity_scores(t)
            assert fast.polarity_scores(t) == want, t
            n_changed += want["compound"] != 0
    assert n_changed > 3000  # the rules were exercised, not only empty texts


def test_news_vader_equals_plain_vader_where_said(seed_corpus):
    """``scores_as_plain``: on every text it accepts, the news VADER's scores are plain VADER's;
    it refuses texts with a word the news lexicon changes, and texts with an emoji."""
    from framelens.lenses import tone_model

    news, plain = tone_model.news_vader(None), context.vader_analyzer()
    texts = seed_corpus.sentences["norm"].tolist()
    texts += [t for s in texts for t in s.split(",")]
    accepted = [t for t in texts if tone_model.scores_as_plain(t)]
    assert 0.3 * len(texts) < len(accepted) < len(texts)
    for t in accepted:
        assert news.polarity_scores(t) == plain.polarity_scores(t), t
    changed = [t for t in texts if news.polarity_scores(t) != plain.polarity_scores(t)]
    assert len(changed) > 50 and not any(tone_model.scores_as_plain(t) for t in changed)
    assert not tone_model.scores_as_plain("They SLAMMED the plan.")  # a news word, in capitals
    assert plain.polarity_scores("a fine day 🙂") != plain.polarity_scores("a fine day")
    assert not tone_model.scores_as_plain("a fine day 🙂")


def _old_fix_tags(lower, tags):  # agency._fix_tags before it was sped up
    from framelens.text.tagging import _DO_AUX

    n = len(tags)
    for i, (w, t) in enumerate(zip(lower, tags)):
        if w.endswith("n't") and len(w) > 3:
            tags[i] = "MD" if w[:-3] in ("can", "could", "wo", "would", "should", "must", "might", "ca", "sha") else "VBD"
        elif w == "will" and t == "MD" and (i + 1 < n and lower[i + 1] == "of" or i > 0 and tags[i - 1] in ("DT", "JJ", "PRP$", "POS")):
            tags[i] = "NN"
        elif w in ("may", "will") and t == "MD" and i + 1 < n and tags[i + 1] == "CD":
            tags[i] = "NNP"
    for i in range(n - 1):
        if tags[i] == "MD" or lower[i] in _DO_AUX:
            j = i + 1
            while j < n and tags[j] in ("RB", "RBR"):
                j += 1
            if j < n and tags[j] in ("NN", "VBP", "NNS") and lower[j].isalpha() and tags[j] != "NNS":
                tags[j] = "VB"
    return tags


def test_fix_tags_equals_the_old_rules():
    from framelens.text.tagging import _fix_tags

    rng = random.Random(2)
    words = ["will", "may", "didn't", "can't", "won't", "n't", "of", "the", "do", "does", "act", "x1", "be", "go"]
    tagset = ["MD", "NN", "NNS", "VBP", "RB", "RBR", "CD", "DT", "JJ", "PRP$", "POS", "VB", "IN"]
    changed = 0
    for _ in range(5000):
        k = rng.randint(0, 12)
        w = [rng.choice(words) for _ in range(k)]
        t = [rng.choice(tagset) for _ in range(k)]
        got, want = _fix_tags(list(w), list(t)), _old_fix_tags(list(w), list(t))
        assert got == want, (w, t)
        changed += got != t
    assert changed > 500


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_discovery_map_equals_the_slow_path(gen, monkeypatch):
    """Actor discovery's map with its word tests computed once per distinct word and sentences
    without a possible group head skipped gives the tables of the per-token, every-sentence path."""
    corp, _ = gen
    fast = actors.discovery_map(corp)
    corp.release_caches()
    calls = {"groups": 0}
    slow_candidates, slow_groups = actors._sentence_candidates, actors._group_candidates

    def every_sentence(*a, **k):
        calls["groups"] += 1
        return slow_groups(*a, **k)

    with monkeypatch.context() as m:
        m.setattr(actors, "_sentence_candidates", lambda *a, names=None, particles=None: slow_candidates(*a))
        m.setattr(actors, "_may_have_groups", lambda heads, tags, low, first, bounds: [True] * (len(bounds) - 1))
        m.setattr(actors, "_group_candidates", every_sentence)
        slow = actors.discovery_map(corp)
    corp.release_caches()
    assert calls["groups"] > 100  # the slow path ran on every sentence
    assert len(fast["name_candidates"]) > 100 and len(fast["group_candidates"]) > 5
    assert fast.keys() == slow.keys()
    for k in fast:
        pd.testing.assert_frame_equal(fast[k], slow[k], check_exact=True, obj=k)


def test_word_tests_equal_name_tok(seed_corpus):
    from framelens.text.tokens import load_stopwords

    cues = actors.load_cues()
    stop = load_stopwords()
    toks = seed_corpus.tokens["token"].astype(str).tolist() + ["al-Assad", "U.S.", "EU", "Mr.", "Alphabet-owned",
                                                                 "X-Men", "Smiths", "the", "The", "I", "ABC", "van-Dyke"]
    import numpy as np

    names, particles = actors._word_tests(np.asarray(toks, dtype=object), cues, stop)
    st = actors._Sentence(toks, [t.lower() for t in toks], ["NN"] * len(toks), toks, [0] * len(toks), [0] * len(toks),
                          "", cues, stop, cues.places)
    assert names == [st.name_tok(j) for j in range(len(toks))]
    assert particles == [bool(actors._PARTICLE_HYPHEN.match(t)) for t in toks]
    assert 20 < sum(names) < len(toks) and sum(particles) >= 2
    # the first-character tests from the distinct tokens, and the tables made with them
    arr = np.asarray(toks + ['"', ":", "•", "-", ""], dtype=object)
    codes, vocab = pd.factorize(arr)
    cap, lower, opener = actors._char_tests(codes, vocab)
    assert cap.tolist() == [t[:1].isupper() for t in arr] and lower.tolist() == [t[:1].islower() for t in arr]
    assert opener.tolist() == [t in actors._OPENERS for t in arr] and opener.sum() >= 2
    lc, lv = pd.factorize(np.asarray([t.lower() for t in arr], dtype=object))
    initial = np.zeros(len(arr), dtype=bool)
    initial[::7] = True
    pd.testing.assert_frame_equal(actors._case_counts(lc, lv, arr, initial, cap=cap, lower=lower),
                                  actors._case_counts(lc, lv, arr, initial), check_exact=True)


def _old_mentions_of(rows, case, cues):  # actors._mentions_of before it read column lists
    out = []
    for r in rows.itertuples(index=False):
        words = r.words.split(" ")
        cl = [c for c in r.cues.split("|") if c]
        if r.lead and not actors._lead_ok(r.lead, r.key, len(words) >= 2, case, cues):
            if not r.tail_words:
                continue
            m = actors._Mention(r.doc_id, r.source, r.sent_id, r.tail_surface, r.tail_words.split(" "), "", "",
                                [c for c in cl if not c.startswith(actors._BEFORE)] + ["cut"], r.acr)
        else:
            m = actors._Mention(r.doc_id, r.source, r.sent_id, r.surface, words, r.title, r.titled, cl, r.acr)
            m.opening = bool(r.opening)
        out.append(m)
    return out


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_discovery_reduce_equals_the_slow_path(gen, monkeypatch):
    """The reduce reading column lists and deciding each spelling's shape once gives the table of
    the row-by-row reduce, and its mentions are the same objects' fields."""
    corp, _ = gen
    fast = actors.discover(corp, top=None, min_mentions=1)
    corp.release_caches()
    rows = actors.discovery_map(corp)["name_candidates"]
    case = actors._Case([actors.discovery_map(corp)])
    cues = actors.load_cues()
    fields = lambda ms: [tuple(getattr(m, f) for f in actors._Mention.__slots__) for m in ms]  # noqa: E731
    assert fields(actors._mentions_of(rows, case, cues)) == fields(_old_mentions_of(rows, case, cues))
    with monkeypatch.context() as m:
        m.setattr(actors, "_mentions_of", _old_mentions_of)
        m.setattr(actors._Evidence, "_shape", lambda self, mn, c: (
            actors._surname_of(mn, c), len(mn.words) >= 2 and actors._person_shaped(mn.words, c), actors._org_heads(mn, c)))
        slow = actors.discover(corp, top=None, min_mentions=1)
    corp.release_caches()
    assert len(fast) > 20 and set(fast["kind"]) >= {"person", "organization"}
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast.attrs == slow.attrs


def test_may_hold_skips_only_sentences_without_items(seed_corpus):
    """A kind of item a sentence cannot hold (by :func:`coverage._may_hold`) is one its rule finds
    nothing for; and each kind is skipped somewhere."""
    import numpy as np

    from framelens.lenses import coverage

    tok = seed_corpus.tokens
    toks, lows = tok["token"].astype(str).tolist(), tok["lower"].astype(str).tolist()
    st, en = tok["start"].to_numpy(), tok["end"].to_numpy()
    sid = tok["sent_id"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1], True])
    may = coverage._may_hold(toks, lows, bounds)
    assert may.shape == (len(bounds) - 1, 4) and (~may).sum(axis=0).min() > 0 and may.sum(axis=0).min() > 0
    text = " " * int(en.max() + 1)
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        t, lw, n = toks[a:b], lows[a:b], b - a
        used, cov = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        found = [coverage._date_items(t, lw, st[a:b], en[a:b], text, used.copy()),
                 coverage._number_items(t, lw, lw, ["NN"] * n, st[a:b], en[a:b], text, used.copy()),
                 coverage._name_items(t, lw, st[a:b], en[a:b], cov, text, cov),
                 coverage._acronym_items(t, st[a:b], en[a:b], cov, {})]
        for j in range(4):
            assert may[k, j] or not found[j], (k, j, t)


def _old_match_title(low, k, cues):  # actors._match_title before its first-word test
    best = 0
    words = []
    j = k
    while j < len(low) and len(words) < cues.title_max:
        if low[j] == ".":
            j += 1
            continue
        words.append(low[j].replace(".", ""))
        j += 1
        if tuple(words) in cues.titles:
            best = j - k
            if best < len(low) - k and low[k + best] == ".":
                best += 1
    return best


def test_match_title_equals_the_old_rule():
    cues = actors.load_cues()
    titles = sorted(cues.titles)
    pool = [w for t in titles[:40] for w in t] + [".", "..", "dr.", "the", "x", "president", "vice", "gov."]
    rng = random.Random(4)
    hits = 0
    for _ in range(4000):
        low = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
        for k in range(len(low)):
            got = actors._match_title(low, k, cues)
            assert got == _old_match_title(low, k, cues), (low, k)
            hits += got > 0
    assert hits > 500
