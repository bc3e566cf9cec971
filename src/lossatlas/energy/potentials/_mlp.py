"""Single-hidden-layer tanh network with softmax output: cross-entropy loss as a potential.

The network of the reference energy-landscape studies of neural networks:
``y_c = b2_c + sum_j W2_cj tanh(b1_j + sum_k W1_jk x_k)``, ``p = softmax(y)``. Its weights are
the coordinates of the landscape.

Flat layout of the coordinate vector ``x`` (``ndim = Nh (Nin + Nout) + Nh + Nout``)::

    x = [ W1.ravel()  (Nh*Nin, row-major: hidden unit j's incoming weights are contiguous),
          b1          (Nh),
          W2.ravel()  (Nout*Nh, row-major: output c's weights are contiguous),
          b2          (Nout) ]

Exact second derivatives come from Pearlmutter's R-operator: ``H v`` is computed by a forward and
a backward pass of the directional derivative, exact up to round-off. The full Hessian is
assembled from the output Jacobian ``J = dZ/dx`` in a few matrix products,
``J^T (d^2 L/dZ^2) J`` plus the second-order terms of the tanh layer (which couple only the
weights of one hidden unit) and ``2 lam I``; networks too large for ``J`` in memory apply the
R-operator to all unit vectors instead (vectorised in chunks).

References
----------
B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Comput. 6, 147-160 (1994).
M. Pavlovskaia, K. Tu and S.-C. Zhu, "Mapping the energy landscape of non-convex optimization
problems", EMMCVPR (2015).
L. Dicks and D. J. Wales, "Elucidating the solution structure of the K-means cost function using
energy landscape theory", and M. Niroomand, C. Morgan, D. Wales et al., "On the capacity and
superposition of minima in neural network loss function landscapes", MLST 3, 025004 (2022).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lossatlas.energy.potentials._base import BasePotential
from lossatlas.errors import InputError

__all__ = ["TanhNetworkPotential", "MLPCrossEntropy"]

# Elements per intermediate array in the batched R-operator (bounds memory of hessian()).
_R_CHUNK_ELEMENTS = 4_000_000
# Elements per block of the unit-to-unit difference array in symmetry_distance().
_SYM_CHUNK_ELEMENTS = 2_000_000


def _row_max(Z: np.ndarray) -> np.ndarray:
    """Row maxima of a 2-D array; a loop over few columns beats ``max(axis=1)`` on thin arrays."""
    if Z.shape[1] > 16:
        return Z.max(axis=1)
    m = Z[:, 0].copy()
    for c in range(1, Z.shape[1]):
        np.maximum(m, Z[:, c], out=m)
    return m


def _log_softmax_rows(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable row-wise log-softmax: ``log p = (z - max z) - log sum exp(z - max z)``.

    Returns ``(log_p, e, s)`` with ``e = exp(z - max z)`` and ``s`` its row sums (shape
    ``(n, 1)``), so ``p = e / s`` needs no further exponential. Plain numpy with the row sums as
    a matrix-vector product: ``scipy.special.log_softmax`` does the same arithmetic with several
    times the call overhead on the small arrays of a network potential.
    """
    shifted = Z - _row_max(Z)[:, None]
    e = np.exp(shifted)
    s = (e @ np.ones(Z.shape[1]))[:, None]
    shifted -= np.log(s)
    return shifted, e, s


def check_network_inputs(
    X: np.ndarray, y: np.ndarray, n_hidden: int, lam: float, who: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validated training inputs ``X`` (float, finite, non-empty 2-D), labels ``y`` (one per
    row of ``X``, dtype unchanged) and network options of the MLP potential ``who``."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InputError(f"{who}: X must be a non-empty 2-D array, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise InputError(f"{who}: X contains NaN or infinite values")
    if int(n_hidden) < 1:
        raise InputError(f"{who}: n_hidden must be >= 1, got {n_hidden!r}")
    if not lam >= 0:
        raise InputError(f"{who}: lam must be >= 0, got {lam!r}")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise InputError(f"{who}: y must have shape ({X.shape[0]},), got {y.shape}")
    return X, y


class TanhNetworkPotential(BasePotential):
    """Shared network part of the MLP potentials (layout, passes, symmetries, R-operator).

    Subclasses define the loss on the output layer through ``_output_loss`` (loss and
    ``dL/dZ``) and ``_output_r`` (the R-operator of ``dL/dZ``). The regulariser
    ``lam ||x||^2`` runs over *all* weights, biases included, as in the reference work.
    """

    exact_hessian = True

    def _init_network(self, X: np.ndarray, n_hidden: int, n_out: int, lam: float) -> None:
        self.X = X
        self.n_samples, self.n_in = X.shape
        self.n_hidden = int(n_hidden)
        self.n_out = int(n_out)
        self.lam = float(lam)
        nh, ni, no = self.n_hidden, self.n_in, self.n_out
        self.ndim = nh * (ni + no) + nh + no
        self._sizes = (nh * ni, nh, no * nh, no)
        self._shapes = ((nh, ni), (nh,), (no, nh), (no,))
        self._bounds = np.cumsum((0, *self._sizes))
        self._ones_samples = np.ones(self.n_samples)

    # ---- layout -------------------------------------------------------------------------
    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Split a flat vector into ``(W1 (Nh, Nin), b1 (Nh,), W2 (Nout, Nh), b2 (Nout,))``."""
        x = np.asarray(x, dtype=float)
        if x.shape[-1] != self.ndim:
            raise InputError(
                f"{type(self).__name__}: coordinates must have length {self.ndim}, "
                f"got shape {x.shape}"
            )
        lead = x.shape[:-1]
        b = self._bounds
        parts = [x[..., b[i] : b[i + 1]].reshape(*lead, *self._shapes[i]) for i in range(4)]
        return parts[0], parts[1], parts[2], parts[3]

    def pack(self, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`unpack`."""
        return np.concatenate([np.ravel(W1), np.ravel(b1), np.ravel(W2), np.ravel(b2)])

    def _views(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`unpack` of one flat float vector: plain views, no checks beyond the length."""
        if x.shape != (self.ndim,):
            return self.unpack(x)
        b = self._bounds
        (nh, ni), _, (no, _), _ = self._shapes
        return (
            x[: b[1]].reshape(nh, ni),
            x[b[1] : b[2]],
            x[b[2] : b[3]].reshape(no, nh),
            x[b[3] :],
        )

    # ---- passes -------------------------------------------------------------------------
    def _forward(self, x: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        W1, b1, W2, b2 = self._views(x)
        H = X @ W1.T
        H += b1
        np.tanh(H, out=H)
        Z = H @ W2.T
        Z += b2
        return H, Z

    def _backward(self, x: np.ndarray, H: np.ndarray, dZ: np.ndarray) -> np.ndarray:
        """Back-propagation into one preallocated gradient vector (plus the L2 term)."""
        _, _, W2, _ = self._views(x)
        b = self._bounds
        (nh, ni), _, (no, _), _ = self._shapes
        dA = dZ @ W2
        S = H * H
        np.subtract(1.0, S, out=S)
        dA *= S
        g = np.empty(self.ndim)
        ones = self._ones_samples
        np.matmul(dA.T, self.X, out=g[: b[1]].reshape(nh, ni))
        np.matmul(ones, dA, out=g[b[1] : b[2]])  # column sums as a (BLAS) product
        np.matmul(dZ.T, H, out=g[b[2] : b[3]].reshape(no, nh))
        np.matmul(ones, dZ, out=g[b[3] :])
        if self.lam:
            g += (2.0 * self.lam) * x
        return g

    def output_scores(self, x: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Output-layer values ``Z`` (logits), shape ``(n, Nout)``."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        return self._forward(np.asarray(x, dtype=float), X)[1]

    def predict_proba(self, x: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Softmax class probabilities of the network with weights ``x`` on inputs ``X``."""
        from scipy.special import softmax

        return softmax(self.output_scores(x, X), axis=1)

    def predict(self, x: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Most probable class per row of ``X``."""
        return np.argmax(self.output_scores(x, X), axis=1)

    # ---- potential ----------------------------------------------------------------------
    def _output_loss(self, Z: np.ndarray) -> tuple[float, np.ndarray, Any]:
        raise NotImplementedError

    def _output_r(self, cache: Any, RZ: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _output_energy(self, Z: np.ndarray) -> float:
        """Loss of the output layer alone (subclasses may skip the derivative work)."""
        return float(self._output_loss(Z)[0])

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        x = np.asarray(x, dtype=float)
        H, Z = self._forward(x, self.X)
        loss, dZ, _ = self._output_loss(Z)
        return float(loss + self.lam * np.dot(x, x)), self._backward(x, H, dZ)

    def energy(self, x: np.ndarray) -> float:
        x = np.asarray(x, dtype=float)
        _, Z = self._forward(x, self.X)
        return float(self._output_energy(Z) + self.lam * np.dot(x, x))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.energy_gradient(x)[1]

    def _r_operator(self, x: np.ndarray, V: np.ndarray) -> np.ndarray:
        """Exact ``H V^T`` rows for directions ``V`` of shape ``(K, ndim)`` (Pearlmutter)."""
        W1, _, W2, _ = self.unpack(x)
        H, Z = self._forward(x, self.X)
        _, dZ, cache = self._output_loss(Z)
        dH = dZ @ W2
        S = 1.0 - H * H
        V1, c1, V2, c2 = self.unpack(V)
        RA = np.matmul(self.X, V1.transpose(0, 2, 1)) + c1[:, None, :]
        RH = S * RA
        RZ = RH @ W2.T + np.matmul(H, V2.transpose(0, 2, 1)) + c2[:, None, :]
        RdZ = self._output_r(cache, RZ)
        RgW2 = np.matmul(RdZ.transpose(0, 2, 1), H) + np.matmul(dZ.T, RH)
        RdH = RdZ @ W2 + np.matmul(dZ, V2)
        RdA = RdH * S - 2.0 * dH * H * RH
        RgW1 = np.matmul(RdA.transpose(0, 2, 1), self.X)
        K = V.shape[0]
        out = np.concatenate(
            [
                RgW1.reshape(K, -1),
                RdA.sum(1),
                RgW2.reshape(K, -1),
                RdZ.sum(1),
            ],
            axis=1,
        )
        return out + 2.0 * self.lam * V

    def hessian_vector_product(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Exact ``H(x) v`` by the R-operator (about the cost of two gradients)."""
        v = np.asarray(v, dtype=float).reshape(1, -1)
        return self._r_operator(np.asarray(x, dtype=float), v)[0]

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Exact Hessian (symmetrised).

        Assembled from a few matrix products (:meth:`_dense_hessian`) when the output
        Jacobian ``(ndim, N, Nout)`` fits in ``_R_CHUNK_ELEMENTS`` elements, else the
        R-operator applied to every unit vector, in chunks (:meth:`_r_operator_hessian`).
        Both are exact up to round-off.
        """
        x = np.asarray(x, dtype=float)
        if self.ndim * self.n_samples * self.n_out <= _R_CHUNK_ELEMENTS:
            return self._dense_hessian(x)
        return self._r_operator_hessian(x)

    def _r_operator_hessian(self, x: np.ndarray) -> np.ndarray:
        """Exact Hessian: the R-operator applied to every unit vector (in chunks)."""
        width = max(self.n_hidden, self.n_out, self.n_in, 1)
        chunk = max(1, _R_CHUNK_ELEMENTS // (self.n_samples * width))
        eye = np.eye(self.ndim)
        rows = [self._r_operator(x, eye[i : i + chunk]) for i in range(0, self.ndim, chunk)]
        hess = np.concatenate(rows, axis=0)
        return 0.5 * (hess + hess.T)

    def _output_jacobian(self, x: np.ndarray, H: np.ndarray) -> np.ndarray:
        """``J[k, n, c] = dZ_nc / dx_k`` of the network outputs, shape ``(ndim, N, Nout)``.

        ``dZ_nc/dW1_jk = W2_cj (1 - h_nj^2) x_nk``, ``dZ_nc/db1_j = W2_cj (1 - h_nj^2)``,
        ``dZ_nc/dW2_c'j = delta_cc' h_nj``, ``dZ_nc/db2_c' = delta_cc'``, in the flat layout.
        """
        _, _, W2, _ = self._views(x)
        nh, ni, no, n = self.n_hidden, self.n_in, self.n_out, self.n_samples
        b = self._bounds
        J = np.zeros((self.ndim, n, no))
        # A[j, n, c] = W2_cj (1 - h_nj^2): the output change per unit of hidden pre-activation
        A = (1.0 - H * H).T[:, :, None] * W2.T[:, None, :]
        J[: b[1]].reshape(nh, ni, n, no)[...] = A[:, None, :, :] * self.X.T[None, :, :, None]
        J[b[1] : b[2]] = A
        w2 = J[b[2] : b[3]].reshape(no, nh, n, no)
        b2 = J[b[3] :]
        for c in range(no):
            w2[c, :, :, c] = H.T
            b2[c, :, c] = 1.0
        return J

    def _dense_hessian(self, x: np.ndarray) -> np.ndarray:
        """Exact dense Hessian from the output Jacobian ``J`` (a few matrix products).

        ``nabla^2 L = J^T (d^2 L / dZ^2) J + sum_nc (dL/dZ_nc) nabla^2 Z_nc + 2 lam I``: the
        first (Gauss-Newton) term applies the subclass's R-operator of ``dL/dZ``
        (``_output_r``) to the columns of ``J``; the second is non-zero only within each
        hidden unit's incoming weights, ``sum_n (dL/dh_nj) (-2 h_nj (1 - h_nj^2)) a_nk a_nk'``
        with ``a = (x, 1)``, and between them and the unit's outgoing weights,
        ``d^2 Z_nc / dW1_jk dW2_cj = (1 - h_nj^2) a_nk``. The same terms as
        :meth:`_r_operator` applied to every unit vector, without the per-direction passes.
        """
        _, _, W2, _ = self._views(x)
        H, Z = self._forward(x, self.X)
        _, dZ, cache = self._output_loss(Z)
        J = self._output_jacobian(x, H)
        P = self.ndim
        RdZ = self._output_r(cache, J)
        hess = RdZ.reshape(P, -1) @ J.reshape(P, -1).T
        S = 1.0 - H * H
        aug = np.concatenate([self.X, np.ones((self.n_samples, 1))], axis=1)  # a = (x, 1)
        in_idx, out_idx = self._unit_indices()
        # within unit j's incoming weights: sum_n T_nj a_nk a_nl
        T = -2.0 * (dZ @ W2) * H * S
        within = np.matmul((T[:, :, None] * aug[:, None, :]).transpose(1, 2, 0), aug)
        hess[in_idx[:, :, None], in_idx[:, None, :]] += within
        # incoming weight (j, k) with outgoing weight (c, j): sum_n dZ_nc S_nj a_nk
        nh, na = in_idx.shape
        cross = (dZ.T @ (S[:, :, None] * aug[:, None, :]).reshape(self.n_samples, -1)).reshape(
            self.n_out, nh, na
        )
        rows, cols = out_idx[:, :, None], in_idx[None, :, :]
        hess[rows, cols] += cross
        hess[cols, rows] += cross
        hess = 0.5 * (hess + hess.T)
        hess[np.diag_indices(P)] += 2.0 * self.lam
        return hess

    def _unit_indices(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat indices of each hidden unit's incoming weights and bias ``(Nh, Nin + 1)`` and of
        the outgoing weights ``(Nout, Nh)``."""
        nh, ni, no = self.n_hidden, self.n_in, self.n_out
        b = self._bounds
        in_idx = np.empty((nh, ni + 1), dtype=np.intp)
        in_idx[:, :ni] = np.arange(nh * ni).reshape(nh, ni)
        in_idx[:, ni] = b[1] + np.arange(nh)
        out_idx = b[2] + np.arange(no * nh).reshape(no, nh)
        return in_idx, out_idx

    # ---- symmetries ---------------------------------------------------------------------
    def permute_hidden(self, x: np.ndarray, perm: np.ndarray) -> np.ndarray:
        """Reorder the hidden units: new unit ``j`` is old unit ``perm[j]`` (same loss)."""
        W1, b1, W2, b2 = self.unpack(x)
        perm = np.asarray(perm, dtype=int)
        if sorted(perm.tolist()) != list(range(self.n_hidden)):
            raise InputError(f"permute_hidden: {perm!r} is not a permutation of the hidden units")
        return self.pack(W1[perm], b1[perm], W2[:, perm], b2)

    def flip_hidden(self, x: np.ndarray, j: int) -> np.ndarray:
        """Flip the signs of every weight into and out of hidden unit ``j`` (tanh is odd)."""
        W1, b1, W2, b2 = (np.array(p, copy=True) for p in self.unpack(x))
        W1[j] *= -1.0
        b1[j] *= -1.0
        W2[:, j] *= -1.0
        return self.pack(W1, b1, W2, b2)

    def canonicalise(self, x: np.ndarray) -> np.ndarray:
        """Canonical representative of ``x`` among its ``Nh! 2^Nh`` symmetric copies.

        Each hidden unit is flipped so that the first non-zero entry of its weight sequence
        ``(b1_j, W1_j1, ..., W1_jNin, W2_1j, ..., W2_Noutj)`` is positive (its bias in all but
        degenerate cases); the units are then sorted by that sequence in descending
        lexicographic order. The loss is unchanged.
        """
        W1, b1, W2, b2 = self.unpack(x)
        units = np.concatenate([b1[:, None], W1, W2.T], axis=1)
        first = np.argmax(units != 0.0, axis=1)
        sign = np.sign(units[np.arange(self.n_hidden), first])
        sign[sign == 0.0] = 1.0
        units = units * sign[:, None]
        order = np.lexsort(-units.T[::-1])
        units = units[order]
        ni = self.n_in
        return self.pack(units[:, 1 : 1 + ni], units[:, 0], units[:, 1 + ni :].T, b2)

    def _units(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-hidden-unit weight rows ``[W1_j, b1_j, W2_{:,j}]`` (Nh, Nin + 1 + Nout) and b2."""
        W1, b1, W2, b2 = self.unpack(x)
        return np.concatenate([W1, b1[:, None], W2.T], axis=1), b2

    def _symmetry_assignment(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """Optimal hidden-unit matching of ``y`` onto ``x``: ``(perm, signs, distance)``.

        Unit ``i`` of ``x`` is matched with unit ``perm[i]`` of ``y`` multiplied by
        ``signs[i]`` (+1 or -1); ``distance`` is ``||x - (perm, signs) y||``, the exact
        minimum over the ``Nh! 2^Nh`` copies (see :meth:`symmetry_distance`).
        """
        ux, bx = self._units(np.asarray(x, dtype=float))
        uy, by = self._units(np.asarray(y, dtype=float))
        nh, width = ux.shape
        cost = np.empty((nh, nh))
        flip = np.empty((nh, nh), dtype=bool)
        step = max(1, _SYM_CHUNK_ELEMENTS // max(1, nh * width))
        for i in range(0, nh, step):
            block = ux[i : i + step, None, :]
            same = np.square(block - uy[None, :, :]).sum(axis=2)
            flipped = np.square(block + uy[None, :, :]).sum(axis=2)
            np.less(flipped, same, out=flip[i : i + step])
            np.minimum(same, flipped, out=cost[i : i + step])
        from scipy.optimize import linear_sum_assignment  # not imported before it is needed

        rows, cols = linear_sum_assignment(cost)
        perm = np.empty(nh, dtype=int)
        perm[rows] = cols
        signs = np.where(flip[rows, cols], -1.0, 1.0)[np.argsort(rows)]
        total = float(cost[rows, cols].sum()) + float(np.square(bx - by).sum())
        return perm, signs, float(np.sqrt(total))

    def symmetry_distance(self, x: np.ndarray, y: np.ndarray) -> float:
        """Smallest Euclidean distance between ``x`` and any symmetric copy of ``y``.

        ``d(x, y) = min over permutations pi and signs s of ||x - (pi, s) y||`` over the
        ``Nh! 2^Nh`` hidden-unit permutations and tanh sign flips, computed exactly: the
        squared distance splits into a sum over hidden units plus the output biases'
        ``||b2_x - b2_y||^2`` (which no symmetry moves), the best sign of each pairing is
        independent of the others, so with the cost ``C_ij = min(||u_i - v_j||^2,
        ||u_i + v_j||^2)`` between unit ``i`` of ``x`` and unit ``j`` of ``y`` (a unit's
        weights: incoming weights, bias, outgoing weights) the minimum over permutations is a
        linear assignment problem, solved by the Hungarian (Jonker-Volgenant) algorithm of
        :func:`scipy.optimize.linear_sum_assignment` in ``O(Nh^3)``.

        Unlike the distance between canonicalised copies it does not depend on a
        tie-breaking order, so two copies of one minimum with nearly equal biases (or a bias
        near zero) are close however the canonical ordering falls. It is a metric on the
        symmetry orbits (symmetric, triangle inequality) and never exceeds
        ``||canonicalise(x) - canonicalise(y)||``.

        References
        ----------
        H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Res. Logist. Q.
        2, 83-97 (1955); R. Jonker and A. Volgenant, Computing 38, 325-340 (1987).
        """
        return self._symmetry_assignment(x, y)[2]

    # the distance is a minimum of Euclidean distances over isometries (permutations, sign
    # flips), so it never falls below | |x| - |y| |: the database uses that as a cheap filter
    symmetry_distance.norm_bounded = True  # type: ignore[attr-defined]

    def align(self, reference: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The symmetric copy of ``x`` nearest ``reference``.

        Applies the hidden-unit permutation and tanh sign flips of the optimal assignment of
        :meth:`symmetry_distance`, so ``||reference - align(reference, x)|| ==
        symmetry_distance(reference, x)`` (up to round-off) and the loss is unchanged. Used to
        start an elastic band between two minima from the closest pair of their copies.
        """
        perm, signs, _ = self._symmetry_assignment(reference, x)
        W1, b1, W2, b2 = self.unpack(x)
        return self.pack(
            W1[perm] * signs[:, None], b1[perm] * signs, W2[:, perm] * signs[None, :], b2
        )


class MLPCrossEntropy(TanhNetworkPotential):
    """Mean cross-entropy of a tanh MLP classifier plus an L2 penalty, as a potential.

    ``L(W) = -(1/N) sum_d ln p_{c(d)}(x_d) + lam ||W||^2``, where ``||W||^2`` sums over *all*
    weights including biases, as in the reference work. See the module docstring for the
    network and the flat layout. Gradient by back-propagation; Hessian-vector products exact
    by Pearlmutter's R-operator, the Hessian assembled from the output Jacobian.

    Parameters
    ----------
    X : ndarray, shape (N, Nin)
        Training inputs (normalised beforehand, e.g. by
        :func:`lossatlas.energy._data.load_energy_dataset`).
    y : ndarray, shape (N,)
        Class labels, integers in ``[0, n_classes)``.
    n_hidden : int
        Hidden units ``Nh``.
    lam : float, default 1e-5
        L2 regularisation constant (the reference setting).
    n_classes : int, optional
        Number of outputs ``Nout``; default ``max(y) + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> pot = MLPCrossEntropy(np.zeros((4, 2)), np.array([0, 1, 0, 1]), n_hidden=3)
    >>> pot.ndim
    17
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        n_hidden: int,
        lam: float = 1e-5,
        n_classes: int | None = None,
    ) -> None:
        X, y = check_network_inputs(X, y, n_hidden, lam, "MLPCrossEntropy")
        if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
            raise InputError("MLPCrossEntropy: y must hold integer class labels")
        y = y.astype(int)
        n_out = int(y.max()) + 1 if n_classes is None else int(n_classes)
        if n_out < 2 or y.min() < 0 or y.max() >= n_out:
            raise InputError(
                f"MLPCrossEntropy: labels must lie in [0, n_classes) with n_classes >= 2; "
                f"got labels {np.unique(y).tolist()} and n_classes={n_classes!r}"
            )
        self.y = y
        self._onehot = np.eye(n_out)[y]
        self._init_network(X, n_hidden, n_out, lam)

    def _output_loss(self, Z: np.ndarray) -> tuple[float, np.ndarray, Any]:
        logp, P, s = _log_softmax_rows(Z)
        P /= s
        n = Z.shape[0]
        loss = -float(np.vdot(logp, self._onehot)) / n
        dZ = P - self._onehot
        dZ /= n
        return loss, dZ, P

    def _output_energy(self, Z: np.ndarray) -> float:
        logp = _log_softmax_rows(Z)[0]
        return -float(np.vdot(logp, self._onehot)) / Z.shape[0]

    def _output_r(self, cache: Any, RZ: np.ndarray) -> np.ndarray:
        P = cache
        PR = P * RZ
        # the row sums as a matrix-vector product: a reduction over a short last axis is slow
        PR -= P * (PR @ np.ones(P.shape[1]))[..., None]
        PR /= P.shape[0]
        return PR
