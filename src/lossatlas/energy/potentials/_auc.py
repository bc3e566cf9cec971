"""The approximate-AUC (appAUC) loss of a tanh MLP, as a potential.

The area under the ROC curve equals the Wilcoxon-Mann-Whitney statistic
``(1/(N+ N-)) sum_{i in +} sum_{j in -} [s_i > s_j]``; replacing the step by a sigmoid of
steepness ``beta`` gives a smooth loss

``appAUC(W) = 1 - (1/(N+ N-)) sum_{i in +} sum_{j in -} sigma(beta (s_i - s_j)) + lam ||W||^2``

with ``s`` the positive-class score of the network (the same tanh network with two softmax
outputs as :class:`~lossatlas.energy.potentials._mlp.MLPCrossEntropy`). As ``beta`` grows,
``appAUC - lam ||W||^2`` tends to ``1 - AUC`` (ties counted one half).

References
----------
L. Yan, R. Dodier, M. C. Mozer and R. Wolniewicz, "Optimizing classifier performance via an
approximation to the Wilcoxon-Mann-Whitney statistic", ICML (2003).
M. Niroomand, C. Cafolla, J. Morgan and D. J. Wales, "Characterising the area under the curve
loss function landscape", MLST 3, 015019 (2022).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from lossatlas.energy.potentials._mlp import TanhNetworkPotential, check_network_inputs
from lossatlas.errors import InputError

__all__ = ["MLPAppAUC"]

_SCORES = ("probability", "logit")
_SMOOTHINGS = ("sigmoid",)


class MLPAppAUC(TanhNetworkPotential):
    """appAUC loss of a single-hidden-layer tanh network (binary classification).

    Parameters
    ----------
    X : ndarray, shape (N, Nin)
        Training inputs.
    y : ndarray, shape (N,)
        Binary labels in ``{0, 1}`` (1 is the positive class); both must occur.
    n_hidden : int
        Hidden units.
    lam : float, default 1e-5
        L2 penalty on all weights including biases.
    beta : float, default 100.0
        Steepness of the sigmoid (the reference default; values up to 500 were used).
    score : {"probability", "logit"}, default "probability"
        Positive-class score ``s``: the softmax probability ``p_1``, or the log-odds
        ``z_1 - z_0`` (which of the two the reference used is not certain, so both exist).
    smoothing : {"sigmoid"}, default "sigmoid"
        The smoothing of the step function; only the sigmoid is implemented.

    Notes
    -----
    The gradient is back-propagated from ``dL/ds``; the Hessian is exact (assembled from the
    output Jacobian with Pearlmutter's R-operator of ``dL/dZ``), as for the cross-entropy
    network. Cost per evaluation is ``O(N+ N-)`` for the
    pair sum on top of the network passes.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        n_hidden: int,
        lam: float = 1e-5,
        beta: float = 100.0,
        score: Literal["probability", "logit"] = "probability",
        smoothing: str = "sigmoid",
    ) -> None:
        X, y = check_network_inputs(X, y, n_hidden, lam, "MLPAppAUC")
        labels = np.unique(y)
        if not np.array_equal(labels, [0, 1]):
            raise InputError(
                f"MLPAppAUC: appAUC needs binary labels 0/1 with both present, got labels "
                f"{labels.tolist()} (use load_energy_dataset(..., binary=True))"
            )
        if score not in _SCORES:
            raise InputError(f"MLPAppAUC: score must be one of {_SCORES}, got {score!r}")
        if smoothing not in _SMOOTHINGS:
            raise InputError(
                f"MLPAppAUC: smoothing must be one of {_SMOOTHINGS}, got {smoothing!r}"
            )
        if not beta > 0:
            raise InputError(f"MLPAppAUC: beta must be positive, got {beta!r}")
        self.y = y.astype(int)
        self.beta = float(beta)
        self.score = score
        self.smoothing = smoothing
        self._pos = np.flatnonzero(self.y == 1)
        self._neg = np.flatnonzero(self.y == 0)
        self._n_pairs = self._pos.size * self._neg.size
        self._init_network(X, n_hidden, 2, lam)

    def scores(self, x: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Positive-class scores ``s`` of the network with weights ``x`` on ``X``."""
        from scipy.special import softmax

        Z = self.output_scores(x, X)
        if self.score == "logit":
            return Z[:, 1] - Z[:, 0]
        return softmax(Z, axis=1)[:, 1]

    def _output_loss(self, Z: np.ndarray) -> tuple[float, np.ndarray, Any]:
        from scipy.special import expit, softmax  # scipy.special only once a loss is computed

        if self.score == "logit":
            s = Z[:, 1] - Z[:, 0]
            q = np.ones(Z.shape[0])
            dq = np.zeros(Z.shape[0])
        else:
            P = softmax(Z, axis=1)
            s = P[:, 1]
            q = P[:, 0] * P[:, 1]  # ds/dz1 = -ds/dz0
            dq = P[:, 0] - P[:, 1]  # R{q} = q (p0 - p1) (Rz1 - Rz0)
        D = self.beta * (s[self._pos, None] - s[None, self._neg])
        sig = expit(D)
        d1 = sig * (1.0 - sig)  # sigma'
        d2 = d1 * (1.0 - 2.0 * sig)  # sigma''
        m = self._n_pairs
        loss = 1.0 - float(sig.sum()) / m
        gs = np.zeros(Z.shape[0])
        gs[self._pos] = -self.beta * d1.sum(1) / m
        gs[self._neg] = self.beta * d1.sum(0) / m
        dZ = np.stack([-gs * q, gs * q], axis=1)
        return loss, dZ, (q, dq, gs, d2)

    def _output_r(self, cache: Any, RZ: np.ndarray) -> np.ndarray:
        q, dq, gs, d2 = cache
        dz = RZ[..., 1] - RZ[..., 0]  # (K, N)
        Rs = q * dz
        Rq = q * dq * dz
        c = self.beta**2 / self._n_pairs
        Rs_pos = Rs[:, self._pos]
        Rs_neg = Rs[:, self._neg]
        Rgs = np.zeros_like(Rs)
        # d(gs_i)/d(s) for a positive i: -c sum_j sigma''_ij (Rs_i - Rs_j); negative j: +c sum_i.
        Rgs[:, self._pos] = -c * (Rs_pos * d2.sum(1) - Rs_neg @ d2.T)
        Rgs[:, self._neg] = c * (Rs_pos @ d2 - Rs_neg * d2.sum(0))
        Rd = Rgs * q + gs * Rq
        return np.stack([-Rd, Rd], axis=-1)
