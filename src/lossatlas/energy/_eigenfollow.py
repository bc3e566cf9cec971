"""Lowest Hessian eigenvector and hybrid eigenvector-following to index-1 saddles.

Hybrid eigenvector-following (Munro & Wales 1999) alternates an uphill eigenvector-following
step along the lowest Hessian eigenvector with a few L-BFGS steps that minimise the energy in
the tangent space orthogonal to it, until the RMS gradient is below tolerance and the Hessian
has exactly one negative eigenvalue. The lowest eigenvector comes from Lanczos iterations on
Hessian-vector products (ARPACK through :func:`scipy.sparse.linalg.eigsh`), from Rayleigh-Ritz
minimisation of ``v.Hv / v.v`` (which needs only Hessian-vector products, themselves finite
differences of gradients for gradient-only potentials) or from the dense Hessian.

References
----------
.. [1] L. J. Munro and D. J. Wales, "Defect migration in crystalline silicon", Phys. Rev. B 59,
   3969 (1999).
.. [2] Y. Kumeda, D. J. Wales and L. J. Munro, "Transition states and rearrangement mechanisms
   from hybrid eigenvector-following and density functional theory", Chem. Phys. Lett. 341,
   185 (2001).
.. [3] C. Lanczos, J. Res. Natl. Bur. Stand. 45, 255 (1950).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import scipy.optimize
import scipy.sparse.linalg

from lossatlas.energy._lbfgs import LBFGSMemory
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = ["SaddleResult", "lowest_eigenvector", "hybrid_eigenvector_following", "count_negative"]

EigenMethod = Literal["lanczos", "rayleigh-ritz", "exact"]


@dataclass(frozen=True)
class SaddleResult:
    """An (attempted) transition state.

    Attributes
    ----------
    x : ndarray
        Coordinates.
    energy : float
    eigenvalue : float
        Lowest Hessian eigenvalue (negative at an index-1 saddle).
    eigenvector : ndarray
        Unit eigenvector of ``eigenvalue``: the reaction coordinate.
    rms_gradient : float
    converged : bool
        RMS gradient below tolerance and exactly one negative Hessian eigenvalue.
    n_iterations : int
        Eigenvector-following cycles taken.
    n_negative : int or None
        Negative eigenvalues of the full Hessian at ``x`` (None where it was not computed).
    """

    x: np.ndarray
    energy: float
    eigenvalue: float
    eigenvector: np.ndarray
    rms_gradient: float
    converged: bool
    n_iterations: int
    n_negative: int | None = None


def _rms(g: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(g))))


def _start_vector(ndim: int, v0: np.ndarray | None, seed: int) -> np.ndarray:
    if v0 is not None:
        v = np.asarray(v0, dtype=float).ravel().copy()
        if v.shape != (ndim,):
            raise InputError(f"v0 has shape {v.shape}, expected ({ndim},)")
        if np.linalg.norm(v) > 0:
            return v / np.linalg.norm(v)
    v = np.random.default_rng(seed).standard_normal(ndim)
    return v / np.linalg.norm(v)


def _dense_from_products(potential: Potential, x: np.ndarray) -> np.ndarray:
    n = x.size
    h = np.column_stack([potential.hessian_vector_product(x, e) for e in np.eye(n)])
    return 0.5 * (h + h.T)


def _eigh_symmetric(potential: Potential, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors of the symmetrised dense Hessian at ``x``."""
    h = np.asarray(potential.hessian(x), dtype=float)
    return np.linalg.eigh(0.5 * (h + h.T))


def _lowest_dense(h: np.ndarray) -> tuple[float, np.ndarray]:
    w, v = np.linalg.eigh(0.5 * (h + h.T))
    return float(w[0]), v[:, 0]


def _rayleigh_ritz(
    potential: Potential, x: np.ndarray, v: np.ndarray, tol: float, max_iterations: int
) -> tuple[float, np.ndarray]:
    def quotient(u: np.ndarray) -> tuple[float, np.ndarray]:
        norm2 = float(u @ u)
        hu = potential.hessian_vector_product(x, u)
        mu = float(u @ hu) / norm2
        return mu, 2.0 * (hu - mu * u) / norm2

    mu0, grad0 = quotient(v)
    scale = max(float(np.linalg.norm(potential.hessian_vector_product(x, v))), 1e-300)
    res = scipy.optimize.minimize(
        quotient,
        v,
        jac=True,
        method="L-BFGS-B",
        options={
            "maxiter": max_iterations,
            "gtol": tol * scale,
            "ftol": 1e-16,
            "maxcor": 30,
        },
    )
    u = res.x / np.linalg.norm(res.x)
    mu = float(u @ potential.hessian_vector_product(x, u))
    if mu > mu0:  # the optimiser can only help; keep the start otherwise
        return mu0, v / np.linalg.norm(v)
    return mu, u


def lowest_eigenvector(
    potential: Potential,
    x: np.ndarray,
    *,
    method: EigenMethod = "lanczos",
    v0: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iterations: int = 2000,
    seed: int = 0,
) -> tuple[float, np.ndarray]:
    """Lowest eigenvalue and unit eigenvector of the Hessian at ``x``.

    Parameters
    ----------
    potential : Potential
        Needs ``hessian_vector_product`` (``"lanczos"``, ``"rayleigh-ritz"``) or ``hessian``
        (``"exact"``).
    x : ndarray, shape (ndim,)
    method : {"lanczos", "rayleigh-ritz", "exact"}, default "lanczos"
        ``"lanczos"``: implicitly restarted Lanczos (ARPACK ``eigsh``, smallest algebraic) on a
        :class:`~scipy.sparse.linalg.LinearOperator` of Hessian-vector products; below 3
        dimensions the Hessian is assembled from products instead. ``"rayleigh-ritz"``:
        minimise the Rayleigh quotient ``v.Hv / v.v`` with L-BFGS (Munro & Wales 1999).
        ``"exact"``: :func:`numpy.linalg.eigh` of the dense Hessian.
    v0 : ndarray, optional
        Starting vector (the previous eigenvector during eigenvector-following); a seeded
        random vector otherwise.
    tol : float, default 1e-10
        Relative tolerance of the iterative methods.
    max_iterations : int, default 2000
    seed : int, default 0
        Seed of the random starting vector.

    Returns
    -------
    eigenvalue : float
    eigenvector : ndarray, shape (ndim,)
        Unit norm; its sign is arbitrary.
    """
    x = np.asarray(x, dtype=float).ravel()
    n = x.size
    if method == "exact":
        return _lowest_dense(np.asarray(potential.hessian(x), dtype=float))
    v = _start_vector(n, v0, seed)
    if method == "lanczos":
        if n < 3:
            return _lowest_dense(_dense_from_products(potential, x))
        op = scipy.sparse.linalg.LinearOperator(
            (n, n), matvec=lambda u: potential.hessian_vector_product(x, np.ravel(u)), dtype=float
        )
        try:
            w, vecs = scipy.sparse.linalg.eigsh(
                op, k=1, which="SA", v0=v, tol=tol, maxiter=max_iterations
            )
        except scipy.sparse.linalg.ArpackNoConvergence as exc:
            if len(exc.eigenvalues) == 0:
                return _rayleigh_ritz(potential, x, v, tol, max_iterations)
            w, vecs = exc.eigenvalues, exc.eigenvectors
        u = vecs[:, 0] / np.linalg.norm(vecs[:, 0])
        return float(w[0]), u
    if method == "rayleigh-ritz":
        return _rayleigh_ritz(potential, x, v, tol, max_iterations)
    raise InputError(
        f"unknown eigenvector method {method!r}: use 'lanczos', 'rayleigh-ritz' or 'exact'"
    )


def count_negative(eigenvalues: np.ndarray, *, rel_tol: float = 1e-10) -> int:
    """Eigenvalues below ``-rel_tol * max|eigenvalue|`` (round-off counts as zero).

    Parameters
    ----------
    eigenvalues : numpy.ndarray
        Hessian eigenvalues.
    rel_tol : float, default 1e-10
        Relative threshold below which a negative value is round-off.

    Returns
    -------
    int
        The Hessian index.
    """
    w = np.asarray(eigenvalues, dtype=float)
    scale = max(float(np.abs(w).max(initial=0.0)), 1e-300)
    return int(np.sum(w < -rel_tol * scale))


def _tangent_minimise(
    potential: Potential,
    x: np.ndarray,
    v: np.ndarray,
    lbfgs: LBFGSMemory,
    *,
    steps: int,
    max_step: float,
    gtol: float,
) -> np.ndarray:
    """A few L-BFGS steps minimising the energy in the hyperplane orthogonal to ``v``.

    The step is projected on the hyperplane, capped at ``max_step`` and shortened by
    safeguarded quadratic interpolation until the energy does not rise (Armijo-free
    backtracking; the memory is reused across eigenvector-following cycles).
    """
    e, g = potential.energy_gradient(x)
    gp = g - (g @ v) * v
    for _ in range(steps):
        gnorm = float(np.linalg.norm(gp))
        if _rms(gp) < gtol or gnorm == 0.0:
            break
        d = lbfgs.direction(gp) if lbfgs.s else -gp * (0.1 * max_step / gnorm)
        d -= (d @ v) * v
        if float(d @ gp) >= 0.0:
            lbfgs.reset()
            d = -gp * (0.1 * max_step / gnorm)
        norm = float(np.linalg.norm(d))
        if norm > max_step:
            d *= max_step / norm
        slope = float(gp @ d)
        for _shorten in range(40):
            e_new, g_new = potential.energy_gradient(x + d)
            rise = e_new - e
            if rise <= 1e-14 * max(1.0, abs(e)):
                break
            # Minimiser of the quadratic through e, slope and e_new, kept in [0.01, 0.5].
            alpha = -slope / (2.0 * (rise - slope))
            alpha = float(np.clip(alpha, 0.01, 0.5))
            d *= alpha
            slope *= alpha
        else:
            break
        gp_new = g_new - (g_new @ v) * v
        lbfgs.update(d, gp_new - gp)
        x, e, gp = x + d, e_new, gp_new
    return x


def _newton_polish_saddle(
    potential: Potential,
    x: np.ndarray,
    lam: float,
    v: np.ndarray,
    n_negative: int | None,
    tol: float,
    max_step: float,
    max_steps: int = 20,
) -> tuple[np.ndarray, float, np.ndarray, int | None]:
    """Newton-Raphson on all modes from a converged index-1 saddle, keeping the index."""
    _, g = potential.energy_gradient(x)
    rms = _rms(g)
    for _ in range(max_steps):
        if rms < tol:
            break
        w, vecs = np.linalg.eigh(np.asarray(potential.hessian(x), dtype=float))
        keep = np.abs(w) > 1e-12 * max(float(np.abs(w).max()), 1e-300)
        dx = -vecs[:, keep] @ ((vecs[:, keep].T @ g) / w[keep])
        norm = float(np.linalg.norm(dx))
        if norm > max_step:
            dx *= max_step / norm
        x_new = x + dx
        _, g_new = potential.energy_gradient(x_new)
        w_new, vecs_new = np.linalg.eigh(np.asarray(potential.hessian(x_new), dtype=float))
        if _rms(g_new) >= rms or count_negative(w_new) != 1:
            break
        x, g, rms = x_new, g_new, _rms(g_new)
        lam, v, n_negative = float(w_new[0]), vecs_new[:, 0], 1
    return x, lam, v, n_negative


def hybrid_eigenvector_following(
    potential: Potential,
    x0: np.ndarray,
    *,
    rms_tol: float = 1e-6,
    max_iterations: int = 500,
    trust_radius: float = 0.1,
    tangent_steps: int = 10,
    eigenvector_method: EigenMethod | Literal["auto"] = "auto",
    v0: np.ndarray | None = None,
    check_hessian_max_ndim: int = 2000,
    max_convex_iterations: int = 100,
    polish_tol: float | None = None,
    dense_max_ndim: int = 256,
    newton_factor: float = 10.0,
    seed: int = 0,
) -> SaddleResult:
    """Refine a guess to an index-1 saddle by hybrid eigenvector-following.

    Each cycle (Munro & Wales 1999; Kumeda, Wales & Munro 2001):

    1. find the lowest Hessian eigenpair ``(lambda, v)`` (warm-started from the last ``v``);
    2. stop if the RMS gradient is below ``rms_tol``, ``lambda < 0`` and the full Hessian (when
       ``ndim <= check_hessian_max_ndim``) has exactly one negative eigenvalue;
    3. step uphill along ``v`` by the eigenvector-following step
       ``h = 2F / (|lambda| (1 + sqrt(1 + 4 F^2 / lambda^2)))`` with ``F = g.v``, capped at the
       trust radius (a full trust-radius step uphill while ``lambda > 0``);
    4. take up to ``tangent_steps`` L-BFGS steps minimising the energy in the hyperplane
       orthogonal to ``v`` (projected gradient, backtracking on the energy).

    The trust radius is halved whenever an uphill step lowers the energy, and grows back by
    a factor 1.2 up to ``trust_radius`` after a good step. When the stopping test is met at a
    higher-index saddle, the point is displaced along the second-lowest eigenvector so the
    tangent-space minimisation can leave it.

    Parameters
    ----------
    potential : Potential
    x0 : ndarray
        Starting guess, e.g. a DNEB candidate.
    rms_tol : float, default 1e-6
    max_iterations : int, default 500
    trust_radius : float, default 0.1
        Largest uphill step and largest tangent-space step (coordinate units).
    tangent_steps : int, default 10
    eigenvector_method : {"auto", "lanczos", "rayleigh-ritz", "exact"}, default "auto"
        See :func:`lowest_eigenvector`. ``"auto"`` is ``"exact"`` for potentials with an exact
        Hessian (``exact_hessian``) of at most ``dense_max_ndim`` coordinates and
        ``"lanczos"`` otherwise. On network losses the lowest eigenvalues cluster near the
        L2 constant, where Lanczos needs hundreds of restarts; the dense Hessian (``ndim``
        R-operator products in blocks) and one ``eigh`` cost a fixed, much smaller amount,
        and the same decomposition then confirms the index.
    v0 : ndarray, optional
        Guess of the reaction coordinate (e.g. the band tangent).
    check_hessian_max_ndim : int, default 2000
        Confirm the index with the dense Hessian at or below this dimension.
    max_convex_iterations : int, default 100
        Give up after this many cycles in a row with no negative eigenvalue (the walk is
        stuck in a convex region, e.g. along a flat direction of a network).
    dense_max_ndim : int, default 256
        Largest dimension at which ``"auto"`` uses the dense Hessian.
    newton_factor : float, default 10.0
        With the dense Hessian, once the RMS gradient is below ``newton_factor * rms_tol`` at
        Hessian index 1, take up to 5 Newton-Raphson steps on all modes (kept only while the
        gradient falls and the index stays 1): on network losses eigenvector-following
        otherwise creeps for hundreds of cycles along the nearly flat directions. 0 disables.
    polish_tol : float, optional
        After convergence, Newton-Raphson steps with the dense Hessian
        (``dx = -sum_i (v_i.g / lambda_i) v_i``, all modes, capped at the trust radius) until
        the RMS gradient is below this; kept only while the index stays 1. Loss surfaces of
        networks have nearly flat directions (eigenvalues ~ the L2 constant) along which an RMS
        gradient of 1e-6 still leaves the position uncertain; the reference stores stationary
        points at 1e-9.
    seed : int, default 0

    Returns
    -------
    SaddleResult
        ``converged`` is False when ``max_iterations`` ran out or the walk stayed
        ``max_convex_iterations`` cycles without negative curvature.

    References
    ----------
    Munro & Wales, Phys. Rev. B 59, 3969 (1999).
    """
    x = np.asarray(x0, dtype=float).ravel().copy()
    n = x.size
    if trust_radius <= 0:
        raise InputError(f"trust_radius must be positive, got {trust_radius}")
    if eigenvector_method == "auto":
        small = n <= dense_max_ndim and bool(getattr(potential, "exact_hessian", False))
        eigenvector_method = "exact" if small else "lanczos"
    v = _start_vector(n, v0, seed)
    convex_run = 0
    step_cap = trust_radius
    tangent_memory = LBFGSMemory(10)
    n_negative: int | None = None
    converged = False
    lam = np.nan
    e, g = potential.energy_gradient(x)
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - reported below
        dense = None
        if eigenvector_method == "exact":
            dense = _eigh_symmetric(potential, x)
            lam, v = float(dense[0][0]), dense[1][:, 0]
        else:
            lam, v = lowest_eigenvector(potential, x, method=eigenvector_method, v0=v, seed=seed)
        e, g = potential.energy_gradient(x)
        rms = _rms(g)
        if dense is not None and lam < 0 and rms_tol <= rms < newton_factor * rms_tol:
            # close to an index-1 saddle: Newton-Raphson on all modes converges in a few steps
            # where eigenvector-following creeps along the nearly flat directions
            if count_negative(dense[0]) == 1:
                x_new, lam_new, v_new, _ = _newton_polish_saddle(
                    potential, x, lam, v, 1, 0.5 * rms_tol, step_cap, max_steps=5
                )
                if x_new is not x:
                    x, lam, v, dense = x_new, lam_new, v_new, None
                    e, g = potential.energy_gradient(x)
                    rms = _rms(g)
        if rms < rms_tol and lam < 0:
            if n > check_hessian_max_ndim:
                converged = True
                break
            if dense is None:
                dense = _eigh_symmetric(potential, x)
            w, vecs = dense
            n_negative = count_negative(w)
            if n_negative == 1:
                converged = True
                break
            if n_negative > 1:
                x = x + step_cap * vecs[:, 1]
                continue
        convex_run = convex_run + 1 if lam >= 0 else 0
        if convex_run > max_convex_iterations:
            break
        force = float(g @ v)
        if lam < 0:
            h = 2.0 * force / (abs(lam) * (1.0 + np.sqrt(1.0 + 4.0 * (force / lam) ** 2)))
            h = float(np.clip(h, -step_cap, step_cap))
        else:
            h = step_cap if force >= 0 else -step_cap
        x_up = x + h * v
        e_up = float(potential.energy(x_up))
        if lam < 0 and e_up < e:
            step_cap = max(0.5 * step_cap, 1e-6 * trust_radius)
        elif abs(h) >= step_cap:
            step_cap = min(1.2 * step_cap, trust_radius)
        x = _tangent_minimise(
            potential,
            x_up,
            v,
            tangent_memory,
            steps=tangent_steps,
            max_step=step_cap,
            gtol=0.1 * rms_tol,
        )
    if converged and polish_tol is not None and n <= check_hessian_max_ndim:
        x, lam, v, n_negative = _newton_polish_saddle(
            potential, x, lam, v, n_negative, polish_tol, trust_radius
        )
    if not converged:
        lam, v = lowest_eigenvector(potential, x, method=eigenvector_method, v0=v, seed=seed)
    e, g = potential.energy_gradient(x)
    return SaddleResult(
        x=x,
        energy=float(e),
        eigenvalue=float(lam),
        eigenvector=v,
        rms_gradient=_rms(g),
        converged=converged,
        n_iterations=iteration,
        n_negative=n_negative,
    )
