"""Interpolation between two minima: the straight line against the minimum-energy path.

The loss along the straight line between two minima (Goodfellow et al. 2015) usually rises to a
barrier far above the one the landscape really imposes: the path through the transition states
that join them (the minimum - transition state - minimum chain stored in the database, or a
fresh doubly-nudged elastic band when none is stored) goes around it. :func:`line_and_path`
returns both profiles with their barriers, the data of the line-vs-path figure.

For potentials with symmetries (hidden-unit permutations and sign flips of the tanh networks),
each point of the chain is first replaced by its symmetric copy nearest the previous point
(``potential.align``), as the elastic-band searches do, so the line joins the closest copies.

References
----------
I. J. Goodfellow, O. Vinyals and A. M. Saxe, "Qualitatively characterizing neural network
optimization problems", ICLR (2015).
F. Draxler, K. Veschgini, M. Salmhofer and F. A. Hamprecht, "Essentially no barriers in neural
network energy landscape", ICML (2018).
S. A. Trygubenko and D. J. Wales, "A doubly nudged elastic band method for finding transition
states", J. Chem. Phys. 120, 2082 (2004).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lossatlas.energy._batch import batch_energies, heldout_potential
from lossatlas.errors import InputError

__all__ = ["InterpolationProfile", "align_chain", "line_and_path", "line_and_path_from_database"]


@dataclass(frozen=True)
class InterpolationProfile:
    """Loss along the straight line and along the path between two minima.

    Attributes
    ----------
    line_t : numpy.ndarray
        Fraction ``t`` in ``[0, 1]`` along the line ``(1 - t) x_a + t x_b``.
    line_energies : numpy.ndarray
        Training loss on the line.
    path_s : numpy.ndarray
        Fraction of the path's Euclidean arc length, in ``[0, 1]``.
    path_energies : numpy.ndarray
        Training loss along the path.
    knots_s : numpy.ndarray
        Arc-length fraction of each chain point (minima and transition states).
    knots_energy : numpy.ndarray
        Their energies.
    knots_kind : tuple of str
        ``"minimum"`` or ``"ts"`` per chain point; for a fresh band, ``"image"`` per interior
        image and ``"candidate"`` for the highest (a transition-state candidate).
    method : {"stored", "dneb", "given"}
        Where the path comes from.
    chain : tuple of int
        Database ids along the chain, minima and transition states alternating (empty when not
        from a database).
    line_heldout, path_heldout : numpy.ndarray or None
        Held-out loss on the line and the path, when the potential has a test split.
    """

    line_t: np.ndarray
    line_energies: np.ndarray
    path_s: np.ndarray
    path_energies: np.ndarray
    knots_s: np.ndarray
    knots_energy: np.ndarray
    knots_kind: tuple[str, ...]
    method: str
    chain: tuple[int, ...] = ()
    line_heldout: np.ndarray | None = field(default=None)
    path_heldout: np.ndarray | None = field(default=None)

    @property
    def endpoint_energies(self) -> tuple[float, float]:
        """Loss at the two minima."""
        return float(self.line_energies[0]), float(self.line_energies[-1])

    def _barrier(self, energies: np.ndarray) -> float:
        return float(max(0.0, energies.max() - max(self.endpoint_energies)))

    @property
    def line_barrier(self) -> float:
        """Highest loss on the line above the higher minimum (0 if none)."""
        return self._barrier(self.line_energies)

    @property
    def path_barrier(self) -> float:
        """The path's barrier above the higher minimum.

        For a stored path, its highest transition state (an exact stationary point: the relaxed
        curve between the knots is only an approximation of the minimum-energy path and may
        pass slightly above it); for a fresh band, its highest image; for a given chain, the
        highest point of the curve.
        """
        if self.method in ("stored", "dneb"):
            return self._barrier(self.knots_energy)
        return self._barrier(np.concatenate([self.path_energies, self.knots_energy]))


def align_chain(potential: Any, chain: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each point replaced by its symmetric copy nearest the previous one (``potential.align``).

    Parameters
    ----------
    potential : Potential
        Its ``align(reference, x)``, when it has one, picks the copies.
    chain : sequence of numpy.ndarray
        Points in weight space, in order.

    Returns
    -------
    list of numpy.ndarray
        The first point unchanged, each next one aligned to the one before it.
    """
    out = [np.asarray(chain[0], dtype=float).ravel().copy()]
    align = getattr(potential, "align", None)
    for p in chain[1:]:
        p = np.asarray(p, dtype=float).ravel()
        out.append(np.asarray(align(out[-1], p), dtype=float) if align is not None else p.copy())
    return out


def _polyline(
    chain: Sequence[np.ndarray], points: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``points`` points spread by arc length over a polyline: ``(points, s, knot_s)``."""
    P = np.stack(chain)
    seg = np.linalg.norm(np.diff(P, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(cum[-1]) or 1.0
    knot_s = cum / total
    s = np.unique(np.concatenate([np.linspace(0.0, 1.0, int(points)), knot_s]))
    idx = np.clip(np.searchsorted(knot_s, s, side="right") - 1, 0, len(chain) - 2)
    width = np.where(knot_s[idx + 1] > knot_s[idx], knot_s[idx + 1] - knot_s[idx], 1.0)
    frac = np.clip((s - knot_s[idx]) / width, 0.0, 1.0)
    pts = P[idx] + frac[:, None] * (P[idx + 1] - P[idx])
    return pts, s, knot_s


def _refined(potential: Any, chain: list[np.ndarray], images: int) -> list[np.ndarray]:
    """The chain with every segment replaced by a relaxed elastic band (endpoints kept)."""
    from lossatlas.energy._neb import doubly_nudged_elastic_band

    out = [chain[0]]
    for a, b in zip(chain[:-1], chain[1:], strict=True):
        # a tolerance relative to the segment's own gradients: losses of networks are tiny
        scale = max(float(np.linalg.norm(potential.gradient(0.5 * (a + b)))), 1e-12)
        band = doubly_nudged_elastic_band(
            potential, a, b, n_images=images, rms_tol=1e-4 * scale / np.sqrt(a.size)
        )
        out.extend(list(band.images[1:]))
    return out


def line_and_path(
    potential: Any,
    chain: Sequence[np.ndarray],
    *,
    kinds: Sequence[str] | None = None,
    points: int = 61,
    refine: bool = True,
    images: int = 8,
    heldout: bool = True,
    method: str = "given",
    ids: Sequence[int] = (),
) -> InterpolationProfile:
    """Loss on the straight line between the chain's ends and along the chain itself.

    Parameters
    ----------
    potential : Potential
    chain : sequence of numpy.ndarray
        ``[minimum, ts, minimum, ts, ..., minimum]`` (at least the two end minima).
    kinds : sequence of str, optional
        ``"minimum"``/``"ts"`` per chain point; default alternating.
    points : int, default 61
        Points on the line and (spread by arc length) on the path.
    refine : bool, default True
        Relax each segment of the chain into a doubly-nudged elastic band with ``images``
        interior images (fixed ends), so that the path follows the valley from each
        transition state down to its minima instead of cutting straight across.
    heldout : bool, default True
        Also the held-out loss, when the potential has a test split.
    method : str
        Recorded on the result.
    ids : sequence of int
        Database ids of the chain points, recorded on the result.

    Returns
    -------
    InterpolationProfile
    """
    if len(chain) < 2:
        raise InputError(f"a path needs at least two points, got {len(chain)}")
    if int(points) < 2:
        raise InputError(f"points must be >= 2, got {points}")
    knots = align_chain(potential, chain)
    kinds = tuple(kinds) if kinds is not None else tuple(
        "minimum" if i % 2 == 0 else "ts" for i in range(len(knots))
    )  # fmt: skip
    t = np.linspace(0.0, 1.0, int(points))
    line = knots[0][None, :] + t[:, None] * (knots[-1] - knots[0])[None, :]
    dense = _refined(potential, knots, images) if refine and len(knots) >= 2 else knots
    path_pts, s, _ = _polyline(dense, points)
    # Arc-length position of the knots on the (refined) path.
    P = np.stack(dense)
    cum = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(P, axis=0), axis=1))])
    cum /= float(cum[-1]) or 1.0
    knot_idx = [0]
    for k in knots[1:]:
        knot_idx.append(int(np.argmin(np.linalg.norm(P - k[None, :], axis=1))))
    knots_s = cum[np.array(knot_idx)]
    energy = [float(potential.energy(k)) for k in knots]
    other = heldout_potential(potential) if heldout else None
    return InterpolationProfile(
        line_t=t,
        line_energies=batch_energies(potential, line),
        path_s=s,
        path_energies=batch_energies(potential, path_pts),
        knots_s=knots_s,
        knots_energy=np.array(energy),
        knots_kind=kinds,
        method=method,
        chain=tuple(int(i) for i in ids),
        line_heldout=None if other is None else batch_energies(other, line),
        path_heldout=None if other is None else batch_energies(other, path_pts),
    )


def line_and_path_from_database(
    db: Any,
    potential: Any,
    min1: int,
    min2: int,
    *,
    points: int = 61,
    refine: bool = True,
    images: int = 8,
    heldout: bool = True,
) -> InterpolationProfile:
    """:func:`line_and_path` between two stored minima (ids as ``energy summary`` prints them).

    The path is the fewest-step minimum - transition state - minimum chain in the database's
    transition-state graph (:func:`lossatlas.energy._connect.transition_state_path`); when the
    two minima are not connected, a fresh doubly-nudged elastic band between them (aligned
    copies, 16 interior images) is the path (``refine`` does not apply), its highest image the
    transition-state candidate.

    Parameters
    ----------
    db : Database
    potential : Potential
        The database's potential.
    min1, min2 : int
        Minimum ids.
    points : int, default 61
        Points on the line and on the path.
    refine : bool, default True
        Relax the stored chain's segments (see :func:`line_and_path`).
    images : int, default 8
        Interior images per relaxed segment.
    heldout : bool, default True
        Also the held-out loss, when the potential has a test split.

    Returns
    -------
    InterpolationProfile
    """
    from lossatlas.energy._connect import transition_state_path

    a, b = int(min1), int(min2)
    if a == b:
        raise InputError(f"--path needs two different minima, got {a} twice")
    ma, mb = db.get_minimum(a), db.get_minimum(b)
    minima_ids, ts_ids = transition_state_path(db, a, b)
    if minima_ids:
        ts_by_id = {t.id: t for t in db.transition_states()}
        chain, kinds, ids = [], [], []
        for i, m in enumerate(minima_ids):
            chain.append(db.get_minimum(m).coords)
            kinds.append("minimum")
            ids.append(m)
            if i < len(ts_ids):
                chain.append(ts_by_id[ts_ids[i]].coords)
                kinds.append("ts")
                ids.append(ts_ids[i])
        return line_and_path(
            potential, chain, kinds=kinds, points=points, refine=refine, images=images,
            heldout=heldout, method="stored", ids=ids,
        )  # fmt: skip
    from lossatlas.energy._neb import doubly_nudged_elastic_band

    xa, xb = align_chain(potential, [ma.coords, mb.coords])
    band = doubly_nudged_elastic_band(potential, xa, xb, n_images=16)
    # the relaxed band is the path: its images are the knots, its highest image the candidate
    top = 1 + int(np.argmax(band.energies[1:-1]))
    kinds = ["image"] * len(band.images)
    kinds[0] = kinds[-1] = "minimum"
    kinds[top] = "candidate"
    return line_and_path(
        potential, list(band.images), kinds=kinds, points=points, refine=False,
        heldout=heldout, method="dneb", ids=(a, b),
    )  # fmt: skip
