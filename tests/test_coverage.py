"""Coverage items (numbers with units, dates, names) and the item × source matrix (known answers)."""

from __future__ import annotations


import pytest

from framelens.lenses.actors import load_actors
from framelens.lenses.coverage import coverage_evidence, coverage_matrix, extract_items, parse_number

PACKAGED = load_actors()  # countries and organisations only: other names stay entities here


from conftest import corpus_from_texts as _corpus  # noqa: E402


def test_parse_number():
    assert parse_number("$94.8") == (94.8, "USD", None, None)
    assert parse_number("650,000")[0] == 650000.0
    assert parse_number("78%")[:3] == (78.0, None, "%")
    assert parse_number("2,100")[0] == 2100.0
    assert parse_number("1.2bn")[2] == "bn"
    assert parse_number("abc") is None


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cov")
    return _corpus(tmp, {
        "a": ("Trade reached $94.8 billion in 2024, up 12%. The Trans-Caspian International Transport Route "
              "carried 650,000 containers. Talks began on June 16."),
        "b": "Trade hit 94.8 billion dollars in 2024. The Trans-Caspian International Transport Route was praised.",
        "c": "Bilateral trade reached US$94.8 billion. Officials met on 16 June. The town is 2,100 years old.",
    })


def test_number_with_unit_extraction(three):
    items = extract_items(three, PACKAGED)
    got = {(r.source, r.item) for r in items.itertuples()}
    for src in "abc":
        assert (src, "money:USD:9.48e+10") in got              # $94.8 billion = 94.8 billion dollars = US$94.8 billion
    assert ("a", "percent:12") in got
    assert ("a", "count:650000 container") in got
    assert ("c", "count:2100 year") in got
    assert ("a", "year:2024") in got and ("b", "year:2024") in got
    assert ("a", "date:--06-16") in got and ("c", "date:--06-16") in got
    assert ("a", "entity:trans-caspian international transport route") in got
    labels = dict(zip(items["item"], items["label"]))
    assert labels["count:650000 container"] == "650,000 containers"
    assert labels["count:2100 year"] == "2,100 years"
    row = items[items["item"] == "percent:12"].iloc[0]
    assert row["text"][row["start"]:row["end"]] == "12%"


def test_coverage_matrix_unique_and_omitted(three):
    items = extract_items(three, PACKAGED)
    m = coverage_matrix(items, three.sources).set_index("item")
    assert list(m.columns[2:5]) == ["a", "b", "c"]
    money = m.loc["money:USD:9.48e+10"]
    assert (money["n_sources"], money["unique_to"], money["omitted_by"]) == (3, "", "")
    assert m.loc["percent:12", "unique_to"] == "a"
    assert m.loc["count:2100 year", "unique_to"] == "c"
    assert m.loc["year:2024", "omitted_by"] == "c"
    assert m.loc["date:--06-16", "omitted_by"] == "b"
    assert m.loc["entity:trans-caspian international transport route", "omitted_by"] == "c"
    assert m.loc["year:2024", "evidence"] == "a:s0; b:s0"
    ev = coverage_evidence(items, "date:--06-16", "c")
    assert ev["sent_id"].tolist() == ["c:s1"]


def test_money_forms_and_non_items(tmp_path):
    corp = _corpus(tmp_path, {"m": ("Exports rose to 3.5 million tons and 40 per cent of output. "
                                    "Five countries met. It was the 2nd round. Costs hit €2bn.")})
    items = set(extract_items(corp)["item"])
    assert "count:3.5e+06 ton" in items and "percent:40" in items and "money:EUR:2e+09" in items
    assert not any(i.startswith("count:2") or i.startswith("count:5") for i in items)   # ordinals, words


def test_acronym_counts_as_long_form(tmp_path):
    corp = _corpus(tmp_path, {"x": "The Northern Rail Freight Alliance (NRFA) grew. Critics of the NRFA spoke.",
                              "y": "The NRFA expanded."})
    items = extract_items(corp, PACKAGED, kinds=["entity"])
    keys = items.groupby("item")["source"].apply(set).to_dict()
    assert keys == {"entity:northern rail freight alliance": {"x", "y"}}


def test_single_source_has_no_unique_or_omitted(three):
    items = extract_items(three.select(["a"]))
    m = coverage_matrix(items, ["a"])
    assert (m["unique_to"] == "").all() and (m["omitted_by"] == "").all()


def _items(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["item", "source", "kind", "label", "sent_id"])


def test_coverage_counts_of_two_parts_merge_into_the_whole_matrix():
    import pandas as pd

    from framelens.lenses.coverage import coverage_counts, merge_coverage_counts

    first = _items([("year:2024", "a", "year", "2024", "a:s0"), ("percent:12", "a", "percent", "12%", "a:s1"),
                    ("percent:12", "a", "percent", "12 per cent", "a:s2")])
    second = _items([("percent:12", "b", "percent", "12 per cent", "b:s0"), ("year:2024", "b", "year", "2024", "b:s3"),
                     ("percent:12", "a", "percent", "12%", "a2:s0")])
    whole = pd.concat([first, second], ignore_index=True)
    m = coverage_matrix(whole, ["a", "b"]).set_index("item")
    merged = merge_coverage_counts([coverage_counts(first), coverage_counts(second)])
    m2 = coverage_matrix(None, ["a", "b"], counts=merged).set_index("item")
    pd.testing.assert_frame_equal(m2, m)
    # by hand: percent:12 is carried 3 times by a and once by b; its surface forms tie 2–2 and the
    # form seen first wins; the evidence is each source's first sentence, in corpus order
    assert m.loc["percent:12", ["a", "b"]].tolist() == [3, 1]
    assert m.loc["percent:12", "label"] == "12%"
    assert m.loc["percent:12", "evidence"] == "a:s1; b:s0"
    assert m.loc["year:2024", "evidence"] == "a:s0; b:s3"
    assert merged[0]["n"].tolist() == [1, 3, 1, 1]



def test_coverage_matrix_order_labels_and_sources_by_hand():
    """Rows: most sources first, then kind (money … actor), then most mentions, then the item in
    Python's string order (non-ASCII after ASCII); a source not asked for is no column and its item
    keeps its row (zero sources); object and Arrow string columns give the same table."""
    import pandas as pd

    rows = [("entity:zeta", "a", "entity", "Zeta", "a:s0"), ("entity:ärger", "a", "entity", "Ärger", "a:s1"),
            ("entity:ärger", "b", "entity", "Ärger", "b:s0"), ("year:2024", "b", "year", "2024", "b:s1"),
            ("year:2024", "a", "year", "2024", "a:s2"), ("entity:zeta", "b", "entity", "ZETA", "b:s2"),
            ("entity:zeta", "b", "entity", "ZETA", "b:s3"), ("entity:alpha", "a", "entity", "Alpha", "a:s3"),
            ("entity:beta", "a", "entity", "Beta", "a:s4"), ("entity:gamma", "z", "entity", "Gamma", "z:s0")]
    items = _items(rows)
    m = coverage_matrix(items, ["a", "b"])
    # 2 sources: year before entity (kind order); zeta (3 mentions) before ärger (2);
    # 1 source: alpha and beta (1 mention each) in string order; gamma's only source is not a column
    assert m["item"].tolist() == ["year:2024", "entity:zeta", "entity:ärger", "entity:alpha", "entity:beta",
                                  "entity:gamma"]
    assert m[["a", "b", "n_sources"]].to_numpy().tolist() == [[1, 1, 2], [1, 2, 2], [1, 1, 2], [1, 0, 1],
                                                             [1, 0, 1], [0, 0, 0]]
    assert m["label"].tolist() == ["2024", "ZETA", "Ärger", "Alpha", "Beta", "Gamma"]
    assert m["unique_to"].tolist() == ["", "", "", "a", "a", ""]
    assert m["evidence"].tolist() == ["b:s1; a:s2", "a:s0; b:s2", "a:s1; b:s0", "a:s3", "a:s4", "z:s0"]
    assert str(m["a"].dtype) == "int64" and str(m["n_sources"].dtype) == "int64"
    from framelens.lenses.coverage import coverage_counts

    c, labels = coverage_counts(items)
    as_objects = coverage_matrix(None, ["a", "b"], counts=(c.astype(object), labels.astype(object)))
    pd.testing.assert_frame_equal(as_objects, m)
