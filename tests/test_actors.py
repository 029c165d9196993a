import pandas as pd
import pytest

from framelens.actors import find_mentions, find_mentions_in_text, load_actors
from framelens.errors import FramelensError


def spans(text):
    return [(a, text[s:e]) for a, s, e in find_mentions_in_text(text)]


def test_possessives_and_curly_quotes():
    assert spans("China's plan and Kazakhstan’s reply") == [("China", "China"), ("Kazakhstan", "Kazakhstan")]


def test_longest_alias_wins_and_case_rules():
    assert spans("Xi Jinping met Xi's host") == [("Xi Jinping", "Xi Jinping"), ("Xi Jinping", "Xi")]
    # short aliases are case-sensitive: 'us' is a pronoun, 'US' the country
    assert spans("Let us see what the US does") == [("United States", "US")]
    # longer aliases ignore case
    assert spans("CHINA and china") == [("China", "CHINA"), ("China", "china")]
    # the summit is one event, not China + Central Asia
    assert spans("the China–Central Asia Summit opened") == [("China–Central Asia Summit", "China–Central Asia Summit")]


def test_whole_words_only():
    assert spans("Chinatown and Russian-made jets") == [("Russia", "Russian")]
    assert spans("Sino-Kazakh ties") == [("Kazakhstan", "Kazakh")]


def test_find_mentions_table():
    sents = pd.DataFrame({"sent_id": ["d:s0"], "doc_id": ["d"], "source": ["d"],
                          "text": ["Beijing welcomed the United States' offer."]})
    m = find_mentions(sents)
    assert m[["actor", "alias", "start", "end", "possessive"]].values.tolist() == [
        ["China", "Beijing", 0, 7, False], ["United States", "United States", 21, 34, True]]


@pytest.mark.parametrize("body,msg", [
    ('[[actor]]\nname = "A"\nkind = "x"\naliases = []\n', ":2: actor 'A' needs a non-empty list of aliases"),
    ('[[actor]]\nname = "A"\nalias = ["a"]\n', ":2: unknown key 'alias' in actor 'A'"),
    ('[[actor]]\nname = "A"\naliases = ["Fooland"]\n[[actor]]\nname = "B"\naliases = ["fooland"]\n', ":5: alias 'fooland' belongs to both 'A' and 'B'"),
    ('[[actor]\nname = "A"\n', ":1: not valid TOML"),
])
def test_actor_table_validation(tmp_path, body, msg):
    p = tmp_path / "actors.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(FramelensError) as e:
        load_actors(p)
    assert str(e.value).startswith(str(p) + msg)


def test_city_named_like_a_person_is_not_a_mention():
    # "Xi'an" is a city; a possessive "Xi's" is still Xi
    assert spans("the Xi’an Summit and Xi's speech") == [("Xi Jinping", "Xi")]
    assert spans("President Xi Jinping spoke") == [("Xi Jinping", "President Xi Jinping")]
