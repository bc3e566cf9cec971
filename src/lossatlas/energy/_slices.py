"""Loss slices: the loss on 1-D and 2-D grids through a point of weight space.

``L(x0 + a d1)`` and ``L(x0 + a d1 + b d2)`` for directions ``d1``, ``d2``: random Gaussian
directions with filter-wise normalisation (Li et al. 2018), or the top Hessian eigenvectors.
With filter normalisation each *filter* of a direction is rescaled to the norm of the same
filter of the weights, so that slices of networks whose weights differ in scale are comparable.
What a filter is depends on the potential (:func:`parameter_groups`):

* torch modules: each row ``p[i]`` of a parameter of two or more dimensions (a convolution's
  output channel, a linear layer's output unit); one-dimensional parameters are biases, and the
  parameters of normalisation layers (batch, layer, group, instance norm) are ``"norm"``;
* the tanh networks (flat vectors): the rows of ``W1`` (one hidden unit's incoming weights) and
  of ``W2`` (one output's weights), with ``b1`` and ``b2`` as biases;
* any other potential (Gaussian process, test surfaces): one filter holding every coordinate.

Biases and normalisation parameters get a zero direction by default, as in Li et al.

References
----------
H. Li, Z. Xu, G. Taylor, C. Studer and T. Goldstein, "Visualizing the loss landscape of neural
nets", NeurIPS (2018).
I. J. Goodfellow, O. Vinyals and A. M. Saxe, "Qualitatively characterizing neural network
optimization problems", ICLR (2015) (1-D linear interpolation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lossatlas.energy._batch import batch_energies, heldout_potential
from lossatlas.errors import InputError

__all__ = [
    "LossSlice",
    "ParameterGroup",
    "hessian_directions",
    "loss_slice",
    "normalise_direction",
    "parameter_groups",
    "random_directions",
]

Normalisation = Literal["filter", "layer", "none"]
_NORM_LAYERS = ("BatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm", "LocalResponseNorm")


@dataclass(frozen=True)
class ParameterGroup:
    """A named block of the flat coordinate vector.

    Attributes
    ----------
    name : str
        E.g. ``"W1"`` or a torch parameter name (``"0.weight"``).
    start, stop : int
        Its slice of the flat vector.
    shape : tuple of int
        Its shape; filters are the rows ``block[i]`` of a block of two or more dimensions.
    kind : {"weight", "bias", "norm"}
        Biases and normalisation parameters are left out of slices by default.
    """

    name: str
    start: int
    stop: int
    shape: tuple[int, ...]
    kind: str


def parameter_groups(potential: Any) -> list[ParameterGroup]:
    """The parameter blocks of ``potential`` and what each is (see the module docstring).

    Parameters
    ----------
    potential : Potential
        A torch module's potential, a tanh network, or any other potential.

    Returns
    -------
    list of ParameterGroup
        In flat-vector order, covering every coordinate once.
    """
    if hasattr(potential, "parameter_names") and hasattr(potential, "module"):
        norm_params = set()
        for mname, mod in potential.module.named_modules():
            if any(type(mod).__name__.startswith(n) for n in _NORM_LAYERS):
                for pname, _ in mod.named_parameters(recurse=False):
                    norm_params.add(f"{mname}.{pname}" if mname else pname)
        groups, start = [], 0
        for name, shape, numel in zip(
            potential.parameter_names, potential._shapes, potential._numels, strict=True
        ):
            kind = "norm" if name in norm_params else "bias" if len(shape) <= 1 else "weight"
            groups.append(ParameterGroup(name, start, start + numel, tuple(shape), kind))
            start += numel
        return groups
    if all(hasattr(potential, a) for a in ("_bounds", "_shapes", "n_hidden", "unpack")):
        b = potential._bounds
        names, kinds = ("W1", "b1", "W2", "b2"), ("weight", "bias", "weight", "bias")
        return [
            ParameterGroup(
                names[i], int(b[i]), int(b[i + 1]), tuple(potential._shapes[i]), kinds[i]
            )
            for i in range(4)
        ]
    n = int(potential.ndim)
    return [ParameterGroup("x", 0, n, (n,), "weight")]


def normalise_direction(
    direction: np.ndarray,
    x: np.ndarray,
    groups: Sequence[ParameterGroup],
    *,
    norm: Normalisation = "filter",
    ignore_biases: bool = True,
) -> np.ndarray:
    """Rescale ``direction`` to the weights ``x``, filter by filter, layer by layer, or not.

    ``"filter"``: ``d_f <- d_f ||x_f|| / ||d_f||`` for every filter ``f`` (row of a block of two
    or more dimensions; a one-dimensional weight block is one filter); ``"layer"``: the same per
    block; ``"none"``: unchanged. Biases and normalisation parameters are zeroed when
    ``ignore_biases``; otherwise, under ``"filter"``/``"layer"`` normalisation, their direction
    is set to the weights themselves (Li et al.'s code, ``d.copy_(w)``).

    Parameters
    ----------
    direction : numpy.ndarray
        A direction in weight space (e.g. Gaussian).
    x : numpy.ndarray
        The weights it is normalised to.
    groups : sequence of ParameterGroup
        The blocks of the flat vector (:func:`parameter_groups`).
    norm : {"filter", "layer", "none"}, default "filter"
        The normalisation.
    ignore_biases : bool, default True
        Zero the direction of biases and normalisation parameters.

    Returns
    -------
    numpy.ndarray
        The normalised direction (a new array).

    References
    ----------
    Li et al., "Visualizing the loss landscape of neural nets", NeurIPS (2018), Sec. 4.
    """
    if norm not in ("filter", "layer", "none"):
        raise InputError(f"norm must be 'filter', 'layer' or 'none', got {norm!r}")
    d = np.array(direction, dtype=float, copy=True).ravel()
    x = np.asarray(x, dtype=float).ravel()
    if d.shape != x.shape:
        raise InputError(f"direction has shape {d.shape}, the weights {x.shape}")
    for g in groups:
        dg, xg = d[g.start : g.stop], x[g.start : g.stop]
        if g.kind != "weight":
            if ignore_biases:
                dg[:] = 0.0
            elif norm != "none":
                dg[:] = xg
            continue
        if norm == "none":
            continue
        rows = (1, dg.size) if norm == "layer" or len(g.shape) < 2 else (g.shape[0], -1)
        D, W = dg.reshape(rows), xg.reshape(rows)
        D *= (np.linalg.norm(W, axis=1) / (np.linalg.norm(D, axis=1) + 1e-10))[:, None]
    return d


def random_directions(
    potential: Any,
    x: np.ndarray,
    *,
    n: int = 2,
    norm: Normalisation = "filter",
    ignore_biases: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """``n`` Gaussian random directions at ``x``, normalised by :func:`normalise_direction`.

    Parameters
    ----------
    potential : Potential
        Whose parameter blocks define the filters (:func:`parameter_groups`).
    x : numpy.ndarray
        The weights the directions are normalised to.
    n : int, default 2
        Number of directions.
    norm : {"filter", "layer", "none"}, default "filter"
        The normalisation.
    ignore_biases : bool, default True
        Zero the direction of biases and normalisation parameters.
    seed : int, default 0
        The same seed gives the same directions.

    Returns
    -------
    numpy.ndarray, shape (n, ndim)
    """
    x = np.asarray(x, dtype=float).ravel()
    rng = np.random.default_rng(seed)
    groups = parameter_groups(potential)
    return np.stack(
        [
            normalise_direction(
                rng.normal(size=x.size), x, groups, norm=norm, ignore_biases=ignore_biases
            )
            for _ in range(int(n))
        ]
    )


def hessian_directions(potential: Any, x: np.ndarray, *, n: int = 2, seed: int = 0) -> np.ndarray:
    """The ``n`` unit eigenvectors of the largest Hessian eigenvalues at ``x``, shape ``(n, ndim)``.

    By Lanczos on Hessian-vector products (:func:`lossatlas.energy._spectrum.extreme_eigenvalues`);
    each vector's sign is fixed so that its largest-magnitude entry is positive.

    Parameters
    ----------
    potential : Potential
    x : numpy.ndarray
        The point (e.g. a minimum).
    n : int, default 2
        Number of eigenvectors.
    seed : int, default 0
        Seed of the Lanczos start vector.

    Returns
    -------
    numpy.ndarray, shape (n, ndim)
        Unit eigenvectors, largest eigenvalue first.
    """
    from lossatlas.energy._spectrum import extreme_eigenvalues

    _, _, vt, _ = extreme_eigenvalues(potential, x, top=n, bottom=0, seed=seed, return_vectors=True)
    V = np.array(vt.T, copy=True)
    for row in V:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1.0
    return V


@dataclass(frozen=True)
class LossSlice:
    """The loss on a 1-D or 2-D grid through ``origin`` (plot data of the slice figures).

    Attributes
    ----------
    origin : numpy.ndarray
        The centre point ``x0``.
    directions : numpy.ndarray, shape (dims, ndim)
        ``d1`` (and ``d2``).
    coordinates : tuple of numpy.ndarray
        Grid values ``a`` (and ``b``) along each direction.
    train : numpy.ndarray
        Loss at ``x0 + a d1 (+ b d2)``: shape ``(len(a),)`` or ``(len(a), len(b))``
        (``train[i, j]`` at ``a[i]``, ``b[j]``).
    heldout : numpy.ndarray or None
        The same on the held-out split (:func:`heldout_potential`).
    kind : str
        How the directions were chosen: ``"random"``, ``"hessian"`` or ``"given"``.
    norm : str
        The normalisation of random directions (``"filter"``, ``"layer"``, ``"none"``).
    label : str
        What the origin is, e.g. ``"minimum 3"``.
    centre_energy : float
        The training loss at the origin.
    """

    origin: np.ndarray
    directions: np.ndarray
    coordinates: tuple[np.ndarray, ...]
    train: np.ndarray
    heldout: np.ndarray | None
    kind: str = "given"
    norm: str = "none"
    label: str = ""
    centre_energy: float = float("nan")

    @property
    def dims(self) -> int:
        """1 or 2."""
        return len(self.coordinates)

    def points(self) -> np.ndarray:
        """The grid's weight vectors, shape ``(grid size, ndim)``, in ``train.ravel()`` order."""
        mesh = np.meshgrid(*self.coordinates, indexing="ij")
        coef = np.stack([m.ravel() for m in mesh], axis=1)
        return self.origin[None, :] + coef @ self.directions

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Least-squares slice coordinates of weight vectors and their distance to the slice.

        Returns ``(coords (k, dims), residual (k,))``: where stored minima lie in the slice's
        plane (a residual near 0 means the point lies in it).
        """
        P = np.atleast_2d(np.asarray(points, dtype=float)) - self.origin[None, :]
        coef, *_ = np.linalg.lstsq(self.directions.T, P.T, rcond=None)
        residual = np.linalg.norm(P - (self.directions.T @ coef).T, axis=1)
        return coef.T, residual


def _grid(span: Any, points: int, name: str) -> np.ndarray:
    try:
        lo, hi = (-float(span), float(span)) if np.isscalar(span) else map(float, span)
    except (TypeError, ValueError):
        raise InputError(
            f"{name}: the span must be a number or (low, high), got {span!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise InputError(f"{name}: the span must be a positive number or (low, high), got {span!r}")
    if int(points) < 2:
        raise InputError(f"{name}: points must be >= 2, got {points}")
    return np.linspace(lo, hi, int(points))


def loss_slice(
    potential: Any,
    x: np.ndarray,
    *,
    dims: int = 2,
    directions: Literal["random", "hessian"] | np.ndarray = "random",
    span: float | Sequence[Any] = 1.0,
    points: int | Sequence[int] = 41,
    norm: Normalisation = "filter",
    ignore_biases: bool = True,
    heldout: bool = True,
    seed: int = 0,
    label: str = "",
) -> LossSlice:
    """The loss on a 1-D or 2-D grid of ``x + a d1 (+ b d2)``.

    Parameters
    ----------
    potential : Potential
    x : numpy.ndarray
        The centre (a stored minimum, or a torch module's weights).
    dims : {1, 2}, default 2
    directions : {"random", "hessian"} or array of shape (dims, ndim), default "random"
        Random filter-normalised directions (:func:`random_directions`), the top Hessian
        eigenvectors (:func:`hessian_directions`), or given directions (used as they are).
    span : float or sequence, default 1.0
        Grid half-width ``s`` (``a`` in ``[-s, s]``) of every direction, or one half-width or
        ``(low, high)`` pair per direction (a sequence of length ``dims``).
    points : int or sequence of int, default 41
        Grid points per direction.
    norm : {"filter", "layer", "none"}, default "filter"
        Normalisation of random directions.
    ignore_biases : bool, default True
        Zero the biases' and normalisation parameters' part of random directions.
    heldout : bool, default True
        Also evaluate the held-out loss when the potential has a test split.
    seed : int, default 0
        Seed of the random directions.
    label : str
        Stored on the result (e.g. ``"minimum 3"``).

    Returns
    -------
    LossSlice

    Notes
    -----
    ``prod(points)`` loss evaluations per split (:func:`batch_energies`: torch modules in
    vectorised blocks).

    References
    ----------
    Li et al., NeurIPS (2018); Goodfellow, Vinyals and Saxe, ICLR (2015).
    """
    if dims not in (1, 2):
        raise InputError(f"a slice has 1 or 2 dimensions, got {dims!r}")
    x = np.asarray(x, dtype=float).ravel()
    if x.shape != (potential.ndim,):
        raise InputError(f"the slice centre must have shape ({potential.ndim},), got {x.shape}")
    if isinstance(directions, str):
        if directions == "random":
            D = random_directions(
                potential, x, n=dims, norm=norm, ignore_biases=ignore_biases, seed=seed
            )
        elif directions == "hessian":
            D = hessian_directions(potential, x, n=dims, seed=seed)
        else:
            raise InputError(f"directions must be 'random' or 'hessian', got {directions!r}")
        kind = directions
    else:
        D = np.atleast_2d(np.asarray(directions, dtype=float))
        if D.shape != (dims, x.size):
            raise InputError(f"directions must have shape ({dims}, {x.size}), got {D.shape}")
        kind, norm = "given", "none"
    if not np.all(np.linalg.norm(D, axis=1) > 0):
        raise InputError("a slice direction is zero (e.g. only biases, which are ignored)")
    spans = list(span) if isinstance(span, Sequence) else [span] * dims
    counts = list(points) if isinstance(points, Sequence) else [points] * dims
    if len(counts) != dims or len(spans) != dims:
        raise InputError(
            f"span and points must be one value or {dims}, got span={span!r}, points={points!r}"
        )
    coords = tuple(
        _grid(s, p, f"slice axis {i + 1}")
        for i, (s, p) in enumerate(zip(spans, counts, strict=True))
    )
    shape = tuple(c.size for c in coords)
    result = LossSlice(x.copy(), D, coords, np.empty(shape), None, kind, norm, label)
    grid = result.points()
    train = batch_energies(potential, grid).reshape(shape)
    held = None
    if heldout:
        other = heldout_potential(potential)
        if other is not None:
            held = batch_energies(other, grid).reshape(shape)
    centre = float(potential.energy(x))
    return LossSlice(x.copy(), D, coords, train, held, kind, norm, label, centre)
