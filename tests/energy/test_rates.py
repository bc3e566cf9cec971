"""Rates by graph transformation against a direct linear-algebra solution and pele."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import Database, harmonic_rate_constants, ngt_rates, rates_from_database
from lossatlas.errors import InputError


def _generator(minima, ts, T):
    ids = sorted(minima)
    index = {m: i for i, m in enumerate(ids)}
    Q = np.zeros((len(ids), len(ids)))
    for (a, b), lk in harmonic_rate_constants(minima, ts, T).items():
        Q[index[a], index[b]] += math.exp(lk)  # row: from a, column: to b
    Q -= np.diag(Q.sum(1))
    return ids, index, Q


def _direct(minima, ts, source, target, T):
    """MFPT by a linear solve, committors by a linear solve, rates from them."""
    ids, index, Q = _generator(minima, ts, T)
    tgt = [index[a] for a in target]
    src = [index[b] for b in source]
    free = [i for i in range(len(ids)) if i not in tgt]
    mfpt = np.linalg.solve(-Q[np.ix_(free, free)], np.ones(len(free)))
    T_of = dict(zip(free, mfpt, strict=True))
    logp = np.array([-minima[m][0] / T - 0.5 * minima[m][1] for m in ids])
    p = np.exp(logp - logp.max())
    nss = sum(p[b] / T_of[b] for b in src) / p[src].sum()
    inter = [i for i in range(len(ids)) if i not in tgt and i not in src]
    q = np.zeros(len(ids))
    q[tgt] = 1.0
    if inter:
        rhs = -Q[np.ix_(inter, tgt)].sum(1)
        q[inter] = np.linalg.solve(Q[np.ix_(inter, inter)], rhs)
    ss = sum(p[b] * sum(Q[b, j] * q[j] for j in range(len(ids)) if j != b) for b in src)
    return nss, ss / p[src].sum(), {ids[b]: T_of[b] for b in src}


def _three():
    # 1 -(ts 2.0)- 2 -(ts 1.5)- 3, hand-computed below
    minima = {1: (0.0, 1.0), 2: (0.5, 0.0), 3: (1.0, 2.0)}
    ts = [(2.0, 0.5, 1, 2), (1.5, 0.0, 2, 3)]
    return minima, ts


def test_three_minimum_chain_by_hand() -> None:
    minima, ts = _three()
    T = 0.7
    k = {key: math.exp(v) for key, v in harmonic_rate_constants(minima, ts, T).items()}
    # k_{2<-1} by hand
    assert k[(1, 2)] == pytest.approx(math.exp(-2.0 / T + 0.25) / (2 * math.pi))
    # 3 <- 1: T_1 = 1/k12 + T_2, T_2 = (1 + k21 T_1)/(k21 + k23)
    k12, k21, k23 = k[(1, 2)], k[(2, 1)], k[(2, 3)]
    T1 = (1 / k12 + 1 / (k21 + k23)) / (1 - k21 / (k21 + k23))
    res = ngt_rates(minima, ts, [1], [3], temperature=T)
    assert res.mfpt[1] == pytest.approx(T1, rel=1e-12)
    assert res.rate == pytest.approx(1 / T1, rel=1e-12)
    # one source minimum: steady state = k12 * committor of 2 = k12 k23 / (k21 + k23)
    assert res.rate_ss == pytest.approx(k12 * k23 / (k21 + k23), rel=1e-12)


def test_detailed_balance_of_the_steady_state_rates() -> None:
    minima, ts = _three()
    res = ngt_rates(minima, ts, [1], [3], temperature=0.4)
    p1 = math.exp(-0.0 / 0.4 - 0.5)
    p3 = math.exp(-1.0 / 0.4 - 1.0)
    assert p1 * res.rate_ss == pytest.approx(p3 * res.reverse_rate_ss, rel=1e-10)


@st.composite
def _networks(draw):
    n = draw(st.integers(3, 8))
    energies = draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n))
    fvib = draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))
    minima = {i + 1: (energies[i], fvib[i]) for i in range(n)}
    ts = []
    for i in range(2, n + 1):  # a spanning tree, then extra edges
        j = draw(st.integers(1, i - 1))
        ts.append((max(energies[i - 1], energies[j - 1]) + draw(st.floats(0.05, 2)), 0.0, j, i))
    for _ in range(draw(st.integers(0, n))):
        a, b = draw(st.integers(1, n)), draw(st.integers(1, n))
        ts.append((max(energies[a - 1], energies[b - 1]) + draw(st.floats(0.05, 2)), 0.3, a, b))
    ids = list(minima)
    k = draw(st.integers(1, n - 1))
    order = draw(st.permutations(ids))
    n_src = draw(st.integers(1, k))
    return minima, ts, list(order[:n_src]), list(order[k:]), draw(st.floats(0.2, 3.0))


@settings(max_examples=60, deadline=None)
@given(_networks())
def test_ngt_equals_direct_linear_algebra(net) -> None:
    minima, ts, source, target, T = net
    res = ngt_rates(minima, ts, source, target, temperature=T)
    nss, ss, mfpt = _direct(minima, ts, source, target, T)
    assert res.rate == pytest.approx(nss, rel=1e-7)
    assert res.rate_ss == pytest.approx(ss, rel=1e-7)
    for b in source:
        assert res.mfpt[b] == pytest.approx(mfpt[b], rel=1e-7)
    back_nss, back_ss, _ = _direct(minima, ts, target, source, T)
    assert res.reverse_rate == pytest.approx(back_nss, rel=1e-7)
    assert res.reverse_rate_ss == pytest.approx(back_ss, rel=1e-7)


def test_low_temperature_rates_do_not_underflow() -> None:
    minima, ts = _three()
    res = ngt_rates(minima, ts, [1], [3], temperature=0.005)
    assert 0 < res.rate < 1e-150 and math.isfinite(math.log(res.rate))
    # Arrhenius: ln k ~ -(highest barrier on the way)/T
    assert math.log(res.rate) * 0.005 == pytest.approx(-2.0, abs=0.01)


def test_against_pele() -> None:
    rates_mod = pytest.importorskip("pele.rates")

    class M:
        def __init__(self, i, e, f):
            self._id, self.energy, self.fvib, self.pgorder, self.invalid = i, e, f, 1, False

        def id(self):
            return self._id

        def __hash__(self):
            return self._id

        def __eq__(self, o):
            return self._id == o._id

        def __lt__(self, o):
            return self._id < o._id

    class TS:
        def __init__(self, i, e, f, m1, m2):
            self._id, self.energy, self.fvib, self.pgorder, self.invalid = i, e, f, 1, False
            self.minimum1, self.minimum2 = m1, m2

        def id(self):
            return self._id

    minima = {1: (0.0, 1.0), 2: (0.5, 0.0), 3: (1.0, 2.0), 4: (0.2, -0.5), 5: (0.8, 0.4)}
    ts = [(2.0, 0.5, 1, 2), (1.5, 0.0, 2, 3), (1.2, 0.1, 1, 4), (1.4, 0.2, 4, 5), (1.7, 0.0, 5, 3)]
    objs = {i: M(i, e, f) for i, (e, f) in minima.items()}
    pts = [TS(k, e, f, objs[a], objs[b]) for k, (e, f, a, b) in enumerate(ts)]
    for T in (0.3, 1.0):
        calc = rates_mod.RateCalculation(pts, [objs[1], objs[4]], [objs[3]], T=T)
        calc.compute_rates()
        ours = ngt_rates(minima, ts, [1, 4], [3], temperature=T)
        # pele's "AB" is the rate from A (its first set) to B
        assert ours.rate == pytest.approx(calc.get_rate_AB(), rel=1e-8)
        assert ours.rate_ss == pytest.approx(calc.get_rate_AB_SS(), rel=1e-8)
        assert ours.reverse_rate == pytest.approx(calc.get_rate_BA(), rel=1e-8)


def test_bad_sets_are_one_line_errors() -> None:
    minima, ts = _three()
    with pytest.raises(InputError, match="both"):
        ngt_rates(minima, ts, [1], [1, 3], temperature=1.0)
    with pytest.raises(InputError, match="not in the database"):
        ngt_rates(minima, ts, [1], [9], temperature=1.0)
    with pytest.raises(InputError, match="temperature"):
        ngt_rates(minima, ts, [1], [3], temperature=0.0)
    minima[4] = (0.0, 0.0)
    with pytest.raises(InputError, match="joined to no minimum"):
        ngt_rates(minima, ts, [4], [3], temperature=1.0)


def test_rates_from_a_database(tmp_path) -> None:
    minima, ts = _three()
    with Database(tmp_path / "r.sqlite") as db:
        for i, (e, f) in minima.items():
            db.add_minimum(e, np.array([float(i), 0.0]), fvib=f, n_positive=2)
        for e, f, a, b in ts:
            db.add_transition_state(e, np.array([a + 0.5, 1.0]), a, b, fvib=f)
        res = rates_from_database(db, [1], [3], temperature=0.7)
    assert res.rate == pytest.approx(ngt_rates(minima, ts, [1], [3], temperature=0.7).rate)
