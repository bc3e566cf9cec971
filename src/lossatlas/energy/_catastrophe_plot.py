"""Drawing of a parameter sweep: stationary points against the control parameter, folds marked.

The computation lives in :mod:`lossatlas.energy._catastrophe`; this module only draws its
:class:`~lossatlas.energy._catastrophe.ParameterSweep` (Wales, Science 293, 2067 (2001):
catastrophes of potential energy surfaces).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lossatlas.errors import require

if TYPE_CHECKING:
    from lossatlas.energy._catastrophe import ParameterSweep, StationaryPoint

__all__ = ["plot_stationary_points"]


def plot_stationary_points(sweep: ParameterSweep, *, axes: Any = None) -> Any:
    """Energy of the minima (solid) and saddles (dashed) against the parameter, folds marked,
    above the smallest ``|Hessian eigenvalue|`` of each point (log scale); returns the Figure."""
    require("matplotlib", "energy", purpose="catastrophe plots")
    from matplotlib.figure import Figure

    if axes is None:
        fig = Figure(figsize=(6.0, 6.0))
        axes = fig.subplots(2, 1, sharex=True)
    fig = axes[0].figure
    branches: dict[int, list[StationaryPoint]] = {}
    for pts in sweep.points:
        for p in pts:
            branches.setdefault(p.branch, []).append(p)
    for pts in branches.values():
        colour, style = ("tab:blue", "-") if pts[0].index == 0 else ("tab:red", "--")
        c = [p.parameter for p in pts]
        axes[0].plot(c, [p.energy for p in pts], style, color=colour, marker=".", ms=3, lw=1)
        axes[1].plot(
            c, [max(p.smallest_abs_eigenvalue, 1e-16) for p in pts], style, color=colour, lw=1
        )
    for f in sweep.folds:
        for ax in axes:
            ax.axvspan(*f.bracket, color="0.5", alpha=0.3)
            ax.axvline(0.5 * sum(f.bracket), color="0.3", lw=0.8, ls=":")
    axes[0].set_ylabel("energy")
    axes[0].set_title("minima (solid) and saddles (dashed)")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("min |Hessian eigenvalue|")
    axes[1].set_xlabel(sweep.parameter)
    return fig
