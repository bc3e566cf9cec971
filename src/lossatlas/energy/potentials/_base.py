"""The potential protocol and a base class with finite-difference fallbacks.

A *potential* is a scalar function of a flat coordinate vector ``x`` (the weights of a network,
the log hyperparameters of a Gaussian process, the position on a test surface) together with its
derivatives. Every explorer in :mod:`lossatlas.energy` (minimisation, basin-hopping, transition
state searches) talks to potentials only through :class:`Potential`.

References
----------
D. J. Wales, *Energy Landscapes*, Cambridge University Press, 2003.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Potential", "BasePotential", "CallablePotential"]

# Central differences of an O(eps) gradient: step ~ eps**(1/3) balances truncation and rounding.
_FD_STEP = float(np.finfo(float).eps) ** (1.0 / 3.0)


@runtime_checkable
class Potential(Protocol):
    """What lossatlas needs from a loss function viewed as an energy landscape.

    Attributes
    ----------
    ndim : int
        Number of coordinates.
    """

    ndim: int

    def energy(self, x: np.ndarray) -> float:
        """Energy (loss) at ``x``."""
        ...

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """Gradient at ``x``, shape ``(ndim,)``."""
        ...

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy and gradient at ``x`` in one call."""
        ...

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Symmetric Hessian at ``x``, shape ``(ndim, ndim)``."""
        ...

    def hessian_vector_product(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Hessian at ``x`` times the vector ``v``."""
        ...

    def canonicalise(self, x: np.ndarray) -> np.ndarray:
        """A canonical copy of ``x`` under the symmetries of the potential."""
        ...

    def random_coordinates(self, rng: np.random.Generator) -> np.ndarray:
        """A random start point."""
        ...

    # Optional (not part of the runtime check): ``symmetry_distance(x, y) -> float``, the
    # distance between the symmetry orbits of ``x`` and ``y`` used by the minima database's
    # duplicate test; :class:`BasePotential` supplies the canonical-coordinates default. Also
    # optional: ``align(reference, x) -> ndarray``, the symmetric copy of ``x`` nearest
    # ``reference`` (the base class returns ``x``), used before elastic-band searches.


class BasePotential:
    """Base class for potentials: subclasses supply the energy and gradient.

    A subclass implements :meth:`energy` and :meth:`gradient`, or :meth:`energy_gradient` and
    then :meth:`energy`/:meth:`gradient` in terms of it. Everything else has a default:

    * :meth:`energy_gradient` calls :meth:`energy` and :meth:`gradient`;
    * :meth:`hessian` is the central difference of the gradient, column by column,
      ``H[:, i] = (g(x + h e_i) - g(x - h e_i)) / 2h`` with ``h = eps**(1/3) max(1, |x_i|)``,
      then symmetrised (error O(h^2); override with an analytic Hessian where one exists);
    * :meth:`hessian_vector_product` is ``H v`` when :attr:`exact_hessian` is true, otherwise
      the central difference of the gradient along ``v``;
    * :meth:`canonicalise` is the identity (no symmetry);
    * :meth:`symmetry_distance` is the Euclidean distance of the canonicalised coordinates
      (override it where the minimum over all symmetric copies can be computed exactly);
    * :meth:`align` returns ``x`` unchanged (override it together with
      :meth:`symmetry_distance` to return the symmetric copy attaining it);
    * :meth:`random_coordinates` is uniform in ``[-5, 5]^ndim``, the start distribution of the
      reference basin-hopping runs for neural networks.

    Attributes
    ----------
    ndim : int
        Number of coordinates; subclasses set it in ``__init__``.
    """

    ndim: int
    #: Half-width of the uniform box used by :meth:`random_coordinates`.
    random_scale: float = 5.0
    #: True when :meth:`hessian` is exact (analytic or autograd), not a finite difference.
    exact_hessian: bool = False

    def energy(self, x: np.ndarray) -> float:
        """Energy at ``x``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement energy()")

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """Gradient at ``x``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement gradient()")

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy and gradient at ``x``."""
        return self.energy(x), self.gradient(x)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Hessian at ``x`` by central differences of the gradient (symmetrised)."""
        return finite_difference_hessian(self.gradient, x)

    def hessian_vector_product(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``H(x) @ v``: exact when :attr:`exact_hessian`, else a gradient difference."""
        v = np.asarray(v, dtype=float)
        if self.exact_hessian:
            return self.hessian(x) @ v
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            return np.zeros_like(v)
        x = np.asarray(x, dtype=float)
        h = _FD_STEP * max(1.0, float(np.linalg.norm(x))) / norm
        return (self.gradient(x + h * v) - self.gradient(x - h * v)) / (2.0 * h)

    def canonicalise(self, x: np.ndarray) -> np.ndarray:
        """A copy of ``x`` (the potential has no symmetry)."""
        return np.array(x, dtype=float, copy=True)

    def symmetry_distance(self, x: np.ndarray, y: np.ndarray) -> float:
        """Distance of ``x`` and ``y`` up to symmetry: ``||canonicalise(x) - canonicalise(y)||``.

        Used by :class:`~lossatlas.energy._database.Database` to decide whether two minima are
        the same. Subclasses with a symmetry group may return the exact minimum over the
        symmetric copies instead, which never exceeds this default.
        """
        cx = np.asarray(self.canonicalise(np.asarray(x, dtype=float)), dtype=float).ravel()
        cy = np.asarray(self.canonicalise(np.asarray(y, dtype=float)), dtype=float).ravel()
        return float(np.linalg.norm(cx - cy))

    def align(self, reference: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The symmetric copy of ``x`` nearest ``reference``: here ``x`` itself (as a float copy).

        No symmetry operation is known to the base class; subclasses with one (e.g. the tanh
        networks' hidden-unit permutations and sign flips) return the copy that attains
        :meth:`symmetry_distance`. Elastic bands between two minima start from
        ``(reference, align(reference, x))``.
        """
        return np.array(x, dtype=float, copy=True)

    def random_coordinates(self, rng: np.random.Generator) -> np.ndarray:
        """Uniform start point in ``[-random_scale, random_scale]^ndim``."""
        return rng.uniform(-self.random_scale, self.random_scale, size=self.ndim)


def finite_difference_gradient(
    energy: Callable[[np.ndarray], float], x: np.ndarray, *, step: float | None = None
) -> np.ndarray:
    """Central-difference gradient ``(E(x + h e_i) - E(x - h e_i)) / 2h`` (2 ndim calls)."""
    x = np.asarray(x, dtype=float)
    g = np.empty_like(x)
    for i in range(x.size):
        h = (step if step is not None else _FD_STEP) * max(1.0, abs(x[i]))
        xp = x.copy()
        xm = x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (energy(xp) - energy(xm)) / (2.0 * h)
    return g


def finite_difference_hessian(
    gradient: Callable[[np.ndarray], np.ndarray], x: np.ndarray, *, step: float | None = None
) -> np.ndarray:
    """Symmetrised central-difference Hessian from a gradient function (2 ndim calls)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    hess = np.empty((n, n))
    for i in range(n):
        h = (step if step is not None else _FD_STEP) * max(1.0, abs(x[i]))
        xp = x.copy()
        xm = x.copy()
        xp[i] += h
        xm[i] -= h
        hess[:, i] = (np.asarray(gradient(xp)) - np.asarray(gradient(xm))) / (2.0 * h)
    return 0.5 * (hess + hess.T)


class CallablePotential(BasePotential):
    """A potential built from user callables.

    Parameters
    ----------
    energy : callable
        ``energy(x) -> float``.
    gradient : callable, optional
        ``gradient(x) -> ndarray``. When not given the gradient is computed by central finite
        differences of ``energy`` (2 ``ndim`` energy calls, accuracy about ``1e-10`` relative):
        fine for small problems and tests, slow and noisy for tight minimisation.
    hessian : callable, optional
        ``hessian(x) -> ndarray``. When not given, central differences of the gradient.
    ndim : int
        Number of coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> p = CallablePotential(lambda x: float(x @ x), lambda x: 2 * x, ndim=2)
    >>> p.energy_gradient(np.array([1.0, 2.0]))
    (5.0, array([2., 4.]))
    """

    def __init__(
        self,
        energy: Callable[[np.ndarray], float],
        gradient: Callable[[np.ndarray], np.ndarray] | None = None,
        hessian: Callable[[np.ndarray], np.ndarray] | None = None,
        *,
        ndim: int,
    ) -> None:
        if int(ndim) < 1:
            from lossatlas.errors import InputError

            raise InputError(f"CallablePotential: ndim must be >= 1, got {ndim!r}")
        self.ndim = int(ndim)
        self._energy = energy
        self._gradient = gradient
        self._hessian = hessian
        self.exact_hessian = hessian is not None

    def energy(self, x: np.ndarray) -> float:
        return float(self._energy(np.asarray(x, dtype=float)))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._gradient is None:
            return finite_difference_gradient(self.energy, x)
        return np.asarray(self._gradient(x), dtype=float)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._hessian is None:
            return finite_difference_hessian(self.gradient, x)
        return np.asarray(self._hessian(x), dtype=float)
