"""Rates between sets of minima by graph transformation (NGT) on the minima/TS network.

Each transition state joining minima ``a`` and ``b`` gives the harmonic transition-state-theory
rate constant (Wales, *Energy Landscapes*, 2003, p. 387; the convention of pele)

``k_{b<-a} = exp(-(E_ts - E_a)/T) * exp((fvib_a - fvib_ts)/2) / (2 pi)``

(several transition states between the same pair add up), and every minimum has the
harmonic-superposition equilibrium weight ``p_a ~ exp(-E_a/T - fvib_a/2)`` used for ``C(T)``.
The continuous-time Markov chain on the minima is reduced by removing nodes one at a time: node
``x`` goes, its in-neighbours ``beta`` and out-neighbours ``gamma`` get

``P_{gamma beta} += P_{gamma x} P_{x beta} / (1 - P_{xx})``, ``tau_beta += P_{x beta} tau_x /
(1 - P_{xx})``

with ``1 - P_{xx}`` summed from the other branching probabilities (never as a difference), which
keeps the reduction exact where linear solves lose digits (Trygubenko & Wales 2006). Removing
every node but the target set ``A`` and one source minimum ``b`` leaves the mean first passage
time ``T_{Ab} = tau_b / (1 - P_{bb})``; the rates reported are

* ``rate`` (NSS): ``k_{A<-B} = sum_b p_b / T_{Ab} / sum_b p_b``, the equilibrium-weighted inverse
  mean first passage time out of ``B``;
* ``rate_ss`` (steady state): ``sum_b p_b sum_j k_{j<-b} q_j / sum_b p_b`` with ``q_j`` the
  probability of reaching ``A`` before ``B`` from ``j``, read off the graph with only ``A`` and
  ``B`` left (Wales 2009, as in pele's ``get_rate_AB_SS``).

References
----------
S. A. Trygubenko and D. J. Wales, "Graph transformation method for calculating waiting times in
Markov chains", J. Chem. Phys. 124, 234110 (2006).
D. J. Wales, "Calculating rate constants and committor probabilities for transition networks by
graph transformation", J. Chem. Phys. 130, 204111 (2009).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import logsumexp

from lossatlas.energy._json import json_number
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database

__all__ = [
    "RateResult",
    "harmonic_rate_constants",
    "ngt_rates",
    "rates_from_database",
]


@dataclass(frozen=True)
class RateResult:
    """Rates between two sets of minima at one temperature.

    Attributes
    ----------
    temperature : float
        ``T``.
    source, target : tuple of int
        The minima the process starts in (``B``) and ends in (``A``).
    rate, rate_ss : float
        ``k_{A<-B}``: equilibrium-weighted inverse mean first passage time (NSS) and the
        steady-state rate.
    reverse_rate, reverse_rate_ss : float
        The same for ``k_{B<-A}``.
    mfpt : dict of int to float
        Mean first passage time to ``A`` from each minimum of ``B``.
    n_minima, n_transition_states : int
        Size of the network the rates were computed on (the part joined to ``A`` and ``B``).
    """

    temperature: float
    source: tuple[int, ...]
    target: tuple[int, ...]
    rate: float
    rate_ss: float
    reverse_rate: float
    reverse_rate_ss: float
    mfpt: dict[int, float] = field(default_factory=dict)
    n_minima: int = 0
    n_transition_states: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields (the shape ``energy rates --format json`` prints).

        Returns
        -------
        dict
            ``temperature``, ``from``, ``to``, ``rate``, ``rate_ss``, ``reverse_rate``,
            ``reverse_rate_ss``, ``mfpt`` (minimum id as a string -> time), ``n_minima``,
            ``n_transition_states``.
        """
        return {
            "temperature": json_number(self.temperature),
            "from": list(self.source),
            "to": list(self.target),
            "rate": json_number(self.rate),
            "rate_ss": json_number(self.rate_ss),
            "reverse_rate": json_number(self.reverse_rate),
            "reverse_rate_ss": json_number(self.reverse_rate_ss),
            "mfpt": {str(k): json_number(v) for k, v in self.mfpt.items()},
            "n_minima": self.n_minima,
            "n_transition_states": self.n_transition_states,
        }


def harmonic_rate_constants(
    minima: Mapping[int, tuple[float, float]],
    transition_states: Iterable[tuple[float, float, int, int]],
    temperature: float,
) -> dict[tuple[int, int], float]:
    """Log harmonic rate constants ``ln k_{b<-a}`` of a minima/TS network.

    Parameters
    ----------
    minima : mapping of int to (float, float)
        Minimum id -> ``(energy, fvib)``.
    transition_states : iterable of (energy, fvib, min1, min2)
        Transition states; one joining a minimum to itself is skipped.
    temperature : float
        ``T > 0``.

    Returns
    -------
    dict of (int, int) to float
        ``(a, b) -> ln k_{b<-a}`` (several transition states between a pair summed).

    References
    ----------
    D. J. Wales, *Energy Landscapes*, Cambridge University Press (2003), p. 387.
    """
    t = _temperature(temperature)
    terms: dict[tuple[int, int], list[float]] = {}
    for e_ts, f_ts, m1, m2 in transition_states:
        if m1 == m2:
            continue
        for a, b in ((m1, m2), (m2, m1)):
            if a not in minima:
                raise InputError(f"rates: transition state joins minimum {a}, which is unknown")
            e_a, f_a = minima[a]
            terms.setdefault((a, b), []).append(
                -(e_ts - e_a) / t + 0.5 * (f_a - f_ts) - math.log(2.0 * math.pi)
            )
    return {k: float(logsumexp(v)) for k, v in terms.items()}


def _temperature(temperature: float) -> float:
    t = float(temperature)
    if not math.isfinite(t) or t <= 0:
        raise InputError(f"rates: --temperature must be positive and finite, got {temperature}")
    return t


class _Graph:
    """Branching probabilities ``P[x][gamma]`` (``x -> gamma``) and waiting times ``tau``."""

    def __init__(self, rates: Mapping[tuple[int, int], float], absorbing: set[int]) -> None:
        out: dict[int, dict[int, float]] = {}
        for (a, b), k in rates.items():
            out.setdefault(a, {})
            out.setdefault(b, {})
            if a not in absorbing:
                out[a][b] = out[a].get(b, 0.0) + k
        self.tau: dict[int, float] = {}
        self.P: dict[int, dict[int, float]] = {}
        self.into: dict[int, set[int]] = {x: set() for x in out}
        for a, targets in out.items():
            total = sum(targets.values())
            self.tau[a] = 1.0 / total if total > 0 else math.inf
            self.P[a] = {b: k / total for b, k in targets.items()} if total > 0 else {}
            for b in self.P[a]:
                self.into[b].add(a)

    def escape(self, x: int) -> float:
        """``1 - P_xx`` as the sum of the other branching probabilities."""
        return sum(p for g, p in self.P[x].items() if g != x)

    def remove(self, x: int) -> None:
        out = {g: p for g, p in self.P[x].items() if g != x}
        esc = sum(out.values())
        for beta in list(self.into[x]):
            if beta == x:
                continue
            p_xb = self.P[beta].pop(x)
            if esc <= 0:
                continue
            self.tau[beta] += p_xb * self.tau[x] / esc
            for gamma, p_gx in out.items():
                self.P[beta][gamma] = self.P[beta].get(gamma, 0.0) + p_xb * p_gx / esc
                self.into[gamma].add(beta)
        for gamma in out:
            self.into[gamma].discard(x)
        del self.P[x], self.tau[x], self.into[x]

    def remove_all(self, nodes: Iterable[int]) -> None:
        # fewest edges first keeps the fill-in small
        for x in sorted(nodes, key=lambda n: len(self.P[n]) + len(self.into[n])):
            self.remove(x)

    def copy(self) -> _Graph:
        g = _Graph.__new__(_Graph)
        g.tau = dict(self.tau)
        g.P = {k: dict(v) for k, v in self.P.items()}
        g.into = {k: set(v) for k, v in self.into.items()}
        return g


def _one_way(
    log_k: Mapping[tuple[int, int], float],
    log_p: Mapping[int, float],
    source: Sequence[int],
    target: Sequence[int],
) -> tuple[float, float, dict[int, float]]:
    """``(rate, rate_ss, mfpt)`` of ``target <- source``."""
    scale = max(log_k.values())
    rates = {k: math.exp(v - scale) for k, v in log_k.items()}
    tgt, src = set(target), set(source)
    g = _Graph(rates, absorbing=tgt)
    tau0 = dict(g.tau)
    g.remove_all([x for x in g.P if x not in tgt and x not in src])
    w = np.array([log_p[b] for b in source])
    w = np.exp(w - w.max())
    ss = 0.0
    for wb, b in zip(w, source, strict=True):
        to_a = sum(p for gamma, p in g.P[b].items() if gamma in tgt)
        ss += wb * to_a / tau0[b]
    mfpt: dict[int, float] = {}
    for b in source:
        h = g.copy()
        h.remove_all([x for x in src if x != b])
        esc = h.escape(b)
        mfpt[b] = h.tau[b] / esc * math.exp(-scale) if esc > 0 else math.inf
    nss = float(sum(wb / mfpt[b] for wb, b in zip(w, source, strict=True)) / w.sum())
    return nss, float(ss / w.sum() * math.exp(scale)), mfpt


def _component(pairs: Iterable[tuple[int, int]], start: set[int]) -> set[int]:
    adj: dict[int, set[int]] = {}
    for a, b in pairs:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    seen, stack = set(start), list(start)
    while stack:
        for n in adj.get(stack.pop(), ()):
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def ngt_rates(
    minima: Mapping[int, tuple[float, float]],
    transition_states: Sequence[tuple[float, float, int, int]],
    source: Sequence[int],
    target: Sequence[int],
    *,
    temperature: float,
) -> RateResult:
    """Rates ``target <- source`` (and back) by graph transformation.

    Parameters
    ----------
    minima : mapping of int to (float, float)
        Minimum id -> ``(energy, fvib)`` (``fvib`` 0 for every minimum drops the entropic part).
    transition_states : sequence of (energy, fvib, min1, min2)
        Transition states.
    source, target : sequence of int
        The minima ``B`` the process starts in and ``A`` it must reach; disjoint, non-empty.
    temperature : float
        ``T > 0`` (energy units).

    Returns
    -------
    RateResult

    Raises
    ------
    InputError
        Empty or overlapping sets, unknown minima, or a source minimum no path of transition
        states joins to the target (its rate would be zero).

    References
    ----------
    S. A. Trygubenko and D. J. Wales, J. Chem. Phys. 124, 234110 (2006); D. J. Wales, J. Chem.
    Phys. 130, 204111 (2009).
    """
    t = _temperature(temperature)
    src = tuple(dict.fromkeys(int(s) for s in source))
    tgt = tuple(dict.fromkeys(int(s) for s in target))
    if not src or not tgt:
        raise InputError("rates: --from and --to must each name at least one minimum")
    both = sorted(set(src) & set(tgt))
    if both:
        raise InputError(f"rates: minima {both} are in both --from and --to")
    unknown = sorted(m for m in (*src, *tgt) if m not in minima)
    if unknown:
        raise InputError(f"rates: minima {unknown} are not in the database")
    pairs = [(int(a), int(b)) for _, _, a, b in transition_states if a != b]
    reach_target = _component(pairs, set(tgt))
    cut = sorted(m for m in src if m not in reach_target)
    if cut:
        raise InputError(
            f"rates: minima {cut} of --from are joined to no minimum of --to by transition "
            "states (run 'lossatlas energy connect' first)"
        )
    reach_source = _component(pairs, set(src))
    cut = sorted(m for m in tgt if m not in reach_source)
    if cut:
        raise InputError(f"rates: minima {cut} of --to are joined to no minimum of --from")
    keep = reach_target
    sub_min = {m: minima[m] for m in keep}
    sub_ts = [ts for ts in transition_states if ts[2] in keep and ts[2] != ts[3]]
    log_k = harmonic_rate_constants(sub_min, sub_ts, t)
    log_p = {m: -e / t - 0.5 * f for m, (e, f) in sub_min.items()}
    fwd, fwd_ss, mfpt = _one_way(log_k, log_p, src, tgt)
    back, back_ss, _ = _one_way(log_k, log_p, tgt, src)
    return RateResult(
        temperature=t,
        source=src,
        target=tgt,
        rate=fwd,
        rate_ss=fwd_ss,
        reverse_rate=back,
        reverse_rate_ss=back_ss,
        mfpt=mfpt,
        n_minima=len(sub_min),
        n_transition_states=len(sub_ts),
    )


def rates_from_database(
    db: Database,
    source: Sequence[int],
    target: Sequence[int],
    *,
    temperature: float,
    use_fvib: bool = True,
) -> RateResult:
    """:func:`ngt_rates` on the minima and transition states stored in ``db``.

    Parameters
    ----------
    db : Database
        An open database.
    source, target : sequence of int
        Minimum ids (``--from``, ``--to``).
    temperature : float
        ``T > 0``.
    use_fvib : bool, default True
        Include the harmonic entropies (``fvib``); every stored minimum and transition state of
        the network must then have one. Without them every well and saddle counts as equally
        wide.

    Returns
    -------
    RateResult
    """
    minima: dict[int, tuple[float, float]] = {}
    for m in db.minima():
        if use_fvib and m.fvib is None:
            raise InputError(
                f"rates: minimum {m.id} has no fvib (Hessian summary); "
                "rerun without fvib (use_fvib=False)"
            )
        minima[m.id] = (m.energy, float(m.fvib) if use_fvib else 0.0)
    ts_list = []
    for ts in db.transition_states():
        if use_fvib and ts.fvib is None:
            raise InputError(f"rates: transition state {ts.id} has no fvib (Hessian summary)")
        ts_list.append((ts.energy, float(ts.fvib) if use_fvib else 0.0, ts.min1, ts.min2))
    return ngt_rates(minima, ts_list, source, target, temperature=temperature)
