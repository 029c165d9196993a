"""Actors and agency: who does what in each source's sentences, and who is quoted.

* :func:`pos_tags` — Penn part-of-speech tags for ``corpus.tokens`` from TextBlob's
  ``PatternTagger`` (pattern's Brill-style tagger; its lexicon ships in the wheel, no
  download). Each sentence is tagged once, on the corpus' own tokens, through the tagger's
  ``find_tags`` (what ``PatternTagger.tag`` runs after tokenizing; ≈ 8× faster than the string
  round trip, identical tags), and cached per corpus.
* :func:`chunk` — noun-phrase and verb-group chunks. The grammar is :data:`GRAMMAR`, an NLTK
  ``RegexpParser`` grammar; for speed it is run as the equivalent regular expression over a
  one-character-per-tag string (``nltk.RegexpParser`` costs ≈ 0.5 ms a sentence, this ≈ 20 µs;
  ``tests/test_agency.py`` checks both give the same chunks).
* :func:`agency` — subject–verb pairs with voice, negation and modality, and the actor
  behind the subject (:func:`framelens.lenses.actors.find_mentions`).
* :func:`actor_verbs` / :func:`agency_table` — the verbs each source gives each actor.
* :func:`actor_prominence` — share of actor mentions per actor and source.
* :func:`quotations` — direct quotes and paraphrase with their speaker and reporting verb.

Rules (decisions, each tested):

* subject = the noun phrase right before the verb group; through an appositive
  ("Xi Jinping, China's president, said"), a relative pronoun ("Tokayev, who regards ...");
  coordinated subjects ("Xi and Tokayev signed") give one row each;
* coordinated verbs without their own subject inherit the previous subject ("Xi arrived
  and met Tokayev" → arrive, meet); an infinitive inherits it too ("China aims to help" →
  aim, help; ``clause='infinitive'``); "..., said Xi" (inverted reporting verb) → Xi;
* passive = a form of *be*/*get* followed by a past participle in the same verb group: the
  subject is the *patient* and a ``by`` phrase gives the *agent* ("Xi was received by
  Tokayev" → Xi patient, Tokayev agent, verb receive);
* negation = not / n't / never in the verb group ("Beijing did not respond" → respond, negated);
* possessive subjects: "China's leader pledged" is credited to China with ``via='possessive'``
  (the possessor is the actor the sentence makes act, through its agent); a head noun that is
  itself an actor wins ("China's President Xi" → Xi). A modifier ("Chinese officials") is
  ``via='modifier'``; *he*/*she* resolve to the last person named in the previous three
  sentences (``via='pronoun'``). :func:`actor_verbs` counts head, possessive and pronoun by default.

Limits: a tagger + chunker is not a parser: long-distance subjects, subject-less clauses and
complex coordination are missed or mis-assigned. Read the evidence sentences.
"""

from __future__ import annotations

import re
from typing import Sequence, TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.text.tagging import AGENCY_COLUMNS, GRAMMAR, REPORTING_VERBS, _PRONOUNS_PERSON, chunk, pos_tags, subject_verbs  # noqa: F401  (moved; re-exported)
from framelens.lenses.actors import find_mentions, find_mentions_in_text, resolve
from framelens.resources.codebook import load_markers
from framelens.text.tokens import column_values, lemmatize

__all__ = [
    "GRAMMAR",
    "pos_tags",
    "chunk",
    "agency",
    "subject_verbs",
    "actor_verbs",
    "agency_table",
    "actor_prominence",
    "quotations",
    "REPORTING_VERBS",
]


def _resolve(np_span, sent_tokens, mentions, lower) -> tuple[str | None, str]:
    """Actor behind a noun phrase: (actor, via)."""
    a, b = np_span
    s0, e0 = sent_tokens["start"][a], sent_tokens["end"][b - 1]
    inside = [m for m in mentions if m[1] >= s0 and m[2] <= e0]
    if not inside:
        return None, ""
    last_end = sent_tokens["end"][b - 1]
    heads = [m for m in inside if m[2] == last_end]
    if heads:
        return heads[-1][0], "head"
    poss = [m for m in inside if m[3]]
    if poss:
        return poss[-1][0], "possessive"
    return inside[-1][0], "modifier"


def agency(corpus: CorpusLike, actors: pd.DataFrame | None = None, *, tags: np.ndarray | None = None) -> pd.DataFrame:
    """Subject–verb pairs of every sentence with the actor behind the subject.

    One row per (subject, verb): ``sent_id, doc_id, source, subject`` (text), ``actor`` (canonical
    actor or empty), ``via`` (head / possessive / modifier / pronoun / ''), ``verb`` (lemma),
    ``verb_text``, ``voice`` (active/passive), ``role`` (agent/patient), ``negated``, ``modal``,
    ``clause`` (main, coordinated, infinitive, relative, appositive, inverted, by-agent),
    ``verb_i`` (token index), ``subject_i, subject_n`` (first token index and length of the
    subject). See the module docstring for the rules and limits.
    """
    actors = resolve(corpus, actors)  # None: packaged countries/organisations + discovered actors
    tokens = corpus.tokens
    tags = pos_tags(corpus) if tags is None else tags
    ment = find_mentions(corpus.sentences, actors)
    kinds = dict(zip(actors["actor"], actors["kind"]))
    by_sent: dict[str, list] = {}
    for sid, actor, s, e, poss in zip(ment["sent_id"].tolist(), ment["actor"].tolist(), ment["start"].tolist(), ment["end"].tolist(), ment["possessive"].tolist()):
        by_sent.setdefault(sid, []).append((actor, int(s), int(e), bool(poss)))
    sents = corpus.sentences
    sent_meta = dict(zip(sents["sent_id"].tolist(), zip(sents["doc_id"].tolist(), sents["source"].tolist(), sents["text"].tolist())))
    sid = column_values(tokens, "sent_id")
    bounds = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1], True]) if len(sid) else np.array([0])
    tok_list = column_values(tokens, "token").tolist()
    lem_list = column_values(tokens, "lemma").tolist()
    starts = tokens["start"].to_numpy()
    ends = tokens["end"].to_numpy()
    rows = []
    recent_person: dict[str, list[tuple[int, str]]] = {}   # doc -> [(sent_no, actor)]
    sent_no = 0
    for a, e in zip(bounds[:-1], bounds[1:]):
        s_id = sid[a]
        doc, src, text = sent_meta[s_id]
        mentions = by_sent.get(s_id, [])
        sent_no += 1
        pairs = subject_verbs(tok_list[a:e], tags[a:e], lem_list[a:e])
        st = {"start": starts[a:e], "end": ends[a:e]}
        low = [t.lower() for t in tok_list[a:e]]
        persons = recent_person.setdefault(doc, [])
        for p in pairs:
            sa, sb = p["subject"]
            actor, via = _resolve((sa, sb), st, mentions, low)
            if actor is None and sb - sa == 1 and low[sa] in _PRONOUNS_PERSON:
                cand = [x for x in persons if sent_no - x[0] <= 3]
                before = [m for m in mentions if kinds.get(m[0]) == "person" and m[2] <= st["start"][sa]]
                if before:
                    actor, via = before[-1][0], "pronoun"
                elif cand:
                    actor, via = cand[-1][1], "pronoun"
            rows.append((s_id, doc, src, text[int(st["start"][sa]):int(st["end"][sb - 1])], actor or "", via,
                         p["verb"], p["verb_text"], p["voice"], p["role"], p["negated"], p["modal"], p["clause"], p["verb_i"],
                         sa, sb - sa))
        for m in mentions:
            if kinds.get(m[0]) == "person":
                persons.append((sent_no, m[0]))
        if len(persons) > 20:
            del persons[:-20]
    return pd.DataFrame(rows, columns=AGENCY_COLUMNS)


def actor_verbs(agency_df: pd.DataFrame, *, via: Sequence[str] = ("head", "possessive", "pronoun")) -> pd.DataFrame:
    """Counts per actor × source × verb: ``actor, source, verb, n, active, passive, negated``
    (``passive`` = the actor is the patient of a passive verb). Sorted by actor, source, -n."""
    d = agency_df[(agency_df["actor"] != "") & agency_df["via"].isin(list(via))]
    cols = ["actor", "source", "verb", "n", "active", "passive", "negated"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    d = d.assign(active=(d["role"] == "agent").astype(int), passive=(d["role"] == "patient").astype(int),
                 negated=d["negated"].astype(int))
    g = d.groupby(["actor", "source", "verb"], sort=False).agg(n=("verb", "size"), active=("active", "sum"),
                                                               passive=("passive", "sum"), negated=("negated", "sum")).reset_index()
    return g.sort_values(["actor", "source", "n", "verb"], ascending=[True, True, False, True]).reset_index(drop=True)[cols]


AGENCY_COUNT_COLUMNS = ["actor", "source", "v", "n", "agents", "negated"]


def agency_counts(agency_df: pd.DataFrame, *, via: Sequence[str] = ("head", "possessive", "pronoun")) -> pd.DataFrame:
    """The mergeable counts behind :func:`agency_table`: per ``actor, source`` and verb form
    ``v`` (the lemma, ``not `` prefixed when negated, `` (passive)`` appended when the actor is
    the patient) the clauses ``n``, those where the actor is the agent and those negated, in
    order of first appearance. Counts of consecutive parts of a corpus merge with
    :func:`merge_agency_counts` into the counts of the whole."""
    d = agency_df[(agency_df["actor"] != "") & agency_df["via"].isin(list(via))]
    if d.empty:
        return pd.DataFrame(columns=AGENCY_COUNT_COLUMNS)
    d = d.assign(v=np.where(d["negated"], "not " + d["verb"], d["verb"]) + np.where(d["role"] == "patient", " (passive)", ""),
                 agents=(d["role"] == "agent").astype(int), neg=d["negated"].astype(int))
    g = d.groupby(["actor", "source", "v"], sort=False).agg(n=("v", "size"), agents=("agents", "sum"),
                                                          negated=("neg", "sum")).reset_index()
    return g[AGENCY_COUNT_COLUMNS]


def merge_agency_counts(counts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Sum :func:`agency_counts` of consecutive corpus parts (first appearance order kept)."""
    full = [c for c in counts if len(c)]
    if not full:
        return pd.DataFrame(columns=AGENCY_COUNT_COLUMNS)
    g = pd.concat(full, ignore_index=True).groupby(["actor", "source", "v"], sort=False)[["n", "agents", "negated"]].sum()
    return g.reset_index()[AGENCY_COUNT_COLUMNS]


def agency_table(agency_df: pd.DataFrame, *, top: int = 6, min_clauses: int = 1,
                 via: Sequence[str] = ("head", "possessive", "pronoun"), counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actor × source summary: ``actor, source, clauses, agent_share`` (share of the actor's
    clauses where it acts rather than is acted upon), ``negated`` and ``verbs`` — the ``top``
    verb lemmas with counts (``"pledge 3, meet 2"``; a ``not `` prefix marks negated uses).
    ``counts``: the table's :func:`agency_counts` when already made (``agency_df`` is then not
    read), e.g. merged from a corpus's partitions."""
    c = counts if counts is not None else agency_counts(agency_df, via=via)
    cols = ["actor", "source", "clauses", "agent_share", "negated", "verbs"]
    if c.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (actor, source), g in c.groupby(["actor", "source"], sort=False):
        n = int(g["n"].sum())
        if n < min_clauses:
            continue
        vc = g.set_index("v")["n"].sort_index().sort_values(ascending=False, kind="stable")
        rows.append({"actor": actor, "source": source, "clauses": n,
                     "agent_share": float(g["agents"].sum() / n), "negated": int(g["negated"].sum()),
                     "verbs": ", ".join(f"{v} {int(k)}" for v, k in vc.head(top).items())})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["actor", "clauses"], ascending=[True, False]).reset_index(drop=True)


def actor_prominence(corpus: CorpusLike, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """How prominent each actor is in each source: ``source, actor, mentions, share`` (of all
    actor mentions in the source), ``sentences`` (mentioning it), ``sentence_share``,
    ``per_1000_words`` and ``first_position`` (earliest relative position in a document, 0 =
    lead). Mentions come from :func:`framelens.lenses.actors.find_mentions`."""
    ment = find_mentions(corpus.sentences, resolve(corpus, actors))
    cols = ["source", "actor", "mentions", "share", "sentences", "sentence_share", "per_1000_words", "first_position"]
    if ment.empty:
        return pd.DataFrame(columns=cols)
    pos = corpus.sentences.set_index("sent_id")["position"]
    ment = ment.assign(position=ment["sent_id"].map(pos))
    words = corpus.sentences.groupby("source")["n_words"].sum()
    nsent = corpus.sentences.groupby("source").size()
    g = ment.groupby(["source", "actor"], sort=False).agg(mentions=("actor", "size"), sentences=("sent_id", "nunique"),
                                                        first_position=("position", "min")).reset_index()
    g["share"] = g["mentions"] / g.groupby("source")["mentions"].transform("sum")
    g["sentence_share"] = g["sentences"] / g["source"].map(nsent)
    g["per_1000_words"] = 1000 * g["mentions"] / g["source"].map(words)
    order = {s: k for k, s in enumerate(corpus.sources)}
    g = g.assign(_o=g["source"].map(order)).sort_values(["_o", "mentions"], ascending=[True, False]).drop(columns="_o")
    return g[cols].reset_index(drop=True)


# ------------------------------------------------------------------------------ quotations
_QUOTE_RE = re.compile(r'"([^"]*)"|"([^"]*)$')
QUOTE_COLUMNS = ["sent_id", "doc_id", "source", "kind", "speaker", "actor", "verb", "quote", "text"]
_SPEAKER_PRONOUNS = frozenset("he she they we i it some others many several most few both".split())
_PERSON_PRONOUNS = frozenset("he she they we i".split())
_QUANTITIES = frozenset("some many most few several all half majority minority number dozens hundreds thousands "
                        "millions group lot lots none each one two three four five".split())
_DETS = frozenset("the a an this that these those its his her their our my your".split())
#: heads that are not speakers even when capitalized (events, documents, plans, places)
NOT_SPEAKERS = frozenset("""summit forum conference meeting talks visit agreement treaty accord deal act law bill
    report study survey poll data figures plan initiative strategy programme program project declaration
    statement document letter audit review budget decision ruling verdict move policy measure event festival
    games olympics cup election war crisis way street city town country region""".split())


def _default_speaker_nouns() -> frozenset:
    return frozenset(w.lower() for w in load_markers().get("speaker_nouns", ()))


def _sentence_rows(tokens: pd.DataFrame) -> dict:
    sid = column_values(tokens, "sent_id")
    bounds = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1], True]) if len(sid) else np.array([0])
    return {sid[a]: (int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])}


def _is_proper(k: int, low, tok, tags, names: frozenset = frozenset()) -> bool:
    """Token k is a proper name: an acronym, or tagged NNP(S) and capitalized — and, at the start
    of the sentence where every word is capitalized, followed by another capitalized word ("Ana
    Ruiz said") or written capitalized somewhere in mid-sentence in the corpus (``names``):
    "Google said" is a name, "Extremism underscores" is not."""
    t = tok[k][:-1] if tok[k].endswith("s") and len(tok[k]) >= 3 else tok[k]
    if len(t) >= 2 and t.isupper() and t.isalpha():
        return True  # an acronym: AIU, WHO, NATO, MPs
    if not str(tags[k]).startswith("NNP") or not tok[k][:1].isupper():
        return False
    if k == 0:
        nxt = k + 1 < len(tok) and tok[k + 1][:1].isupper() and str(tags[k + 1]).startswith("NNP")
        return nxt or low[k] in names
    return True


def _names_someone(k0: int, k1: int, low, lem, tok, tags, nouns: frozenset, names: frozenset = frozenset()) -> bool:
    """Tokens [k0, k1) name a person or an organization: the head (last word) is a proper name
    (and not an event/document word such as "Summit"), or the head — or a word of the phrase before
    'of' — is a person/organization noun."""
    if k1 <= k0:
        return False
    head = k1 - 1
    if low[head] in NOT_SPEAKERS or lem[head] in NOT_SPEAKERS:
        return False
    if _is_proper(head, low, tok, tags, names):
        return True
    if lem[head] in nouns or low[head] in nouns:
        return True
    # agent nouns by their ending: economist, criminologist, politician, historian
    return str(tags[head]).startswith("NN") and len(lem[head]) > 5 and lem[head].endswith(("ist", "ian"))


def _previous_names_someone(names, low, lem, tok, tags, nouns, mentions: bool) -> bool:
    if mentions:
        return True
    for k in range(len(low)):
        if _is_proper(k, low, tok, tags, names) and low[k] not in NOT_SPEAKERS:
            return True
        if str(tags[k]).startswith("NN") and (lem[k] in nouns or low[k] in nouns):
            return True
    return False


def quotations(corpus: CorpusLike, actors: pd.DataFrame | None = None, *, reporting_verbs: Sequence[str] | None = None,
               agency_df: pd.DataFrame | None = None, min_quote_words: int = 4,
               speaker_nouns: Sequence[str] | None = None, require_person: bool = True) -> pd.DataFrame:
    """Who is quoted or paraphrased, and how.

    ``kind``: ``direct`` — text in double quotes with an attribution in the sentence (a
    reporting verb whose subject is a speaker, or "according to X"); ``paraphrase`` — no quote
    marks but a reporting verb with a speaker as subject ("Xi noted that ...", "As Xi stressed,
    ...") or "according to X"; ``quoted phrase`` — quoted text without attribution or shorter
    than ``min_quote_words`` words (scare quotes, slogans on banners); a sentence whose speaker
    quotes only such a short phrase ('Google said it "respectfully disagreed"') also gets a
    ``paraphrase`` row. ``speaker`` is the
    subject text, ``actor`` the actor behind it when known (pronouns resolved as in
    :func:`agency`), ``verb`` the reporting verb lemma. Quotes running over several sentences
    are reported per sentence. Columns: ``sent_id, doc_id, source, kind, speaker, actor, verb,
    quote, text``.

    A speaker is a person or an organization (``require_person=True``, the default): the subject
    is (1) a proper name or an actor alias (not an event or document: "the Xi'an Summit
    underscored" is not speech), (2) a noun phrase whose head is a person or organization noun
    (``speaker_nouns``, default: the ``speaker_nouns`` list of ``data/stance_markers.toml`` —
    official, spokesperson, analyst, minister, company, union, ...), or (3) a pronoun (*he, she,
    they, it, some, others* ...) with such a name or noun earlier in the sentence or in the
    previous sentence. A subject inside a prepositional phrase ("the opening of a workshop in
    Kazakhstan highlights ...") is not the subject, ", say," is a discourse marker, and a negated
    reporting verb ("X did not respond") reports no words.
    Everything else — "extremism underscores", "this meeting adds", "the report says" — is not
    a quote. ``require_person=False`` gives the older reading (any subject of a reporting verb).
    """
    actors = resolve(corpus, actors)
    verbs = frozenset(reporting_verbs) if reporting_verbs is not None else REPORTING_VERBS
    nouns = frozenset(w.lower() for w in speaker_nouns) if speaker_nouns is not None else _default_speaker_nouns()
    ag = agency(corpus, actors) if agency_df is None else agency_df
    rep = ag[ag["verb"].isin(verbs) & (ag["role"] == "agent")]
    rep_by_sent: dict = {}  # plain records: a row Series per candidate costs more than the rules
    for rec in rep.to_dict("records"):
        rep_by_sent.setdefault(rec["sent_id"], []).append(rec)
    who_of = _Speakers(corpus, actors, nouns, require_person=require_person, has_sub="subject_i" in rep.columns)
    rows = []
    open_quote = False
    prev_para = None
    prev_sid, prev_doc = None, None
    sents = corpus.sentences
    for sid, doc, src, para, norm, text in zip(*(sents[c].tolist() for c in ("sent_id", "doc_id", "source", "para_id", "norm", "text"))):
        if para != prev_para:
            open_quote = False
            prev_para = para
        if doc != prev_doc:
            prev_sid = None
        spans, open_quote = _quote_spans(norm, open_quote)
        speaker = actor = verb = ""
        for c in rep_by_sent.get(sid) or ():
            who = who_of.speaker(sid, prev_sid, c)
            if who:
                speaker, actor, verb = who, c["actor"], c["verb"]
                break
        m = _according_to(norm)
        if not speaker and m and not any(a <= m.start() < b for a, b in spans) and who_of.according_ok(m.group(1)):
            speaker, verb = m.group(1).strip(), "according to"

            found = find_mentions_in_text(speaker, actors)
            actor = found[0][0] if found else ""
        rows += _quote_rows(sid, doc, src, text, spans, speaker, actor, verb, min_quote_words=min_quote_words)
        prev_sid, prev_doc = sid, doc
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)


_ACCORDING = re.compile(r"\baccording to ([^,;.]+)", flags=re.I)


def _according_to(norm: str):
    """The "according to X" of a sentence (a match, or None). An ASCII text without the words in
    any case cannot match: the search is skipped."""
    if norm.isascii() and "according to " not in norm.lower():
        return None
    return _ACCORDING.search(norm)


def _quote_spans(s: str, open_quote: bool) -> tuple[list[tuple[int, int]], bool]:
    """The quoted spans of a sentence (its normalised text ``s``: straight double quotes), and
    whether a quote is still open at its end; ``open_quote``: one was open before it (a quote
    running over several sentences of a paragraph)."""
    spans = []
    pos = 0
    if open_quote:
        close = s.find('"')
        if close < 0:
            return [(0, len(s))], True
        spans.append((0, close))
        pos = close + 1
        open_quote = False
    while pos < len(s):
        q = s.find('"', pos)
        if q < 0:
            break
        e = s.find('"', q + 1)
        if e < 0:
            spans.append((q + 1, len(s)))
            open_quote = True
            break
        spans.append((q + 1, e))
        pos = e + 1
    return spans, open_quote


def _quote_rows(sid, doc, src, text: str, spans, speaker: str, actor: str, verb: str, *,
                min_quote_words: int) -> list[tuple]:
    """One sentence's rows of :func:`quotations`: a row per quoted span (``direct`` with a speaker
    and enough words, else ``quoted phrase``), and a ``paraphrase`` row for reported speech
    without (or with only short) quotes."""
    rows = []
    if spans:
        direct = False
        for a, b in spans:
            qt = text[a:b].strip()
            nwords = len(qt.split())
            kind = "direct" if speaker and nwords >= min_quote_words else "quoted phrase"
            direct = direct or kind == "direct"
            rows.append((sid, doc, src, kind, speaker if kind == "direct" else "", actor if kind == "direct" else "",
                         verb if kind == "direct" else "", qt, text))
        if speaker and not direct:  # reported speech quoting only a few words ("said it 'respectfully disagreed'")
            rows.append((sid, doc, src, "paraphrase", speaker, actor, verb, "", text))
    elif speaker:
        rows.append((sid, doc, src, "paraphrase", speaker, actor, verb, "", text))
    return rows


class _Speakers:
    """Who speaks in a sentence of one corpus, for :func:`quotations`: the subject of a reporting
    verb when it names a person or organization (see its docstring), and the source of an
    "according to X"."""
    def __init__(self, corpus: CorpusLike, actors: pd.DataFrame, nouns: frozenset, *, require_person: bool,
                 has_sub: bool):
        tokens = corpus.tokens
        self.tokens, self.nouns, self.require_person, self.has_sub = tokens, nouns, require_person, has_sub
        self.tags = pos_tags(corpus) if require_person else None
        self.rows_of = _sentence_rows(tokens)
        self.tok_all = column_values(tokens, "token").tolist()
        self.low_all = column_values(tokens, "lower").tolist()
        self.lem_all = tokens["lemma"].astype(str).str.lower().tolist()
        sid = column_values(tokens, "sent_id")
        first = np.r_[True, sid[1:] != sid[:-1]] if len(tokens) else np.array([], bool)
        cap = tokens["token"].astype(str).str[:1].str.isupper().to_numpy() if len(tokens) else np.array([], bool)
        self.names = frozenset(column_values(tokens, "lower")[cap & ~first]) if len(tokens) else frozenset()
        self.text_of = dict(zip(corpus.sentences["sent_id"], corpus.sentences["text"]))
        self.mention_sents: set = set()
        if require_person:

            self.mention_sents = set(find_mentions(corpus.sentences, actors)["sent_id"])

    def window(self, sid):
        a, b = self.rows_of.get(sid, (0, 0))
        return self.low_all[a:b], self.lem_all[a:b], self.tok_all[a:b], (self.tags[a:b] if self.tags is not None else [])

    def speaker(self, sid, prev_sid, c) -> str:
        """The speaker's text when the candidate subject names a speaker, else ""."""
        low, lem, tok, tg = self.window(sid)
        nouns, names = self.nouns, self.names
        vi = int(c["verb_i"])
        if c["verb"] == "say" and 0 < vi < len(low) - 1 and low[vi - 1] == "," and low[vi + 1] == ",":
            return ""  # ", say," — a discourse marker
        if self.require_person and bool(c.get("negated", False)):
            return ""  # "X did not respond", "X never said": no words are reported
        if not self.require_person:
            return c["subject"]
        if not self.has_sub:
            return c["subject"] if c["actor"] else ""
        k0, n = int(c["subject_i"]), int(c["subject_n"])
        k1 = k0 + n
        prepositional = k0 > 0 and str(tg[k0 - 1]) == "IN" and low[k0 - 1] not in ("that", "as", "because", "while", "if")
        if c["via"] in ("head",) and c["actor"] and not prepositional:
            return c["subject"] if low[k1 - 1] not in NOT_SPEAKERS else ""
        quantity = (k0 >= 2 and low[k0 - 1] == "of" and (str(tg[k0 - 2]) == "CD" or low[k0 - 2] in _QUANTITIES))
        if quantity:  # "30% of voters said", "some of the residents said": the people are the subject
            return c["subject"] if _names_someone(k0, k1, low, lem, tok, tg, nouns, names) else ""
        if prepositional:
            return self._before_preposition(sid, k0, k1, low, lem, tok, tg)
        if n == 1 and low[k0] in _SPEAKER_PRONOUNS:
            if c["via"] == "pronoun" and c["actor"]:
                return c["subject"]
            if _previous_names_someone(names, low[:k0], lem[:k0], tok[:k0], tg[:k0], nouns, False):
                return c["subject"]
            if prev_sid is None:
                return ""
            pl, pm, pt, pg = self.window(prev_sid)
            return c["subject"] if _previous_names_someone(names, pl, pm, pt, pg, nouns, prev_sid in self.mention_sents) else ""
        return c["subject"] if _names_someone(k0, k1, low, lem, tok, tg, nouns, names) else ""

    def _before_preposition(self, sid, k0: int, k1: int, low, lem, tok, tg) -> str:
        """The subject is the object of a preposition: the speaker is the noun phrase before it
        ("Lobbyists for the industry argue", "The opening of a workshop in X highlights"), if it
        names someone."""
        h = k0 - 2
        while h >= 0 and not str(tg[h]).startswith(("NN", "PRP")):
            if not str(tg[h]).startswith(("JJ", "DT", "CD", "POS", "PRP$")):
                return ""
            h -= 1
        if h < 0 or not _names_someone(h, h + 1, low, lem, tok, tg, self.nouns, self.names):
            return ""
        a, _b = self.rows_of.get(sid, (0, 0))
        st = self.tokens["start"].to_numpy()
        en = self.tokens["end"].to_numpy()
        g = h
        while g > 0 and str(tg[g - 1]).startswith(("NN", "JJ", "DT", "CD", "POS", "PRP$")):
            g -= 1
        return self.text_of[sid][int(st[a + g]):int(en[a + k1 - 1])]

    def according_ok(self, phrase: str) -> bool:
        """Whether the X of "according to X" names a person or organization."""
        if not self.require_person:
            return True
        words = re.findall(r"[A-Za-z][\w'’.-]*", phrase)
        head_words = []
        for w in words:
            if w.lower() in ("seen", "by", "who", "which", "that", "in", "at", "on", "from", "published",
                             "released", "cited", "of", "for", "with"):
                break
            head_words.append(w)
        if not head_words:
            return False

        head = head_words[-1]
        if head.lower() in NOT_SPEAKERS or lemmatize(head.lower()) in NOT_SPEAKERS:
            return False
        if head.lower() in self.nouns or lemmatize(head.lower()) in self.nouns:
            return True
        return any(w[:1].isupper() and w.lower() not in _DETS for w in head_words)
