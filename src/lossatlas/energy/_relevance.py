"""Feature relevance from the weights that the minima of one basin share.

Minima of one monotonic sequence basin (MSB) are variations on one solution. Weights that hardly
change across them are *conserved*: the basin's solution depends on them. First-layer weights
``W1_jk`` that are conserved and large tie input feature ``k`` to the decision.

Per group (an MSB, or any set of minima) of a tanh network:

1. align every member to the group's lowest minimum: after the potential's own
   canonicalisation, hidden units are matched (and their signs flipped) by the assignment that
   minimises a robust distance between the units' weight vectors ``(b1_j, W1_j., W2_.j)``,
   ``sum_i min((u_i - r_i)^2, cap^2)`` (Hungarian algorithm). Sorting units alone (the
   canonical form) swaps units between members whose biases are close; a plain squared
   distance lets a few wandering weights swap units; capping each weight's contribution
   avoids both. ``align="canonical"`` keeps the canonical order instead;
2. per weight, the mean ``m_i`` and spread (standard deviation) ``s_i`` over the members;
   the conservation ``c_i = |m_i| / (|m_i| + s_i)`` (1 when identical across the basin), and
   ``conserved_i = c_i >= 1/2`` (the spread is below the mean's magnitude);
3. relevance of input ``k``: ``R_k = sum_j c_jk |m_jk| ||m(W2_.j)||``, the conserved
   first-layer weight magnitude weighted by how strongly unit ``j`` feeds the outputs, then
   normalised to sum to 1.

Groups are combined by a mean weighted by their number of members. A group with one member has
no spread (``c = 1``): relevance is then its weight magnitude. Inputs must be standardised
(as :func:`~lossatlas.energy._data.load_energy_dataset` does) for magnitudes to compare.

References
----------
M. Niroomand, L. Dicks, D. J. Wales et al., "Physics-inspired interpretability of machine
learning models", arXiv:2304.02381 (2023) (the conserved-weights statistic there is
reconstructed here as documented above).
R. S. Berry and R. E. Kunz, Phys. Rev. Lett. 74, 3951 (1995) (monotonic sequence basins).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from lossatlas.energy._msb import msb_from_database
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database
    from lossatlas.energy.potentials import TanhNetworkPotential

__all__ = [
    "FeatureRelevance",
    "align_hidden_units",
    "feature_relevance",
    "relevance_from_database",
]


@dataclass(frozen=True)
class FeatureRelevance:
    """Input-feature relevance from conserved first-layer weights.

    Attributes
    ----------
    feature_names : tuple of str
    relevance : ndarray, shape (n_features,)
        Combined relevance, sums to 1.
    ranking : tuple of int
        Feature indices, most relevant first.
    groups : dict of int to tuple of int
        Group key (an MSB bottom) -> minimum ids (or positions) used.
    per_group : ndarray, shape (n_groups, n_features)
        Relevance within each group (rows sum to 1), in the order of ``groups``.
    mean_weights, spread, conservation : list of ndarray
        Per group, per coordinate: aligned mean, standard deviation and ``c_i``.
    grouping : str
        How groups were formed: ``"msb-barrier"``, ``"msb-neighbour"``, ``"all"`` or
        ``"given"``.
    magnitude_baseline : ndarray, shape (n_features,)
        The baseline without conservation or groups: ``B_k = mean over all minima of
        sum_j |W1_jk| ||W2_.j||``, normalised to sum to 1.
    baseline_ranking : tuple of int
        Feature indices by ``magnitude_baseline``, largest first.
    """

    feature_names: tuple[str, ...]
    relevance: np.ndarray
    ranking: tuple[int, ...]
    groups: dict[int, tuple[int, ...]]
    per_group: np.ndarray
    mean_weights: list[np.ndarray]
    spread: list[np.ndarray]
    conservation: list[np.ndarray]
    grouping: str
    magnitude_baseline: np.ndarray = field(default_factory=lambda: np.empty(0))
    baseline_ranking: tuple[int, ...] = ()

    def conserved(self, group: int = 0) -> np.ndarray:
        """Boolean mask of conserved coordinates (``c_i >= 1/2``) of group number ``group``."""
        return self.conservation[group] >= 0.5

    def table(self) -> list[dict[str, Any]]:
        """One row per feature, most relevant first: name, relevance, rank (1-based), and the
        plain-magnitude baseline's value and rank."""
        base_rank = {k: r + 1 for r, k in enumerate(self.baseline_ranking)}
        rows = []
        for r, k in enumerate(self.ranking):
            row: dict[str, Any] = {
                "name": self.feature_names[k],
                "relevance": float(self.relevance[k]),
                "rank": r + 1,
            }
            if self.magnitude_baseline.size:
                row["magnitude_baseline"] = float(self.magnitude_baseline[k])
                row["baseline_rank"] = base_rank[k]
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary.

        Returns
        -------
        dict
            ``grouping``, ``groups`` (group -> minima ids, keys as strings), ``features``
            (:meth:`table`) and ``same_ranking_as_baseline`` (whether the plain-magnitude
            baseline orders the features identically).
        """
        return {
            "grouping": self.grouping,
            "groups": {str(k): list(v) for k, v in self.groups.items()},
            "features": self.table(),
            "same_ranking_as_baseline": tuple(self.ranking) == tuple(self.baseline_ranking),
        }


def _check_network(potential: TanhNetworkPotential) -> None:
    for attr in ("unpack", "pack", "n_hidden", "n_in"):
        if not hasattr(potential, attr):
            raise InputError(
                f"feature relevance needs a tanh-network potential (MLPCrossEntropy or "
                f"MLPAppAUC), got {type(potential).__name__}"
            )


def _units(potential: TanhNetworkPotential, x: np.ndarray) -> np.ndarray:
    W1, b1, W2, _ = potential.unpack(x)
    return np.concatenate([b1[:, None], W1, W2.T], axis=1)


def align_hidden_units(
    potential: TanhNetworkPotential, x: np.ndarray, reference: np.ndarray, *, cap: float = 1.0
) -> np.ndarray:
    """The symmetric copy of ``x`` (hidden-unit permutation and sign flips) closest to
    ``reference``.

    Unit ``i`` of ``x`` and unit ``j`` of the reference cost ``min(d(u_i, r_j), d(-u_i, r_j))``
    with the robust distance ``d(u, r) = sum_k min((u_k - r_k)^2, cap^2)``; the permutation is
    the minimum-cost assignment (Hungarian algorithm), each unit taking the sign of its better
    match. The loss is unchanged.

    Parameters
    ----------
    potential : TanhNetworkPotential
        Has ``unpack``/``pack``.
    x, reference : numpy.ndarray
        Weight vectors.
    cap : float, default 1.0
        Cap of the per-weight squared difference.

    Returns
    -------
    numpy.ndarray
        The aligned copy of ``x``.
    """
    _check_network(potential)
    x = np.asarray(x, dtype=float)
    u, r = _units(potential, x), _units(potential, np.asarray(reference, dtype=float))
    c2 = float(cap) ** 2 if cap > 0 else np.inf
    plus = np.minimum((u[:, None, :] - r[None, :, :]) ** 2, c2).sum(-1)
    minus = np.minimum((-u[:, None, :] - r[None, :, :]) ** 2, c2).sum(-1)
    rows, cols = linear_sum_assignment(np.minimum(plus, minus))
    perm = np.empty(potential.n_hidden, dtype=int)
    perm[cols] = rows  # new unit j is old unit perm[j]
    out = potential.permute_hidden(x, perm)
    for j in range(potential.n_hidden):
        if minus[perm[j], j] < plus[perm[j], j]:
            out = potential.flip_hidden(out, j)
    return out


def _group_relevance(
    potential: TanhNetworkPotential, coords: Sequence[np.ndarray], align: str, cap: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    canon = [np.asarray(potential.canonicalise(np.asarray(x, dtype=float))) for x in coords]
    if align == "canonical":
        aligned = np.stack(canon)
    else:
        aligned = np.stack([align_hidden_units(potential, x, canon[0], cap=cap) for x in canon])
    mean = aligned.mean(0)
    spread = aligned.std(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.abs(mean) / (np.abs(mean) + spread)
    c = np.where(np.isfinite(c), c, 0.0)
    W1m, _, W2m, _ = potential.unpack(mean)
    C1, _, _, _ = potential.unpack(c)
    out_strength = np.linalg.norm(W2m, axis=0)  # (Nh,)
    R = (C1 * np.abs(W1m) * out_strength[:, None]).sum(0)
    total = R.sum()
    R = R / total if total > 0 else np.full(R.size, 1.0 / R.size)
    return R, mean, spread, c


def feature_relevance(
    potential: TanhNetworkPotential,
    groups: Mapping[int, Sequence[np.ndarray]],
    *,
    feature_names: Sequence[str] | None = None,
    member_ids: Mapping[int, Sequence[int]] | None = None,
    grouping: str = "given",
    align: Literal["hungarian", "canonical"] = "hungarian",
    cap: float = 1.0,
) -> FeatureRelevance:
    """Relevance of each input feature from the conserved first-layer weights of each group.

    Parameters
    ----------
    potential : MLPCrossEntropy or MLPAppAUC
        The network the coordinates belong to.
    groups : mapping of int to sequence of ndarray
        Group key -> coordinates of its minima, lowest first (the first is the alignment
        reference).
    feature_names : sequence of str, optional
        Default ``x0, x1, ...``.
    member_ids : mapping of int to sequence of int, optional
        Ids of the members, for the report (default positions).
    grouping : str, default "given"
        Recorded in the result.
    align : {"hungarian", "canonical"}, default "hungarian"
        Align members to the group's first by :func:`align_hidden_units`, or keep the
        potential's canonical unit order.
    cap : float, default 1.0
        Per-weight cap of the alignment distance.

    Returns
    -------
    FeatureRelevance
    """
    _check_network(potential)
    if align not in ("hungarian", "canonical"):
        raise InputError(f"align must be 'hungarian' or 'canonical', got {align!r}")
    keys = [k for k, v in groups.items() if len(v) > 0]
    if not keys:
        raise InputError("feature relevance: no minima in any group")
    n_in = int(potential.n_in)
    names = tuple(f"x{k}" for k in range(n_in)) if feature_names is None else tuple(feature_names)
    if len(names) != n_in:
        raise InputError(f"feature relevance: {len(names)} feature names for {n_in} inputs")
    per_group, means, spreads, cons, sizes = [], [], [], [], []
    for k in keys:
        R, m, s, c = _group_relevance(potential, groups[k], align, cap)
        per_group.append(R)
        means.append(m)
        spreads.append(s)
        cons.append(c)
        sizes.append(len(groups[k]))
    every = [
        np.asarray(potential.canonicalise(np.asarray(x, float))) for k in keys for x in groups[k]
    ]
    base = np.zeros(n_in)
    for x in every:
        W1, _, W2, _ = potential.unpack(x)
        base += (np.abs(W1) * np.linalg.norm(W2, axis=0)[:, None]).sum(0)
    base = base / base.sum() if base.sum() > 0 else np.full(n_in, 1.0 / n_in)
    P = np.array(per_group)
    relevance = np.average(P, axis=0, weights=np.asarray(sizes, dtype=float))
    relevance = relevance / relevance.sum()
    ranking = tuple(int(i) for i in np.argsort(-relevance, kind="stable"))
    ids = {
        k: tuple(member_ids[k]) if member_ids is not None else tuple(range(len(groups[k])))
        for k in keys
    }
    return FeatureRelevance(
        feature_names=names,
        relevance=relevance,
        ranking=ranking,
        groups=ids,
        per_group=P,
        mean_weights=means,
        spread=spreads,
        conservation=cons,
        grouping=grouping,
        magnitude_baseline=base,
        baseline_ranking=tuple(int(i) for i in np.argsort(-base, kind="stable")),
    )


def relevance_from_database(
    db: Database,
    potential: TanhNetworkPotential,
    *,
    rule: str = "barrier",
    lowest: int | None = None,
    feature_names: Sequence[str] | None = None,
    align: Literal["hungarian", "canonical"] = "hungarian",
) -> FeatureRelevance:
    """:func:`feature_relevance` over the MSBs of the minima in ``db``.

    MSBs come from :func:`~lossatlas.energy._msb.msb_from_database` under ``rule``. Without any
    transition state every minimum would be its own basin, so then all minima (or the
    ``lowest``) form one group (``grouping="all"``). Feature names default to the potential's
    data set's.

    Parameters
    ----------
    db : Database
        An open database.
    potential : TanhNetworkPotential
        The network.
    rule : {"barrier", "neighbour"}, default "barrier"
        MSB descent rule.
    lowest : int, optional
        Use only the lowest this many minima.
    feature_names : sequence of str, optional
        Names of the inputs.
    align : {"hungarian", "canonical"}, default "hungarian"
        How weight vectors are brought to one symmetric copy.

    Returns
    -------
    FeatureRelevance
    """

    minima = db.minima()
    if lowest is not None:
        minima = minima[: int(lowest)]
    if not minima:
        raise InputError(f"database '{db.path}' holds no minima")
    coords = {m.id: m.coords for m in minima}
    if feature_names is None and getattr(potential, "dataset", None) is not None:
        feature_names = potential.dataset.feature_names
    if not db.transition_states():
        grouping = "all"
        members = {minima[0].id: [m.id for m in minima]}
    else:
        msbs = msb_from_database(db)
        grouping = f"msb-{rule}"
        members = {
            b: [m for m in ids if m in coords]
            for b, ids in msbs.basins(rule).items()  # type: ignore[arg-type]
        }
        members = {b: ids for b, ids in members.items() if ids}
    return feature_relevance(
        potential,
        {b: [coords[m] for m in ids] for b, ids in members.items()},
        feature_names=feature_names,
        member_ids=members,
        grouping=grouping,
        align=align,
    )
