"""Negative log marginal likelihood of a Gaussian process with a Matérn kernel, as a potential.

``NLL(theta) = 0.5 y^T K^-1 y + 0.5 ln|K| + (n/2) ln 2 pi`` with
``K = sigma_f^2 k_nu(X, X; l) + (sigma_n^2 + jitter) I`` and the Matérn correlation

``k_nu(r) = 2^(1-nu) / Gamma(nu) z^nu K_nu(z)``, ``z = sqrt(2 nu) r / l``, ``k_nu(0) = 1``,

whose smoothness ``nu`` is a *continuous* parameter here (scipy's modified Bessel function
``K_nu``), not only the half-integers 1/2, 3/2, 5/2 that most libraries offer (closed forms used
as a fast path). The coordinates are the logarithms of the hyperparameters.

References
----------
C. E. Rasmussen and C. K. I. Williams, *Gaussian Processes for Machine Learning*, MIT Press
(2006), eqs. 2.30, 4.14, 5.9.
M. Niroomand, L. Dicks, E. Pyzer-Knapp and D. J. Wales, "Physics inspired approaches to
understanding Gaussian processes", arXiv:2305.10748 (2023).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.linalg.lapack import dpotri
from scipy.special import gammaln, kve

from lossatlas.energy.potentials._base import BasePotential
from lossatlas.errors import InputError

__all__ = ["GaussianProcessNLL", "matern_correlation"]

_HALF_INTEGERS = (0.5, 1.5, 2.5)
_LOG_2PI = float(np.log(2.0 * np.pi))
# Step in ln(nu) of the five-point difference for the only non-analytic gradient entry:
# truncation O(h^4) ~ 1e-12 and rounding ~ eps |NLL| / h, both far below L-BFGS's needs.
_NU_STEP = 1e-3
_MAX_JITTER_TRIES = 6
# kernel matrices kept per potential (by length scales and nu), for n up to _CACHE_MAX_N
_CACHE_SIZE = 4
_CACHE_MAX_N = 2000
# Bessel order from which Debye's expansion replaces scipy's kve.
_DEBYE_ORDER = 50.0


def _cho_inverse(factor: tuple[np.ndarray, bool]) -> np.ndarray:
    """``K^-1`` from its Cholesky factor (LAPACK ``potri``: half the work of a solve with I)."""
    c, lower = factor
    inv, info = dpotri(c, lower=int(lower))
    if info != 0:  # pragma: no cover - potrf succeeded, so potri does
        return cho_solve(factor, np.eye(c.shape[0]), check_finite=False)
    tri = np.tril(inv) if lower else np.triu(inv)
    return tri + tri.T - np.diag(np.diag(inv))


def _closed_form(nu: float, closed_form: bool) -> bool:
    return closed_form and any(nu == h for h in _HALF_INTEGERS)


def _debye_log_kv(order: float, z: np.ndarray) -> np.ndarray:
    """``ln K_order(z)`` by Debye's uniform asymptotic expansion (terms up to ``u_4``).

    ``K_nu(nu t) ~ sqrt(pi / 2 nu) e^(-nu eta) (1 + t^2)^(-1/4) sum_k (-1)^k u_k(p) / nu^k``,
    ``p = (1 + t^2)^(-1/2)``, ``eta = sqrt(1 + t^2) + ln(t / (1 + sqrt(1 + t^2)))``
    (Abramowitz & Stegun 9.7.8); relative error below 1e-10 for ``order >= 50``.
    """
    t = z / order
    s = np.sqrt(1.0 + t * t)
    p = 1.0 / s
    p2 = p * p
    u1 = p * (3.0 - 5.0 * p2) / 24.0
    u2 = p2 * (81.0 - 462.0 * p2 + 385.0 * p2**2) / 1152.0
    u3 = p**3 * (30375.0 - 369603.0 * p2 + 765765.0 * p2**2 - 425425.0 * p2**3) / 414720.0
    u4 = (
        p2**2
        * (
            4465125.0
            - 94121676.0 * p2
            + 349922430.0 * p2**2
            - 446185740.0 * p2**3
            + 185910725.0 * p2**4
        )
        / 39813120.0
    )
    series = 1.0 - u1 / order + u2 / order**2 - u3 / order**3 + u4 / order**4
    eta = s + np.log(t / (1.0 + s))
    return 0.5 * np.log(np.pi / (2.0 * order)) - order * eta - 0.5 * np.log(s) + np.log(series)


# ln z grid of the interpolation tables of ln K_order (step 1e-3: cubic Hermite error ~1e-11 z)
_TABLE_T0, _TABLE_T1, _TABLE_STEP = -12.0, 7.0, 1e-3
_TABLE_MIN_SIZE = 4096
_TABLES: dict[float, tuple[np.ndarray, np.ndarray]] = {}


def _kv_table(order: float) -> tuple[np.ndarray, np.ndarray]:
    """``ln K_order`` and its derivative in ``ln z`` on the table grid (cached by order)."""
    tab = _TABLES.get(order)
    if tab is None:
        t = np.arange(_TABLE_T0, _TABLE_T1 + 0.5 * _TABLE_STEP, _TABLE_STEP)
        z = np.exp(t)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            f = np.log(kve(order, z)) - z
            f_lower = np.log(kve(abs(order - 1.0), z)) - z
            # K'_o = -K_{o-1} - (o / z) K_o, so d ln K_o / d ln z = -z K_{o-1} / K_o - o
            d = -z * np.exp(f_lower - f) - order
        if len(_TABLES) >= 16:
            _TABLES.pop(next(iter(_TABLES)))
        tab = _TABLES[order] = (f, d)
    return tab


def _interpolated_log_kv(order: float, z: np.ndarray) -> np.ndarray:
    """``ln K_order(z)`` by cubic Hermite interpolation in ``ln z``; NaN where not covered."""
    f, d = _kv_table(order)
    with np.errstate(divide="ignore"):
        u = (np.log(z) - _TABLE_T0) / _TABLE_STEP
    out = np.full(z.shape, np.nan)
    inside = (u >= 0.0) & (u < f.size - 1)
    ui = u[inside]
    i = ui.astype(np.intp)
    s = ui - i
    s2, s3 = s * s, s * s * s
    with np.errstate(invalid="ignore"):
        out[inside] = (
            (2 * s3 - 3 * s2 + 1) * f[i]
            + (s3 - 2 * s2 + s) * _TABLE_STEP * d[i]
            + (-2 * s3 + 3 * s2) * f[i + 1]
            + (s3 - s2) * _TABLE_STEP * d[i + 1]
        )
    out[~np.isfinite(out)] = np.nan
    return out


def _log_kv(order: float, z: np.ndarray) -> np.ndarray:
    """``ln K_order(z)`` for ``z > 0`` without overflow where it matters.

    scipy's exponentially scaled ``kve`` below order 50; Debye's expansion from order 50 up
    (where ``K`` overflows at small ``z``) and wherever ``kve`` overflows at order >= 5. What
    remains infinite (tiny ``z`` at small order) is handled by the callers' ``z -> 0`` limits.
    Large arrays (kernel matrices) read a cubic Hermite table of ``ln K_order`` in ``ln z``
    (step 1e-3, derivatives from ``K'_o = -K_{o-1} - (o/z) K_o``; relative error about
    ``1e-11 z``, where ``K < e^-z`` is negligible next to the kernel's diagonal),
    which is tens of times cheaper than ``kve`` per entry; entries the table does not cover go
    to ``kve``.
    """
    order = abs(order)
    if order >= _DEBYE_ORDER:
        return _debye_log_kv(order, z)
    if z.size >= _TABLE_MIN_SIZE:
        out = _interpolated_log_kv(order, z)
        miss = np.isnan(out)
        if np.any(miss):
            out[miss] = _direct(order, z[miss])
        return out
    return _direct(order, z)


def _direct(order: float, z: np.ndarray) -> np.ndarray:
    """``ln K_order(z)`` from scipy's ``kve`` (Debye where it overflows at order >= 5)."""
    with np.errstate(divide="ignore", over="ignore"):
        out = np.log(kve(order, z)) - z
    bad = ~np.isfinite(out)
    if order >= 5.0 and np.any(bad):
        out[bad] = _debye_log_kv(order, z[bad])
    return out


def matern_correlation(z: np.ndarray, nu: float, *, closed_form: bool = True) -> np.ndarray:
    """Matérn correlation ``2^(1-nu)/Gamma(nu) z^nu K_nu(z)`` of the scaled distance ``z``.

    ``z = sqrt(2 nu) r / l`` (so ``z = r / l`` at ``nu = 1/2``). Equals 1 at ``z = 0``.

    Parameters
    ----------
    z : array_like
        Non-negative scaled distances.
    nu : float
        Smoothness, > 0.
    closed_form : bool, default True
        Use ``exp(-z)``, ``(1 + z) exp(-z)``, ``(1 + z + z^2/3) exp(-z)`` when ``nu`` is 1/2,
        3/2 or 5/2; otherwise (or when False) the general form, computed in log space (scipy's
        scaled ``kve``; Debye's expansion for orders >= 50) so that it neither under- nor
        overflows, also for large ``nu`` on the way to the squared-exponential limit.

    Returns
    -------
    numpy.ndarray
        Correlations in (0, 1], the shape of ``z``.
    """
    z = np.asarray(z, dtype=float)
    if _closed_form(nu, closed_form):
        e = np.exp(-z)
        if nu == 0.5:
            return e
        if nu == 1.5:
            return (1.0 + z) * e
        return (1.0 + z + z * z / 3.0) * e
    out = np.ones_like(z)
    pos = z > 0.0
    zp = z[pos]
    log_c = (1.0 - nu) * np.log(2.0) - gammaln(nu)
    with np.errstate(over="ignore", invalid="ignore"):
        vals = np.exp(log_c + nu * np.log(zp) + _log_kv(nu, zp))
    vals[~np.isfinite(vals)] = 1.0  # z -> 0 limit where K_nu(z) overflowed
    out[pos] = np.minimum(vals, 1.0)
    return out


def _matern_g(z: np.ndarray, nu: float, *, closed_form: bool = True) -> np.ndarray:
    """``G(z) = -f'(z) / z`` for ``z > 0`` (0 where ``z = 0``; it multiplies ``r^2`` there).

    From ``d/dz [z^nu K_nu(z)] = -z^nu K_{nu-1}(z)``: ``G = 2^(1-nu)/Gamma(nu) z^(nu-1) K_{nu-1}``.
    """
    z = np.asarray(z, dtype=float)
    out = np.zeros_like(z)
    pos = z > 0.0
    zp = z[pos]
    if _closed_form(nu, closed_form):
        e = np.exp(-zp)
        if nu == 0.5:
            out[pos] = e / zp
        elif nu == 1.5:
            out[pos] = e
        else:
            out[pos] = (1.0 + zp) * e / 3.0
        return out
    log_c = (1.0 - nu) * np.log(2.0) - gammaln(nu)
    with np.errstate(over="ignore", invalid="ignore"):
        vals = np.exp(log_c + (nu - 1.0) * np.log(zp) + _log_kv(nu - 1.0, zp))
    bad = ~np.isfinite(vals)
    if np.any(bad):
        # z -> 0: G -> 1 / (2 (nu - 1)) for nu > 1; for nu <= 1 it diverges slower than r^2 -> 0
        vals[bad] = 0.5 / (nu - 1.0) if nu > 1.0 else 0.0
    out[pos] = vals
    return out


class GaussianProcessNLL(BasePotential):
    """GP negative log marginal likelihood over log hyperparameters (Matérn, continuous nu).

    Coordinates ``theta`` (all natural logarithms), in this order::

        [ln l_1 (, ..., ln l_d if ard), ln sigma_f^2, ln sigma_n^2 (, ln nu if optimise_nu)]

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Training inputs.
    y : ndarray, shape (n,)
        Training targets.
    nu : float, default 1.5
        Matérn smoothness when it is not a coordinate (and the centre of the start box when it
        is).
    ard : bool, default False
        One length-scale per input dimension (automatic relevance determination).
    optimise_nu : bool, default False
        Make ``ln nu`` the last coordinate.
    normalise_y : bool, default True
        Subtract the mean and divide by the standard deviation of ``y`` first (as scikit-learn's
        ``normalize_y=True``; the likelihood is then that of the normalised targets).
    jitter : float, default 1e-8
        Added to the diagonal of ``K``. If the Cholesky factorisation still fails, the jitter is
        multiplied by 10 up to six times (a documented discontinuity, only met at extreme
        hyperparameters).

    Notes
    -----
    Gradient: ``dNLL/dtheta_k = 0.5 tr((K^-1 - alpha alpha^T) dK/dtheta_k)``, ``alpha = K^-1 y``
    (Rasmussen & Williams eq. 5.9), analytic for the length-scales, signal and noise variance
    (``dK/d ln l_j = sigma_f^2 2 nu G(z) (x_j - x'_j)^2 / l_j^2`` with ``G = -k'(z)/z``); the
    ``ln nu`` entry is a five-point central difference of the NLL (step 1e-3 in ``ln nu``,
    error ~1e-12), since derivatives of ``K_nu`` in its order have no convenient closed form.
    The Hessian is the central difference of this gradient (:class:`BasePotential`'s
    fallback). Cost ``O(n^3)`` per evaluation.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        nu: float = 1.5,
        ard: bool = False,
        optimise_nu: bool = False,
        normalise_y: bool = True,
        jitter: float = 1e-8,
    ) -> None:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        y = np.asarray(y, dtype=float).ravel()
        if X.ndim != 2 or X.shape[0] < 2 or X.shape[0] != y.shape[0]:
            raise InputError(
                f"GaussianProcessNLL: X must be (n, d) with n >= 2 and y of length n; got X "
                f"{X.shape}, y {y.shape}"
            )
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise InputError("GaussianProcessNLL: X or y contains NaN or infinite values")
        if not nu > 0:
            raise InputError(f"GaussianProcessNLL: nu must be positive, got {nu!r}")
        if not jitter >= 0:
            raise InputError(f"GaussianProcessNLL: jitter must be >= 0, got {jitter!r}")
        self.X = X
        self.y_raw = y
        self.nu = float(nu)
        self.ard = bool(ard)
        self.optimise_nu = bool(optimise_nu)
        self.normalise_y = bool(normalise_y)
        self.jitter = float(jitter)
        if normalise_y:
            std = float(np.std(y))
            self.y = (y - np.mean(y)) / (std if std > 0 else 1.0)
        else:
            self.y = y
        self.n_length_scales = X.shape[1] if ard else 1
        self.ndim = self.n_length_scales + 2 + int(self.optimise_nu)
        # squared differences per input dimension, (d, n, n)
        self._diff2 = (X.T[:, :, None] - X.T[:, None, :]) ** 2
        self._upper = np.triu_indices(X.shape[0], k=1)
        self._cache: dict[tuple[bytes, float], tuple[np.ndarray, np.ndarray, np.ndarray | None]]
        self._cache = {}

    def with_nu(self, nu: float) -> GaussianProcessNLL:
        """The same data and options with another fixed smoothness ``nu``."""
        return GaussianProcessNLL(
            self.X,
            self.y_raw,
            nu=nu,
            ard=self.ard,
            optimise_nu=self.optimise_nu,
            normalise_y=self.normalise_y,
            jitter=self.jitter,
        )

    def hyperparameters(self, theta: np.ndarray) -> dict[str, float | np.ndarray]:
        """Map coordinates to ``{"length_scale", "signal_variance", "noise_variance", "nu"}``."""
        theta = self._check(theta)
        m = self.n_length_scales
        ls = np.exp(theta[:m])
        return {
            "length_scale": ls if self.ard else float(ls[0]),
            "signal_variance": float(np.exp(theta[m])),
            "noise_variance": float(np.exp(theta[m + 1])),
            "nu": float(np.exp(theta[m + 2])) if self.optimise_nu else self.nu,
        }

    def _check(self, theta: np.ndarray) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.ndim,):
            raise InputError(
                f"GaussianProcessNLL: coordinates must have shape ({self.ndim},), got {theta.shape}"
            )
        return theta

    def _nll(
        self, theta: np.ndarray, nu: float, *, with_gradient: bool
    ) -> tuple[float, np.ndarray | None]:
        m = self.n_length_scales
        ls = np.exp(theta[:m])
        sf2 = float(np.exp(theta[m]))
        sn2 = float(np.exp(theta[m + 1]))
        scaled = self._diff2 / (ls[:, None, None] ** 2 if self.ard else ls[0] ** 2)
        r2, corr, g_corr = self._kernel(ls, nu, scaled, with_gradient)
        Kf = sf2 * corr
        n = self.y.size
        jitter = self.jitter
        for _ in range(_MAX_JITTER_TRIES + 1):
            K = Kf + (sn2 + jitter) * np.eye(n)
            try:
                factor = cho_factor(K, lower=True, check_finite=False)
                break
            except LinAlgError:
                jitter = max(10.0 * jitter, 1e-10)
        else:
            raise InputError(
                f"GaussianProcessNLL: kernel matrix not positive definite at theta={theta!r}"
            )
        alpha = cho_solve(factor, self.y, check_finite=False)
        nll = 0.5 * float(self.y @ alpha) + float(np.sum(np.log(np.diag(factor[0]))))
        nll += 0.5 * n * _LOG_2PI
        if not with_gradient:
            return nll, None
        W = _cho_inverse(factor) - np.outer(alpha, alpha)
        grad = np.empty(self.ndim)
        assert g_corr is not None
        G = sf2 * 2.0 * nu * g_corr
        if self.ard:
            grad[:m] = 0.5 * np.einsum("ij,dij->d", W * G, scaled)
        else:
            grad[0] = 0.5 * float(np.sum(W * G * r2))
        grad[m] = 0.5 * float(np.sum(W * Kf))
        grad[m + 1] = 0.5 * sn2 * float(np.trace(W))
        return nll, grad

    def _kernel(
        self, ls: np.ndarray, nu: float, scaled: np.ndarray, with_g: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``r^2``, the Matern correlation and ``G`` of the current length scales.

        The Bessel functions of a non-half-integer ``nu`` dominate an evaluation, so they are
        computed on the upper triangle only (the matrices are symmetric) and the last few
        results are kept by ``(length scales, nu)``: the finite-difference Hessian moves the
        signal and noise variances, which leave the correlation unchanged, and the sweeps
        evaluate the same point several times.
        """
        key = (ls.tobytes(), float(nu))
        hit = self._cache.get(key)
        if hit is not None and (hit[2] is not None or not with_g):
            return hit
        n = self.y.size
        r2 = scaled.sum(0)
        iu = self._upper
        zu = np.sqrt(2.0 * nu * r2[iu])

        def full(values: np.ndarray, diagonal: float) -> np.ndarray:
            out = np.empty((n, n))
            out[iu] = values
            out.T[iu] = values
            np.fill_diagonal(out, diagonal)
            return out

        corr = full(matern_correlation(zu, nu), 1.0)
        g = full(_matern_g(zu, nu), 0.0) if with_g else None
        if n <= _CACHE_MAX_N:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = (r2, corr, g)
        return r2, corr, g

    def energy(self, x: np.ndarray) -> float:
        theta = self._check(x)
        return self._nll(theta, self._nu_of(theta), with_gradient=False)[0]

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        theta = self._check(x)
        nll, grad = self._nll(theta, self._nu_of(theta), with_gradient=True)
        assert grad is not None
        if self.optimise_nu:
            f = [
                self._nll(theta, float(np.exp(theta[-1] + k * _NU_STEP)), with_gradient=False)[0]
                for k in (-2, -1, 1, 2)
            ]
            grad[-1] = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * _NU_STEP)
        return nll, grad

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.energy_gradient(x)[1]

    def _nu_of(self, theta: np.ndarray) -> float:
        return float(np.exp(theta[-1])) if self.optimise_nu else self.nu

    def random_coordinates(self, rng: np.random.Generator) -> np.ndarray:
        """Start point: ``ln l, ln sigma_f^2 ~ U[-2, 2]``, ``ln sigma_n^2 ~ U[-6, 0]``,
        ``ln nu ~ U[ln nu - 1, ln nu + 1]``."""
        m = self.n_length_scales
        parts = [rng.uniform(-2.0, 2.0, size=m + 1), rng.uniform(-6.0, 0.0, size=1)]
        if self.optimise_nu:
            parts.append(rng.uniform(np.log(self.nu) - 1.0, np.log(self.nu) + 1.0, size=1))
        return np.concatenate(parts)
