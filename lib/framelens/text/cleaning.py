"""Page-furniture removal with an audit trail, and length-preserving normalization.

:func:`clean_text` splits a raw article into lines (a paragraph is one non-empty line; blank-line
and single-newline separated files both work, a missing final newline too), detects the title,
keeps short mid-document lines as ``heading`` blocks, and removes page furniture by the general
rules listed in :data:`RULES`.  Every removed span is returned as a :class:`Removal` (rule, text,
char offsets into the raw text, 1-based line) so the overview notebook can show exactly what was
dropped and why.  Rules look at the *shape* of a line (length, capitalization, final punctuation,
script, position in the document) and at wording patterns that are common across news sites
(``Subscribe to our ...``, ``The views expressed ...``); none of them matches a particular outlet.

Offsets: ``block.text == raw[block.start:block.end]`` — except that an inline CMS shortcode inside
a paragraph is blanked with spaces of the same length (recorded as a ``shortcode`` removal), so
offsets stay valid.

:func:`normalize` maps typographic quotes, dashes and exotic spaces to ASCII one character for
one character (same length, so offsets computed on the normalized text are valid in the original).
:func:`english_share` scores how English a text looks, for the "looks non-English" warning.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from framelens.core.lazy import lazy_compile  # the rules' expressions compile when first used

__all__ = [
    "Block",
    "Removal",
    "CleanedDocument",
    "clean_text",
    "normalize",
    "english_share",
    "latin_share",
    "RULES",
]

#: Rule name -> one-line description (shown in the overview notebook's cleaning audit).
RULES: dict[str, str] = {
    "kicker": "Section label above the headline (e.g. 'Breaking News', 'Opinion', 'World', "
              "'EXCLUSIVE', a breadcrumb 'Home » World'): a short line at the very top, made of "
              "section words, or any ≤ 3-word line before the headline.",
    "duplicate_headline": "A short top line that repeats or is contained in the headline (or "
                          "contains it), or a heading that repeats the title or an earlier heading.",
    "byline": "An author or credit line: 'By …', 'Written/Reporting by …', '(Reporting by …; "
              "Editing by …)', '… contributed to this report', a line naming only a wire agency "
              "('Associated Press'), a name with a desk or place ('Jane Doe Health "
              "correspondent', 'Jane Doe in Brussels'), or a line that is only a "
              "person's name (2–4 capitalized name-like words, particles such as de/van/bin/al "
              "allowed, no other function words, no final punctuation, not shaped like a "
              "topic heading).",
    "author_bio": "A note about the author among the last 3 (or first 3) paragraphs: 'The author "
                  "is …', 'About the author', '[Mr./Dr.] <Name> is a/an … analyst/journalist/"
                  "professor/…', 'follow him/her on …'.",
    "image_caption": "Image furniture: file-name captions ('IMG_1234.jpeg', '… 192x192 … jpg', "
                     "'cropped …'), 'Photo: …', 'Image credit …', '(Photo by …)', 'File photo', "
                     "agency photo credits.",
    "disclaimer": "Editorial notes: 'The views expressed … are those of the author …', "
                  "'… do not necessarily reflect …', 'Disclaimer: …', 'This article was originally "
                  "published …', 'Editor's note:', copyright lines ('©', 'All rights reserved').",
    "call_to_action": "Newsletter / social / subscription prompts: a sentence starting 'Sign up', "
                      "'Subscribe', 'Follow us', 'Join our', 'Get the latest', 'Click here', "
                      "'Read more:', 'Share this', 'Download our app', or '… delivered to your "
                      "inbox/phone' (lines under 60 words).",
    "shortcode": "CMS shortcodes and markup, removed even inside a paragraph: "
                 "'[adinserter block=\"8\"]', '[caption …]…[/caption]', '{{…}}', HTML tags and "
                 "comments.",
    "comment_form": "Comment-form furniture: 'Leave a Reply', 'Your email address will not be "
                    "published', 'Required fields are marked', 'Post Comment', 'Name * Email *', "
                    "'Cancel reply', 'Comments are closed'.",
    "non_english": "Lines written mostly in a non-Latin script (CJK, Cyrillic, Arabic, …), or "
                   "Latin-script lines of ≥ 6 words with almost no English function words, inside "
                   "an otherwise English article (e.g. a foreign-language comment form); short "
                   "Latin lines without English function words next to such a run go with it.",
    "empty_or_symbol": "Lines with no letter or digit (separators such as '***', '—', '|', '___').",
    "site_chrome": "Web-page interface text on a line of its own: navigation and buttons ('Skip to "
                   "content', 'Share', 'Save', 'Print', 'Loading…', 'Back to top'), reading time "
                   "('4 min read', 'Listen to this article'), list headers ('Most read', 'Trending "
                   "now', 'More on this story', 'Related topics'), 'Report an error', 'Click to "
                   "enlarge', e-mail fields and cookie notices; parts separated by '·' or '|' "
                   "must all be interface text.",
    "timestamp": "A line that is only a publication / update time: date and time words, numbers, "
                 "time zones, 'Published', 'Updated', 'Posted', '3 hours ago' (e.g. 'Updated 14:32 "
                 "GMT', 'Mon 3 Feb 2025 06.00 GMT').",
    "topic_tags": "Tag and topic lists: a line starting 'Tags:', 'Topics:', 'Filed under:', "
                  "'Categories:', 'Keywords:'.",
    "related_links": "Link lists after a list header ('Related', 'More on this story', 'Most read', "
                     "'Read more', 'Explore more on these topics', …): at the end of the article "
                     "every following short line without a final period; inside the article only "
                     "the next such line.",
    "inline_call_to_action": "A call to action inside a paragraph, removed as a span: a run of capitals "
                             "starting 'CLICK HERE', 'TAP HERE', 'GET THE … APP', 'DOWNLOAD', 'SIGN UP', "
                             "'SUBSCRIBE', 'READ MORE', 'WATCH', 'LISTEN' (e.g. 'CLICK HERE TO GET THE FOX NEWS "
                             "APP'), or, in a paragraph of 60+ words, a sentence starting 'Click here', 'Tap "
                             "here', 'Download our/the app' or 'Sign up'. The rest of the paragraph is kept.",
    "inline_headlines": "A run of 4+ words in capitals inside a paragraph that is otherwise in ordinary "
                        "case (a related-headline blurb: '… on Tuesday. SENATE PASSES BORDER BILL AFTER "
                        "LATE-NIGHT VOTE The bill …'), removed as a span. Acronyms (shorter runs: NATO, "
                        "U.S. FBI) and capitals inside quotation marks are kept; a run at the start of a "
                        "line is removed only when ordinary text follows it directly (not a dateline).",
    "too_long": "The end of a very long article: only its first MAX_ARTICLE_CHARS characters (200,000, "
                "about 35,000 words; cut at the last line break before) are analysed, so one huge file "
                "cannot take the run's time and memory; the audit records how much was left out.",
    "html_entity": "An HTML character reference left in pasted text ('&amp;', '&#8217;', '&nbsp;', "
                   "'&quot;'), replaced by the character it stands for before anything else, so that "
                   "'8217' or 'amp' never counts as a word; one audit row per reference and article, "
                   "with how often it occurred. Only complete references (ending in ';') are decoded.",
    "dateline": "A leading dateline at the start of one of the first two body paragraphs: a place "
                "in capitals, optional region, date and agency, then a dash or colon "
                "('LONDON (Reuters) -', 'VALENCIA, Spain (AP) —', 'BRUSSELS, June 18 — ', "
                "'ISLAMABAD:'); removed from the paragraph, the rest of the paragraph is kept.",
}


@dataclass(frozen=True)
class Block:
    """A kept structural unit: ``kind`` is 'title', 'heading' or 'paragraph'."""

    kind: str
    text: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Removal:
    """One removed span: which rule, the original text, char offsets into raw text, 1-based line."""

    rule: str
    text: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class CleanedDocument:
    title: str | None
    blocks: list[Block] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)


# ----------------------------------------------------------------------------- normalization
_NORM_MAP = {
    **{c: "'" for c in "‘’‛′‚"},
    **{c: '"' for c in "“”„″‟"},
    **{c: "-" for c in "–—―−‐‑‒"},
    **{c: " " for c in "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008"
                       "\u200b\u200c\u200d\u2060\ufeff\u3000"},
}
_NORM_RE = lazy_compile("[" + re.escape("".join(_NORM_MAP)) + "]")


def _norm_char(m: re.Match) -> str:
    return _NORM_MAP[m.group()]


def normalize(text: str) -> str:
    """Length-preserving character map for analysis.

    ‘ ’ ‛ ′ ‚ → ``'``; “ ” „ ″ ‟ → ``"``; – — ― − ‐ ‑ ‒ → ``-``; no-break, thin, zero-width and
    other special spaces → a plain space.  ``len(normalize(t)) == len(t)`` always, so spans found
    in the normalized text index the original text.
    """
    return _NORM_RE.sub(_norm_char, text)


# ----------------------------------------------------------------------------- language scores
_FUNCTION_WORDS = frozenset(
    """
    a an the this that these those of in on at to for from by with about as into over after
    before between under against during without through and or but nor so if than then because
    while although though is are was were be been being am has have had do does did will would
    shall should can could may might must not no it its it's he him his she her hers they them
    their we us our you your i me my who whom whose which what when where why how there here
    also only more most such other some any all each both very just up out said says
    """.split()
)
_WORD_RE = lazy_compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_LETTER_RE = lazy_compile(r"[^\W\d_]")
_LATIN_LETTER_RE = lazy_compile(
    r"[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
    r"\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff3a\uff41-\uff5a]"
)
_NON_ASCII_RE = lazy_compile(r"[^\x00-\x7f]+")
_ASCII_LETTERS_RE = lazy_compile(r"[A-Za-z]+")


def latin_share(text: str) -> float:
    """Share of alphabetic characters that are Latin-script (1.0 if there are none)."""
    rest = "".join(_NON_ASCII_RE.findall(text))
    if not rest:
        return 1.0
    ascii_letters = len(text) - len(_ASCII_LETTERS_RE.sub("", text))
    n_other = len(_LETTER_RE.findall(rest))
    if not n_other:
        return 1.0
    lat_other = len(_LATIN_LETTER_RE.findall(rest))
    return (ascii_letters + lat_other) / (ascii_letters + n_other)


def _function_word_rate(text: str) -> tuple[float, int]:
    words = [w.lower().replace("’", "'") for w in _WORD_RE.findall(text)]
    if not words:
        return 0.0, 0
    return sum(w in _FUNCTION_WORDS for w in words) / len(words), len(words)


def english_share(text: str) -> float:
    """How English ``text`` looks, 0..1 (for the "looks non-English" warning; ≥ 0.5 = English).

    ``latin_share × min(1, f / 0.25)`` where ``latin_share`` is the share of alphabetic characters
    in Latin script and ``f`` the share of words that are common English function words (a fixed
    list of ~120: the, of, and, is, ...).  Running English news prose has f ≈ 0.3–0.45, so it scores
    1.0; Chinese or Russian text scores ≈ 0 (non-Latin); Latin-script foreign languages score low
    (Spanish/German/Turkish prose has f ≈ 0.02–0.08).  Caveats: very short texts and lists of
    names (few function words) score low; an English text quoting much foreign text scores lower.
    Returns 0.0 for text without letters.
    """
    if not any(ch.isalpha() for ch in text):
        return 0.0
    f, _ = _function_word_rate(text)
    return latin_share(text) * min(1.0, f / 0.25)


# ----------------------------------------------------------------------------- patterns
# Every rule's patterns have a name.  A group of alternative patterns for one rule is a
# NamedTuple: iterating it tries them in the order written, and a pattern is picked by name
# (``CAPTION.photo_label``), never by position.


class _ShortcodePatterns(NamedTuple):
    """CMS shortcodes and markup (RULES['shortcode']); earlier patterns win where spans overlap."""

    caption_block: re.Pattern     # [caption id="a1"]Cranes at dawn[/caption]
    html_comment: re.Pattern      # <!-- ad -->
    template_tag: re.Pattern      # {{newsletter_box}}, {% block %}
    bracket_shortcode: re.Pattern  # [/name], [name attr="x"], [adinserter] (known names only)
    html_tag: re.Pattern          # <div class="ad">, </div>, <br/>


SHORTCODE = _ShortcodePatterns(
    caption_block=lazy_compile(r"\[caption\b[^\]\n]*\].*?\[/caption\]", re.IGNORECASE),
    html_comment=lazy_compile(r"<!--.*?-->"),
    template_tag=lazy_compile(r"\{\{[^{}\n]*\}\}|\{%[^%\n]*%\}"),
    bracket_shortcode=lazy_compile(
        r"\[/[A-Za-z_][\w-]*\]"
        r"|\[[A-Za-z_][\w-]*(?:\s+[\w-]+\s*=\s*(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\]]+))+\s*/?\]"
        r"|\[(?:adinserter|ad|ads|advert|advertisement|ad_unit|caption|gallery|embed|video|audio|"
        r"playlist|related|related_posts|tweet|twitter|instagram|youtube|facebook|contact-form|"
        r"newsletter|subscribe|td_block\w*|vc_\w+|et_pb_\w+|sc\w*)(?:\s[^\]\n]*)?/?\]",
        re.IGNORECASE,
    ),
    html_tag=lazy_compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s+[^<>\n]*)?/?>"),
)

# -- kickers (RULES['kicker'])
_KICKER_WORDS = frozenset(
    """
    breaking news latest live update updated updates exclusive opinion opinions op-ed oped
    analysis comment commentary editorial editorials world asia europe africa americas
    middle east pacific politics business economy economics markets sport sports
    features feature explainer interview interviews review reviews blog blogs column columns
    letters home top stories story trending local national international region regional
    developing just in depth special report reports podcast video videos photos photo gallery
    culture science tech technology health climate environment diplomacy security defence
    defense china russia us uk india global nation perspective perspectives viewpoint viewpoints
    insight insights focus today headlines headline press release
    """.split()
)
_BREADCRUMB_RE = lazy_compile(r"\s(?:»|›|>|/|\|)\s")
_KICKER_WORD_RE = lazy_compile(r"[A-Za-z][A-Za-z'-]*")

# -- bylines and credits (RULES['byline'])
_NAME_PARTICLES = frozenset(
    "de da di del della der den van von la le du bin binti bint ibn al el abu ben ter dos das"
    .split()
)
_NAME_TOKEN_RE = lazy_compile(
    r"^(?:[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*|[A-Z]\.|[A-Z][a-z]*[A-Z][a-z]+|al-[A-Z][a-z]+|"
    r"[A-Z]['’][A-Z][a-z]+)$"
)
# common-noun / adjective endings that make a capitalized word look like a heading word
_TOPIC_SUFFIX_RE = lazy_compile(
    r"(?:tion|tions|sion|sions|ment|ments|ness|ity|ities|ism|isms|ship|ships|ical|ance|ances|"
    r"ence|ences|ive|ives|ous|ics|ies|ing|ings|ure|ures|age|ary|ory|ate|ates|ize|ise|ful|less|"
    r"ward|wards|ern|ic|al|ed|er|ers)$"
)
# "By", "Written by", "Reporting by", ... and the separator after it
_BYLINE_LEAD = (r"^(?:by|written by|words by|text by|story by|reporting by|reported by|edited by|"
                r"compiled by|additional reporting by|interview by|analysis by|opinion by)"
                r"\s*[:\-]?\s+")
_BYLINE_PREFIX_RE = lazy_compile(_BYLINE_LEAD + r"\S", re.IGNORECASE)
_BYLINE_LEAD_RE = lazy_compile(_BYLINE_LEAD, re.IGNORECASE)
_WIRE_AGENCY_RE = lazy_compile(
    r"^(?:the )?(?:associated press|ap|canadian press|press association|pa media|pa|reuters|"
    r"thomson reuters|afp|agence france-presse|bloomberg(?: news)?|dpa|xinhua(?: news agency)?|"
    r"ani|pti|ians|efe|ansa|kyodo(?: news)?|tass|ria novosti|interfax|yonhap(?: news agency)?|"
    r"aap|australian associated press|upi|united press international|anadolu(?: agency)?|"
    r"bernama|antara|apa|wam|sputnik|cns|cna)(?:\s*(?:/|and|&|,)\s*(?:the )?[A-Za-z .-]{2,30})?"
    r"\s*[.]?$",
    re.IGNORECASE,
)


class _CreditPatterns(NamedTuple):
    """Credit lines at the end of wire copy (part of RULES['byline'])."""

    reporting_by: re.Pattern  # (Reporting by Ana Costa; Editing by Lee Min)
    contributed: re.Pattern   # Ana Costa contributed to this report.


CREDIT = _CreditPatterns(
    reporting_by=lazy_compile(r"^\(?(?:reporting|writing|editing|additional reporting|compiled|"
                              r"research|production|graphics) by\b", re.IGNORECASE),
    contributed=lazy_compile(r"\bcontributed (?:additional )?(?:reporting )?(?:to|for) this "
                             r"(?:report|story|article)\b", re.IGNORECASE),
)
_DESK_NOUNS = (r"correspondent|editor|reporter|writer|journalist|columnist|contributor|producer|"
               r"analyst|critic|presenter|anchor|staff|bureau chief|desk|team|staff writer")
# "Health correspondent", "Economics Editor", "Staff" (the rest of a name-with-desk line)
_DESK_RE = lazy_compile(r"^(?:[A-Za-z&-]+\s+){0,3}(?:" + _DESK_NOUNS + r")s?$", re.IGNORECASE)
# "Jane Doe in Brussels"
_NAME_IN_PLACE_RE = lazy_compile(r"^(.+?)\s+in\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})$")

# -- image captions (RULES['image_caption'])
_IMAGE_EXT = r"(?:jpe?g|png|gif|webp|svg|bmp|tiff?|heic|avif)"


class _FileCaptionPatterns(NamedTuple):
    """Clues of a caption made from an image's file name (combined in :func:`_is_file_caption`)."""

    file_name: re.Pattern   # IMG_1234.jpeg
    ext_at_end: re.Pattern  # "... 192x192 1 jpg"
    cropped: re.Pattern     # "cropped ee9a..."
    dimensions: re.Pattern  # 192x192
    hex_id: re.Pattern      # ee9aa38a


FILE_CAPTION = _FileCaptionPatterns(
    file_name=lazy_compile(rf"\b[\w.-]+\.{_IMAGE_EXT}\b", re.IGNORECASE),
    ext_at_end=lazy_compile(rf"(?:^|\s){_IMAGE_EXT}$", re.IGNORECASE),
    cropped=lazy_compile(r"^cropped[\s_-]", re.IGNORECASE),
    dimensions=lazy_compile(r"\b\d{2,4}\s?[x×]\s?\d{2,4}\b"),
    hex_id=lazy_compile(r"\b[0-9a-f]{6,}\b"),
)


class _CaptionPatterns(NamedTuple):
    """Caption and photo-credit lines; any one of them marks a line (of ≤ 40 words)."""

    photo_label: re.Pattern          # "Photo: ...", "File photo | ...", "Image credit / ..."
    photo_by: re.Pattern             # "Photo by ...", "Image courtesy of ..."
    image_credit: re.Pattern         # "(Image credits ..."
    paren_photo_credit: re.Pattern   # "... (Photo by Sam Reed/Getty Images)"
    file_photo: re.Pattern           # "File photo", "... file photo."
    stock_agency: re.Pattern         # Getty Images, AP Photo, Shutterstock, ...
    agency_slash_name: re.Pattern    # REUTERS/Kai Pfaffenbach (not "a Reuters/Ipsos poll")
    caption_label: re.Pattern        # "Image caption, ...", "Photo source: ..."
    paren_name_agency: re.Pattern    # "... in Bucharest. (Daniel MIHAILESCU / AFP)"
    trailing_photograph: re.Pattern  # "... last winter. Photograph: Jane Doe/The Daily Post"


CAPTION = _CaptionPatterns(
    photo_label=lazy_compile(
        r"^(?:photo|photograph|image|picture|pictured|illustration|graphic|video|"
        r"file photo|photo illustration|main image|top image|feature image|featured image)"
        r"s?\s*(?:credit|courtesy)?\s*[:|/]", re.IGNORECASE),
    photo_by=lazy_compile(
        r"^(?:photo|image|picture|illustration)s?\s+(?:by|courtesy(?: of)?|credit|via)\b",
        re.IGNORECASE),
    image_credit=lazy_compile(r"^\(?(?:image|photo|picture)\s+credits?\b", re.IGNORECASE),
    paren_photo_credit=lazy_compile(
        r"\((?:photo|image|picture|illustration|pictured)s?\s*(?:by|:|credit|courtesy|via)",
        re.IGNORECASE),
    file_photo=lazy_compile(r"^file photo\b|\bfile photo[.)]?$", re.IGNORECASE),
    stock_agency=lazy_compile(r"\b(?:getty images|afp via getty|ap photo|shutterstock|"
                              r"istock(?:photo)?|epa-efe|alamy)\b", re.IGNORECASE),
    agency_slash_name=lazy_compile(
        r"\b(?:REUTERS|Reuters|XINHUA|Xinhua|AFP|EPA)\s?/\s?[A-Z][\w'’-]+\s+[A-Z][\w'’-]+"),
    caption_label=lazy_compile(r"^(?:image|photo|picture|video)\s+(?:source|caption|credit)s?\s*[,:]",
                               re.IGNORECASE),
    paren_name_agency=lazy_compile(r"\(\s*[A-Z][^()\n]{1,60}?\s/\s[A-Z][^()\n]{1,40}\)\s*$"),
    trailing_photograph=lazy_compile(
        r"(?:^|[.!?\"”’)]\s+)(?:photograph|photo|picture|image|illustration|video)s?"
        r"(?:\s+credit)?\s*:\s*[^.!?]{2,80}$", re.IGNORECASE),
)


# -- editorial notes (RULES['disclaimer'])
class _DisclaimerPatterns(NamedTuple):
    views_expressed: re.Pattern       # "The views expressed ... are those of the author"
    not_necessarily: re.Pattern       # "... do not necessarily reflect ..."
    disclaimer_label: re.Pattern      # "Disclaimer: ..."
    originally_published: re.Pattern  # "This article was originally published ..."
    editors_note: re.Pattern          # "Editor's note: ..."
    copyright: re.Pattern             # "© 2025 ...", "All rights reserved"
    sponsored: re.Pattern             # "This content is sponsored ..."
    correction: re.Pattern            # "Correction: ...", "This story has been corrected to ..."


DISCLAIMER = _DisclaimerPatterns(
    views_expressed=lazy_compile(r"\bviews (?:and opinions )?(?:expressed|stated|presented)\b.{0,120}"
                                 r"\b(?:author|writer|contributor)s?\b", re.IGNORECASE),
    not_necessarily=lazy_compile(r"\b(?:do|does) not necessarily (?:reflect|represent)\b",
                                 re.IGNORECASE),
    disclaimer_label=lazy_compile(r"^disclaimer\s*[:：-]", re.IGNORECASE),
    originally_published=lazy_compile(
        r"\b(?:this|the) (?:article|story|piece|post|column|op-ed|interview) (?:was|is|"
        r"has been|first|originally) (?:originally |first )?(?:published|appeared|"
        r"posted|republished)\b", re.IGNORECASE),
    editors_note=lazy_compile(r"^(?:editor'?s|editors'?) note\s*[:：-]", re.IGNORECASE),
    copyright=lazy_compile(r"^©|^\(c\)\s*\d{4}|\bcopyright\s*(?:©|\(c\))?\s*\d{4}|"
                           r"\ball rights reserved\b", re.IGNORECASE),
    sponsored=lazy_compile(r"^this (?:article|story|content) (?:is|was) (?:sponsored|produced|"
                           r"provided)\b", re.IGNORECASE),
    correction=lazy_compile(
        r"^(?:correction|clarification|corrections)\s*[:：]|^an earlier version of this "
        r"(?:article|story|report|piece|post)\b|\b(?:this|the) (?:article|story|report|piece|"
        r"post|headline) (?:has been|was|had been) (?:corrected|amended|updated|changed|"
        r"edited) (?:on|to|since|after|because|from)\b", re.IGNORECASE),
)


# -- calls to action (RULES['call_to_action'])
class _CtaPatterns(NamedTuple):
    sentence_start: re.Pattern  # a sentence starting "Sign up", "Subscribe", "Read more", ...
    anywhere: re.Pattern        # "... delivered to your inbox", "our WhatsApp channel", ...


CTA = _CtaPatterns(
    sentence_start=lazy_compile(
        r"(?:^|[.!?]\s+)(?:sign up|signup|subscribe|follow us|follow (?:the|our) \w+ on|"
        r"join (?:us|our)|"
        r"get (?:the latest|our|all the latest|breaking|the best|more)|click here|tap here|read more|"
        r"read also|also read|see also|related\s*:|recommended\s*:|share this|share on|"
        r"download (?:our|the) app|don'?t miss|do not miss|stay (?:updated|informed|connected|tuned)|"
        r"like us on|never miss|want more|support our journalism|become a (?:member|subscriber)|"
        r"listen to (?:our|the) podcast|watch:|advertisement\b)",
        re.IGNORECASE,
    ),
    anywhere=lazy_compile(
        r"\b(?:delivered|sent) (?:straight |directly |right )?to your (?:inbox|phone|email|device)|"
        r"\bsent directly to you\b|\bsubscribe to (?:our|the) (?:newsletter|channel|podcast)\b|"
        r"\b(?:have|got) a (?:news |story )?tip\b|\be-?mail us at\b|"
        r"\b(?:our|the) (?:telegram|whatsapp|youtube|facebook|instagram|tiktok|twitter|x) "
        r"(?:channel|group|page|account|community)\b|\bsign up (?:for|to) (?:our|the) newsletter\b",
        re.IGNORECASE,
    ),
)

# -- comment forms (RULES['comment_form'])
_COMMENT_RE = lazy_compile(
    r"^(?:leave a (?:reply|comment)|post (?:a )?comment|add (?:a )?comment|submit comment|"
    r"cancel reply|\d+ comments?|comments?|reply|comments are closed|be the first to comment|"
    r"join the (?:conversation|discussion))\s*[.:!]?$"
    r"|your email address will not be published|required fields are marked|"
    r"save my name,? email|notify me of (?:new|follow-up) (?:comments|posts)|"
    r"you must be logged in to post a comment|\bname\s*\*\s*email\s*\*|"
    r"this site uses akismet",
    re.IGNORECASE,
)

# -- web-page interface text (RULES['site_chrome'])
_CHROME_PART_RE = lazy_compile(
    r"^(?:skip to (?:the )?(?:main )?(?:content|navigation|article)|jump to\b.*|"
    r"share(?: (?:this|the) (?:article|story|page|post))?|share (?:on|via|to) [\w+ ]{1,20}|"
    r"save(?: (?:this )?(?:article|story|for later))?|print(?: this (?:article|page|story))?|"
    r"e-?mail|copy link|link copied|copied|bookmark|loading|please wait|scroll to continue(?: with "
    r"content)?|continue reading|advertisement|advertising|sponsored(?: content)?|ad|"
    r"listen(?: (?:to )?(?:this|the) (?:article|story))?(?:\s*\(?\d+(?::\d{2})?\s*(?:min(?:ute)?s?)?\)?)?|"
    r"gift (?:this )?(?:article|story)|\d+\s*(?:-\s*)?min(?:ute)?s?(?: read| listen| watch)?|"
    r"reading time\b.{0,20}|estimated reading time\b.{0,20}|"
    r"most (?:read|viewed|popular|shared|watched|commented|emailed)\b.{0,30}|"
    r"trending(?: now| stories| news| topics)?|top stories|popular now|latest (?:news|stories)|"
    r"report an? (?:error|typo|correction|mistake)|corrections? (?:and|&) clarifications|"
    r"(?:our |journalistic |editorial )?(?:standards|ethics policy)(?:\s*:.{0,80})?|"
    r"about (?:us|this site|[\w&.'-]+(?: [\w&.'-]+){0,2} (?:news|media))|reuse this content|"
    r"explore more on (?:these|this) topics?|more on this (?:story|topic)|"
    r"related (?:topics|stories|articles|content|coverage|news|links|reading|posts)|"
    r"more (?:from|in|on) [\w&' -]{2,30}|you (?:may|might) also (?:like|be interested in)|"
    r"recommended(?: for you| stories| reading)?|(?:enter|your) (?:your )?e-?mail(?: address)?|"
    r"(?:accept|reject|allow|decline)(?: all| necessary)?(?: cookies)?|"
    r"manage (?:cookies|preferences|consent|cookie settings)|cookie (?:settings|preferences|policy)|"
    r"privacy policy|terms (?:of use|and conditions|& conditions)|"
    r"click (?:on )?(?:(?:the|this) (?:image|photo|picture) )?(?:here )?to (?:enlarge|expand|zoom)|"
    r"(?:tap|click) to (?:enlarge|expand|zoom|play|unmute)|(?:view|open|launch) (?:gallery|image|"
    r"slideshow|photos?)|enlarge(?: image| photo)?|back to top|show more|see more|load more(?: "
    r"comments)?|view comments|show comments|comments? \(\d+\)|\d+ comments?|close|menu|"
    r"search|log ?in|sign in|sign out|register|home|previous(?: article| story)?|"
    r"next(?: article| story)?|toggle navigation|open navigation menu)"
    r"\s*[.…:!›»>]*$",
    re.IGNORECASE,
)
_CHROME_SPLIT_RE = lazy_compile(r"\s*[·|•]\s*")
_COOKIE_RE = lazy_compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CTX_RE = lazy_compile(
    r"\b(?:we use|we and our partners|this (?:web)?site uses|uses cookies|accept|consent|"
    r"cookie (?:policy|settings|preferences)|privacy (?:policy|notice)|by (?:continuing|using|"
    r"browsing|clicking))\b", re.IGNORECASE)
_WE_RE = lazy_compile(r"\b(?:we|our)\b", re.IGNORECASE)
_YOU_RE = lazy_compile(r"\b(?:you|your)\b", re.IGNORECASE)

# -- tag lists and link lists (RULES['topic_tags'], RULES['related_links'])
_TAGS_RE = lazy_compile(r"^(?:tags?|topics?|related topics|filed under|categories|category|keywords|"
                        r"more about|subjects?)\s*[:：]\s*\S", re.IGNORECASE)
# list headers after which short link lines follow ("Related", "More on this story", ...)
_LINK_HEADER_RE = lazy_compile(
    r"^(?:related\b.{0,30}|more on this (?:story|topic)|more (?:from|in|on) .{2,30}|"
    r"explore more on (?:these|this) topics?|most (?:read|viewed|popular|shared|watched)\b.{0,30}|"
    r"trending\b.{0,20}|read (?:more|also|next)|also read|see also|you (?:may|might) also like|"
    r"recommended\b.{0,20}|top stories|latest (?:news|stories)|tags?\s*:?|topics?\s*:?|"
    r"watch (?:more|next)|further reading|what to read next)\s*[:.…›»]*$",
    re.IGNORECASE,
)
# rules of a line that can head a link list
_LIST_HEADER_RULES = ("site_chrome", "topic_tags", "call_to_action", "related_links")

# -- timestamps (RULES['timestamp'])
_DATE_WORDS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mon tue tues wed thu thur thurs fri sat sun am pm a m p noon midnight
    gmt utc bst est edt cst cdt pst pdt mst mdt akst hst ast adt cet cest eet eest wet west ist
    jst kst aest aedt acst awst nzst nzdt hkt sgt msk wib pht z t
    st nd rd th at on of ago h hr hrs hour hours min mins minute minutes sec second seconds day
    days week weeks month months year years yesterday today published updated update posted
    last first modified created date time issued edited and
    """.split()
)
_DATE_TOKEN_RE = lazy_compile(r"[^\W\d_]+|\d+")
_NUMERIC_DATE_RE = lazy_compile(r"\d[:/.-]\d")  # 14:32, 3/2, 06.00, 2025-02

# -- datelines (RULES['dateline'])
_MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
             r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATELINE_RE = lazy_compile(
    r"^(?P<place>[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3})"
    r"(?:\s*,\s*[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,2}){0,2}"
    r"(?:\s*,?\s*" + _MONTH_RE + r"\s+\d{1,2}(?:\s*,\s*\d{4})?)?"
    r"(?:\s*\((?:[A-Z][\w&.'’/ -]{0,40})\))?"
    r"\s*(?:[-–—]{1,2}|:)\s+(?=[\"“'‘A-Z0-9])"
)
_NOT_CAPITAL_RE = lazy_compile(r"[^A-Z]")

# -- author bios (RULES['author_bio'])
_ROLE_NOUNS = (
    r"analyst|journalist|writer|columnist|correspondent|reporter|editor|contributor|commentator|"
    r"blogger|author|poet|novelist|professor|lecturer|researcher|research fellow|fellow|scholar|"
    r"expert|academic|economist|historian|political scientist|scientist|student|ph\.?d\.? "
    r"candidate|doctoral candidate|consultant|advisor|adviser|freelancer|freelance \w+|"
    r"practitioner|strategist|observer|specialist"
)


class _BioPatterns(NamedTuple):
    """Author-bio wording.  The four :attr:`explicit` patterns mark a bio among the first or last
    three paragraphs; :attr:`name_is_role` only among the last three, outside reported speech."""

    author_is: re.Pattern          # "The author is ...", "The writer teaches ..."
    about_author: re.Pattern       # "About the author"
    bio_label: re.Pattern          # "Author's bio", "Writer's note"
    contact_or_follow: re.Pattern  # "Follow her on ...", "He can be reached ...", "her new book"
    name_is_role: re.Pattern       # "[Dr.] Elena Marsh is a senior research fellow ..."

    @property
    def explicit(self) -> tuple[re.Pattern, ...]:
        return (self.author_is, self.about_author, self.bio_label, self.contact_or_follow)


BIO = _BioPatterns(
    author_is=lazy_compile(r"^(?:the |this )?(?:author|writer|columnist|contributor)s?"
                           r"(?: of this \w+)? (?:is|are|was|has|holds|teaches|works|serves)\b",
                           re.IGNORECASE),
    about_author=lazy_compile(r"^about the (?:author|writer|contributor)s?\b", re.IGNORECASE),
    bio_label=lazy_compile(r"^(?:author|writer)'?s? (?:bio|note|profile)\b", re.IGNORECASE),
    contact_or_follow=lazy_compile(
        r"\bfollow (?:him|her|them) on\b|\b(?:he|she|they) can be (?:reached|contacted)\b|"
        r"\bcontact (?:him|her|them) at\b|\b(?:his|her|their) (?:latest|new|recent) book\b",
        re.IGNORECASE),
    name_is_role=lazy_compile(
        r"^(?:(?:mr|mrs|ms|mx|dr|prof|professor)\.?\s+)?"
        r"(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+,?\s+(?:is|was|has been|serves as|works as)\s+"
        r"(?:a|an|the)\s+(?:[\w,'’&-]+\s+){0,5}?(?:" + _ROLE_NOUNS + r")s?\b"
    ),
)
_REPORTED_SPEECH_RE = lazy_compile(r"\b(?:said|says|told|according to|added|stated)\b|[\"“”]")

# -- structure (titles, headings, paragraphs)
_LIST_ITEM_RE = lazy_compile(r"^(?:[•·▪◦‣●○■□–—*-]\s+|\(?\d{1,2}[.)]\s+|\(?[a-z][.)]\s+)")
_SENT_END_RE = lazy_compile(r"[.!?…][\"'”’»)\]]*$")
_CLAUSE_END_RE = lazy_compile(r"[.!;,:][\"'”’)\]]*$")  # a head line (title candidate) ends otherwise
_QUOTE_RE = lazy_compile(r"[\"“”]")
_LABEL_PREFIX_RE = lazy_compile(r"^[A-Z][\w.]{0,10}\s*:")  # "Q:", "Sen.:" (not a question heading)
_ALNUM_RE = lazy_compile(r"[^\W_]")
_PUNCT_RE = lazy_compile(r"[^\w\s]")


# ----------------------------------------------------------------------------- text helpers
def _nwords(text: str) -> int:
    return len(text.split())


def _canon(text: str) -> str:
    t = normalize(text).lower()
    t = _PUNCT_RE.sub(" ", t)
    return " ".join(t.split())


def _ends_sentence(text: str) -> bool:
    return bool(_SENT_END_RE.search(text))


def _is_name_line(text: str) -> bool:
    """True if ``text`` looks like a person's name only (see RULES['byline'])."""
    t = normalize(text).strip()
    if _ends_sentence(t) or any(ch in t for ch in ",:;!?()\"/|"):
        return False
    toks = t.split()
    if not 2 <= len(toks) <= 4:
        return False
    core = 0
    topicish = 0
    for tok in toks:
        if tok.lower() in _NAME_PARTICLES:
            continue
        if not _NAME_TOKEN_RE.match(tok):
            return False
        if tok.lower() in _FUNCTION_WORDS:
            return False
        core += 1
        if len(tok) > 3 and _TOPIC_SUFFIX_RE.search(tok.lower()):
            topicish += 1
    if core < 2:
        return False
    # heading-like phrases ("Strengthening Bilateral Ties", "Geopolitical Implications"):
    # most words carry common-noun/adjective endings
    if topicish * 2 > core or (core == 2 and topicish == 2):
        return False
    # ... or every word is an ordinary lower-case English word ("Rail Freight", "Economic
    # Outlook"); a name has at least one word that is not ("Miras", "Sarah", "Zhiyenbayev").
    common = _common_words()
    if common:
        core_words = [tok.lower() for tok in toks if tok.lower() not in _NAME_PARTICLES]
        if all(w in common for w in core_words):
            return False
    return True


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Lower-case English words of the Brill lexicon shipped with TextBlob (offline, no import
    of textblob itself).  Entries written in lower case are ordinary words; capitalized-only
    entries are names.  Empty set if the file is unavailable (the suffix test still applies)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("textblob")
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(list(spec.submodule_search_locations)[0]) / "en" / "en-lexicon.txt"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    words = set()
    for line in raw.splitlines():
        if not line or line.startswith(";"):
            continue
        w = line.split(" ", 1)[0]
        if w.islower() and w.isalpha():
            words.add(w)
    return frozenset(words)


# ----------------------------------------------------------------------------- line tests
def _is_kicker(text: str) -> bool:
    """A section label or breadcrumb (see RULES['kicker'])."""
    t = normalize(text).strip()
    if _BREADCRUMB_RE.search(t) and _nwords(t) <= 8 and not _ends_sentence(t):
        return True
    words = _KICKER_WORD_RE.findall(t)
    if not words or len(words) > 4 or _ends_sentence(t):
        return False
    return all(w.lower() in _KICKER_WORDS for w in words)


def _is_chrome(t: str) -> bool:
    """Web-page interface text (see RULES['site_chrome'])."""
    s = t.strip()
    nw = _nwords(s)
    if (nw <= 80 and _COOKIE_RE.search(s) and _COOKIE_CTX_RE.search(s)
            and _WE_RE.search(s) and _YOU_RE.search(s)):
        return True
    if nw > 16:
        return False
    parts = [x.strip() for x in _CHROME_SPLIT_RE.split(s) if x.strip()]
    return bool(parts) and all(_CHROME_PART_RE.match(x) for x in parts)


def _is_timestamp(t: str) -> bool:
    """A line made only of date / time words and numbers (see RULES['timestamp'])."""
    toks = _DATE_TOKEN_RE.findall(t.lower())
    if not toks or len(toks) > 24:
        return False
    if not all(x.isdigit() or x in _DATE_WORDS for x in toks):
        return False
    if not (any(x.isdigit() for x in toks) or "ago" in toks):
        return False
    return any(not x.isdigit() for x in toks) or bool(_NUMERIC_DATE_RE.search(t))


def _is_credit(t: str) -> bool:
    """Wire-agency-only lines and 'Reporting by …; Editing by …' / '… contributed to this report'."""
    s = t.strip()
    if _nwords(s) <= 6 and _WIRE_AGENCY_RE.match(s):
        return True
    return _nwords(s) <= 50 and any(rx.search(s) for rx in CREDIT)


def _is_name_desk(t: str) -> bool:
    """'Jane Doe Health correspondent', 'Jane Doe, Economics Editor', 'Jane Doe in Brussels'."""
    s = t.strip()
    if _ends_sentence(s) or _nwords(s) > 10 or any(ch in s for ch in ";:!?()\"|"):
        return False
    m = _NAME_IN_PLACE_RE.match(s)
    if m and _is_name_line(m.group(1).rstrip(",")):
        return True
    toks = s.split()
    for k in range(2, min(4, len(toks) - 1) + 1):
        name = " ".join(toks[:k]).rstrip(",")
        rest = " ".join(toks[k:])
        if _DESK_RE.match(rest) and _is_name_line(name):
            return True
    return False


def _is_bio(t: str, *, tail: bool, front: bool) -> bool:
    """Author-bio test; position-dependent (see RULES['author_bio'])."""
    if not (tail or front) or _nwords(t) > 120:
        return False
    if any(rx.search(t) for rx in BIO.explicit):
        return True
    # "<Name> is a/an ... analyst/journalist ..." only at the end, and never in reported speech
    return tail and bool(BIO.name_is_role.search(t)) and not _REPORTED_SPEECH_RE.search(t)


def _is_file_caption(t: str) -> bool:
    """File-name captions: 'IMG_1234.jpeg', 'cropped ee9a… 192x192 1 jpg'."""
    s = t.strip()
    if _nwords(s) > 30:
        return False
    if FILE_CAPTION.file_name.search(s) and _nwords(s) <= 12:
        return True
    ext_end = bool(FILE_CAPTION.ext_at_end.search(s))
    if ext_end and (FILE_CAPTION.cropped.search(s) or FILE_CAPTION.dimensions.search(s)
                    or FILE_CAPTION.hex_id.search(s) or _nwords(s) <= 4):
        return True
    return False


def _is_caption(t: str) -> bool:
    """An image caption or photo credit (see RULES['image_caption'])."""
    return any(rx.search(t) for rx in CAPTION) or _is_file_caption(t)


def _is_byline(t: str, author: str | None, near_edge: bool = True) -> bool:
    """'By …' lines anywhere; name-only lines in the top third or the last two lines."""
    t = normalize(t).strip()
    if author and _canon(t) in {_canon(author), _canon("by " + author)}:
        return True
    if _nwords(t) <= 12:
        m = _BYLINE_PREFIX_RE.match(t)
        if m:
            rest = _BYLINE_LEAD_RE.sub("", t)
            return rest[:1].isupper()
    if not near_edge:
        return False
    return _is_name_line(t)


def _is_heading_shape(t: str) -> bool:
    """A short line that does not end like a sentence (≤ 12 words, not a list item, not a long
    lead-in ending in ':'), or a short question without quotes: kept as a ``heading`` block."""
    nw = _nwords(t)
    question_head = (nw <= 10 and t.endswith("?") and not _QUOTE_RE.search(t)
                     and not _LABEL_PREFIX_RE.match(t))
    return ((nw <= 12 and not _ends_sentence(t) and not t.endswith(",")
             and not _LIST_ITEM_RE.match(t) and not (t.endswith(":") and nw > 5))
            or question_head)


def line_rule(text: str, *, doc_latin: bool) -> str | None:
    """The rule that removes one line wherever it stands, or None (phase 3).

    Tried in this order, first match wins; cheap word-count limits first, since furniture lines
    are short and long paragraphs skip most patterns.  ``doc_latin``: the article as a whole is
    in Latin script (only then is a non-Latin line ``non_english``).
    """
    t = normalize(text)
    nw = _nwords(t)
    if not _ALNUM_RE.search(t):
        return "empty_or_symbol"
    if doc_latin and latin_share(t) < 0.5:
        return "non_english"
    if nw <= 40 and _COMMENT_RE.search(t.strip()):
        return "comment_form"
    if nw <= 40 and _is_caption(t):
        return "image_caption"
    if nw <= 80 and any(rx.search(t) for rx in DISCLAIMER):
        return "disclaimer"
    if nw <= 60 and any(rx.search(t) for rx in CTA):
        return "call_to_action"
    if nw <= 80 and _is_chrome(t):
        return "site_chrome"
    if nw <= 24 and _is_timestamp(t):
        return "timestamp"
    if nw <= 40 and _TAGS_RE.search(t.strip()):
        return "topic_tags"
    if nw <= 50 and _is_credit(t):
        return "byline"
    return None


# ----------------------------------------------------------------------------- lines
@dataclass(frozen=True)
class Line:
    """One non-empty line of the raw text as the phases see it.

    ``text == raw[start:end]`` (stripped; inline shortcodes blanked with spaces).  ``rule`` is the
    removal rule once a phase removes the line (``"shortcode-only"`` for a line that was nothing
    but markup, recorded by its shortcode removals); ``kind`` is 'title', 'heading' or
    'paragraph' once known.  ``no`` (1-based line number) identifies the line across phases.
    """

    no: int
    start: int
    end: int
    text: str
    rule: str | None = None
    kind: str | None = None


_SHORTCODE_ONLY = "shortcode-only"


def _live(lines: list[Line]) -> list[Line]:
    """The lines no phase has removed yet."""
    return [ln for ln in lines if ln.rule is None]


def _with(lines: list[Line], *, rules: dict[int, str] | None = None,
          kinds: dict[int, str] | None = None) -> list[Line]:
    """``lines`` with the rules / kinds given by line number set (a new list; lines are frozen)."""
    rules = rules or {}
    kinds = kinds or {}
    if not rules and not kinds:
        return lines
    out = []
    for ln in lines:
        if ln.no in rules:
            ln = replace(ln, rule=rules[ln.no])
        if ln.no in kinds:
            ln = replace(ln, kind=kinds[ln.no])
        out.append(ln)
    return out


def _head(live: list[Line]) -> list[Line]:
    """The run of top lines that can be a headline or kicker: ≤ 25 words, not ending in . ! ; , :"""
    head = []
    for ln in live:
        t = normalize(ln.text)
        if _nwords(t) > 25 or _CLAUSE_END_RE.search(t):
            break
        head.append(ln)
    return head


# ----------------------------------------------------------------------------- phases
# Each phase takes the list of lines (and the options it needs) and returns a new list; a line
# removed by an earlier phase keeps its rule and is not looked at again, except by
# mark_link_lists (a removed list header starts a link list).


def split_lines(raw: str) -> list[Line]:
    """Phase 1: every non-empty line, stripped, with its offsets and 1-based line number."""
    out = []
    pos = 0
    no = 0
    n = len(raw)
    while pos <= n:
        no += 1
        nl = raw.find("\n", pos)
        if nl == -1:
            nl = n
        line = raw[pos:nl]
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            s = pos + lead
            out.append(Line(no, s, s + len(stripped), stripped))
        pos = nl + 1
    return out


def _shortcode_spans(line: str) -> list[tuple[int, int]]:
    """Non-overlapping spans of SHORTCODE patterns, earlier patterns first, sorted by offset."""
    spans: list[tuple[int, int]] = []
    taken = [False] * len(line)
    for rx in SHORTCODE:
        for m in rx.finditer(line):
            s, e = m.span()
            if e > s and not any(taken[s:e]):
                spans.append((s, e))
                for i in range(s, e):
                    taken[i] = True
    spans.sort()
    return spans


def blank_shortcodes(lines: list[Line]) -> tuple[list[Line], list[Removal]]:
    """Phase 2: blank CMS shortcodes and markup with spaces (offsets stay valid), one ``shortcode``
    removal per span; a line left without a letter or digit is set aside (``shortcode-only``)."""
    out: list[Line] = []
    removed: list[Removal] = []
    for ln in lines:
        spans = _shortcode_spans(ln.text)
        if not spans:
            out.append(ln)
            continue
        chars = list(ln.text)
        for s, e in spans:
            removed.append(Removal("shortcode", ln.text[s:e], ln.start + s, ln.start + e, ln.no))
            for i in range(s, e):
                chars[i] = " "
        rest = "".join(chars)
        if not _ALNUM_RE.search(rest):
            out.append(replace(ln, rule=_SHORTCODE_ONLY))
            continue
        lead = len(rest) - len(rest.lstrip())
        new = rest.strip()
        start = ln.start + lead
        out.append(replace(ln, start=start, end=start + len(new), text=new))
    return out, removed


# -- inline furniture (RULES['inline_call_to_action'], RULES['inline_headlines'])
_CAPS_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z0-9][A-Z0-9'’&\-]*)"  # U.S. / WORD (a final '.' ends the run)
_CAPS_RUN_RE = lazy_compile(rf"(?<![\w'’]){_CAPS_WORD}(?:[ ,:;|]+{_CAPS_WORD})+(?![\w'’])")
_CAPS_CTA_RE = lazy_compile(r"^(?:(?:CLICK|TAP) HERE|GET (?:THE|OUR) |DOWNLOAD|SIGN UP|SUBSCRIBE|READ MORE|"
                            r"WATCH\b|LISTEN\b|FOLLOW US)")
_SENTENCE_CTA_RE = lazy_compile(r"(?:(?<=^)|(?<=[.!?]\s))\s*(?:click here|tap here|download (?:our|the) app|sign up)"
                                r"\b[^.!?]*(?:[.!?]+|$)", re.IGNORECASE)
_OPEN_QUOTES = "\"“‘'«"
_QUOTED_CAPS_LEAD_RE = lazy_compile(r"(?:^|\s)[\"“‘'«][A-Z0-9'’\-]*$")
_CLOSE_QUOTES = "\"”’'»"


def _caps_run_rule(text: str, m: re.Match) -> str | None:
    """The inline rule a run of capitals falls under, or None (an acronym, a quotation, a
    dateline, or a line that is all capitals: those are left to the line rules)."""
    run = m.group(0)
    words = [w for w in re.split(r"[ ,:;|]+", run) if re.search(r"[A-Z]", w)]
    before, after = text[: m.start()].rstrip(), text[m.end():].lstrip()
    if (before.endswith(tuple(_OPEN_QUOTES)) or after.startswith(tuple(_CLOSE_QUOTES))
            or run.endswith(tuple(_CLOSE_QUOTES)) or _QUOTED_CAPS_LEAD_RE.search(before)):
        return None  # 'IT'S SAD WHEN YOU COME HOME TO THIS' is a quotation
    if (before.count('"') + before.count("“") - before.count("”")) % 2:  # inside an open quotation
        return None
    if not re.search(r"[a-z]", text[: m.start()] + text[m.end():]):
        return None
    cta = bool(_CAPS_CTA_RE.match(run)) and len(words) >= 2
    if not cta and (len(words) < 4 or sum(len(re.sub(r"[^A-Z]", "", w)) >= 3 for w in words) < 2):
        return None
    if not before and not (cta or (after[:1].isupper() and re.match(r"[A-Z][a-z]", after))):
        return None  # a dateline ('SAN LUIS OBISPO COUNTY, Calif. —') or a caps lead-in
    return "inline_call_to_action" if cta else "inline_headlines"


def inline_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, rule)`` of the page furniture inside one line: runs of capitals that are a
    call to action or a related-headline blurb, and (in a paragraph of 60+ words) a sentence that
    is a call to action. See RULES['inline_call_to_action'] and RULES['inline_headlines']."""
    spans = []
    for m in _CAPS_RUN_RE.finditer(text):
        rule = _caps_run_rule(text, m)
        if rule:
            spans.append((m.start(), m.end(), rule))
    if _nwords(text) >= 60:
        for m in _SENTENCE_CTA_RE.finditer(text):
            s = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            if not any(a < m.end() and s < b for a, b, _ in spans):
                spans.append((s, m.end(), "inline_call_to_action"))
    return sorted(spans)


def blank_inline_furniture(lines: list[Line]) -> tuple[list[Line], list[Removal]]:
    """Phase 2b: blank inline calls to action and headline runs with spaces (offsets stay valid),
    one removal per span with its rule, as :func:`blank_shortcodes` does for markup."""
    out: list[Line] = []
    removed: list[Removal] = []
    for ln in lines:
        spans = inline_spans(ln.text) if ln.rule is None else []
        if not spans:
            out.append(ln)
            continue
        chars = list(ln.text)
        for s, e, rule in spans:
            removed.append(Removal(rule, ln.text[s:e], ln.start + s, ln.start + e, ln.no))
            chars[s:e] = " " * (e - s)
        rest = "".join(chars)
        lead = len(rest) - len(rest.lstrip())
        new = rest.strip()
        start = ln.start + lead
        out.append(replace(ln, start=start, end=start + len(new), text=new))
    return out, removed


def document_script(lines: list[Line]) -> tuple[bool, bool]:
    """``(latin, english)``: is the article as a whole in Latin script / English?  Non-English
    lines are removed only from an English (Latin) article, never from a foreign one."""
    body_text = "\n".join(ln.text for ln in _live(lines))
    return latin_share(body_text) >= 0.5, english_share(body_text) >= 0.5


def classify_lines(lines: list[Line], *, doc_latin: bool) -> list[Line]:
    """Phase 3: the rules that do not depend on a line's position (:func:`line_rule`)."""
    rules = {}
    for ln in _live(lines):
        rule = line_rule(ln.text, doc_latin=doc_latin)
        if rule:
            rules[ln.no] = rule
    return _with(lines, rules=rules)


def find_title(lines: list[Line], *, title: str | None = None, author: str | None = None
               ) -> Line | None:
    """Phase 4a: the title line, or None.

    A given ``title`` marks the first of the first 6 remaining lines equal to it (ignoring case
    and punctuation).  Otherwise (or if not found) the title is the first head line (:func:`_head`)
    that is not a kicker, skipping shorter lines before the first one of ≥ 4 words that is not a
    byline; a later head line (within 3) containing it is the real headline.
    """
    live = _live(lines)
    if title:
        ct = _canon(title)
        for ln in live[:6]:
            if _canon(ln.text) == ct:
                return ln
    cands = [ln for ln in _head(live) if not _is_kicker(ln.text)]
    # a headline has >= 4 words; shorter top lines are section labels or site names
    long_cands = [ln for ln in cands if _nwords(ln.text) >= 4
                  and not _is_byline(ln.text, author) and not _is_name_desk(ln.text)]
    if long_cands:
        cands = cands[cands.index(long_cands[0]):]
    if not cands:
        return None
    title_line = cands[0]
    # a later head line containing the first one is the real headline
    c0 = _canon(title_line.text)
    for ln in cands[1:4]:
        if c0 and c0 in _canon(ln.text) and ln.text != title_line.text:
            return ln
    return title_line


def mark_head(lines: list[Line], *, title_no: int | None, author: str | None = None
              ) -> list[Line]:
    """Phase 4b: mark the title line (line number ``title_no``) and remove the furniture around it.

    Before the title: a line contained in it or containing it is a ``duplicate_headline``, a
    kicker or any ≤ 3-word line a ``kicker``, a byline a ``byline``.  In the two lines after it: a
    repeat of it (or a short non-sentence part of it) is a ``duplicate_headline``.  Without a title,
    kickers among the first three head lines go.
    """
    live = _live(lines)
    rules: dict[int, str] = {}
    if title_no is None:
        for ln in _head(live)[:3]:  # no title found: the top lines are all kickers (or none)
            if _is_kicker(ln.text):
                rules[ln.no] = "kicker"
        return _with(lines, rules=rules)
    idx = next(i for i, ln in enumerate(live) if ln.no == title_no)
    ct = _canon(live[idx].text)
    for ln in live[:idx]:
        c = _canon(ln.text)
        if c and (c in ct or ct in c):
            rules[ln.no] = "duplicate_headline"
        elif _is_kicker(ln.text) or _nwords(ln.text) <= 3:
            rules[ln.no] = "kicker"
        elif _is_byline(ln.text, author):
            rules[ln.no] = "byline"
    # a repeated headline right after the title
    for ln in live[idx + 1: idx + 3]:
        c = _canon(ln.text)
        if c and (c == ct or (c in ct and _nwords(ln.text) <= 12 and not _ends_sentence(ln.text))):
            rules[ln.no] = "duplicate_headline"
    return _with(lines, rules=rules, kinds={title_no: "title"})


def mark_bylines_and_bios(lines: list[Line], *, author: str | None = None) -> list[Line]:
    """Phase 5: author bios (:func:`_is_bio`: among the first / last three long paragraphs),
    bylines ('By …' anywhere; a name-only or name-with-desk line in the top third or the last
    two lines)."""
    live = _live(lines)
    n = len(live)
    paras = [ln for ln in live if ln.kind != "title"]
    long_paras = [ln for ln in paras if _nwords(ln.text) > 12 or _ends_sentence(ln.text)]
    tail = {ln.no for ln in long_paras[-3:]}
    front = {ln.no for ln in long_paras[:3]}
    rules = {}
    for i, ln in enumerate(live):
        if ln.kind == "title":
            continue
        t = normalize(ln.text)
        near_edge = i <= max(3, n // 3) or i >= n - 2
        if _is_bio(t, tail=ln.no in tail, front=ln.no in front):
            rules[ln.no] = "author_bio"
        elif _is_byline(t, author, near_edge=near_edge) or (near_edge and _is_name_desk(t)):
            rules[ln.no] = "byline"
    return _with(lines, rules=rules)


def _is_link_like(ln: Line) -> bool:
    t = normalize(ln.text).strip()
    return ln.kind != "title" and _nwords(t) <= 15 and not t.endswith(".") and not t.endswith('."')


def mark_link_lists(lines: list[Line]) -> list[Line]:
    """Phase 6: link lists after a list header already removed as chrome / tags / call to action
    ('Related', 'More on this story', 'Most read', ...): at the end of the page every following
    link-like line (≤ 15 words, no final period), inside the article only the next line.  Headers
    are visited top to bottom; a line marked here can head the next list."""
    ordered = [ln for ln in lines if ln.rule != _SHORTCODE_ONLY]
    rules = [ln.rule for ln in ordered]
    for k, ln in enumerate(ordered):
        if rules[k] not in _LIST_HEADER_RULES:
            continue
        if not _LINK_HEADER_RE.match(normalize(ln.text).strip()):
            continue
        after = [j for j in range(k + 1, len(ordered)) if rules[j] is None]
        if not after:
            continue
        if all(_is_link_like(ordered[j]) for j in after):    # the tail of the page: all links
            for j in after:
                rules[j] = "related_links"
        elif rules[k + 1] is None and _is_link_like(ordered[k + 1]):
            rules[k + 1] = "related_links"                   # inside the article: the next line
    return _with(lines, rules={ln.no: r for ln, r in zip(ordered, rules) if r != ln.rule})


def mark_foreign_runs(lines: list[Line]) -> list[Line]:
    """Phase 7 (English articles only): Latin-script lines of ≥ 6 words with < 10 % English
    function words and mostly lower-case words are ``non_english``; the run extends to adjacent
    short lines (< 6 words) with no English function word that are not all capitalized."""
    live = _live(lines)

    def stats(ln: Line) -> tuple[float, int, list[str]]:
        t = normalize(ln.text)
        f, nw = _function_word_rate(t)
        return f, nw, _WORD_RE.findall(t)

    def foreign(ln: Line) -> bool:
        f, nw, words = stats(ln)
        return nw >= 6 and f < 0.1 and sum(w[:1].isupper() for w in words) / nw < 0.5

    def joins_run(ln: Line) -> bool:
        f, nw, words = stats(ln)
        return bool(nw) and nw < 6 and f == 0 and not all(w[:1].isupper() for w in words)

    flagged = {i for i, ln in enumerate(live) if ln.kind != "title" and foreign(ln)}
    todo = sorted(flagged)
    while todo:
        i = todo.pop()
        for j in (i - 1, i + 1):
            if (0 <= j < len(live) and j not in flagged and live[j].kind != "title"
                    and joins_run(live[j])):
                flagged.add(j)
                todo.append(j)
    return _with(lines, rules={live[i].no: "non_english" for i in flagged})


def assign_structure(lines: list[Line]) -> list[Line]:
    """Phase 8: each remaining line is a ``heading`` (:func:`_is_heading_shape`) or a
    ``paragraph``; a heading repeating the title or an earlier heading is a
    ``duplicate_headline``."""
    seen_heads = {_canon(ln.text) for ln in _live(lines) if ln.kind == "title"}
    rules: dict[int, str] = {}
    kinds: dict[int, str] = {}
    for ln in _live(lines):
        if ln.kind == "title":
            continue
        t = normalize(ln.text)
        if not _is_heading_shape(t) or latin_share(t) < 0.5:  # word counts mean nothing in CJK script
            kinds[ln.no] = "paragraph"
            continue
        c = _canon(t)
        if c in seen_heads:
            rules[ln.no] = "duplicate_headline"
            continue
        seen_heads.add(c)
        kinds[ln.no] = "heading"
    return _with(lines, rules=rules, kinds=kinds)


def cut_dateline(lines: list[Line]) -> tuple[list[Line], list[Removal]]:
    """Phase 9: cut a leading dateline ('LONDON (Reuters) -') from the first of the first two
    paragraphs that has one (a place of ≥ 3 capitals, ≥ 5 words left after it)."""
    first_paras = [ln for ln in _live(lines) if ln.kind == "paragraph"][:2]
    for ln in first_paras:
        m = _DATELINE_RE.match(normalize(ln.text))
        if not m or len(_NOT_CAPITAL_RE.sub("", m.group("place"))) < 3:
            continue
        rest = ln.text[m.end():]
        if _nwords(rest) < 5:
            continue
        dl = ln.text[:m.end()].rstrip()
        cut = replace(ln, start=ln.start + m.end(), text=rest)
        return ([cut if x is ln else x for x in lines],
                [Removal("dateline", dl, ln.start, ln.start + len(dl), ln.no)])
    return lines, []


def _assemble(lines: list[Line], removed: list[Removal], *, title: str | None
              ) -> CleanedDocument:
    """Kept lines become blocks; removed lines join the span removals, in text order."""
    removed = removed + [Removal(ln.rule, ln.text, ln.start, ln.end, ln.no)
                         for ln in lines if ln.rule and ln.rule != _SHORTCODE_ONLY]
    removed.sort(key=lambda r: (r.start, r.end))
    blocks = [Block(ln.kind, ln.text, ln.start, ln.end, ln.no)
              for ln in lines if ln.rule is None and ln.kind]
    found = next((ln.text for ln in lines if ln.kind == "title"), None)
    return CleanedDocument(title=found if found is not None else (title or None),
                           blocks=blocks, removed=removed)


#: characters of an article that are analysed (RULES['too_long']): news articles are far shorter
MAX_ARTICLE_CHARS = 200_000


_ENTITY_RE = lazy_compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(text: str) -> tuple[str, list[Removal]]:
    """Phase 0: HTML character references (``&amp;``, ``&#8217;``, ``&#x2019;``, ``&nbsp;``) replaced
    by their characters; one ``html_entity`` removal per distinct reference, its text
    ``'&#8217; → ’ (×3)'``, its offsets and line those of the first occurrence in ``text``.
    A name that is not an HTML entity (``&foo;``) is left as it is."""
    if "&" not in text:
        return text, []
    first: dict[str, tuple[int, int, int]] = {}
    counts: dict[str, int] = {}

    def sub(m: re.Match) -> str:
        ref = m.group(0)
        char = html.unescape(ref)
        if char == ref:
            return ref
        if ref not in first:
            first[ref] = (m.start(), m.end(), text.count("\n", 0, m.start()) + 1)
        counts[ref] = counts.get(ref, 0) + 1
        return char

    out = _ENTITY_RE.sub(sub, text)
    shown = {"\u00a0": "no-break space", " ": "space"}
    removed = [Removal("html_entity", f"{ref} → {shown.get(html.unescape(ref), html.unescape(ref))} (×{counts[ref]})",
                       s, e, line) for ref, (s, e, line) in first.items()]
    return out, removed


def cut_long_text(text: str, limit: int | None = None) -> tuple[str, list[Removal]]:
    """Phase 0: an article longer than ``limit`` (default :data:`MAX_ARTICLE_CHARS`) characters is
    cut at the last line break before the limit (or at the limit, when that line break is far
    before it); the rest is one ``too_long`` removal whose text says how much was left out."""
    limit = MAX_ARTICLE_CHARS if limit is None else limit
    if len(text) <= limit:
        return text, []
    cut = text.rfind("\n", 0, limit + 1)
    if cut < limit * 0.8:
        cut = limit
    line = text.count("\n", 0, cut) + 1 + (text[cut:cut + 1] == "\n")
    rest = len(text) - cut
    start = " ".join(text[cut:cut + 200].split())[:60]
    return text[:cut], [Removal("too_long", f"[{rest:,} more characters not analysed, from: {start}…]",
                                cut, len(text), line)]


# ----------------------------------------------------------------------------- main entry
def clean_text(text: str, *, title: str | None = None, author: str | None = None
               ) -> CleanedDocument:
    """Split a raw article into title / heading / paragraph blocks and remove page furniture.

    ``title`` (e.g. from the manifest) marks the matching line near the top as the title; without
    it (or when the given title is not found among the first lines) the title is the first short
    line (≤ 25 words, not ending in . ! ; , :) before the body that is not a kicker — or a later
    top line containing it — or None when the text starts with a paragraph.  ``author`` (optional,
    e.g. from the manifest) also marks a line equal to the author's name as a byline.  See
    :data:`RULES` for the removal rules; every removal is recorded.  The returned ``title`` is the
    detected title line's text, else the given ``title``.

    The work is done by the phases below, in this order (each a function of the lines).
    """
    text, entities = decode_entities(text)
    title = decode_entities(title)[0] if title else title
    author = decode_entities(author)[0] if author else author
    text, too_long = cut_long_text(text)
    lines = split_lines(text)
    lines, shortcodes = blank_shortcodes(lines)
    lines, inline = blank_inline_furniture(lines)
    doc_latin, doc_english = document_script(lines)
    lines = classify_lines(lines, doc_latin=doc_latin)
    title_line = find_title(lines, title=title, author=author)
    lines = mark_head(lines, title_no=title_line.no if title_line else None, author=author)
    lines = mark_bylines_and_bios(lines, author=author)
    lines = mark_link_lists(lines)
    if doc_english:
        lines = mark_foreign_runs(lines)
    lines = assign_structure(lines)
    lines, dateline = cut_dateline(lines)
    return _assemble(lines, entities + shortcodes + inline + dateline + too_long, title=title)
