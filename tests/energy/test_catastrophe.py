"""Catastrophes: stationary points against a control parameter, folds, optimal nu."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import (
    find_stationary_points,
    matern_correlation,
    optimal_nu,
    plot_stationary_points,
    sweep_nu,
    sweep_parameter,
)
from lossatlas.energy.potentials import (
    CallablePotential,
    DoubleWell,
    GaussianProcessNLL,
    MullerBrown,
)
from lossatlas.errors import InputError


def cubic(a: float) -> CallablePotential:
    """``V(x) = x^3 - a x``: for a > 0 a minimum at +sqrt(a/3) and a maximum at -sqrt(a/3)."""
    return CallablePotential(
        lambda x: float(x[0] ** 3 - a * x[0]),
        lambda x: np.array([3.0 * x[0] ** 2 - a]),
        lambda x: np.array([[6.0 * x[0]]]),
        ndim=1,
    )


def test_fold_of_the_cubic_is_bracketed_at_zero() -> None:
    values = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]
    sweep = sweep_parameter(cubic, values, parameter="a", n_random=6, seed=1)
    assert sweep.counts().tolist() == [[0, 0]] * 3 + [[1, 1]] * 3
    # points where they should be, with the right index
    for a, pts in zip(values[3:], sweep.points[3:], strict=True):
        by_index = {p.index: p for p in pts}
        assert by_index[0].coords[0] == pytest.approx(np.sqrt(a / 3), abs=1e-7)
        assert by_index[1].coords[0] == pytest.approx(-np.sqrt(a / 3), abs=1e-7)
    # followed as two branches
    assert len({p.branch for pts in sweep.points for p in pts}) == 2
    assert len(sweep.folds) == 1
    fold = sweep.folds[0]
    assert fold.kind == "creation"  # going up in a, the pair appears
    lo, hi = fold.bracket
    assert lo <= 0.0 <= hi and hi - lo < 1e-5
    # the merging eigenvalue goes to zero at the fold (it is 6 sqrt(a/3) ~ 2.7 at a = 0.6)
    assert fold.minimum.smallest_abs_eigenvalue < 1e-2
    assert fold.saddle.smallest_abs_eigenvalue < 1e-2
    assert fold.separation < 1e-2
    fig = plot_stationary_points(sweep, optimum=0.6)
    assert len(fig.axes) == 2
    # the optimum and the fold are legend entries (placed clear of the data), not labels on it
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["minima", "saddles", "fold", "likelihood optimum a=0.6"]
    assert not fig.axes[0].texts


def test_fold_is_bracketed_when_the_sweep_misses_the_saddle() -> None:
    # one start near the minimum and no random starts: the maximum at -sqrt(a/3) is never
    # found by the sweep itself, yet the minimum's appearance is bracketed as a fold at 0
    values = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]
    sweep = sweep_parameter(cubic, values, parameter="a", n_random=0, starts=[np.array([1.0])])
    assert sweep.counts().tolist() == [[0, 0]] * 3 + [[1, 0]] * 3
    assert len(sweep.folds) == 1
    fold = sweep.folds[0]
    assert fold.kind == "creation" and fold.bracket[0] <= 0.0 <= fold.bracket[1]
    assert fold.bracket[1] - fold.bracket[0] < 1e-5
    [event] = sweep.events
    assert event["kind"] == "appeared" and event["index"] == 0
    assert event["bracket"] == [-0.2, 0.2] and "targeted search" in event["explanation"]
    assert sweep.to_dict()["events"] == [event]


def test_every_change_in_the_count_is_a_fold_or_an_event() -> None:
    # a minimum walking out past max_norm vanishes without a partner: an explained event
    def shifted(c: float) -> CallablePotential:
        return CallablePotential(
            lambda x: float((x[0] - c) ** 2),
            lambda x: np.array([2.0 * (x[0] - c)]),
            lambda x: np.array([[2.0]]),
            ndim=1,
        )

    sweep = sweep_parameter(
        shifted, [1.0, 4.0, 6.0], n_random=0, starts=[np.array([0.0])], max_norm=5.0
    )
    assert sweep.counts()[:, 0].tolist() == [1, 1, 0]
    assert sweep.folds == ()
    [event] = sweep.events
    assert event["kind"] == "vanished" and event["bracket"] == [4.0, 6.0]
    assert "no partner" in event["explanation"]
    # accounting: changes in the minima count equal creations - annihilations + events
    for s in (sweep,):
        counts = s.counts()[:, 0]
        for k in range(1, counts.size):
            lo, hi = s.values[k - 1], s.values[k]
            made = sum(f.kind == "creation" and lo <= f.bracket[0] <= hi for f in s.folds)
            lost = sum(f.kind == "annihilation" and lo <= f.bracket[0] <= hi for f in s.folds)
            extra = [e for e in s.events if e["bracket"] == [lo, hi] and e["index"] == 0]
            extra = [e for e in extra if "targeted" not in e["explanation"]]
            net = sum(1 if e["kind"] == "appeared" else -1 for e in extra)
            assert counts[k] - counts[k - 1] == made - lost + net


def test_tilted_double_well_loses_a_minimum_at_the_critical_tilt() -> None:
    critical = 8.0 / (3.0 * np.sqrt(3.0))
    sweep = sweep_parameter(
        lambda t: DoubleWell(tilt=t), np.linspace(0.2, 2.2, 5), parameter="tilt", n_random=6
    )
    counts = sweep.counts()
    assert counts[0].tolist() == [2, 1] and counts[-1].tolist() == [1, 0]
    assert len(sweep.folds) == 1
    fold = sweep.folds[0]
    assert fold.kind == "annihilation"
    assert fold.bracket[0] <= critical <= fold.bracket[1]
    # the minimum that vanishes is the upper one (x > 0 for a positive tilt)
    assert fold.minimum.coords[0] > 0 and fold.saddle.coords[0] > 0


def test_stationary_points_of_muller_brown() -> None:
    pot = MullerBrown()
    xs, ys = np.meshgrid(np.linspace(-1.4, 1.1, 7), np.linspace(-0.3, 1.9, 7))
    starts = np.column_stack([xs.ravel(), ys.ravel()])
    pts = find_stationary_points(pot, starts)
    minima = sorted(p.energy for p in pts if p.index == 0)
    saddles = [p.energy for p in pts if p.index == 1]
    for *_, e in pot.REFERENCE_MINIMA:
        assert min(abs(m - e) for m in minima) < 1e-3
    for *_, e in pot.REFERENCE_SADDLES:
        assert min(abs(s - e) for s in saddles) < 1e-3
    assert all(p.index <= 1 for p in pts)


def _matern_half_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 10.0, n))
    K = matern_correlation(np.abs(x[:, None] - x[None, :]) / 1.0, 0.5)
    y = np.linalg.cholesky(K + 1e-8 * np.eye(n)) @ rng.normal(size=n) + 0.05 * rng.normal(size=n)
    return x[:, None], y


def test_optimal_nu_of_rough_data_is_small_and_beats_half_integers() -> None:
    X, y = _matern_half_data(40, seed=3)
    gp = GaussianProcessNLL(X, y, nu=1.5)
    res = optimal_nu(gp, nu_min=0.2, nu_max=5.0, points=8, n_starts=2)
    assert 0.2 <= res.nu < 1.5  # an Ornstein-Uhlenbeck path is rough
    assert res.nll <= min(res.half_integer_nll.values()) + 1e-8
    assert res.nll == pytest.approx(gp.with_nu(res.nu).energy(res.coords))
    assert res.is_half_integer == (abs(res.nu - res.nearest_half_integer) <= 0.05)
    assert res.nearest_half_integer in (0.5, 1.5)
    assert res.profile_nll.shape == res.profile_nu.shape
    assert not res.at_bound and res.verdict.startswith("interior optimum")


def test_optimal_nu_at_the_bound_is_reported_and_widened() -> None:
    # a smooth function: the likelihood keeps improving as nu grows
    x = np.linspace(0.0, 6.0, 14)
    X, y = x[:, None], np.sin(x)
    gp = GaussianProcessNLL(X, y, nu=1.5)
    stuck = optimal_nu(gp, nu_min=0.3, nu_max=1.0, points=4, n_starts=1, widen=0)
    assert stuck.at_bound and stuck.bound == "upper" and stuck.nu == pytest.approx(1.0)
    d = stuck.to_dict()
    assert d["is_half_integer"] is None and "no half-integer verdict" in d["verdict"]
    assert d["search_range"] == [0.3, pytest.approx(1.0)]
    wide = optimal_nu(gp, nu_min=0.3, nu_max=1.0, points=4, n_starts=1, widen=1)
    assert wide.search_range[1] == pytest.approx(10.0)
    assert wide.nu > 1.0 and wide.nll < stuck.nll
    assert np.all(np.diff(wide.profile_nu) > 0)


def test_sweep_nu_follows_the_gp_minimum() -> None:
    X, y = _matern_half_data(15, seed=1)
    gp = GaussianProcessNLL(X, y, nu=1.5)
    sweep = sweep_nu(gp, [0.5, 1.5], n_random=5)
    assert sweep.parameter == "nu"
    for nu, pts in zip((0.5, 1.5), sweep.points, strict=True):
        lowest = min((p for p in pts if p.index == 0), key=lambda p: p.energy)
        assert lowest.energy == pytest.approx(gp.with_nu(nu).energy(lowest.coords))
        # points on a flat manifold (noise variance -> 0) are kept once per energy
        flat = [(p.index, round(p.energy, 6)) for p in pts if p.degenerate]
        assert len(flat) == len(set(flat))
    with pytest.raises(InputError):
        sweep_nu(gp, [-1.0, 1.0])
    with pytest.raises(InputError):
        sweep_parameter(cubic, [1.0])
