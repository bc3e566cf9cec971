"""DNEB, hybrid eigenvector-following and push-off (energy: neb, eigenfollow, transition)."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import (
    band_gradient,
    count_negative,
    doubly_nudged_elastic_band,
    find_transition_states,
    hybrid_eigenvector_following,
    lowest_eigenvector,
    minimize,
    push_off,
)
from lossatlas.energy.potentials import BasePotential, MLPCrossEntropy, MullerBrown
from lossatlas.errors import InputError

# Reference values of the Mueller-Brown fixture (shared/reference/energy-landscapes.md).
GMIN = (-0.5582, 1.4417, -146.6995)
MIN_108 = (0.6235, 0.0280, -108.1667)
MIN_80 = (-0.0500, 0.4667, -80.7678)
TS_HIGH = (-0.8220, 0.6243, -40.6648)  # joins -146.70 and -80.77
TS_LOW = (0.2124, 0.2930, -72.2489)  # joins -80.77 and -108.17


class Quadratic(BasePotential):
    """``E = x.Ax / 2`` with a given symmetric ``A``: the Hessian is ``A`` everywhere."""

    exact_hessian = True

    def __init__(self, a: np.ndarray) -> None:
        self.a = a
        self.ndim = a.shape[0]

    def energy(self, x: np.ndarray) -> float:
        return 0.5 * float(x @ self.a @ x)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.a @ x

    def hessian(self, x: np.ndarray) -> np.ndarray:
        return self.a


class Linear(BasePotential):
    """``E = c.x``: constant gradient ``c``."""

    def __init__(self, c: np.ndarray) -> None:
        self.c = np.asarray(c, dtype=float)
        self.ndim = self.c.size

    def energy(self, x: np.ndarray) -> float:
        return float(self.c @ x)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.c.copy()


@pytest.fixture(scope="module")
def mb() -> MullerBrown:
    return MullerBrown()


@pytest.fixture(scope="module")
def mb_minima(mb: MullerBrown) -> dict[str, np.ndarray]:
    out = {}
    for name, ref in (("gmin", GMIN), ("m108", MIN_108), ("m80", MIN_80)):
        res = minimize(mb, np.array(ref[:2]), rms_tol=1e-9)
        assert res.energy == pytest.approx(ref[2], abs=1e-4)
        out[name] = res.x
    return out


# ---- DNEB -----------------------------------------------------------------------------------


def test_band_gradient_straight_band_is_perpendicular_true_gradient() -> None:
    # Evenly spaced straight band along x on E = 2x + 3y: springs cancel, and only the
    # perpendicular part (0, 3) of the true gradient remains.
    pot = Linear([2.0, 3.0])
    images = np.column_stack([np.linspace(0.0, 1.0, 6), np.zeros(6)])
    energies, grad = band_gradient(pot, images, (0.0, 2.0), spring=50.0)
    np.testing.assert_allclose(energies, 2.0 * images[:, 0])
    np.testing.assert_allclose(grad, np.tile([0.0, 3.0], (4, 1)), atol=1e-12)


def test_band_gradient_uneven_spacing_on_flat_surface_is_parallel_spring() -> None:
    # Flat surface, images at x = 0, 0.1, 0.5, 1 on a line: the tangent is +x and the parallel
    # spring gradient is -k (|x+ - x| - |x - x-|) along it.
    pot = Linear([0.0, 0.0])
    images = np.column_stack([[0.0, 0.1, 0.5, 1.0], np.zeros(4)])
    _, grad = band_gradient(pot, images, (0.0, 0.0), spring=10.0)
    np.testing.assert_allclose(grad[:, 0], [-10.0 * (0.4 - 0.1), -10.0 * (0.5 - 0.4)])
    np.testing.assert_allclose(grad[:, 1], 0.0, atol=1e-15)


def test_band_gradient_doubly_nudged_term() -> None:
    # Kinked band (0,0,0)-(1,.5,0)-(2,0,0) on E = 0.3 y + z. The middle image is a maximum with
    # equal neighbour energies, so its tangent is the chord t = (1, 0, 0); the spring gradient
    # k (tm - tp) = (0, k, 0) is perpendicular to t and only its part orthogonal to the
    # perpendicular true gradient u survives (Trygubenko & Wales 2004, eq. 5).
    k = 2.0
    pot = Linear([0.0, 0.3, 1.0])
    images = np.array([[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [2.0, 0.0, 0.0]])
    _, grad = band_gradient(pot, images, (0.0, 0.0), spring=k)
    g_perp = np.array([0.0, 0.3, 1.0])
    s_perp = np.array([0.0, k, 0.0])
    u = g_perp / np.linalg.norm(g_perp)
    expected = g_perp + (s_perp - (s_perp @ u) * u)
    np.testing.assert_allclose(grad[0], expected, atol=1e-12)
    assert abs(expected[1] - 0.3) > 0.1  # the nudge is not zero here


def test_dneb_mueller_brown_band(mb: MullerBrown, mb_minima: dict[str, np.ndarray]) -> None:
    band = doubly_nudged_elastic_band(mb, mb_minima["gmin"], mb_minima["m80"])
    np.testing.assert_array_equal(band.images[0], mb_minima["gmin"])
    np.testing.assert_array_equal(band.images[-1], mb_minima["m80"])
    np.testing.assert_allclose(band.energies, [mb.energy(x) for x in band.images])
    # One barrier: a single candidate, within 2 energy units of the saddle and close to it.
    assert band.candidate_indices.size == 1
    k = int(band.candidate_indices[0])
    assert band.energies[k] == pytest.approx(TS_HIGH[2], abs=2.0)
    assert np.linalg.norm(band.images[k] - TS_HIGH[:2]) < 0.1
    # Images spread evenly (the parallel spring): spacings within a factor 2 of each other.
    spacing = np.linalg.norm(np.diff(band.images, axis=0), axis=1)
    assert spacing.max() < 2.0 * spacing.min()


def test_dneb_rejects_mismatched_endpoints(mb: MullerBrown) -> None:
    with pytest.raises(InputError, match="shape"):
        doubly_nudged_elastic_band(mb, np.zeros(2), np.zeros(3))


# ---- lowest eigenvector ---------------------------------------------------------------------

METHODS = ["lanczos", "rayleigh-ritz", "exact"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lowest_eigenvector_random_symmetric(method: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 25))
    b = rng.standard_normal((n, n))
    a = 0.5 * (b + b.T)
    w, v = np.linalg.eigh(a)
    lam, u = lowest_eigenvector(Quadratic(a), rng.standard_normal(n), method=method)
    assert lam == pytest.approx(w[0], rel=1e-6, abs=1e-8)
    assert abs(float(u @ v[:, 0])) == pytest.approx(1.0, abs=1e-5)
    assert np.linalg.norm(u) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def mlp() -> MLPCrossEntropy:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 2))
    y = rng.integers(0, 2, 10)
    return MLPCrossEntropy(x, y, n_hidden=2, lam=1e-3)


@pytest.mark.parametrize("method", METHODS)
def test_lowest_eigenvector_mlp(mlp: MLPCrossEntropy, method: str) -> None:
    x = mlp.random_coordinates(np.random.default_rng(3))
    w, v = np.linalg.eigh(mlp.hessian(x))
    lam, u = lowest_eigenvector(mlp, x, method=method)
    assert lam == pytest.approx(w[0], rel=1e-6)
    assert abs(float(u @ v[:, 0])) == pytest.approx(1.0, abs=1e-5)


def test_lowest_eigenvector_unknown_method(mb: MullerBrown) -> None:
    with pytest.raises(InputError, match="unknown eigenvector method"):
        lowest_eigenvector(mb, np.zeros(2), method="power")  # type: ignore[arg-type]


def test_count_negative_ignores_round_off() -> None:
    assert count_negative(np.array([-1.0, -1e-14, 2.0, 5.0])) == 1
    assert count_negative(np.array([-3.0, -1.0, 2.0])) == 2


# ---- hybrid eigenvector-following and push-off ---------------------------------------------


@pytest.mark.parametrize("method", ["lanczos", "rayleigh-ritz", "exact"])
@pytest.mark.parametrize("ts", [TS_HIGH, TS_LOW])
def test_hef_mueller_brown_from_nearby_start(
    mb: MullerBrown, method: str, ts: tuple[float, float, float]
) -> None:
    start = np.array(ts[:2]) + np.array([0.06, -0.05])
    saddle = hybrid_eigenvector_following(mb, start, eigenvector_method=method)
    assert saddle.converged
    np.testing.assert_allclose(saddle.x, ts[:2], atol=1e-4)
    assert saddle.energy == pytest.approx(ts[2], abs=1e-4)
    assert saddle.rms_gradient < 1e-6
    assert saddle.n_negative == 1 and saddle.eigenvalue < 0
    w, v = np.linalg.eigh(mb.hessian(saddle.x))
    assert abs(float(saddle.eigenvector @ v[:, 0])) == pytest.approx(1.0, abs=1e-6)


def test_hef_reports_failure_when_out_of_iterations(mb: MullerBrown) -> None:
    saddle = hybrid_eigenvector_following(mb, np.array(GMIN[:2]), max_iterations=2)
    assert not saddle.converged
    assert saddle.n_iterations == 2


def test_hef_leaves_an_index_two_saddle() -> None:
    # E = -x^2/2 - y^2 + z^2/2 + x^4/4 + y^4/4: the origin is an index-2 saddle with zero
    # gradient; started there, HEF must leave it and stop at an index-1 saddle, (+-1, 0, 0) or
    # (0, +-sqrt(2), 0).
    class TwoDown(BasePotential):
        ndim = 3
        exact_hessian = True

        def energy(self, p: np.ndarray) -> float:
            x, y, z = p
            return -0.5 * x**2 - y**2 + 0.5 * z**2 + 0.25 * x**4 + 0.25 * y**4

        def gradient(self, p: np.ndarray) -> np.ndarray:
            x, y, z = p
            return np.array([-x + x**3, -2 * y + y**3, z])

        def hessian(self, p: np.ndarray) -> np.ndarray:
            x, y, _ = p
            return np.diag([-1 + 3 * x**2, -2 + 3 * y**2, 1.0])

    pot = TwoDown()
    saddle = hybrid_eigenvector_following(pot, np.zeros(3))
    assert saddle.converged and saddle.n_negative == 1
    assert np.linalg.eigvalsh(pot.hessian(saddle.x))[1] > 0


def _nearest(x: np.ndarray, refs: list[tuple[float, float, float]]) -> float:
    return min(refs, key=lambda r: np.hypot(x[0] - r[0], x[1] - r[1]))[2]


@pytest.mark.parametrize(
    ("ends", "ts", "expected"),
    [
        (("gmin", "m80"), TS_HIGH, {GMIN[2], MIN_80[2]}),
        (("m80", "m108"), TS_LOW, {MIN_80[2], MIN_108[2]}),
    ],
)
def test_find_transition_states_mueller_brown(
    mb: MullerBrown,
    mb_minima: dict[str, np.ndarray],
    ends: tuple[str, str],
    ts: tuple[float, float, float],
    expected: set[float],
) -> None:
    search = find_transition_states(mb, mb_minima[ends[0]], mb_minima[ends[1]])
    assert len(search) == 1
    (found,) = search
    assert found.joins_endpoints
    s = found.saddle
    np.testing.assert_allclose(s.x, ts[:2], atol=1e-4)
    assert s.energy == pytest.approx(ts[2], abs=1e-4)
    assert s.rms_gradient < 1e-6
    assert count_negative(np.linalg.eigvalsh(mb.hessian(s.x))) == 1
    reached = {
        _nearest(found.minimum_plus.x, [GMIN, MIN_80, MIN_108]),
        _nearest(found.minimum_minus.x, [GMIN, MIN_80, MIN_108]),
    }
    assert reached == expected
    for m in (found.minimum_plus, found.minimum_minus):
        assert m.converged and m.energy == pytest.approx(
            _nearest(m.x, [GMIN, MIN_80, MIN_108]), abs=1e-4
        )


def test_push_off_goes_downhill_both_ways(mb: MullerBrown) -> None:
    saddle = hybrid_eigenvector_following(mb, np.array(TS_LOW[:2]))
    for d in (0.2, 0.05):
        plus, minus = push_off(mb, saddle, displacement=d)
        assert {round(plus.energy, 3), round(minus.energy, 3)} == {
            round(MIN_80[2], 3),
            round(MIN_108[2], 3),
        }
    with pytest.raises(InputError):
        push_off(mb, saddle, displacement=0.0)


def test_hef_mlp_from_dneb_candidate_is_index_one(mlp: MLPCrossEntropy) -> None:
    minima = []
    for seed in range(10):
        x0 = 0.5 * mlp.random_coordinates(np.random.default_rng(seed))
        res = minimize(mlp, x0, rms_tol=1e-8)
        if all(abs(res.energy - m.energy) > 1e-4 for m in minima):
            minima.append(res)
    assert len(minima) >= 2
    minima.sort(key=lambda m: m.energy)
    a = mlp.canonicalise(minima[2].x)
    b = mlp.canonicalise(minima[3].x)
    band = doubly_nudged_elastic_band(mlp, a, b, n_images=20, spring=1.0, max_iterations=300)
    assert band.candidate_indices.size >= 1
    converged = []
    for k in band.candidate_indices:
        saddle = hybrid_eigenvector_following(
            mlp,
            band.images[k],
            v0=band.images[k + 1] - band.images[k - 1],
            eigenvector_method="lanczos",
            rms_tol=1e-6,
        )
        if saddle.converged:
            converged.append(saddle)
    assert converged
    polished = hybrid_eigenvector_following(mlp, converged[0].x, polish_tol=1e-10)
    assert polished.converged and polished.n_negative == 1
    assert polished.rms_gradient < 1e-10
    assert polished.energy == pytest.approx(converged[0].energy, abs=1e-9)
    for saddle in converged:
        w = np.linalg.eigvalsh(mlp.hessian(saddle.x))
        assert count_negative(w) == 1 and w[0] < 0
        assert saddle.rms_gradient < 1e-6
        assert saddle.eigenvalue == pytest.approx(w[0], rel=1e-6)
        # a saddle lies above the minima it sits between
        assert saddle.energy > min(minima[2].energy, minima[3].energy)
