"""The one registry of landscape metrics.

Every profile column is a :class:`Metric`: its key (GraphFLA's own key where GraphFLA has the
metric, e.g. ``fitness.skewness``, ``gamma``), its family, a one-line reading, the profile
parameters it uses, a cost class and the function that computes it from a :class:`MetricContext`.
:func:`~lossatlas.analysis.profile`, :func:`list_metrics`, ``lossatlas analyze --metrics``, the
report's readings and the metric table of the docs (:func:`metrics_markdown`) are all derived
from :data:`REGISTRY`; nothing else lists metrics.

Cost classes: ``"default"`` metrics make the default profile and together keep to the
foundation's budget (a 10^6-configuration grid in ~3 s on 2 cores); ``"costly"`` ones (linear
or ``n log n`` but with a large constant: fits, every square, every climb) and ``"heavy"`` ones
(one graph search per local optimum, ``O(k n)``) are computed only when asked for by name, by
family, or with ``metrics="all"``.

Metrics registered by their modules at import time (:func:`register`); the order of
registration is the column order of the profile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lossatlas.analysis._neighbourhood import Neighbourhood, one_edit
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COSTS",
    "Metric",
    "MetricContext",
    "REGISTRY",
    "register",
    "select_metrics",
    "list_metrics",
    "metric_readings",
    "metrics_markdown",
]

#: The cost classes of the registry, cheapest first.
COSTS = ("default", "costly", "heavy")


@dataclass(frozen=True)
class MetricContext:
    """What a metric function may read: the landscape and the profile's parameters.

    ``epsilon`` is absolute (a relative epsilon is resolved before). ``descent`` and
    ``plateau_exit`` are the basin rules of :func:`~lossatlas.analysis.local_optima`;
    ``neighbourhood`` the moves and distance every graph metric uses.
    """

    landscape: Landscape
    loss: str = "test"
    epsilon: float = 0.0
    n_walks: int = 1000
    walk_length: int = 20
    seed: int = 0
    descent: str = "stop"
    plateau_exit: str = "lowest"
    neighbourhood: Neighbourhood = field(default_factory=one_edit)

    @property
    def values(self) -> Any:
        return self.landscape.loss(self.loss)

    @property
    def basin_rules(self) -> dict[str, Any]:
        return {
            "descent": self.descent,
            "plateau_exit": self.plateau_exit,
            "neighbourhood": self.neighbourhood,
        }

    @property
    def graph(self) -> dict[str, Any]:
        """``loss``, ``neighbourhood``: the keywords of a graph metric."""
        return {"loss": self.loss, "neighbourhood": self.neighbourhood}

    @property
    def eps_graph(self) -> dict[str, Any]:
        """``loss``, ``epsilon``, ``neighbourhood``."""
        return {**self.graph, "epsilon": self.epsilon}


@dataclass(frozen=True)
class Metric:
    """One profile column.

    Attributes
    ----------
    name : str
        The profile key (GraphFLA's key where it has the metric).
    family : str
        ``performance``, ``modality``, ``smoothness``, ``neutrality``, ``fitness``,
        ``ruggedness``, ``robustness``, ``correlation``, ``navigability``, ``lon`` or
        ``epistasis``.
    reading : str
        One line: what a value means.
    compute : callable
        ``compute(context) -> value``.
    parameters : tuple of str
        The :class:`MetricContext` fields it depends on besides the landscape and loss
        (``neighbourhood`` included for every metric that uses the graph).
    cost : {"default", "costly", "heavy"}
    group : str
        The name that selects it together with its siblings (GraphFLA's function name for a
        dict-valued GraphFLA metric, e.g. ``fitness_distribution``); its own name otherwise.
    relabel_invariant : bool
        Whether relabelling a categorical HP's values leaves it unchanged (conformance suite).
    note : str
        Why it is not, or which arbitrary choice it makes.
    """

    name: str
    family: str
    reading: str
    compute: Callable[[MetricContext], Any] = field(repr=False)
    parameters: tuple[str, ...] = ()
    cost: str = "default"
    group: str = ""
    relabel_invariant: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        if self.cost not in COSTS:
            raise ValueError(f"cost must be one of {COSTS}, not {self.cost!r}")
        if not self.group:
            object.__setattr__(self, "group", self.name)


REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Add ``metric`` to :data:`REGISTRY` (its name must be new)."""
    if metric.name in REGISTRY:
        raise ValueError(f"metric {metric.name!r} is registered twice")
    REGISTRY[metric.name] = metric
    return metric


def _names(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value]


def select_metrics(
    metrics: str | Iterable[str] | None = None, families: str | Iterable[str] | None = None
) -> list[Metric]:
    """The metrics a profile computes, in registry order.

    Parameters
    ----------
    metrics : str or sequence of str, optional
        Metric keys, group names (``fitness_distribution``, ``classify_epistasis``) or
        ``"all"``; a string may list several, comma-separated. Costly metrics are computed
        only when named (or by ``"all"`` or their family).
    families : str or sequence of str, optional
        Families to add (every metric of the family, costly ones included).

    With neither, the default profile: every metric of cost ``"default"``.

    Raises
    ------
    InputError
        On an unknown metric, group or family, naming it and the known ones.
    """
    wanted_metrics, wanted_families = _names(metrics), _names(families)
    if wanted_metrics is None and wanted_families is None:
        return [m for m in REGISTRY.values() if m.cost == "default"]
    chosen: set[str] = set()
    known_families = {m.family for m in REGISTRY.values()}
    for family in wanted_families or []:
        if family not in known_families:
            raise InputError(
                f"unknown metric family {family!r} (have: {', '.join(sorted(known_families))})"
            )
        chosen.update(m.name for m in REGISTRY.values() if m.family == family)
    groups = {m.group for m in REGISTRY.values()}
    for name in wanted_metrics or []:
        if name == "all":
            chosen.update(REGISTRY)
        elif name == "default":
            chosen.update(m.name for m in REGISTRY.values() if m.cost == "default")
        elif name in REGISTRY:
            chosen.add(name)
        elif name in groups:
            chosen.update(m.name for m in REGISTRY.values() if m.group == name)
        else:
            raise InputError(
                f"unknown metric {name!r} (see lossatlas.analysis.list_metrics(); "
                f"have: {', '.join(REGISTRY)})"
            )
    return [m for m in REGISTRY.values() if m.name in chosen]


def list_metrics() -> pd.DataFrame:
    """Every registered metric: ``name``, ``family``, ``group``, ``reading``, ``parameters``,
    ``cost``, ``relabel_invariant`` and ``note``, in profile column order."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "name": m.name,
                "family": m.family,
                "group": m.group,
                "reading": m.reading,
                "parameters": ", ".join(m.parameters),
                "cost": m.cost,
                "relabel_invariant": m.relabel_invariant,
                "note": m.note,
            }
            for m in REGISTRY.values()
        ]
    )


def metric_readings(metrics: Sequence[Metric] | None = None) -> dict[str, str]:
    """``{key: one-line reading}`` of ``metrics`` (default: every registered metric)."""
    items = REGISTRY.values() if metrics is None else metrics
    return {m.name: m.reading for m in items}


def metrics_markdown() -> str:
    """The registry as a Markdown table (for the docs)."""
    lines = [
        "| metric | family | cost | parameters | reading |",
        "| --- | --- | --- | --- | --- |",
    ]
    for m in REGISTRY.values():
        reading = m.reading.replace("|", "\\|")
        lines.append(
            f"| `{m.name}` | {m.family} | {m.cost} | {', '.join(m.parameters)} | {reading} |"
        )
    return "\n".join(lines)
