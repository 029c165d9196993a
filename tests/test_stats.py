import math

import numpy as np
from scipy.stats import fisher_exact
import pandas as pd
import pytest

from framelens.lenses import stats
from framelens.lenses.stats import bootstrap_ci, group_bootstrap, holm, permutation_test, wilson_interval


def test_bootstrap_is_seeded_and_contains_mean():
    vals = [0.1, 0.5, -0.2, 0.9, 0.3, 0.0, 0.4]
    a = bootstrap_ci(vals, seed=7)
    b = bootstrap_ci(vals, seed=7)
    assert a == b
    est, lo, hi = a
    assert est == pytest.approx(np.mean(vals))
    assert lo <= est <= hi
    assert lo >= min(vals) and hi <= max(vals)
    assert bootstrap_ci(vals, seed=8) != a


def test_bootstrap_edge_cases():
    assert all(math.isnan(x) for x in bootstrap_ci([]))
    assert bootstrap_ci([0.4]) == (0.4, 0.4, 0.4)
    # constant values: zero-width interval
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)


def test_group_bootstrap_columns_and_values():
    df = pd.DataFrame({"source": ["a", "a", "b", "b", "b"], "v": [1.0, 3.0, 0.0, 0.0, 0.0]})
    out = group_bootstrap(df, "v", "source", seed=1)
    assert list(out.columns) == ["source", "n", "mean", "ci_low", "ci_high"]
    assert out.set_index("source").loc["a", "mean"] == 2.0
    assert out.set_index("source").loc["a", "n"] == 2
    assert out.set_index("source").loc["b", ["ci_low", "ci_high"]].tolist() == [0.0, 0.0]


def test_permutation_exact_small_groups():
    # a = {3, 4}, b = {0, 1}: of the C(4,2) = 6 relabellings, only the observed split and its
    # mirror reach |diff| >= 3, so p = 2/6.
    diff, p = permutation_test([3, 4], [0, 1])
    assert diff == 3.0
    assert p == pytest.approx(2 / 6)


def test_permutation_identical_groups_p_is_one():
    diff, p = permutation_test([1, 2, 3], [1, 2, 3])
    assert diff == 0.0 and p == 1.0


def test_permutation_monte_carlo_is_seeded_and_never_zero():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 1, 40), rng.normal(0, 1, 40)
    r1 = permutation_test(a, b, n_permutations=999, seed=3)
    assert r1 == permutation_test(a, b, n_permutations=999, seed=3)
    assert 0 < r1[1] < 0.01


def test_holm():
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])


def test_pairwise_tests_rows_are_the_one_permutation_test():
    from framelens.lenses.sentiment import pairwise_tests

    # no doc_id: every sentence is its own unit, so sentences are relabelled
    df = pd.DataFrame({"source": list("aabbcc"), "vader_compound": [3, 4, 0, 1, 3, 4]})
    out = pairwise_tests(df)
    assert [tuple(r) for r in out[["a", "b"]].itertuples(index=False)] == [("a", "b"), ("a", "c"), ("b", "c")]
    # a = {3, 4}, b = {0, 1}: of the C(4, 2) = 6 relabellings, the observed one and its mirror reach |3|
    assert out.loc[0, "diff"] == 3.0 and out.loc[0, "p"] == pytest.approx(1 / 3) and out.loc[0, "test"] == "exact"
    assert out.loc[1, "p"] == 1.0


def test_wilson_interval_known_value():
    # Wilson (1927) for 5/10 at 95%: 0.2366 .. 0.7634
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_rate_and_fisher_tests_known_answers():
    # equal rates, equal exposure: nothing to see
    assert stats.rate_p(5, 100, 5, 100) == pytest.approx(1.0)
    # all 10 markers in one of two equal halves: 2 * 0.5**10
    assert stats.rate_p(10, 100, 0, 100) == pytest.approx(2 * 0.5 ** 10)
    assert stats.rate_p(0, 100, 0, 50) == 1.0
    assert stats.fisher_p(3, 10, 1, 30) == pytest.approx(fisher_exact([[3, 7], [1, 29]]).pvalue)
    assert math.isnan(stats.fisher_p(1, 0, 1, 3))


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_bootstrap_runs_in_blocks_for_large_samples():
    big = np.r_[np.zeros(6000), np.ones(4000)]  # 10,000 × 5,000 > BLOCK_CELLS: blocked path
    assert big.size * 5000 > stats.BLOCK_CELLS
    m, lo, hi = stats.bootstrap_ci(big, n_resamples=5000, seed=0)
    assert m == pytest.approx(0.4)
    assert 0.385 < lo < 0.4 < hi < 0.415


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_permutation_test_runs_in_blocks_for_large_samples():
    a = np.r_[np.ones(3000)]
    b = np.r_[np.zeros(5000)]
    diff, p = stats.permutation_test(a, b, n_permutations=5000, seed=0)  # blocked Monte Carlo
    assert diff == 1.0 and p == pytest.approx(1 / 5001)


def test_report_wording_of_numbers():
    from framelens.core import fmt

    assert fmt.p_value(0.0004) == "p < 0.001" and fmt.p_value(0.0042) == "p = 0.004" and fmt.p_value(0.234) == "p = 0.23"
    assert fmt.p_value(float("nan")) == "p n/a"
    assert fmt.interval(0.1234, 0.5) == "95% CI +0.12 to +0.50"
    assert fmt.interval(0.1, 0.25, "{:.0%}") == "95% CI 10% to 25%"
    assert fmt.interval(float("nan"), 1.0) == "" and fmt.interval(None, 1.0, missing="no interval") == "no interval"
    assert fmt.small_n(4, 10, unit="sentences") == "n = 4 sentences < 10: too small to judge"
    assert fmt.small_n(12, 10, "n mentions") == "n mentions = 12"
    assert fmt.quote("a  b\nc") == "a b c" and fmt.quote("x" * 10, 5) == "xxxx…"
    assert fmt.first_id("cgtn:s3; cgtn:s4") == "cgtn:s3" and fmt.first_id(["a:s1", "a:s2"]) == "a:s1"
    assert fmt.first_id(None) == "" and fmt.first_id("") == ""


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_large_groups_use_the_normal_approximation_to_the_permutation_distribution():
    rng = np.random.default_rng(1)
    a = rng.normal(0.1, 0.5, 200).clip(-1, 1)
    b = rng.normal(0.0, 0.5, 300).clip(-1, 1)
    mc = stats.permutation_test(a, b, n_permutations=20000, seed=0)
    approx = stats.permutation_test(a, b, approximate=True)
    assert approx[0] == mc[0] and abs(approx[1] - mc[1]) < 0.01
    # hand-computed: pooled [0, 0, 1, 1] style check of the variance formula on a tiny case
    x, y = np.array([1.0, 0.0] * 20), np.array([0.0] * 300)
    n, k = 340, 40
    var = n * n * np.concatenate([x, y]).var() / (k * (n - k) * (n - 1))
    from scipy.stats import norm
    assert stats.permutation_test(x, y, approximate=True)[1] == pytest.approx(2 * norm.sf(0.5 / var ** 0.5))
    # small groups are never approximated
    small = stats.permutation_test(a[:20], b[:20], n_permutations=2000, seed=3)
    assert stats.permutation_test(a[:20], b[:20], n_permutations=2000, seed=3, approximate=True) == small
    assert [stats.permutation_method(*nn) for nn in [(3, 4), (20, 400), (40, 300), (0, 5)]] == [
        "exact", "Monte Carlo", "normal approximation", ""]


def test_paired_ratio_bootstrap_diff_known_answers():
    assert stats.ratio_difference([1.0, 3.0], [1, 1], [0.0, 0.0], [1, 1]) == 2.0
    assert math.isnan(stats.ratio_difference([1.0], [0], [0.0], [1]))  # a side without a denominator
    # the same units on both sides, paired: the difference never moves
    assert stats.paired_ratio_bootstrap_diff([1, 2, 3], [1, 1, 1], [1, 2, 3], [1, 1, 1]) == (0.0, 0.0, 0.0)
    # paired sums over the same two documents (actor's scores vs all scores): doc 1 (2/2 vs 2/2),
    # doc 2 (0/0 vs 1/2). Resamples: doc 1 twice → 1 − 1 = 0; one of each → 1 − 3/4 = 0.25; doc 2
    # twice → no actor mention, left out. So 1/3 of the kept resamples are 0 and 2/3 are 0.25.
    d, lo, hi = stats.paired_ratio_bootstrap_diff([2.0, 0.0], [2, 0], [2.0, 1.0], [2, 2], seed=0)
    assert (d, lo, hi) == (pytest.approx(0.25), 0.0, 0.25)
    with pytest.raises(ValueError, match="same units"):
        stats.paired_ratio_bootstrap_diff([1.0], [1], [1.0, 2.0], [1, 1])
    # several ratios against the one side b, from the same draws: column 0 is the case above;
    # column 1 is 1/1 in each document, so a stays 1 while b moves: doc 1 twice → 1 − 1 = 0, one of
    # each → 1 − 3/4, doc 2 twice → 1 − 1/2 (a quarter of the mass at each end); column 2 has no
    # denominator (NaN)
    num_a, den_a = np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), np.array([[2, 1, 0], [0, 1, 0]])
    d, lo, hi = stats.paired_ratio_bootstrap_diff(num_a, den_a, [2.0, 1.0], [2, 2], seed=0, n_resamples=400)
    one = stats.paired_ratio_bootstrap_diff([2.0, 0.0], [2, 0], [2.0, 1.0], [2, 2], seed=0, n_resamples=400)
    assert (d[0], lo[0], hi[0]) == one
    assert d[1] == pytest.approx(2 / 2 - 3 / 4) and (lo[1], hi[1]) == (0.0, 0.5)
    assert np.isnan([d[2], lo[2], hi[2]]).all()


# ------------------------------------------------------------------ the one cluster bootstrap


def test_ratio_bootstrap_edge_cases_hand_computed():
    # no unit: NaN estimate and interval
    est, lo, hi = stats.ratio_bootstrap(np.zeros((0, 2)), np.zeros(0))
    assert np.isnan(est).all() and np.isnan(lo).all() and np.isnan(hi).all() and len(est) == 2
    # zero denominator in total: no ratio at all
    est, lo, hi = stats.ratio_bootstrap([1.0, 2.0], [0.0, 0.0])
    assert math.isnan(est[0]) and math.isnan(lo[0]) and math.isnan(hi[0])
    # one unit, or no resampling asked: a zero-width interval at the estimate 3/4
    assert [x[0] for x in stats.ratio_bootstrap([[3.0]], [4.0], seed=5)] == [0.75, 0.75, 0.75]
    assert [x[0] for x in stats.ratio_bootstrap([3.0, 1.0], [2.0, 2.0], n_resamples=0)] == [1.0, 1.0, 1.0]
    # two units, sums 3 and 1 over 2 and 2: resamples {3+3, 3+1, 1+1}/4 with probabilities ¼, ½, ¼
    est, lo, hi = stats.ratio_bootstrap([3.0, 1.0], [2.0, 2.0], n_resamples=4000, seed=1)
    assert (est[0], lo[0], hi[0]) == (1.0, 0.5, 1.5)
    # a unit with a zero denominator is still drawn; resamples of it alone have no ratio and are
    # left out: every other resample is 2k / 2k = 1
    est, lo, hi = stats.ratio_bootstrap([2.0, 0.0], [2.0, 0.0], n_resamples=500, seed=0)
    assert (est[0], lo[0], hi[0]) == (1.0, 1.0, 1.0)


def test_ratio_bootstrap_columns_share_resamples_and_blocks_do_not_change_draws(monkeypatch):
    rng = np.random.default_rng(4)
    num = rng.integers(0, 5, size=(9, 1)).astype(float)
    den = rng.integers(1, 9, size=9).astype(float)
    both = stats.ratio_bootstrap(np.hstack([num, 2 * num]), den, n_resamples=700, seed=2)
    assert both[1][1] == pytest.approx(2 * both[1][0]) and both[2][1] == pytest.approx(2 * both[2][0])
    monkeypatch.setattr(stats, "BLOCK_CELLS", 9 * 7)  # blocks of 7 resamples
    small = stats.ratio_bootstrap(np.hstack([num, 2 * num]), den, n_resamples=700, seed=2)
    for a, b in zip(both, small):
        np.testing.assert_allclose(a, b)


def test_mean_bootstraps_are_the_ratio_bootstrap_with_unit_denominators():
    x = np.array([0.3, -0.1, 0.8, 0.0, 0.5, 0.2])
    est, lo, hi = stats.ratio_bootstrap(x, np.ones(6), n_resamples=900, seed=4)
    assert bootstrap_ci(x, n_resamples=900, seed=4) == pytest.approx((est[0], lo[0], hi[0]))
    assert stats.cluster_bootstrap(x, np.ones(6), n_resamples=900, seed=4) == pytest.approx((est[0], lo[0], hi[0]))
    # documents with no sentence are not units of the cluster bootstrap
    assert stats.cluster_bootstrap([0.6, 0.0, 0.2], [2, 0, 2]) == stats.cluster_bootstrap([0.6, 0.2], [2, 2])


# ------------------------------------------------------------------ per-column ratios, draws, diff (profile)


def test_ratio_bootstrap_per_column_denominators_hand_computed():
    # three documents × two actors: Σ scores and Σ mentions per document and actor
    num = np.array([[2.0, 0.0], [0.0, 3.0], [4.0, 0.0]])
    den = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    est, lo, hi = stats.ratio_bootstrap(num, den, n_resamples=50, seed=3)
    assert est.tolist() == [6 / 3, 3 / 1]
    # actor 2 is named in one document only: every resample that draws it gives 3 -> zero width at 3;
    # resamples that miss it have no ratio and are left out
    assert lo[1] == hi[1] == 3.0
    # actor 1: each document's ratio is 2, so every resample's ratio is 2
    assert lo[0] == pytest.approx(2.0) and hi[0] == pytest.approx(2.0)
    # the draws are ratio_resamples', the same as drawing the units by hand
    boots = stats.ratio_resamples(num, den, n_resamples=50, seed=3)
    idx = np.random.default_rng(3).integers(0, 3, size=(50, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        want = num[idx].sum(1) / den[idx].sum(1)
    np.testing.assert_allclose(boots, np.where(den[idx].sum(1) > 0, want, np.nan))
    # a 1-d den is shared by the columns, as before: the same numbers as one call per column
    e2, l2, h2 = stats.ratio_bootstrap(num, [1.0, 1.0, 2.0], n_resamples=50, seed=3)
    e1, l1, h1 = stats.ratio_bootstrap(num[:, 0], [1.0, 1.0, 2.0], n_resamples=50, seed=3)
    assert e2[0] == e1[0] == 6 / 4 and l2[0] == pytest.approx(l1[0]) and h2[0] == pytest.approx(h1[0])


def test_percentile_interval_hand_computed():
    lo, hi = stats.percentile_interval(np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan], [4.0, np.nan],
                                                 [5.0, np.nan]]), level=0.5)
    assert lo[0] == 2.0 and hi[0] == 4.0  # the 25th and 75th percentiles of 1..5
    assert math.isnan(lo[1]) and math.isnan(hi[1])  # no resample with a ratio
    lo, hi = stats.percentile_interval(np.array([1.0, np.nan, 3.0]), level=0.0)
    assert lo[0] == hi[0] == 2.0  # NaN resamples left out: the median of 1 and 3


def test_ratio_bootstrap_diff_hand_computed():
    # group a: every document's mean is 2; group b: every document's mean is 1 -> difference 1, no spread
    d, lo, hi, blo, bhi = stats.ratio_bootstrap_diff([2.0, 4.0], [1.0, 2.0], [1.0, 3.0, 5.0], [1.0, 3.0, 5.0],
                                                     n_resamples=200, seed=0, with_b=True)
    assert d[0] == 1.0 and lo[0] == pytest.approx(1.0) and hi[0] == pytest.approx(1.0)
    assert blo[0] == pytest.approx(1.0) and bhi[0] == pytest.approx(1.0)
    # in general: the percentiles of a's resampled ratios minus b's (b on its own stream)
    a_s, a_c = np.array([1.0, 5.0, 2.0, 0.0]), np.array([2.0, 3.0, 1.0, 2.0])
    b_s, b_c = np.array([3.0, -1.0, 4.0]), np.array([3.0, 1.0, 2.0])
    d, lo, hi = stats.ratio_bootstrap_diff(a_s, a_c, b_s, b_c, n_resamples=300, seed=5)
    assert d[0] == pytest.approx(8 / 8 - 6 / 6)
    ra = stats.ratio_resamples(a_s, a_c, n_resamples=300, seed=5)
    rb = stats.ratio_resamples(b_s, b_c, n_resamples=300, seed=[5, 1])
    assert (lo[0], hi[0]) == tuple(np.quantile((ra - rb)[:, 0], [0.025, 0.975]))
    # an empty side: NaN
    assert all(math.isnan(x[0]) for x in stats.ratio_bootstrap_diff(a_s, a_c, [], [], n_resamples=10))


def test_cluster_permutation_normal_approximation():
    rng = np.random.default_rng(0)
    # one sentence per document: exactly permutation_test's normal approximation
    a, b = rng.normal(0.2, 1, 40), rng.normal(0, 1, 400)
    assert stats.cluster_permutation_test(a, np.ones(40), b, np.ones(400), approximate=True) == \
        pytest.approx(stats.permutation_test(a, b, approximate=True))
    # documents of 1-30 sentences: the difference is E_a·C/(C_a·C_b) (hand identity), and p agrees with
    # relabelling documents by Monte Carlo
    ca, cb = rng.integers(1, 30, 40).astype(float), rng.integers(1, 30, 400).astype(float)
    sa, sb = rng.normal(0.05, 0.5, 40) * ca, rng.normal(0.0, 0.5, 400) * cb
    d, p = stats.cluster_permutation_test(sa, ca, sb, cb, approximate=True)
    mu = (sa.sum() + sb.sum()) / (ca.sum() + cb.sum())
    assert d == pytest.approx((sa.sum() - mu * ca.sum()) * (ca.sum() + cb.sum()) / (ca.sum() * cb.sum()))
    _, p_mc = stats.cluster_permutation_test(sa, ca, sb, cb, n_permutations=20_000, seed=1)
    assert 0.001 < p_mc < 0.9 and p == pytest.approx(p_mc, abs=0.02)
    # small groups: the relabelling test itself (approximate changes nothing)
    assert stats.cluster_permutation_test(sa[:5], ca[:5], sb[:5], cb[:5], approximate=True) == \
        stats.cluster_permutation_test(sa[:5], ca[:5], sb[:5], cb[:5])


def test_ratio_bootstrap_diff_takes_sparse_units_and_gives_the_dense_answer():
    import scipy.sparse as sp

    from framelens.lenses.stats import ratio_bootstrap_diff

    rng = np.random.default_rng(1)
    named = rng.random((300, 12)) < 0.1  # documents × actors, few named
    num = np.where(named, rng.normal(size=named.shape), 0.0)
    den = named * rng.integers(1, 4, named.shape).astype(float)
    dense = ratio_bootstrap_diff(num, den, num[:40], den[:40], n_resamples=300, with_b=True)
    sparse = ratio_bootstrap_diff(sp.csr_matrix(num), sp.csr_matrix(den), sp.csr_matrix(num[:40]),
                                  sp.csr_matrix(den[:40]), n_resamples=300, with_b=True)
    for d, s in zip(dense, sparse):  # the same draws; sums of the non-zero cells only (order: last bits)
        np.testing.assert_allclose(s, d, rtol=0, atol=1e-12)
    assert np.isfinite(dense[0]).sum() >= 6
