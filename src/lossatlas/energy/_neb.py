"""Doubly-nudged elastic band between two minima.

The band is a chain of images ``x_0, ..., x_{M+1}`` whose endpoints (two minima) stay fixed.
Each interior image feels the component of the true gradient perpendicular to the path, the
component of the spring gradient parallel to it, and the *doubly-nudged* part of the
perpendicular spring gradient: the perpendicular spring gradient minus its projection on the
perpendicular true gradient (Trygubenko & Wales 2004). The band is optimised with L-BFGS [3]_ over
all interior images at once. The local maxima of energy along the converged band are candidates
for transition states, to be refined by hybrid eigenvector-following
(:func:`lossatlas.energy._eigenfollow.hybrid_eigenvector_following`).

References
----------
.. [1] S. A. Trygubenko and D. J. Wales, "A doubly nudged elastic band method for finding
   transition states", J. Chem. Phys. 120, 2082 (2004).
.. [2] G. Henkelman and H. Jonsson, "Improved tangent estimate in the nudged elastic band
   method for finding minimum energy paths and saddle points", J. Chem. Phys. 113, 9978 (2000).
.. [3] J. Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp. 35,
   773 (1980).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.energy._lbfgs import LBFGSMemory
from lossatlas.energy._options import DNEBOptions
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = ["BandResult", "doubly_nudged_elastic_band", "band_gradient", "initial_band"]


@dataclass(frozen=True)
class BandResult:
    """An optimised elastic band.

    Attributes
    ----------
    images : ndarray, shape (n_images, ndim)
        All images, the two fixed endpoints included (first and last rows).
    energies : ndarray, shape (n_images,)
        Potential energy of each image.
    candidate_indices : ndarray of int
        Row indices of the interior images that are local maxima of energy along the band
        (the highest interior image when the energy profile has no interior maximum).
    n_iterations : int
        L-BFGS iterations taken.
    rms_gradient : float
        Root-mean-square of the DNEB gradient over all interior coordinates at the end.
    converged : bool
        Whether ``rms_gradient`` fell below the tolerance.
    """

    images: np.ndarray
    energies: np.ndarray
    candidate_indices: np.ndarray
    n_iterations: int
    rms_gradient: float
    converged: bool


def initial_band(x_start: np.ndarray, x_end: np.ndarray, n_interior: int) -> np.ndarray:
    """Linear interpolation with ``n_interior`` images between two fixed endpoints.

    Parameters
    ----------
    x_start, x_end : numpy.ndarray
        Endpoints.
    n_interior : int
        Interior images (>= 1).

    Returns
    -------
    numpy.ndarray, shape (n_interior + 2, ndim)
        Endpoints included.
    """
    t = np.linspace(0.0, 1.0, n_interior + 2)[:, None]
    return (1.0 - t) * x_start[None, :] + t * x_end[None, :]


def _tangents(images: np.ndarray, energies: np.ndarray) -> np.ndarray:
    """Improved tangents of the interior images (Henkelman & Jonsson 2000 [2]_)."""
    tp = images[2:] - images[1:-1]
    tm = images[1:-1] - images[:-2]
    e_plus, e_mid, e_minus = energies[2:], energies[1:-1], energies[:-2]
    up = (e_plus > e_mid) & (e_mid > e_minus)
    down = (e_plus < e_mid) & (e_mid < e_minus)
    d_plus = np.abs(e_plus - e_mid)
    d_minus = np.abs(e_minus - e_mid)
    d_max = np.maximum(d_plus, d_minus)[:, None]
    d_min = np.minimum(d_plus, d_minus)[:, None]
    plus_higher = (e_plus > e_minus)[:, None]
    mixed = np.where(plus_higher, tp * d_max + tm * d_min, tp * d_min + tm * d_max)
    # At an exact energy tie the weighted sum can vanish: fall back to the chord.
    tau = np.where(up[:, None], tp, np.where(down[:, None], tm, mixed))
    norms = np.linalg.norm(tau, axis=1)
    bad = norms <= 1e-300
    if np.any(bad):
        tau[bad] = (tp + tm)[bad]
        norms[bad] = np.linalg.norm(tau[bad], axis=1)
    return tau / np.maximum(norms, 1e-300)[:, None]


def band_gradient(
    potential: Potential, images: np.ndarray, energies_ends: tuple[float, float], spring: float
) -> tuple[np.ndarray, np.ndarray]:
    """Energies of all images and the DNEB gradient of the interior images.

    Parameters
    ----------
    potential : Potential
        The surface.
    images : ndarray, shape (M + 2, ndim)
        The band, endpoints included.
    energies_ends : (float, float)
        Energies of the two fixed endpoints.
    spring : float
        Spring constant ``k``.

    Returns
    -------
    energies : ndarray, shape (M + 2,)
    gradient : ndarray, shape (M, ndim)
        ``g_perp + g_spring_par + (g_spring_perp - (g_spring_perp . u) u)`` with ``u`` the unit
        perpendicular true gradient (Trygubenko & Wales 2004 [1]_, eq. 5).
    """
    m = images.shape[0] - 2
    energies = np.empty(m + 2)
    energies[0], energies[-1] = energies_ends
    true_grad = np.empty((m, images.shape[1]))
    for i in range(m):
        e, g = potential.energy_gradient(images[i + 1])
        energies[i + 1] = e
        true_grad[i] = g
    tau = _tangents(images, energies)
    tp = images[2:] - images[1:-1]
    tm = images[1:-1] - images[:-2]
    g_perp = true_grad - np.sum(true_grad * tau, axis=1)[:, None] * tau
    spring_grad = spring * (tm - tp)
    s_perp = spring_grad - np.sum(spring_grad * tau, axis=1)[:, None] * tau
    s_par = -spring * (np.linalg.norm(tp, axis=1) - np.linalg.norm(tm, axis=1))[:, None] * tau
    g_perp_norm = np.linalg.norm(g_perp, axis=1)
    safe = g_perp_norm > 1e-300
    u = np.zeros_like(g_perp)
    u[safe] = g_perp[safe] / g_perp_norm[safe, None]
    nudge = s_perp - np.sum(s_perp * u, axis=1)[:, None] * u
    nudge[~safe] = 0.0
    return energies, g_perp + s_par + nudge


def _candidates(energies: np.ndarray) -> np.ndarray:
    inner = np.arange(1, energies.size - 1)
    is_max = (energies[1:-1] > energies[:-2]) & (energies[1:-1] > energies[2:])
    found = inner[is_max]
    if found.size == 0 and inner.size:
        found = np.array([1 + int(np.argmax(energies[1:-1]))])
    return found.astype(int)


def doubly_nudged_elastic_band(
    potential: Potential,
    x_start: np.ndarray,
    x_end: np.ndarray,
    options: DNEBOptions | None = None,
    **overrides: Any,
) -> BandResult:
    """Optimise a doubly-nudged elastic band between two (fixed) minima.

    Parameters
    ----------
    potential : Potential
        Anything with ``energy``, ``energy_gradient`` and ``ndim``.
    x_start, x_end : ndarray, shape (ndim,)
        The fixed endpoints, usually two minima.
    options : DNEBOptions, optional
        The band's options (below); keywords ``**overrides`` (the same names) override them.
    n_images : int, optional
        Number of interior images. By default ``image_density`` times the endpoint distance,
        rounded, at least 3 and at most ``max_images``.
    image_density : float, default 10.0
        Interior images per unit of Euclidean distance between the endpoints.
    max_images : int, default 50
        Upper bound on the number of interior images chosen by density.
    spring : float, default 50.0
        Spring constant ``k`` (the reference range is 50-100).
    rms_tol : float, default 1e-3
        Stop when the RMS of the DNEB gradient over all interior coordinates is below this.
    max_iterations : int, default 500
        L-BFGS iterations at most. The band's maxima are only candidates, so an unconverged
        band is still returned (``converged=False``).
    max_step : float, default 0.1
        Largest displacement of any image in one step; the whole step is scaled down to it.
    memory : int, default 20
        L-BFGS memory.

    Returns
    -------
    BandResult

    Notes
    -----
    The DNEB gradient is not the gradient of any function, so there is no line search: the
    L-BFGS step is capped at ``max_step`` and the memory is reset whenever the step is not a
    descent direction for the band gradient. Each iteration costs one gradient per interior
    image.

    References
    ----------
    Trygubenko & Wales, J. Chem. Phys. 120, 2082 (2004); Henkelman & Jonsson,
    J. Chem. Phys. 113, 9978 (2000).
    """
    x_start = np.asarray(x_start, dtype=float).ravel()
    x_end = np.asarray(x_end, dtype=float).ravel()
    if x_start.shape != x_end.shape:
        raise InputError(
            f"band endpoints differ in shape: x_start {x_start.shape}, x_end {x_end.shape}"
        )
    opts = DNEBOptions.build(options, **overrides)
    n_images, image_density, max_images = opts.n_images, opts.image_density, opts.max_images
    spring, rms_tol, max_iterations = opts.spring, opts.rms_tol, opts.max_iterations
    max_step, memory = opts.max_step, opts.memory
    if n_images is None:
        distance = float(np.linalg.norm(x_end - x_start))
        n_images = int(np.clip(round(image_density * distance), 3, max(3, max_images)))
    if n_images < 1:
        raise InputError(f"n_images must be at least 1, got {n_images}")
    images = initial_band(x_start, x_end, n_images)
    ends = (float(potential.energy(x_start)), float(potential.energy(x_end)))
    lbfgs = LBFGSMemory(memory)
    energies, grad = band_gradient(potential, images, ends, spring)
    flat_g = grad.ravel()
    rms = float(np.sqrt(np.mean(flat_g**2)))
    iteration = 0
    while rms >= rms_tol and iteration < max_iterations:
        iteration += 1
        step = lbfgs.direction(flat_g) if lbfgs.s else None
        if step is None or float(step @ flat_g) >= 0.0:
            # Steepest descent, the fastest image moving a tenth of the step cap.
            lbfgs.reset()
            g_images = np.linalg.norm(grad.reshape(n_images, -1), axis=1).max()
            step = -flat_g * (0.1 * max_step / max(float(g_images), 1e-300))
        per_image = np.linalg.norm(step.reshape(n_images, -1), axis=1).max()
        if per_image > max_step:
            step *= max_step / per_image
        images[1:-1] += step.reshape(n_images, -1)
        energies, new_grad = band_gradient(potential, images, ends, spring)
        new_flat = new_grad.ravel()
        lbfgs.update(step, new_flat - flat_g)
        flat_g, grad = new_flat, new_grad
        rms = float(np.sqrt(np.mean(flat_g**2)))
    return BandResult(
        images=images,
        energies=energies,
        candidate_indices=_candidates(energies),
        n_iterations=iteration,
        rms_gradient=rms,
        converged=rms < rms_tol,
    )
