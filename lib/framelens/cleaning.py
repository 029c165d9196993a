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

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
_NORM_RE = re.compile("[" + re.escape("".join(_NORM_MAP)) + "]")


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
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_LETTER_RE = re.compile(r"[^\W\d_]")
_LATIN_LETTER_RE = re.compile(
    r"[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
    r"\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff3a\uff41-\uff5a]"
)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_ASCII_LETTERS_RE = re.compile(r"[A-Za-z]+")


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
_SHORTCODE_RES = [
    re.compile(r"\[caption\b[^\]\n]*\].*?\[/caption\]", re.IGNORECASE),
    re.compile(r"<!--.*?-->"),
    re.compile(r"\{\{[^{}\n]*\}\}|\{%[^%\n]*%\}"),
    # [name attr="x"], [/name], [name] for known shortcode names
    re.compile(
        r"\[/[A-Za-z_][\w-]*\]"
        r"|\[[A-Za-z_][\w-]*(?:\s+[\w-]+\s*=\s*(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\]]+))+\s*/?\]"
        r"|\[(?:adinserter|ad|ads|advert|advertisement|ad_unit|caption|gallery|embed|video|audio|"
        r"playlist|related|related_posts|tweet|twitter|instagram|youtube|facebook|contact-form|"
        r"newsletter|subscribe|td_block\w*|vc_\w+|et_pb_\w+|sc\w*)(?:\s[^\]\n]*)?/?\]",
        re.IGNORECASE,
    ),
    re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s+[^<>\n]*)?/?>"),
]

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
_BREADCRUMB_RE = re.compile(r"\s(?:»|›|>|/|\|)\s")

_NAME_PARTICLES = frozenset(
    "de da di del della der den van von la le du bin binti bint ibn al el abu ben ter dos das"
    .split()
)
_NAME_TOKEN_RE = re.compile(
    r"^(?:[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*|[A-Z]\.|[A-Z][a-z]*[A-Z][a-z]+|al-[A-Z][a-z]+|"
    r"[A-Z]['’][A-Z][a-z]+)$"
)
# common-noun / adjective endings that make a capitalized word look like a heading word
_TOPIC_SUFFIX_RE = re.compile(
    r"(?:tion|tions|sion|sions|ment|ments|ness|ity|ities|ism|isms|ship|ships|ical|ance|ances|"
    r"ence|ences|ive|ives|ous|ics|ies|ing|ings|ure|ures|age|ary|ory|ate|ates|ize|ise|ful|less|"
    r"ward|wards|ern|ic|al|ed|er|ers)$"
)
_BYLINE_PREFIX_RE = re.compile(
    r"^(?:by|written by|words by|text by|story by|reporting by|reported by|edited by|"
    r"compiled by|additional reporting by|interview by|analysis by|opinion by)\s*[:\-]?\s+\S",
    re.IGNORECASE,
)

_IMAGE_EXT = r"(?:jpe?g|png|gif|webp|svg|bmp|tiff?|heic|avif)"
_CAPTION_RES = [
    re.compile(rf"\b[\w.-]+\.{_IMAGE_EXT}\b", re.IGNORECASE),            # file name
    re.compile(rf"(?:^|\s){_IMAGE_EXT}$", re.IGNORECASE),                  # "... 192x192 1 jpg"
    re.compile(r"^cropped[\s_-]", re.IGNORECASE),
    re.compile(r"\b\d{2,4}\s?[x×]\s?\d{2,4}\b"),                           # 192x192 (with ext check)
    re.compile(r"^(?:photo|photograph|image|picture|pictured|illustration|graphic|video|"
               r"file photo|photo illustration|main image|top image|feature image|featured image)"
               r"s?\s*(?:credit|courtesy)?\s*[:|/]", re.IGNORECASE),
    re.compile(r"^(?:photo|image|picture|illustration)s?\s+(?:by|courtesy(?: of)?|credit|via)\b",
               re.IGNORECASE),
    re.compile(r"^\(?(?:image|photo|picture)\s+credits?\b", re.IGNORECASE),
    re.compile(r"\((?:photo|image|picture|illustration|pictured)s?\s*(?:by|:|credit|courtesy|via)",
               re.IGNORECASE),
    re.compile(r"^file photo\b|\bfile photo[.)]?$", re.IGNORECASE),
    re.compile(r"\b(?:getty images|afp via getty|ap photo|shutterstock|istock(?:photo)?|"
               r"epa-efe|alamy)\b", re.IGNORECASE),
    # agency/photographer credits ("REUTERS/Kai Pfaffenbach"), not "a Reuters/Ipsos poll"
    re.compile(r"\b(?:REUTERS|Reuters|XINHUA|Xinhua|AFP|EPA)\s?/\s?[A-Z][\w'’-]+\s+[A-Z][\w'’-]+"),    re.compile(r"^(?:image|photo|picture|video)\s+(?:source|caption|credit)s?\s*[,:]", re.IGNORECASE),
    # "... in Bucharest. (Daniel MIHAILESCU / AFP)": a (name / agency) credit closing the line
    re.compile(r"\(\s*[A-Z][^()\n]{1,60}?\s/\s[A-Z][^()\n]{1,40}\)\s*$"),
    # "... corridor last winter. Photograph: Christopher Thomond/The Guardian"
    re.compile(r"(?:^|[.!?\"”’)]\s+)(?:photograph|photo|picture|image|illustration|video)s?"
               r"(?:\s+credit)?\s*:\s*[^.!?]{2,80}$", re.IGNORECASE),
]

_DISCLAIMER_RES = [
    re.compile(r"\bviews (?:and opinions )?(?:expressed|stated|presented)\b.{0,120}\b(?:author|"
               r"writer|contributor)s?\b", re.IGNORECASE),
    re.compile(r"\b(?:do|does) not necessarily (?:reflect|represent)\b", re.IGNORECASE),
    re.compile(r"^disclaimer\s*[:：-]", re.IGNORECASE),
    re.compile(r"\b(?:this|the) (?:article|story|piece|post|column|op-ed|interview) (?:was|is|"
               r"has been|first|originally) (?:originally |first )?(?:published|appeared|"
               r"posted|republished)\b", re.IGNORECASE),
    re.compile(r"^(?:editor'?s|editors'?) note\s*[:：-]", re.IGNORECASE),
    re.compile(r"^©|^\(c\)\s*\d{4}|\bcopyright\s*(?:©|\(c\))?\s*\d{4}|\ball rights reserved\b",
               re.IGNORECASE),
    re.compile(r"^this (?:article|story|content) (?:is|was) (?:sponsored|produced|provided)\b",
               re.IGNORECASE),    re.compile(r"^(?:correction|clarification|corrections)\s*[:：]|^an earlier version of this "
               r"(?:article|story|report|piece|post)\b|\b(?:this|the) (?:article|story|report|piece|"
               r"post|headline) (?:has been|was|had been) (?:corrected|amended|updated|changed|"
               r"edited) (?:on|to|since|after|because|from)\b", re.IGNORECASE),
]

_CTA_START = re.compile(
    r"(?:^|[.!?]\s+)(?:sign up|signup|subscribe|follow us|follow (?:the|our) \w+ on|join (?:us|our)|"
    r"get (?:the latest|our|all the latest|breaking|the best|more)|click here|tap here|read more|"
    r"read also|also read|see also|related\s*:|recommended\s*:|share this|share on|"
    r"download (?:our|the) app|don'?t miss|do not miss|stay (?:updated|informed|connected|tuned)|"
    r"like us on|never miss|want more|support our journalism|become a (?:member|subscriber)|"
    r"listen to (?:our|the) podcast|watch:|advertisement\b)",
    re.IGNORECASE,
)
_CTA_ANY = re.compile(
    r"\b(?:delivered|sent) (?:straight |directly |right )?to your (?:inbox|phone|email|device)|"
    r"\bsent directly to you\b|\bsubscribe to (?:our|the) (?:newsletter|channel|podcast)\b|"
    r"\b(?:have|got) a (?:news |story )?tip\b|\be-?mail us at\b|"
    r"\b(?:our|the) (?:telegram|whatsapp|youtube|facebook|instagram|tiktok|twitter|x) "
    r"(?:channel|group|page|account|community)\b|\bsign up (?:for|to) (?:our|the) newsletter\b",
    re.IGNORECASE,
)

_COMMENT_RES = re.compile(
    r"^(?:leave a (?:reply|comment)|post (?:a )?comment|add (?:a )?comment|submit comment|"
    r"cancel reply|\d+ comments?|comments?|reply|comments are closed|be the first to comment|"
    r"join the (?:conversation|discussion))\s*[.:!]?$"
    r"|your email address will not be published|required fields are marked|"
    r"save my name,? email|notify me of (?:new|follow-up) (?:comments|posts)|"
    r"you must be logged in to post a comment|\bname\s*\*\s*email\s*\*|"
    r"this site uses akismet",
    re.IGNORECASE,
)

_CHROME_PART_RE = re.compile(
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
_CHROME_SPLIT_RE = re.compile(r"\s*[·|•]\s*")
_COOKIE_RE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CTX_RE = re.compile(
    r"\b(?:we use|we and our partners|this (?:web)?site uses|uses cookies|accept|consent|"
    r"cookie (?:policy|settings|preferences)|privacy (?:policy|notice)|by (?:continuing|using|"
    r"browsing|clicking))\b", re.IGNORECASE)
_TAGS_RE = re.compile(r"^(?:tags?|topics?|related topics|filed under|categories|category|keywords|"
                      r"more about|subjects?)\s*[:：]\s*\S", re.IGNORECASE)
# list headers after which short link lines follow ("Related", "More on this story", ...)
_LINK_HEADER_RE = re.compile(
    r"^(?:related\b.{0,30}|more on this (?:story|topic)|more (?:from|in|on) .{2,30}|"
    r"explore more on (?:these|this) topics?|most (?:read|viewed|popular|shared|watched)\b.{0,30}|"
    r"trending\b.{0,20}|read (?:more|also|next)|also read|see also|you (?:may|might) also like|"
    r"recommended\b.{0,20}|top stories|latest (?:news|stories)|tags?\s*:?|topics?\s*:?|"
    r"watch (?:more|next)|further reading|what to read next)\s*[:.…›»]*$",
    re.IGNORECASE,
)
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
_DATE_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
_WIRE_AGENCY_RE = re.compile(
    r"^(?:the )?(?:associated press|ap|canadian press|press association|pa media|pa|reuters|"
    r"thomson reuters|afp|agence france-presse|bloomberg(?: news)?|dpa|xinhua(?: news agency)?|"
    r"ani|pti|ians|efe|ansa|kyodo(?: news)?|tass|ria novosti|interfax|yonhap(?: news agency)?|"
    r"aap|australian associated press|upi|united press international|anadolu(?: agency)?|"
    r"bernama|antara|apa|wam|sputnik|cns|cna)(?:\s*(?:/|and|&|,)\s*(?:the )?[A-Za-z .-]{2,30})?"
    r"\s*[.]?$",
    re.IGNORECASE,
)
_CREDIT_RES = [
    re.compile(r"^\(?(?:reporting|writing|editing|additional reporting|compiled|research|"
               r"production|graphics) by\b", re.IGNORECASE),
    re.compile(r"\bcontributed (?:additional )?(?:reporting )?(?:to|for) this (?:report|story|"
               r"article)\b", re.IGNORECASE),
]
_DESK_NOUNS = (r"correspondent|editor|reporter|writer|journalist|columnist|contributor|producer|"
               r"analyst|critic|presenter|anchor|staff|bureau chief|desk|team|staff writer")
_NAME_DESK_RE = re.compile(
    r"^(?P<name>.+?),?\s+(?:(?:[A-Za-z&-]+\s+){0,3}(?:" + _DESK_NOUNS + r")s?"
    r"|in\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}(?:\s+and\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})?)$"
)
_MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
             r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3})"
    r"(?:\s*,\s*[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,2}){0,2}"
    r"(?:\s*,?\s*" + _MONTH_RE + r"\s+\d{1,2}(?:\s*,\s*\d{4})?)?"
    r"(?:\s*\((?:[A-Z][\w&.'’/ -]{0,40})\))?"
    r"\s*(?:[-–—]{1,2}|:)\s+(?=[\"“'‘A-Z0-9])"
)


_ROLE_NOUNS = (
    r"analyst|journalist|writer|columnist|correspondent|reporter|editor|contributor|commentator|"
    r"blogger|author|poet|novelist|professor|lecturer|researcher|research fellow|fellow|scholar|"
    r"expert|academic|economist|historian|political scientist|scientist|student|ph\.?d\.? "
    r"candidate|doctoral candidate|consultant|advisor|adviser|freelancer|freelance \w+|"
    r"practitioner|strategist|observer|specialist"
)
_BIO_RES = [
    re.compile(r"^(?:the |this )?(?:author|writer|columnist|contributor)s?(?: of this \w+)? "
               r"(?:is|are|was|has|holds|teaches|works|serves)\b", re.IGNORECASE),
    re.compile(r"^about the (?:author|writer|contributor)s?\b", re.IGNORECASE),
    re.compile(r"^(?:author|writer)'?s? (?:bio|note|profile)\b", re.IGNORECASE),
    re.compile(
        r"^(?:(?:mr|mrs|ms|mx|dr|prof|professor)\.?\s+)?"
        r"(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+,?\s+(?:is|was|has been|serves as|works as)\s+"
        r"(?:a|an|the)\s+(?:[\w,'’&-]+\s+){0,5}?(?:" + _ROLE_NOUNS + r")s?\b"
    ),
    re.compile(r"\bfollow (?:him|her|them) on\b|\b(?:he|she|they) can be (?:reached|contacted)\b|"
               r"\bcontact (?:him|her|them) at\b|\b(?:his|her|their) (?:latest|new|recent) book\b",
               re.IGNORECASE),
]

_LIST_ITEM_RE = re.compile(r"^(?:[•·▪◦‣●○■□–—*-]\s+|\(?\d{1,2}[.)]\s+|\(?[a-z][.)]\s+)")
_SENT_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_ALNUM_RE = re.compile(r"[^\W_]")


# ----------------------------------------------------------------------------- helpers
def _nwords(text: str) -> int:
    return len(text.split())


def _canon(text: str) -> str:
    t = normalize(text).lower()
    t = re.sub(r"[^\w\s]", " ", t)
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


def _shortcode_spans(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    taken = [False] * len(line)
    for rx in _SHORTCODE_RES:
        for m in rx.finditer(line):
            s, e = m.span()
            if e > s and not any(taken[s:e]):
                spans.append((s, e))
                for i in range(s, e):
                    taken[i] = True
    spans.sort()
    return spans


@dataclass
class _Line:
    no: int          # 1-based line number
    start: int       # offset of stripped text in raw
    end: int
    text: str        # raw[start:end] (shortcodes blanked)
    rule: str | None = None
    kind: str | None = None


def _split_lines(raw: str) -> list[_Line]:
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
            out.append(_Line(no, s, s + len(stripped), stripped))
        pos = nl + 1
    return out


def _is_kicker(text: str) -> bool:
    t = normalize(text).strip()
    if _BREADCRUMB_RE.search(t) and _nwords(t) <= 8 and not _ends_sentence(t):
        return True
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", t)
    if not words or len(words) > 4 or _ends_sentence(t):
        return False
    return all(w.lower() in _KICKER_WORDS for w in words)


# ----------------------------------------------------------------------------- main entry
def clean_text(text: str, *, title: str | None = None, author: str | None = None
               ) -> CleanedDocument:
    """Split a raw article into title / heading / paragraph blocks and remove page furniture.

    ``title`` (e.g. from the manifest) marks the matching line near the top as the title; without
    it (or when the given title is not found among the first lines) the title is the first short
    line (≤ 25 words, not ending in . ! ; , :) before the body that is not a kicker — or a later
    top line containing it — or None when the text starts with a paragraph.  ``author`` (optional, e.g. from the manifest)
    also marks a line equal to the author's name as a byline.  See :data:`RULES` for the removal
    rules; every removal is recorded.  The returned ``title`` is the detected title line's text,
    else the given ``title``.
    """
    lines = _split_lines(text)
    removed: list[Removal] = []

    # 1. inline shortcodes / markup
    for ln in lines:
        spans = _shortcode_spans(ln.text)
        if not spans:
            continue
        chars = list(ln.text)
        for s, e in spans:
            removed.append(Removal("shortcode", ln.text[s:e], ln.start + s, ln.start + e, ln.no))
            for i in range(s, e):
                chars[i] = " "
        rest = "".join(chars)
        if not _ALNUM_RE.search(rest):
            ln.rule = "shortcode-only"
            continue
        lead = len(rest) - len(rest.lstrip())
        new = rest.strip()
        ln.start += lead
        ln.end = ln.start + len(new)
        ln.text = new

    live = [ln for ln in lines if ln.rule is None]

    # 2. document-level script: is it an English (Latin) article at all?
    body_text = "\n".join(ln.text for ln in live)
    doc_latin = latin_share(body_text) >= 0.5
    doc_english = english_share(body_text) >= 0.5

    # 3. per-line rules that do not depend on position (cheap length checks first: furniture
    #    lines are short, so long paragraphs skip most patterns)
    for ln in live:
        t = normalize(ln.text)
        nw = _nwords(t)
        if not _ALNUM_RE.search(t):
            ln.rule = "empty_or_symbol"
        elif doc_latin and latin_share(t) < 0.5:
            ln.rule = "non_english"
        elif nw <= 40 and _COMMENT_RES.search(t.strip()):
            ln.rule = "comment_form"
        elif nw <= 40 and (any(rx.search(t) for rx in _CAPTION_RES[4:]) or _is_file_caption(t)):
            ln.rule = "image_caption"
        elif nw <= 80 and any(rx.search(t) for rx in _DISCLAIMER_RES):
            ln.rule = "disclaimer"
        elif nw <= 60 and (_CTA_START.search(t) or _CTA_ANY.search(t)):
            ln.rule = "call_to_action"
        elif nw <= 80 and _is_chrome(t):
            ln.rule = "site_chrome"
        elif nw <= 24 and _is_timestamp(t):
            ln.rule = "timestamp"
        elif nw <= 40 and _TAGS_RE.search(t.strip()):
            ln.rule = "topic_tags"
        elif nw <= 50 and _is_credit(t):
            ln.rule = "byline"
    live = [ln for ln in live if ln.rule is None]

    # 4. the head: kickers, duplicated headlines, title
    head: list[_Line] = []
    for ln in live:
        t = normalize(ln.text)
        if _nwords(t) <= 25 and not re.search(r"[.!;,:][\"'”’)\]]*$", t):
            head.append(ln)
        else:
            break
    title_line: _Line | None = None
    if title:
        ct = _canon(title)
        for ln in head[:6] if head else []:
            if _canon(ln.text) == ct:
                title_line = ln
                break
        if title_line is None:
            for ln in live[:6]:
                if _canon(ln.text) == ct:
                    title_line = ln
                    break
    if title_line is None:
        # no title given, or the given one is not in the text (worded differently): detect
        cands = [ln for ln in head if not _is_kicker(ln.text)]
        # a headline has >= 4 words; shorter top lines are section labels or site names
        long_cands = [ln for ln in cands if _nwords(ln.text) >= 4
                      and not _is_byline(ln.text, author) and not _is_name_desk(ln.text)]
        if long_cands:
            cands = cands[cands.index(long_cands[0]):]
        if cands:
            title_line = cands[0]
            # a later head line containing the first one is the real headline
            c0 = _canon(title_line.text)
            for ln in cands[1:4]:
                if c0 and c0 in _canon(ln.text) and ln.text != title_line.text:
                    title_line = ln
                    break
    if title_line is not None:
        title_line.kind = "title"
        ct = _canon(title_line.text)
        before = []
        for ln in live:
            if ln is title_line:
                break
            before.append(ln)
        for ln in before:
            c = _canon(ln.text)
            if c and (c in ct or ct in c):
                ln.rule = "duplicate_headline"
            elif _is_kicker(ln.text) or _nwords(ln.text) <= 3:
                ln.rule = "kicker"
            elif _is_byline(ln.text, author):
                ln.rule = "byline"
        # a repeated headline right after the title
        idx = live.index(title_line)
        for ln in live[idx + 1: idx + 3]:
            c = _canon(ln.text)
            if c and ln.rule is None and (c == ct or (c in ct and _nwords(ln.text) <= 12
                                                      and not _ends_sentence(ln.text))):
                ln.rule = "duplicate_headline"
    else:
        for ln in head[:3]:  # no title found: the top lines are all kickers (or none)
            if _is_kicker(ln.text):
                ln.rule = "kicker"
    live = [ln for ln in live if ln.rule is None]

    # 5. bylines, author bios, calls to action
    n = len(live)
    paras = [ln for ln in live if ln.kind != "title"]
    long_paras = [ln for ln in paras if _nwords(ln.text) > 12 or _ends_sentence(ln.text)]
    tail = set(id(ln) for ln in long_paras[-3:])
    front = set(id(ln) for ln in long_paras[:3])
    for i, ln in enumerate(live):
        if ln.kind == "title":
            continue
        t = normalize(ln.text)
        if _is_bio(t, tail=id(ln) in tail, front=id(ln) in front):
            ln.rule = "author_bio"
        elif _nwords(t) <= 60 and (_CTA_START.search(t) or _CTA_ANY.search(t)):
            ln.rule = "call_to_action"
        elif _is_byline(t, author, near_edge=i <= max(3, n // 3) or i >= n - 2):
            ln.rule = "byline"
        elif (i <= max(3, n // 3) or i >= n - 2) and _is_name_desk(t):
            ln.rule = "byline"
    live = [ln for ln in live if ln.rule is None]

    # 5b. link lists after a list header ('Related', 'More on this story', 'Most read', ...)
    ordered = [ln for ln in lines if ln.rule != "shortcode-only"]
    for k, ln in enumerate(ordered):
        if ln.rule not in ("site_chrome", "topic_tags", "call_to_action", "related_links"):
            continue
        if not _LINK_HEADER_RE.match(normalize(ln.text).strip()):
            continue
        after = [x for x in ordered[k + 1:] if x.rule is None]
        if not after:
            continue
        if all(_is_link_like(x) for x in after):       # the tail of the page: all links
            for x in after:
                x.rule = "related_links"
        elif ordered[k + 1].rule is None and _is_link_like(ordered[k + 1]):
            ordered[k + 1].rule = "related_links"       # inside the article: the next line only
    live = [ln for ln in live if ln.rule is None]

    # 6. Latin-script foreign-language runs (low English share) inside an English article
    if doc_english:
        flagged = set()
        for i, ln in enumerate(live):
            if ln.kind == "title":
                continue
            t = normalize(ln.text)
            f, nw = _function_word_rate(t)
            caps = sum(w[:1].isupper() for w in _WORD_RE.findall(t))
            if nw >= 6 and f < 0.1 and caps / nw < 0.5:
                flagged.add(i)
        # extend runs to short neighbours without English function words
        changed = True
        while changed and flagged:
            changed = False
            for i in list(flagged):
                for j in (i - 1, i + 1):
                    if 0 <= j < len(live) and j not in flagged and live[j].kind != "title":
                        t = normalize(live[j].text)
                        f, nw = _function_word_rate(t)
                        words = _WORD_RE.findall(t)
                        if nw and nw < 6 and f == 0 and not all(w[:1].isupper() for w in words):
                            flagged.add(j)
                            changed = True
        for i in flagged:
            live[i].rule = "non_english"
        live = [ln for ln in live if ln.rule is None]

    # 7. structure: headings vs paragraphs; duplicated headings
    seen_heads = set()
    if title_line is not None:
        seen_heads.add(_canon(title_line.text))
    for ln in live:
        if ln.kind == "title":
            continue
        t = normalize(ln.text)
        question_head = (_nwords(t) <= 10 and t.endswith("?") and not re.search(r"[\"“”]", t)
                         and not re.match(r"^[A-Z][\w.]{0,10}\s*:", t))
        if ((_nwords(t) <= 12 and not _ends_sentence(t) and not t.endswith(",")
                and not _LIST_ITEM_RE.match(t) and not (t.endswith(":") and _nwords(t) > 5))
                or question_head):
            c = _canon(t)
            if c in seen_heads:
                ln.rule = "duplicate_headline"
                continue
            seen_heads.add(c)
            ln.kind = "heading"
        else:
            ln.kind = "paragraph"

    # 8. a leading dateline ("LONDON (Reuters) -") in one of the first two body paragraphs
    first_paras = [ln for ln in live if ln.kind == "paragraph"][:2]
    for ln in first_paras:
        m = _DATELINE_RE.match(normalize(ln.text))
        if not m or len(re.sub(r"[^A-Z]", "", m.group("place"))) < 3:
            continue
        rest = ln.text[m.end():]
        if _nwords(rest) < 5:
            continue
        dl = ln.text[:m.end()].rstrip()
        removed.append(Removal("dateline", dl, ln.start, ln.start + len(dl), ln.no))
        ln.start += m.end()
        ln.text = rest
        break

    # assemble
    for ln in lines:
        if ln.rule and ln.rule != "shortcode-only":
            removed.append(Removal(ln.rule, ln.text, ln.start, ln.end, ln.no))
    removed.sort(key=lambda r: (r.start, r.end))
    blocks = [Block(ln.kind, ln.text, ln.start, ln.end, ln.no)
              for ln in lines if ln.rule is None and ln.kind]
    out_title = title_line.text if title_line is not None else (title or None)
    return CleanedDocument(title=out_title, blocks=blocks, removed=removed)


def _is_chrome(t: str) -> bool:
    """Web-page interface text (see RULES['site_chrome'])."""
    s = t.strip()
    nw = _nwords(s)
    if (nw <= 80 and _COOKIE_RE.search(s) and _COOKIE_CTX_RE.search(s)
            and re.search(r"\b(?:we|our)\b", s, re.IGNORECASE)
            and re.search(r"\b(?:you|your)\b", s, re.IGNORECASE)):
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
    return any(not x.isdigit() for x in toks) or bool(re.search(r"\d[:/.-]\d", t))


def _is_credit(t: str) -> bool:
    """Wire-agency-only lines and 'Reporting by …; Editing by …' / '… contributed to this report'."""
    s = t.strip()
    if _nwords(s) <= 6 and _WIRE_AGENCY_RE.match(s):
        return True
    return _nwords(s) <= 50 and any(rx.search(s) for rx in _CREDIT_RES)


_DESK_RE = re.compile(r"^(?:[A-Za-z&-]+\s+){0,3}(?:" + _DESK_NOUNS + r")s?$", re.IGNORECASE)


def _is_name_desk(t: str) -> bool:
    """'Jane Doe Health correspondent', 'Jane Doe, Economics Editor', 'Jane Doe in Brussels'."""
    s = t.strip()
    if _ends_sentence(s) or _nwords(s) > 10 or any(ch in s for ch in ";:!?()\"|"):
        return False
    m = re.match(r"^(.+?)\s+in\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})$", s)
    if m and _is_name_line(m.group(1).rstrip(",")):
        return True
    toks = s.split()
    for k in range(2, min(4, len(toks) - 1) + 1):
        name = " ".join(toks[:k]).rstrip(",")
        rest = " ".join(toks[k:])
        if _DESK_RE.match(rest) and _is_name_line(name):
            return True
    return False


def _is_link_like(ln: "_Line") -> bool:
    t = normalize(ln.text).strip()
    return ln.kind != "title" and _nwords(t) <= 15 and not t.endswith(".") and not t.endswith('."')


_REPORTED_SPEECH_RE = re.compile(r"\b(?:said|says|told|according to|added|stated)\b|[\"“”]")


def _is_bio(t: str, *, tail: bool, front: bool) -> bool:
    """Author-bio test; position-dependent (see RULES['author_bio'])."""
    if not (tail or front) or _nwords(t) > 120:
        return False
    explicit = (_BIO_RES[0], _BIO_RES[1], _BIO_RES[2], _BIO_RES[4])
    if any(rx.search(t) for rx in explicit):
        return True
    # "<Name> is a/an ... analyst/journalist ..." only at the end, and never in reported speech
    return tail and bool(_BIO_RES[3].search(t)) and not _REPORTED_SPEECH_RE.search(t)


def _is_file_caption(t: str) -> bool:
    """File-name captions: 'IMG_1234.jpeg', 'cropped ee9a… 192x192 1 jpg'."""
    s = t.strip()
    if _nwords(s) > 30:
        return False
    if _CAPTION_RES[0].search(s) and _nwords(s) <= 12:
        return True
    ext_end = bool(_CAPTION_RES[1].search(s))
    if ext_end and (_CAPTION_RES[2].search(s) or _CAPTION_RES[3].search(s)
                    or re.search(r"\b[0-9a-f]{6,}\b", s) or _nwords(s) <= 4):
        return True
    return False


def _is_byline(t: str, author: str | None, near_edge: bool = True) -> bool:
    """'By …' lines anywhere; name-only lines in the top third or the last two lines."""
    t = normalize(t).strip()
    if author and _canon(t) in {_canon(author), _canon("by " + author)}:
        return True
    if _nwords(t) <= 12:
        m = _BYLINE_PREFIX_RE.match(t)
        if m:
            rest = re.sub(r"^(?:by|written by|words by|text by|story by|reporting by|reported by|"
                          r"edited by|compiled by|additional reporting by|interview by|"
                          r"analysis by|opinion by)\s*[:\-]?\s+", "", t, flags=re.IGNORECASE)
            return rest[:1].isupper()
    if not near_edge:
        return False
    return _is_name_line(t)
