"""Known-answer tests for framelens.text.cleaning: furniture rules, structure, normalization."""

from __future__ import annotations

from pathlib import Path

import pytest

from framelens.text.cleaning import RULES, clean_text, english_share, latin_share, normalize

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

BODY1 = ("The port authority announced on Tuesday that container traffic rose by a third, "
         "driven by new rail links to the interior.")
BODY2 = ("Officials said the expansion would be finished by next spring, although local "
         "residents have complained about the noise.")
BODY3 = ("Analysts in the capital expect the figures to keep growing as long as the freight "
         "corridor stays open to trucks.")


def removed(doc):
    return [(r.rule, r.text) for r in doc.removed]


def kinds(doc):
    return [(b.kind, b.text) for b in doc.blocks]


def check_offsets(raw, doc):
    for b in doc.blocks:
        assert raw[b.start:b.end] == b.text
        assert raw.count("\n", 0, b.start) + 1 == b.line
    for r in doc.removed:
        assert raw[r.start:r.end] == r.text
        assert raw.count("\n", 0, r.start) + 1 == r.line


# ------------------------------------------------------------------ normalize / language
def test_normalize_is_length_preserving():
    src = "‘a’ “b” „c″ x–y—z―w−v‐u‑t a\u00a0b\u2009c\u200bd ′"
    out = normalize(src)
    assert out == "'a' \"b\" \"c\" x-y-z-w-v-u-t a b c d '"
    assert len(out) == len(src)


def test_english_share():
    assert english_share("The talks were held in the capital and the leaders agreed on a plan.") == 1.0
    assert english_share("您的邮箱地址不会被公开。") == 0.0
    assert english_share("Il était une fois un roi qui avait trois filles très belles") < 0.5
    assert english_share("12345 !!!") == 0.0
    assert latin_share("abcd 评论") == pytest.approx(4 / 6)
    assert latin_share("Türkiye") == 1.0


def test_rules_documented():
    assert set(RULES) == {"kicker", "duplicate_headline", "byline", "author_bio", "image_caption",
                          "disclaimer", "call_to_action", "shortcode", "comment_form", "non_english",
                          "empty_or_symbol", "site_chrome", "timestamp", "topic_tags",
                          "related_links", "dateline", "too_long", "inline_call_to_action",
                          "inline_headlines", "html_entity"}
    assert all(isinstance(v, str) and len(v) > 20 for v in RULES.values())


def test_html_entities_decoded_and_audited():
    raw = ("Minister&#8217;s plan &amp; the budget\n\n"
           "The minister&#8217;s plan was announced on Monday &amp; it drew praise from R&D firms &foo; and "
           "unions&#x2019; leaders, who said it was fair.\n")
    d = clean_text(raw, title="Minister&#8217;s plan &amp; the budget")
    assert d.title == "Minister’s plan & the budget"
    body = [b.text for b in d.blocks if b.kind == "paragraph"]
    assert body == ["The minister’s plan was announced on Monday & it drew praise from R&D firms &foo; and "
                    "unions’ leaders, who said it was fair."]
    got = sorted((r.rule, r.text, r.start, r.line) for r in d.removed)
    assert got == [("html_entity", "&#8217; → ’ (×2)", 8, 1), ("html_entity", "&#x2019; → ’ (×1)", 142, 3),
                   ("html_entity", "&amp; → & (×2)", 22, 1)]


# ------------------------------------------------------------------ structure
def test_title_detection_blank_line_separated_no_final_newline():
    raw = f"Port Traffic Soars on New Rail Links\n\n{BODY1}\n\nRail Freight\n\n{BODY2}"
    doc = clean_text(raw)
    assert doc.title == "Port Traffic Soars on New Rail Links"
    assert kinds(doc) == [("title", "Port Traffic Soars on New Rail Links"), ("paragraph", BODY1),
                          ("heading", "Rail Freight"), ("paragraph", BODY2)]
    assert doc.removed == []
    check_offsets(raw, doc)


def test_single_newline_paragraphs_and_no_title():
    raw = f"{BODY1}\n{BODY2}\nWhat Comes Next\n{BODY3}\n"
    doc = clean_text(raw)
    assert doc.title is None
    assert [k for k, _ in kinds(doc)] == ["paragraph", "paragraph", "heading", "paragraph"]
    check_offsets(raw, doc)


def test_given_title_marks_matching_line():
    raw = f"Port traffic soars\n\n{BODY1}\n"
    doc = clean_text(raw, title="Port Traffic Soars")
    assert kinds(doc)[0] == ("title", "Port traffic soars")
    doc2 = clean_text(f"{BODY1}\n", title="A Title Not In The Text")
    assert doc2.title == "A Title Not In The Text"
    assert [k for k, _ in kinds(doc2)] == ["paragraph"]


def test_crlf_and_whitespace_lines():
    raw = f"Harbour Deal Signed\r\n \r\n{BODY1}\r\n"
    doc = clean_text(raw)
    assert kinds(doc) == [("title", "Harbour Deal Signed"), ("paragraph", BODY1)]
    check_offsets(raw, doc)


# ------------------------------------------------------------------ rules on imaginary outlets
def test_kicker_and_duplicate_headline():
    raw = f"EXCLUSIVE\n\nPort deal\n\nPort Deal Brings New Jobs to the Coast\n\n{BODY1}\n"
    doc = clean_text(raw)
    assert removed(doc) == [("kicker", "EXCLUSIVE"), ("duplicate_headline", "Port deal")]
    assert doc.title == "Port Deal Brings New Jobs to the Coast"
    check_offsets(raw, doc)


def test_kicker_words_and_breadcrumb():
    raw = f"Home » World » Asia\nOpinion\nWhy the Corridor Matters\n{BODY1}\n"
    doc = clean_text(raw)
    assert removed(doc) == [("kicker", "Home » World » Asia"), ("kicker", "Opinion")]
    assert doc.title == "Why the Corridor Matters"


def test_repeated_heading_is_duplicate():
    raw = f"Rail Boom\n\n{BODY1}\n\nThe Outlook\n\n{BODY2}\n\nThe Outlook\n\n{BODY3}\n"
    doc = clean_text(raw)
    assert removed(doc) == [("duplicate_headline", "The Outlook")]
    assert [r.line for r in doc.removed] == [9]


def test_bylines():
    raw = (f"Harbour Expansion Approved\n\nBy Jane O'Neill and Tom Baker\n\n{BODY1}\n\n"
           f"Carlos de la Vega\n\n{BODY2}\n\nReporting by Ana Costa; Editing by Lee Min\n\n{BODY3}\n")
    doc = clean_text(raw)
    assert removed(doc) == [("byline", "By Jane O'Neill and Tom Baker"), ("byline", "Carlos de la Vega"),
                            ("byline", "Reporting by Ana Costa; Editing by Lee Min")]


def test_topic_headings_are_not_bylines():
    heads = ["Regional Implications", "Strengthening Maritime Ties", "Growing Pressures",
             "Economic Outlook", "Rising Tensions"]
    raw = "Harbour Expansion Approved\n" + "".join(f"{h}\n{BODY1}\n" for h in heads)
    doc = clean_text(raw)
    assert doc.removed == []
    assert [t for k, t in kinds(doc) if k == "heading"] == heads


def test_author_bio_at_end():
    raw = (f"Harbour Expansion Approved\n\n{BODY1}\n\n{BODY2}\n\n"
           "Dr. Elena Marsh is a senior research fellow at the Institute for Maritime Studies "
           "and a regular contributor to this newspaper.\n")
    doc = clean_text(raw)
    assert [r for r, _ in removed(doc)] == ["author_bio"]
    raw2 = (f"Harbour Expansion Approved\n\n{BODY1}\n\n{BODY2}\n\nThe writer is a freelance "
            "journalist based in Lagos. Follow her on social media for more coverage.\n")
    assert [r for r, _ in removed(clean_text(raw2))] == ["author_bio"]


def test_bio_pattern_not_applied_mid_article():
    mid = ("Ahmed Karimov is an analyst at the central bank, and he said the trade data were "
           "encouraging for the region this year.")
    raw = f"Harbour Expansion Approved\n\n{BODY1}\n\n{mid}\n\n{BODY2}\n\n{BODY3}\n\n{BODY1}\n"
    doc = clean_text(raw)
    assert doc.removed == []


def test_image_captions():
    raw = (f"Harbour Expansion Approved\n\nIMG_20240512_0931.jpeg\n\n{BODY1}\n\n"
           "Photo: Reuters/Maria Lopez\n\nship docked 6f1c2d9a 1024x683 png\n\n"
           "Cranes at the new terminal. (Photo by Sam Reed/Getty Images)\n\n"
           f"{BODY2}\n\nImage credit: Port Authority\n\nFile photo\n\n{BODY3}\n")
    doc = clean_text(raw)
    assert [r for r, _ in removed(doc)] == ["image_caption"] * 6
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == [BODY1, BODY2, BODY3]


def test_disclaimers():
    raw = (f"Harbour Expansion Approved\n\n{BODY1}\n\n{BODY2}\n\n"
           "Opinions expressed here are the writer's own and do not necessarily represent those of "
           "the Coastal Herald.\n\nThis article was originally published by Harbour Weekly.\n\n"
           "© 2025 Coastal Herald Media. All rights reserved.\n\nEditor's note: figures updated.\n")
    doc = clean_text(raw)
    assert [r for r, _ in removed(doc)] == ["disclaimer"] * 4


def test_calls_to_action():
    raw = (f"Harbour Expansion Approved\n\n{BODY1}\n\nRead more: Why ports matter\n\n{BODY2}\n\n"
           "Click here to download our free port guide.\n\n"
           "Join our WhatsApp channel for breaking updates.\n\n"
           "Never miss a story: get our morning briefing delivered to your inbox.\n\n"
           "Share this article\n\nFollow us on Facebook and Instagram\n")
    doc = clean_text(raw)
    assert [r for r, _ in removed(doc)] == ["call_to_action"] * 6
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == [BODY1, BODY2]


def test_cta_words_inside_body_are_kept():
    body = ("Farmers who sign up for the scheme get subsidies, and the ministry said more would "
            "subscribe to the insurance plan next year.")
    doc = clean_text(f"Harbour Expansion Approved\n\n{body}\n")
    assert doc.removed == []


def test_shortcodes_whole_line_and_inline():
    raw = (f"Harbour Expansion Approved\n\n[ad_slot id=\"top\"]\n\n"
           f"[caption id=\"a1\" align=\"left\"]Cranes at dawn[/caption]{BODY1}\n\n"
           f"{BODY2} {{{{newsletter_box}}}} More text follows here.\n\n<div class=\"ad\"></div>\n")
    doc = clean_text(raw)
    assert removed(doc) == [
        ("shortcode", '[ad_slot id="top"]'),
        ("shortcode", '[caption id="a1" align="left"]Cranes at dawn[/caption]'),
        ("shortcode", "{{newsletter_box}}"),
        ("shortcode", '<div class="ad">'),
        ("shortcode", "</div>"),
    ]
    paras = [b for b in doc.blocks if b.kind == "paragraph"]
    assert paras[0].text == BODY1
    assert raw[paras[0].start:paras[0].end] == BODY1
    # inline span blanked with spaces: same length, offsets valid
    assert paras[1].text == BODY2 + " " + " " * len("{{newsletter_box}}") + " More text follows here."
    assert paras[1].end - paras[1].start == len(paras[1].text)


def test_square_brackets_in_prose_are_kept():
    body = "He said the deal [sic] was final and cited [1] a report on trade flows in the region."
    doc = clean_text(f"Harbour Expansion Approved\n\n{body}\n")
    assert doc.removed == []


def test_comment_form_english():
    raw = (f"Harbour Expansion Approved\n\n{BODY1}\n\n{BODY2}\n\nLeave a Reply\n\nCancel reply\n\n"
           "Your email address will not be published. Required fields are marked *\n\n"
           "Comment * Name * Email * Website\n\nPost Comment\n")
    doc = clean_text(raw)
    assert [r for r, _ in removed(doc)] == ["comment_form"] * 5


def test_non_english_runs():
    raw = (f"Harbour Expansion Approved\n\n{BODY1}\n\n{BODY2}\n\n"
           "Оставьте комментарий\n\nВаш адрес email не будет опубликован.\n\n"
           "Deja una respuesta\n\nTu dirección de correo electrónico no será publicada. "
           "Los campos obligatorios están marcados con *\n")
    doc = clean_text(raw)
    assert removed(doc) == [
        ("non_english", "Оставьте комментарий"),
        ("non_english", "Ваш адрес email не будет опубликован."),
        ("non_english", "Deja una respuesta"),
        ("non_english", "Tu dirección de correo electrónico no será publicada. "
                        "Los campos obligatorios están marcados con *"),
    ]


def test_whole_non_english_document_is_not_emptied():
    raw = "北京新闻\n\n中国和哈萨克斯坦领导人举行会谈，双方同意加强合作。\n"
    doc = clean_text(raw)
    assert doc.removed == []
    assert len(doc.blocks) == 2


def test_empty_or_symbol_lines():
    raw = f"Harbour Expansion Approved\n\n{BODY1}\n\n* * *\n\n{BODY2}\n\n—\n"
    doc = clean_text(raw)
    assert removed(doc) == [("empty_or_symbol", "* * *"), ("empty_or_symbol", "—")]


def test_given_author_marks_byline():
    raw = f"Harbour Expansion Approved\n\nmaria lopez\n\n{BODY1}\n"
    assert removed(clean_text(raw, author="Maria Lopez")) == [("byline", "maria lopez")]


# ------------------------------------------------------------------ the seeds
SEED_EXPECTED = {
    "000_be4e850d6f9a4e51.txt": {
        "title": "Xi and Tokayev Commit to Strengthening China-Kazakhstan Partnership",
        "removed": [("kicker", 1, "Breaking News"), ("duplicate_headline", 3, "Xi and Tokayev"),
                    ("image_caption", 32, "cropped ee9aa38a 4bca 4213 a20f f44442b203d0 192x192 1 jpg"),
                    ("author_bio", 34, "Mr. Muhammad Ali Pasha is an")],
        "headings": ["Strengthening Bilateral Ties", "Economic and Energy Cooperation", "Trade and Connectivity",
                     "Cultural and Educational Exchanges", "Geopolitical Implications"],
        "paragraphs": 7,
    },
    "001_716145b03c7f7e3b.txt": {
        "title": "Xi Meets Tokayev: Boosting Ties",
        "removed": [("non_english", 19, "评论"), ("non_english", 21, "发表回复"),
                    ("non_english", 23, "您的邮箱地址不会被公开。 必填项已用 * 标注")],
        "headings": [],
        "paragraphs": 8,
    },
    "002_a077c155a1c21618.txt": {
        "title": None,
        "removed": [("disclaimer", 20, "The views expressed in this article are those of the author")],
        "headings": ["Ancient Friendship, Strategic Renewal", "Tangible Results: A Shared Path to Modernization",
                     "People-to-People Connectivity: Cultural and Educational Bridges",
                     "Astana Summit: Steadying the Region in an Uncertain World"],
        "paragraphs": 15,
    },
    "003_79e65c6798945b5d.txt": {
        "title": "Kazakhstan–China Relations: Model for Middle-Power Engagement in Fragmented World",
        "removed": [("byline", 5, "Miras Zhiyenbayev"),
                    ("author_bio", 61, "The author is Miras Zhiyenbayev"),
                    ("disclaimer", 63, "Disclaimer: The views and opinions expressed"),
                    ("call_to_action", 66, "Get The Astana Times stories sent directly to you!")],
        "headings": ["Multilateralism with a Xi’an flavor", "A cooperative nexus, not a battleground",
                     "Shared future – lessons from Astana and Beijing"],
        "paragraphs": 25,
    },
    "004_42d97a7a18a9fa82.txt": {
        "title": "Xi Jinping arrives in Kazakhstan for China-Central Asia talks",
        "removed": [("dateline", 3, "ASTANA, Kazakhstan —"),
                    ("shortcode", 23, '[adinserter block="8"]'),
                    ("call_to_action", 25, "Get the latest and greatest stories delivered straight to your phone.")],
        "headings": [],
        "paragraphs": 10,
    },
}


@pytest.mark.parametrize("fname", sorted(SEED_EXPECTED))
@pytest.mark.parametrize("with_title", [False, True])
def test_seed_cleaning(fname, with_title):
    exp = SEED_EXPECTED[fname]
    raw = (SEEDS / fname).read_text(encoding="utf-8")
    doc = clean_text(raw, title=exp["title"] if with_title else None)
    assert doc.title == exp["title"]
    got = [(r.rule, r.line, r.text) for r in doc.removed]
    assert len(got) == len(exp["removed"])
    for (rule, line, text), (erule, eline, eprefix) in zip(got, exp["removed"]):
        assert (rule, line) == (erule, eline)
        assert text.startswith(eprefix)
    assert [b.text for b in doc.blocks if b.kind == "heading"] == exp["headings"]
    # no real body paragraph lost: every non-empty line is a block or a recorded removal
    # (a dateline is cut from the start of a kept paragraph: it removes no line)
    n_lines = sum(1 for line in raw.splitlines() if line.strip())
    assert len(doc.blocks) + sum(r.rule != "dateline" for r in doc.removed) == n_lines
    assert sum(b.kind == "paragraph" for b in doc.blocks) == exp["paragraphs"]
    check_offsets(raw, doc)


def test_seed_000_has_no_final_newline_and_keeps_last_body_paragraph():
    raw = (SEEDS / "000_be4e850d6f9a4e51.txt").read_text(encoding="utf-8")
    assert not raw.endswith("\n")
    doc = clean_text(raw)
    paras = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert paras[-1].startswith("The meeting between Xi Jinping and Kassym-Jomart Tokayev encapsulates")


def test_seed_corpus_audit(seed_corpus):
    audit = seed_corpus.audit
    assert len(audit) == 15
    assert audit.rule.value_counts().to_dict() == {
        "non_english": 3, "author_bio": 2, "disclaimer": 2, "call_to_action": 2, "kicker": 1,
        "duplicate_headline": 1, "image_caption": 1, "byline": 1, "shortcode": 1, "dateline": 1}


def test_given_title_worded_differently_falls_back_to_detection():
    raw = f"Opinion\nPort Traffic Soars on New Rail Links\n{BODY1}\n"
    doc = clean_text(raw, title="Port traffic soars (updated)")
    assert doc.title == "Port Traffic Soars on New Rail Links"
    assert removed(doc) == [("kicker", "Opinion")]


def test_name_shaped_heading_mid_document_is_kept():
    paras = "".join(f"{b}\n" for b in [BODY1, BODY2, BODY3, BODY1, BODY2])
    raw = f"Harbour Expansion Approved\n{paras}Astana Calling\n{BODY3}\n{BODY1}\n{BODY2}\n{BODY3}\n{BODY1}\n"
    doc = clean_text(raw)
    assert doc.removed == []
    assert ("heading", "Astana Calling") in kinds(doc)
    # the same line near the top is taken as a byline
    raw2 = f"Harbour Expansion Approved\nAstana Calling\n{paras}"
    assert removed(clean_text(raw2)) == [("byline", "Astana Calling")]


def test_only_kicker_before_body():
    raw = f"Analysis\n{BODY1}\n"
    doc = clean_text(raw)
    assert doc.title is None
    assert removed(doc) == [("kicker", "Analysis")]


# ----------------------------------------------------------------------------- unseen page furniture
UNSEEN = Path(__file__).parent / "fixtures" / "unseen"


def _ws(s):
    return " ".join(s.split())


@pytest.fixture(scope="module")
def unseen_gold():
    import json
    return json.loads((UNSEEN / "gold.json").read_text(encoding="utf-8"))


def test_unseen_furniture_removed_and_body_kept(unseen_gold):
    # hand-labelled articles with other outlets' furniture: every furniture line is removed, no
    # title / heading / body line is, and the detected title is the headline
    for doc_id, g in unseen_gold.items():
        raw = (UNSEEN / f"{doc_id}.txt").read_text(encoding="utf-8")
        doc = clean_text(raw)
        whole = {_ws(r.text) for r in doc.removed if r.rule not in ("shortcode", "dateline")}
        furniture = {_ws(x) for x in g["furniture"]}
        kept = {_ws(x) for x in raw.splitlines() if x.strip()} - furniture
        assert whole & kept == set(), doc_id
        assert furniture - whole == set(), doc_id
        assert doc.title == g["title"], doc_id
        assert [b.text for b in doc.blocks if b.kind == "heading"] == g["headings"], doc_id
        assert [r.text for r in doc.removed if r.rule == "dateline"] == [d.strip() for d in g["datelines"]]
        check_offsets(raw, doc)


@pytest.mark.parametrize("line,rule", [
    ("Skip to content", "site_chrome"),
    ("Share · Save · Print", "site_chrome"),
    ("Listen to this article · 5 min", "site_chrome"),
    ("4 min read", "site_chrome"),
    ("Loading...", "site_chrome"),
    ("Most read", "site_chrome"),
    ("Comments (12)", "site_chrome"),
    ("Click to enlarge", "site_chrome"),
    ("We use cookies to improve your experience. By continuing to browse you agree to our cookie "
     "policy.", "site_chrome"),
    ("Updated 14:32 GMT", "timestamp"),
    ("Mon 3 Feb 2025 06.00 GMT", "timestamp"),
    ("Published 3 hours ago", "timestamp"),
    ("Posted: Aug 14, 2024 9:41 AM EDT | Last Updated: August 14, 2024", "timestamp"),
    ("Tags: courts, immigration", "topic_tags"),
    ("Topics: Technology, Competition law", "topic_tags"),
    ("(Reporting by Ana Costa in Lisbon; additional reporting by Ben Ode; Editing by Lee Min)", "byline"),
    ("Associated Press writer Ana Costa in Madrid contributed to this report.", "byline"),
    ("The Associated Press", "byline"),
    ("Image caption, The mayor thanked volunteers at the count", "image_caption"),
    ("Patients wait in a corridor. Photograph: Jane Doe/The Daily Post", "image_caption"),
    ("A nurse prepares a vaccine in Bucharest. (Daniel MIHAILESCU / AFP)", "image_caption"),
    ("This story has been corrected to show that the ruling came in January.", "disclaimer"),
    ("Correction: An earlier version of this article misstated the date.", "disclaimer"),
    ("___", "empty_or_symbol"),
])
def test_unseen_furniture_rules(line, rule):
    raw = f"Council approves budget after long debate\n\n{BODY1}\n\n{line}\n\n{BODY2}\n"
    doc = clean_text(raw)
    assert removed(doc) == [(rule, line)]


@pytest.mark.parametrize("line", [
    "Share prices of the contractors rose 4% after the vote.",
    "Published figures show that ridership is still 30% below its 2019 level.",
    "Related charges against a former official are due in court next month.",
    "Tags attached to new buses will let riders pay by phone.",
    "Home care workers said the rise would hit them hardest.",
    "Support for the party fell to 31% (Reuters/Ipsos).",
    "The EU requires websites to ask users before they accept cookies.",
    "Most of the 300 ballots were counted by 3 a.m.",
    "Updated forecasts show the economy growing by 1% in 2025.",
])
def test_body_lines_that_look_like_furniture_are_kept(line):
    raw = f"Council approves budget after long debate\n\n{BODY1}\n\n{line}\n\n{BODY2}\n"
    doc = clean_text(raw)
    assert removed(doc) == []


def test_names_with_desk_or_place_are_bylines():
    raw = (f"Council approves budget after long debate\n\nLaura Bennett Health correspondent\n\n"
           f"{BODY1}\n\n{BODY2}\n")
    assert removed(clean_text(raw)) == [("byline", "Laura Bennett Health correspondent")]
    raw = f"Council approves budget after long debate\n\nJavier Moreno in Brussels\n\n{BODY1}\n\n{BODY2}\n"
    assert removed(clean_text(raw)) == [("byline", "Javier Moreno in Brussels")]


@pytest.mark.parametrize("para,dateline", [
    ("LONDON (Reuters) - The Bank of England cut rates on Thursday.", "LONDON (Reuters) -"),
    ("VALENCIA, Spain (AP) — Rescuers searched the mud on Wednesday.", "VALENCIA, Spain (AP) —"),
    ("BRUSSELS, June 18 — The European Commission fined the company.", "BRUSSELS, June 18 —"),
    ("NEW DELHI: The government announced a new plan on Monday.", "NEW DELHI:"),
    ("JASPER, Alta. (CP) — Residents returned to the town on Tuesday.", "JASPER, Alta. (CP) —"),
    ("NATO — the alliance founded in 1949 — met in Brussels on Monday.", None),
    ("The U.S. — which led the talks — said little on Monday evening.", None),
    ("UK inflation fell to 2.6% in March, official figures showed.", None),
])
def test_dateline(para, dateline):
    raw = f"Council approves budget after long debate\n\n{para}\n\n{BODY2}\n"
    doc = clean_text(raw)
    got = [r.text for r in doc.removed if r.rule == "dateline"]
    assert got == ([dateline] if dateline else [])
    first = [b for b in doc.blocks if b.kind == "paragraph"][0]
    assert first.text == (para[len(dateline):].strip() if dateline else para)
    check_offsets(raw, doc)


def test_tail_link_list_and_inline_read_more():
    raw = (f"Council approves budget after long debate\n\n{BODY1}\n\nRead more\n\n"
           f"Mayor promises new parks in every ward\n\n{BODY2}\n\nMore on this story\n\n"
           f"Who are the candidates?\n\nBudget explained in five charts\n")
    assert removed(clean_text(raw)) == [
        ("call_to_action", "Read more"), ("related_links", "Mayor promises new parks in every ward"),
        ("site_chrome", "More on this story"), ("related_links", "Who are the candidates?"),
        ("related_links", "Budget explained in five charts")]


def test_list_items_and_question_headings():
    raw = (f"Council approves budget after long debate\n\n{BODY1}\n\nKey points:\n\n"
           f"• Fares rise by 25 cents\n\n1) Night buses are kept\n\nWhat happens next?\n\n"
           f"Here is what riders need to know:\n\n{BODY2}\n")
    doc = clean_text(raw)
    assert [(b.kind, b.text) for b in doc.blocks][2:7] == [
        ("heading", "Key points:"), ("paragraph", "• Fares rise by 25 cents"),
        ("paragraph", "1) Night buses are kept"), ("heading", "What happens next?"),
        ("paragraph", "Here is what riders need to know:")]


# ----------------------------------------------------------------------------- phases, one at a time
# clean_text = split_lines -> blank_shortcodes -> classify_lines -> find_title / mark_head ->
# mark_bylines_and_bios -> mark_link_lists -> mark_foreign_runs -> assign_structure -> cut_dateline.
# Each is called alone here, on hand-written lines.
from framelens.text import cleaning as C  # noqa: E402


def rules_of(lines):
    return {ln.no: ln.rule for ln in lines if ln.rule}


def kinds_of(lines):
    return {ln.no: ln.kind for ln in lines if ln.kind}


def test_split_lines_offsets_and_numbers():
    raw = "  Title here \r\n\n\tBody line.\nLast"
    lines = C.split_lines(raw)
    assert [(ln.no, ln.start, ln.end, ln.text) for ln in lines] == [
        (1, 2, 12, "Title here"), (3, 17, 27, "Body line."), (4, 28, 32, "Last")]
    assert all(raw[ln.start:ln.end] == ln.text and ln.rule is None and ln.kind is None
               for ln in lines)
    assert C.split_lines("") == [] and C.split_lines(" \n\t\n") == []


def test_blank_shortcodes_inline_and_whole_line():
    raw = 'A text [ad id="x"] goes on.\n<div class="ad"></div>\n{{box}} Plain line.'
    lines, removed = C.blank_shortcodes(C.split_lines(raw))
    assert [(r.rule, r.text, r.start, r.end, r.line) for r in removed] == [
        ("shortcode", '[ad id="x"]', 7, 18, 1),
        ("shortcode", '<div class="ad">', 28, 44, 2), ("shortcode", "</div>", 44, 50, 2),
        ("shortcode", "{{box}}", 51, 58, 3)]
    one, two, three = lines
    assert one.text == "A text " + " " * 11 + " goes on." and (one.start, one.end) == (0, 27)
    assert two.rule == "shortcode-only" and two.text == '<div class="ad"></div>'
    # a leading shortcode: the kept text starts after it (offsets stay valid)
    assert (three.text, three.start, three.end) == ("Plain line.", 59, 70)
    assert raw[three.start:three.end] == three.text


def test_document_script():
    def script(raw):
        return C.document_script(C.split_lines(raw))
    assert script(BODY1) == (True, True)
    assert script("中国和哈萨克斯坦领导人举行会谈，双方同意加强合作。") == (False, False)
    assert script("Los campos obligatorios están marcados con un asterisco rojo") == (True, False)


@pytest.mark.parametrize("line,doc_latin,rule", [
    ("***", True, "empty_or_symbol"),
    ("评论", True, "non_english"),
    ("评论", False, None),                              # a non-Latin article keeps its lines
    ("Leave a Reply", True, "comment_form"),
    ("Photo: Sign up for our newsletter", True, "image_caption"),   # caption is tried before CTA
    ("Subscribe " + "word " * 60, True, None),          # > 60 words: not a call to action
    ("Subscribe " + "word " * 50, True, "call_to_action"),
    ("The Associated Press", True, "byline"),
    (BODY1, True, None),
])
def test_line_rule_order_and_length_limits(line, doc_latin, rule):
    assert C.line_rule(line, doc_latin=doc_latin) == rule


def test_classify_lines_skips_lines_already_removed():
    lines, _ = C.blank_shortcodes(C.split_lines(f"<br/>\nShare this article\n{BODY1}\n"))
    assert rules_of(C.classify_lines(lines, doc_latin=True)) == {
        1: "shortcode-only", 2: "call_to_action"}


def test_find_title():
    def title(raw, **kw):
        ln = C.find_title(C.split_lines(raw), **kw)
        return ln and (ln.no, ln.text)
    # a given title: the first of the first 6 lines equal to it, ignoring case and punctuation
    assert title(f"Opinion\nPort traffic soars!\n{BODY1}", title="Port Traffic Soars") == (
        2, "Port traffic soars!")
    # detected: kickers and short lines before the first >= 4-word non-byline line are skipped
    assert title(f"World\nSite Name\nPort Deal Brings New Jobs\n{BODY1}") == (
        3, "Port Deal Brings New Jobs")
    assert title(f"By Jane Doe and Tom Baker\nPort Deal Brings New Jobs\n{BODY1}") == (
        2, "Port Deal Brings New Jobs")
    # a later head line containing the first candidate is the real headline
    assert title(f"Port Deal Brings Jobs\nPort Deal Brings Jobs to the Coast\n{BODY1}") == (
        2, "Port Deal Brings Jobs to the Coast")
    # the text starts with a paragraph: no title, even when a wrong one is given
    assert title(f"{BODY1}\nA Heading Here\n{BODY2}") is None
    assert title(f"{BODY1}\n", title="Not In The Text") is None


def test_mark_head_around_the_title():
    raw = ("EXCLUSIVE\nPort deal\nBy Jane Doe Smith Jones\nPort Deal Brings New Jobs to the Coast\n"
           f"Port Deal Brings New Jobs to the Coast\nNew Jobs\n{BODY1}\n")
    lines = C.mark_head(C.split_lines(raw), title_no=4)
    assert rules_of(lines) == {1: "kicker", 2: "duplicate_headline", 3: "byline",
                               5: "duplicate_headline", 6: "duplicate_headline"}
    assert kinds_of(lines) == {4: "title"}
    # without a title, only kickers among the first head lines go
    lines = C.mark_head(C.split_lines(f"Analysis\nWorld News\nPort Deal Talks\n{BODY1}"), title_no=None)
    assert rules_of(lines) == {1: "kicker", 2: "kicker"}


def _titled(raw):
    return C.mark_head(C.split_lines(raw), title_no=1)


def test_mark_bylines_and_bios_by_position():
    # a name-only line is a byline near the top or bottom, not in the middle of a long article
    body = [BODY1, BODY2, BODY3, BODY1, BODY2, "Carlos de la Vega", BODY3, BODY1, BODY2, BODY3,
            "Carlos de la Vega"]
    lines = C.mark_bylines_and_bios(_titled("Harbour Expansion Approved\n" + "\n".join(body)))
    assert rules_of(lines) == {12: "byline"}
    # '<Name> is a <role>' only among the last three long paragraphs, never in reported speech;
    # 'About the author' also among the first three
    bio = "Dr. Elena Marsh is a senior research fellow at the Institute for Maritime Studies."
    role = "Ahmed Karimov is an analyst at the central bank."
    said = "Ahmed Karimov is an analyst at the bank, he said."
    about = "About the author: Jane Doe writes on trade."
    raw = "\n".join(["Harbour Expansion Approved", role, about, BODY1, BODY2, BODY3, BODY1, said, bio])
    assert rules_of(C.mark_bylines_and_bios(_titled(raw))) == {3: "author_bio", 9: "author_bio"}


def test_mark_bylines_uses_the_given_author():
    raw = f"Harbour Expansion Approved\nmaria lopez\n{BODY1}"
    assert rules_of(C.mark_bylines_and_bios(_titled(raw))) == {}
    assert rules_of(C.mark_bylines_and_bios(_titled(raw), author="Maria Lopez")) == {2: "byline"}


def test_mark_link_lists_tail_and_inline():
    raw = "\n".join(["Council approves budget after long debate", BODY1, "Read more",
                     "Mayor promises new parks in every ward", BODY2, "More on this story",
                     "Who are the candidates?", "Budget explained in five charts"])
    lines = C.classify_lines(_titled(raw), doc_latin=True)
    assert rules_of(lines) == {3: "call_to_action", 6: "site_chrome"}
    assert rules_of(C.mark_link_lists(lines)) == {
        3: "call_to_action", 4: "related_links", 6: "site_chrome", 7: "related_links",
        8: "related_links"}
    # a header followed by a sentence: nothing; a header as the last line: nothing
    raw = "\n".join(["Council approves budget after long debate", "Read more", BODY1, "Most read"])
    lines = C.classify_lines(_titled(raw), doc_latin=True)
    assert rules_of(C.mark_link_lists(lines)) == rules_of(lines) == {
        2: "call_to_action", 4: "site_chrome"}


def test_mark_foreign_runs_extends_to_short_neighbours():
    foreign = "Los campos obligatorios están marcados con un asterisco"
    raw = "\n".join(["Harbour Expansion Approved", BODY1, "Cancelar respuesta", "Deja una respuesta",
                     foreign, "Maria Lopez", BODY2, "Hasta luego amigos"])
    assert rules_of(C.mark_foreign_runs(_titled(raw))) == {
        3: "non_english", 4: "non_english", 5: "non_english"}
    assert rules_of(C.mark_foreign_runs(_titled(f"Harbour Expansion Approved\n{BODY1}"))) == {}


def test_assign_structure_headings_paragraphs_duplicates():
    raw = "\n".join(["Rail Boom", BODY1, "The Outlook", BODY2, "The Outlook", "Rail boom",
                     "Key points:", "Here is what the riders of the city need to know:",
                     "• Fares rise by 25 cents", "What happens next?", 'Is this "fair"?',
                     "Q: What now?"])
    lines = C.assign_structure(_titled(raw))
    assert rules_of(lines) == {5: "duplicate_headline", 6: "duplicate_headline"}
    assert kinds_of(lines) == {1: "title", 2: "paragraph", 3: "heading", 4: "paragraph",
                               7: "heading", 8: "paragraph", 9: "paragraph", 10: "heading",
                               11: "paragraph", 12: "paragraph"}


def _paragraphs(raw):
    return C.assign_structure(_titled(raw))


def test_cut_dateline_first_of_first_two_paragraphs():
    raw = ("Budget Passes\nLONDON (Reuters) - Rates fell.\n"
           "PARIS (AP) - Another paragraph starts with a dateline here.\n")
    lines, removed = C.cut_dateline(_paragraphs(raw))
    # the first paragraph keeps its dateline: fewer than 5 words would be left
    start = raw.index("PARIS")
    assert [(r.rule, r.text, r.start, r.end, r.line) for r in removed] == [
        ("dateline", "PARIS (AP) -", start, start + 12, 3)]
    third = lines[2]
    assert (third.text, third.start) == ("Another paragraph starts with a dateline here.", start + 13)
    assert raw[third.start:third.end] == third.text
    # only the first two paragraphs are looked at; a place needs >= 3 capitals
    raw = f"Budget Passes\n{BODY1}\n{BODY2}\nROME (AP) - The talks ended on Monday with a deal.\n"
    assert C.cut_dateline(_paragraphs(raw))[1] == []
    raw = f"Budget Passes\nUS (AP) - The talks ended on Monday with a deal.\n{BODY2}\n"
    assert C.cut_dateline(_paragraphs(raw))[1] == []


# ----------------------------------------------------------------------------- named patterns
PATTERN_EXAMPLES = {
    "SHORTCODE": {
        "caption_block": '[caption id="1"]Cranes[/caption]', "html_comment": "<!-- ad -->",
        "template_tag": "{{box}}", "bracket_shortcode": '[adinserter block="8"]',
        "html_tag": '<div class="ad">'},
    "FILE_CAPTION": {
        "file_name": "IMG_1234.jpeg", "ext_at_end": "ship docked 1024x683 png",
        "cropped": "cropped ee9a 192x192 jpg", "dimensions": "192x192", "hex_id": "ee9aa38a"},
    "CAPTION": {
        "photo_label": "Photo | Reuters", "photo_by": "Photo by Sam Reed",
        "image_credit": "Picture credits Port Authority",
        "paren_photo_credit": "Cranes at dawn. (Photo by Sam Reed)",
        "file_photo": "A ship at the port, file photo.", "stock_agency": "Cranes at dawn. Shutterstock",
        "agency_slash_name": "REUTERS/Kai Pfaffenbach",
        "caption_label": "Image caption, The mayor thanked volunteers",
        "paren_name_agency": "A nurse in Bucharest. (Daniel MIHAILESCU / AFP)",
        "trailing_photograph": "Patients wait. Photograph: Jane Doe/The Daily Post"},
    "DISCLAIMER": {
        "views_expressed": "The views expressed in this article are those of the author.",
        "not_necessarily": "They do not necessarily reflect the paper's position.",
        "disclaimer_label": "Disclaimer: for information only.",
        "originally_published": "This article was originally published by Harbour Weekly.",
        "editors_note": "Editor's note: figures updated.", "copyright": "© 2025 Coastal Herald Media.",
        "sponsored": "This content is sponsored by a bank.",
        "correction": "Correction: An earlier version misstated the date."},
    "CTA": {"sentence_start": "Sign up for our briefing.",
            "anywhere": "Get the briefing delivered to your inbox."},
    "CREDIT": {"reporting_by": "(Reporting by Ana Costa; Editing by Lee Min)",
               "contributed": "Ana Costa contributed to this report."},
    "BIO": {"author_is": "The author is a journalist based in Lagos.", "about_author": "About the author",
            "bio_label": "Author's bio: Jane writes on trade.", "contact_or_follow": "Follow her on X.",
            "name_is_role": "Dr. Elena Marsh is a senior research fellow at the institute."},
}


@pytest.mark.parametrize("group", sorted(PATTERN_EXAMPLES))
def test_every_named_pattern_matches_its_example(group):
    patterns = getattr(C, group)
    examples = PATTERN_EXAMPLES[group]
    assert set(examples) == set(patterns._fields)      # a new pattern needs an example here
    for name, example in examples.items():
        assert getattr(patterns, name).search(example), (group, name)
    # the examples are told apart: each matches only its own pattern (within the group)
    if group in ("CAPTION", "DISCLAIMER", "BIO"):
        for name, example in examples.items():
            assert [n for n in patterns._fields if getattr(patterns, n).search(example)] == [name]


def test_named_pattern_negatives():
    assert not C.CAPTION.agency_slash_name.search("Support for the party fell (Reuters/Ipsos).")
    assert not C.CTA.sentence_start.search("Farmers who sign up for the scheme get subsidies.")
    assert C.BIO.explicit == (C.BIO.author_is, C.BIO.about_author, C.BIO.bio_label,
                              C.BIO.contact_or_follow)
