"""Analytic two-dimensional test surfaces with exact gradients and Hessians.

References
----------
K. Müller and L. D. Brown, "Location of saddle points and minimum energy paths by a constrained
simplex optimization procedure", Theor. Chim. Acta 53, 75-93 (1979).
"""

from __future__ import annotations

import numpy as np

from lossatlas.energy.potentials._base import BasePotential
from lossatlas.errors import InputError

__all__ = ["MullerBrown", "DoubleWell"]

# Largest exponent of a Mueller-Brown Gaussian: exp(200) ~ 7e86 times the factors of the
# gradient and Hessian (A, q^2, polynomial in the coordinates) stays far from float overflow.
_EXP_CAP = 200.0


class MullerBrown(BasePotential):
    """The Müller-Brown surface, the standard test for minimum and saddle searches.

    ``V(x, y) = sum_k A_k exp(a_k (x - x0_k)^2 + b_k (x - x0_k)(y - y0_k) + c_k (y - y0_k)^2)``
    with ``A = (-200, -100, -170, 15)``, ``a = (-1, -1, -6.5, 0.7)``, ``b = (0, 0, 11, 0.6)``,
    ``c = (-10, -10, -6.5, 0.7)``, ``x0 = (1, 0, -0.5, -1)``, ``y0 = (0, 0.5, 1.5, 1)``.

    It has three minima and two first-order saddles, listed (to four decimals, as in the
    reference table) in :attr:`REFERENCE_MINIMA` and :attr:`REFERENCE_SADDLES` as
    ``(x, y, energy)``. Gradient and Hessian are analytic.

    Examples
    --------
    >>> round(MullerBrown().energy([-0.5582, 1.4417]), 2)
    -146.7
    """

    A = np.array([-200.0, -100.0, -170.0, 15.0])
    a = np.array([-1.0, -1.0, -6.5, 0.7])
    b = np.array([0.0, 0.0, 11.0, 0.6])
    c = np.array([-10.0, -10.0, -6.5, 0.7])
    x0 = np.array([1.0, 0.0, -0.5, -1.0])
    y0 = np.array([0.0, 0.5, 1.5, 1.0])

    REFERENCE_MINIMA: tuple[tuple[float, float, float], ...] = (
        (-0.5582, 1.4417, -146.6995),
        (0.6235, 0.0280, -108.1667),
        (-0.0500, 0.4667, -80.7678),
    )
    REFERENCE_SADDLES: tuple[tuple[float, float, float], ...] = (
        (-0.8220, 0.6243, -40.6648),
        (0.2124, 0.2930, -72.2489),
    )
    #: Box ``((xmin, xmax), (ymin, ymax))`` for :meth:`random_coordinates`.
    BOX = ((-1.5, 1.2), (-0.5, 2.0))
    exact_hessian = True

    def __init__(self) -> None:
        self.ndim = 2

    def _terms(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = np.asarray(x, dtype=float)
        if x.shape != (2,):
            raise InputError(f"MullerBrown: coordinates must have shape (2,), got {x.shape}")
        dx = x[0] - self.x0
        dy = x[1] - self.y0
        # The fourth (repulsive, A > 0) Gaussian grows without bound away from the minima; its
        # exponent is capped where exp would overflow (far outside BOX, where the exponent
        # is below 6): a band image or push-off sent far out gets a huge finite energy and
        # gradient instead of inf/nan and a RuntimeWarning. Unchanged wherever exponent < cap.
        exponent = np.minimum(self.a * dx**2 + self.b * dx * dy + self.c * dy**2, _EXP_CAP)
        e = self.A * np.exp(exponent)
        qx = 2.0 * self.a * dx + self.b * dy
        qy = self.b * dx + 2.0 * self.c * dy
        return e, qx, qy

    def energy(self, x: np.ndarray) -> float:
        e, _, _ = self._terms(x)
        return float(e.sum())

    def gradient(self, x: np.ndarray) -> np.ndarray:
        e, qx, qy = self._terms(x)
        return np.array([np.dot(e, qx), np.dot(e, qy)])

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        e, qx, qy = self._terms(x)
        return float(e.sum()), np.array([np.dot(e, qx), np.dot(e, qy)])

    def hessian(self, x: np.ndarray) -> np.ndarray:
        e, qx, qy = self._terms(x)
        hxx = np.dot(e, qx * qx + 2.0 * self.a)
        hxy = np.dot(e, qx * qy + self.b)
        hyy = np.dot(e, qy * qy + 2.0 * self.c)
        return np.array([[hxx, hxy], [hxy, hyy]])

    def random_coordinates(self, rng: np.random.Generator) -> np.ndarray:
        """Uniform in :attr:`BOX`, the region holding all minima and saddles."""
        (x_lo, x_hi), (y_lo, y_hi) = self.BOX
        return np.array([rng.uniform(x_lo, x_hi), rng.uniform(y_lo, y_hi)])


class DoubleWell(BasePotential):
    """A 2-D double well: ``V(x, y) = barrier (x^2 - 1)^2 + (k / 2) y^2 + tilt x``.

    With ``tilt = 0`` (the default) it has two minima at ``(-1, 0)`` and ``(1, 0)``, both with
    energy 0 and Hessian ``diag(8 barrier, k)``, joined by one first-order saddle at ``(0, 0)``
    with energy ``barrier`` and Hessian ``diag(-4 barrier, k)``. A non-zero ``tilt`` makes the
    minima unequal (the one on the side of ``-sign(tilt)`` is lower) and moves the stationary
    points along ``x``; for ``|tilt| < 8 barrier / (3 sqrt 3)`` there are still two minima and a
    saddle. Gradient and Hessian are analytic.

    Parameters
    ----------
    barrier : float, default 1.0
        Height of the barrier at ``tilt = 0``; must be positive.
    k : float, default 1.0
        Curvature along ``y``; must be positive.
    tilt : float, default 0.0
        Linear tilt along ``x``.
    """

    exact_hessian = True
    random_scale = 2.0

    def __init__(self, *, barrier: float = 1.0, k: float = 1.0, tilt: float = 0.0) -> None:
        if not barrier > 0 or not k > 0:
            raise InputError(
                f"DoubleWell: barrier and k must be positive, got barrier={barrier!r}, k={k!r}"
            )
        self.ndim = 2
        self.barrier = float(barrier)
        self.k = float(k)
        self.tilt = float(tilt)

    def energy(self, x: np.ndarray) -> float:
        x = np.asarray(x, dtype=float)
        return float(
            self.barrier * (x[0] ** 2 - 1.0) ** 2 + 0.5 * self.k * x[1] ** 2 + self.tilt * x[0]
        )

    def gradient(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.array([4.0 * self.barrier * x[0] * (x[0] ** 2 - 1.0) + self.tilt, self.k * x[1]])

    def hessian(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.array([[self.barrier * (12.0 * x[0] ** 2 - 4.0), 0.0], [0.0, self.k]])
