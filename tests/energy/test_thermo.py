"""Heat capacity in the harmonic superposition approximation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import (
    Database,
    default_temperatures,
    heat_capacity,
    heat_capacity_from_database,
    hessian_summary,
    minimize,
    occupation_probabilities,
    plot_heat_capacity,
)
from lossatlas.energy.potentials import MullerBrown
from lossatlas.errors import InputError


def _two_minimum_closed_form(d_e: float, d_f: float, T: np.ndarray, kappa: int) -> np.ndarray:
    # p2/p1 = exp(-dE/T - dF/2); var = dE^2 p1 p2
    r = np.exp(-d_e / T - 0.5 * d_f)
    p1 = 1.0 / (1.0 + r)
    p2 = r / (1.0 + r)
    return kappa / 2 + d_e**2 * p1 * p2 / T**2


@pytest.mark.parametrize("d_f", [0.0, 1.3, -2.0])
def test_two_minima_match_closed_form(d_f: float) -> None:
    T = np.geomspace(0.05, 20.0, 57)
    hc = heat_capacity([-3.0, -1.5], T, fvib=[4.0, 4.0 + d_f], kappa=5)
    np.testing.assert_allclose(hc.C, _two_minimum_closed_form(1.5, d_f, T, 5), rtol=1e-12)
    np.testing.assert_allclose(hc.occupation.sum(1), 1.0)
    np.testing.assert_allclose(hc.mean_energy, hc.occupation @ np.array([-3.0, -1.5]))


def test_kinetic_term_adds_kappa_over_two() -> None:
    T = np.array([0.3, 1.0, 3.0])
    a = heat_capacity([0.0, 1.0, 1.7], T, kappa=4)
    b = heat_capacity([0.0, 1.0, 1.7], T, kappa=4, kinetic=True)
    np.testing.assert_allclose(b.C - a.C, 2.0)
    assert b.baseline == 4.0 and a.baseline == 2.0


def test_tiny_and_huge_temperatures_are_finite() -> None:
    T = np.array([1e-300, 1e-200, 1e-30, 1e-3, 1e30, 1e300])
    hc = heat_capacity([0.0, 1e-3, 5.0, 5.0], T, fvib=[0.0, 50.0, -50.0, 1.0], kappa=3)
    assert np.all(np.isfinite(hc.C)) and np.all(np.isfinite(hc.occupation))
    assert hc.C[0] == pytest.approx(1.5) and hc.C[-1] == pytest.approx(1.5)
    # at tiny T everything sits in the global minimum
    np.testing.assert_allclose(hc.occupation[0], [1.0, 0.0, 0.0, 0.0])
    # a naive implementation overflows here; the log-space one gives the exact value
    e = np.array([0.0, 1e-3])
    t = np.array([1e-5])
    naive_ratio = np.exp(-1e-3 / 1e-5)
    expected = 1.5 + (1e-3) ** 2 * naive_ratio / (1 + naive_ratio) ** 2 / 1e-10
    assert heat_capacity(e, t, kappa=3).C[0] == pytest.approx(expected, rel=1e-10)


def test_degenerate_minima_give_no_nan() -> None:
    hc = heat_capacity([2.0, 2.0, 2.0], [1e-5, 1.0, 1e5], kappa=2)
    np.testing.assert_allclose(hc.C, 1.0)
    np.testing.assert_allclose(hc.occupation, 1.0 / 3.0)
    assert hc.peaks == ()


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-5, 5), min_size=1, max_size=6),
    st.floats(0.05, 10.0),
)
def test_occupation_matches_direct_boltzmann(energies: list[float], T: float) -> None:
    e = np.array(energies)
    f = np.linspace(-1.0, 1.0, e.size)
    w = np.exp(-e / T - f / 2)
    p = occupation_probabilities(e, T, fvib=f)[0]
    np.testing.assert_allclose(p, w / w.sum(), rtol=1e-9, atol=1e-300)
    hc = heat_capacity(e, [T], fvib=f, kappa=1)
    var = (p * e**2).sum() - (p * e).sum() ** 2
    assert hc.C[0] == pytest.approx(0.5 + var / T**2, rel=1e-7, abs=1e-9)


def _muller_brown_minima() -> tuple[MullerBrown, list]:
    pot = MullerBrown()
    out = []
    for x, y, _ in pot.REFERENCE_MINIMA:
        res = minimize(pot, np.array([x, y]), rms_tol=1e-9)
        out.append(res)
    return pot, out


def test_muller_brown_has_one_peak_near_19(tmp_path) -> None:
    pot, minima = _muller_brown_minima()
    with Database(tmp_path / "mb.sqlite") as db:
        for res in minima:
            fvib, n_pos, lowest = hessian_summary(pot, res.x)
            db.add_minimum(res.energy, res.x, fvib=fvib, n_positive=n_pos, lowest_eigenvalue=lowest)
        hc = heat_capacity_from_database(db, tmin=0.5, tmax=500.0, points=400)
        stored = db.minima()
        ids = [m.id for m in stored]
    assert hc.kappa == 2
    assert len(hc.peaks) == 1
    peak = hc.peaks[0]
    assert 17.0 < peak.T < 21.0
    assert peak.T_low < peak.T < peak.T_high
    # the global minimum empties as T rises across the peak and drives it: its change of
    # occupation is p_0(T_high) - p_0(T_low) with p_a = w_a / sum w, w_a = exp(-L_a/T - fvib_a/2)
    energies = np.array([m.energy for m in stored])
    fvibs = np.array([m.fvib for m in stored])

    def p_global(t: float) -> float:
        w = np.exp(-(energies - energies.min()) / t - 0.5 * fvibs)
        return float(w[0] / w.sum())

    expected = p_global(peak.T_high) - p_global(peak.T_low)
    assert peak.drivers[0][0] == ids[0]
    assert peak.drivers[0][1] == pytest.approx(expected, rel=1e-9)
    assert expected < -0.1  # a real transition, not round-off
    assert sum(d for _, d in peak.drivers) == pytest.approx(0.0, abs=1e-9)
    fig = plot_heat_capacity(hc)
    assert fig.axes


def test_muller_brown_without_fvib_peak_also_near_19() -> None:
    energies = [e for *_, e in MullerBrown.REFERENCE_MINIMA]
    hc = heat_capacity(energies, default_temperatures(energies, points=300), kappa=2)
    assert len(hc.peaks) == 1 and 17.0 < hc.peaks[0].T < 21.0


def test_two_peaks_for_two_separated_gaps() -> None:
    # gaps of 1 and 100 (with many minima at 100 so the second transition is sharp)
    e = [0.0, 1.0] + [100.0] * 50
    hc = heat_capacity(e, np.geomspace(0.01, 1e4, 600), kappa=0)
    assert len(hc.peaks) == 2
    first, second = hc.peaks
    assert first.T < 1.0 < second.T
    assert {m for m, _ in first.drivers} == {0, 1}


def test_bad_input_is_rejected(tmp_path) -> None:
    with pytest.raises(InputError):
        heat_capacity([], [1.0], kappa=1)
    with pytest.raises(InputError):
        heat_capacity([0.0], [0.0, 1.0], kappa=1)
    with pytest.raises(InputError):
        heat_capacity([0.0, 1.0], [1.0], fvib=[1.0], kappa=1)
    with Database(tmp_path / "x.sqlite") as db:
        db.add_minimum(0.0, np.zeros(2))
        with pytest.raises(InputError, match="fvib"):
            heat_capacity_from_database(db)
        hc = heat_capacity_from_database(db, use_fvib=False, tmin=0.1, tmax=1.0)
        np.testing.assert_allclose(hc.C, 1.0)


@pytest.mark.parametrize("t_range", [(0.5, 1000.0), (0.5, 21.0), (17.0, 1000.0)])
def test_heat_capacity_peak_label_lies_inside_the_axes(t_range: tuple[float, float]) -> None:
    """The peak label sits inside the frame wherever the peak is (middle, right, left edge)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    energies = [e for *_, e in MullerBrown.REFERENCE_MINIMA]
    hc = heat_capacity(energies, np.geomspace(*t_range, 200), kappa=2)
    assert len(hc.peaks) == 1
    fig = plot_heat_capacity(hc)
    ax = fig.axes[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    (label,) = [t for t in ax.texts if t.get_text().startswith("T=")]
    box = label.get_window_extent(renderer)
    margin = 2.0  # pixels
    assert frame.x0 + margin <= box.x0 and box.x1 <= frame.x1 - margin
    assert frame.y0 + margin <= box.y0 and box.y1 <= frame.y1 - margin
