"""``lossatlas energy cv|msb|sweep|ensemble|relevance|compare-losses``: what a landscape says.

These verbs join the ``energy`` command group that :mod:`lossatlas.commands.energy` creates
(command modules register in alphabetical order, so that group exists when this module
registers). They read the database and the potential spec that ``lossatlas energy explore``
stored in it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from lossatlas.commands._energy_common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    energy_group,
    figure_path,
    print_table,
    save_figure,
)
from lossatlas.commands._energy_common import open_database as _open
from lossatlas.errors import InputError

__all__ = ["register"]

OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write a figure (PNG) here.")
]


class AucScore(StrEnum):
    probability = "probability"
    logit = "logit"


class Rule(StrEnum):
    barrier = "barrier"
    neighbour = "neighbour"


def register(app: typer.Typer) -> None:
    """Add the analysis verbs to the ``energy`` command group."""
    group = energy_group(app)
    group.command("cv")(cv)
    group.command("msb")(msb)
    group.command("sweep")(sweep)
    group.command("ensemble")(ensemble)
    group.command("relevance")(relevance)
    group.command("compare-losses")(compare_losses)


# -- helpers ----------------------------------------------------------------------------------
def _save(fig: Any, output: Path | None, default_name: str) -> None:
    if output is not None:
        written = save_figure(fig, output, default_name=default_name)
        typer.echo(f"wrote '{written}'", err=True)


# -- commands ---------------------------------------------------------------------------------
def cv(
    db_path: DbOption = Path("landscape.sqlite"),
    tmin: Annotated[float | None, typer.Option(help="Lowest temperature.")] = None,
    tmax: Annotated[float | None, typer.Option(help="Highest temperature.")] = None,
    points: Annotated[int, typer.Option(help="Temperatures (log-spaced).")] = 200,
    kappa: Annotated[
        int | None, typer.Option(help="Vibrational degrees of freedom (default: stored).")
    ] = None,
    kinetic: Annotated[bool, typer.Option(help="Add the kinetic kappa/2.")] = False,
    fvib: Annotated[bool, typer.Option(help="Weigh wells by their stored fvib.")] = True,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Heat capacity C(T) of the stored minima (harmonic superposition) and its peaks."""
    from lossatlas.energy import heat_capacity_from_database, plot_heat_capacity

    if output is not None:
        figure_path(output, default_name="cv.png")
    with _open(db_path) as db:
        hc = heat_capacity_from_database(
            db, tmin=tmin, tmax=tmax, points=points, kappa=kappa, kinetic=kinetic, use_fvib=fvib
        )
    if output is not None:
        _save(plot_heat_capacity(hc), output, "cv.png")
    if format is OutputFormat.json:
        typer.echo(json.dumps(hc.to_dict()))
        return
    print_table(
        f"C(T): {len(hc.minima_ids)} minima, kappa={hc.kappa}, {len(hc.peaks)} peak(s)",
        [
            {
                "T": p.T,
                "C": p.C,
                "drivers (id: dp)": ", ".join(f"{m}: {d:+.3f}" for m, d in p.drivers[:6]),
            }
            for p in hc.peaks
        ],
    )


def msb(
    db_path: DbOption = Path("landscape.sqlite"),
    rule: Annotated[Rule, typer.Option(help="Descent rule for the figure.")] = Rule.barrier,
    levels: Annotated[int, typer.Option(help="Levels of the disconnectivity graph.")] = 20,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Monotonic sequence basins: bottoms, membership by both rules, ambiguous minima."""
    from lossatlas.energy import msb_from_database, plot_msb_disconnectivity, tree_from_database

    if output is not None:
        figure_path(output, default_name="msb.png")
    with _open(db_path) as db:
        r = msb_from_database(db)
        if output is not None:
            tree = tree_from_database(db, n_levels=levels)
            _save(plot_msb_disconnectivity(tree, r, rule=rule.value), output, "msb.png")
    data = r.to_dict()
    rows = data["minima"]
    if format is OutputFormat.json:
        typer.echo(json.dumps(data))
        return
    print_table(
        f"{len(r.bottoms)} MSBs, {len(r.ambiguous)} ambiguous, {len(r.isolated)} isolated",
        [
            {**row, "reachable_bottoms": " ".join(map(str, row["reachable_bottoms"]))}
            for row in rows
        ],
    )


def sweep(
    db_path: Annotated[
        Path | None, typer.Option("--db", help="Take the potential from this database.")
    ] = None,
    potential: Annotated[
        str | None, typer.Option(help="Potential name (gp, double-well, ...) instead of --db.")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Data set of the potential.")] = None,
    parameter: Annotated[str, typer.Option(help="The option to sweep.")] = "nu",
    start: Annotated[float, typer.Option(help="First value.")] = 0.5,
    stop: Annotated[float, typer.Option(help="Last value.")] = 3.0,
    points: Annotated[int, typer.Option(help="Number of values.")] = 11,
    random_starts: Annotated[int, typer.Option(help="Random starts per value.")] = 8,
    refine: Annotated[int, typer.Option(help="Bisection steps per fold.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    optimal: Annotated[
        bool, typer.Option("--optimal-nu/--no-optimal-nu", help="Also report the optimal nu (GP).")
    ] = True,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
) -> None:
    """Follow minima and saddles as a potential option changes; report folds (and optimal nu)."""
    import numpy as np

    from lossatlas.energy import (
        Database,
        optimal_nu,
        plot_stationary_points,
        potential_from_spec,
        potential_spec,
        sweep_parameter,
    )

    if db_path is not None:
        if potential is not None or dataset is not None:
            raise InputError("give either --db or --potential/--dataset, not both")
        with Database.open(db_path, rebuild=False, allow_empty=True) as db:
            spec = db.potential_spec
        if spec is None:
            raise InputError(f"database '{db_path}' has no potential spec (key 'potential')")
    else:
        extra = {} if dataset is None else {"dataset": dataset}
        spec = potential_spec(potential or "gp", **extra)
    if parameter not in spec["options"]:
        raise InputError(
            f"potential {spec['name']!r} has no option {parameter!r}; options are "
            f"{sorted(spec['options'])}"
        )
    if points < 2:
        raise InputError(f"--points must be >= 2, got {points}")
    if output is not None:
        figure_path(output, default_name="sweep.png")

    def family(value: float) -> Any:
        return potential_from_spec({**spec, "options": {**spec["options"], parameter: value}})

    values = np.linspace(start, stop, points)
    result = sweep_parameter(
        family,
        values,
        parameter=parameter,
        n_random=random_starts,
        seed=seed,
        refine=refine,
        progress=not quiet,
    )
    best = None
    nu_range = (float(min(start, stop)), float(max(start, stop)))
    if optimal and spec["name"] == "gp" and parameter == "nu" and 0 < nu_range[0] < nu_range[1]:
        # searched over the swept (and plotted) range only, never widened beyond it: the
        # optimum printed lies on the plot, and an optimum at an end is called a bound
        best = optimal_nu(
            family(float(spec["options"]["nu"])),
            nu_min=nu_range[0],
            nu_max=nu_range[1],
            widen=0,
            seed=seed,
        )
    if output is not None:
        marked = None if best is None else best.nu
        _save(plot_stationary_points(result, optimum=marked), output, "sweep.png")
    data = result.to_dict()
    folds = data["folds"]
    if format is OutputFormat.json:
        typer.echo(
            json.dumps(
                {
                    "potential": spec,
                    **data,
                    "optimal_nu": None if best is None else best.to_dict(),
                }
            )
        )
        return
    counts = result.counts()
    print_table(
        f"{spec['name']}: stationary points against {parameter}",
        [
            {parameter: float(v), "minima": int(c[0]), "saddles": int(c[1])}
            for v, c in zip(result.values, counts, strict=True)
        ],
    )
    if folds:
        print_table(f"{len(folds)} fold(s)", [{**f, "bracket": f"{f['bracket']}"} for f in folds])
    else:
        typer.echo("no folds between the sampled values")
    if best is not None:
        typer.echo(f"optimal nu in the swept range (NLL {best.nll:.6g}): {best.verdict}")
        if best.at_bound:
            typer.echo("  (widen --start/--stop to look beyond this bound)")


def ensemble(
    db_path: DbOption = Path("landscape.sqlite"),
    lowest: Annotated[int | None, typer.Option(help="Use the N lowest minima.")] = None,
    temperature: Annotated[
        float | None, typer.Option(help="T of the occupation weights (default: median gap).")
    ] = None,
    selector: Annotated[bool, typer.Option(help="Train the learned selector.")] = True,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Per-minimum test accuracy/AUC, overlap, oracle, averaging and a learned selector."""
    from lossatlas.energy import ensemble_from_database, plot_specialisation

    if output is not None:
        figure_path(output, default_name="ensemble.png")
    with _open(db_path, with_potential=True) as db:
        r = ensemble_from_database(
            db, db.potential, lowest=lowest, temperature=temperature, selector=selector, seed=seed
        )
    if output is not None:
        _save(plot_specialisation(r), output, "ensemble.png")
    data = r.to_dict()
    minima, summary = data["minima"], data["summary"]
    if format is OutputFormat.json:
        typer.echo(json.dumps(data))
        return
    print_table(f"{len(minima)} minima on {r.correct.shape[0]} test items", minima)
    print_table("combinations", [{"method": k, **v} for k, v in summary.items()])


def relevance(
    db_path: DbOption = Path("landscape.sqlite"),
    rule: Annotated[Rule, typer.Option(help="MSB descent rule.")] = Rule.barrier,
    lowest: Annotated[int | None, typer.Option(help="Use the N lowest minima.")] = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Input-feature relevance from weights conserved within each monotonic sequence basin."""
    from lossatlas.energy import relevance_from_database

    with _open(db_path, with_potential=True) as db:
        fr = relevance_from_database(db, db.potential, rule=rule.value, lowest=lowest)
    if format is OutputFormat.json:
        typer.echo(json.dumps(fr.to_dict()))
        return
    print_table(f"feature relevance ({fr.grouping}, {len(fr.groups)} group(s))", fr.table())


def compare_losses(
    dataset: Annotated[str, typer.Option(help="Classification data set (made binary).")] = "iris",
    hidden: Annotated[int, typer.Option(help="Hidden units.")] = 3,
    lam: Annotated[float, typer.Option(help="L2 regularisation constant.")] = 1e-5,
    beta: Annotated[float, typer.Option(help="appAUC sigmoid steepness.")] = 100.0,
    score: Annotated[
        AucScore,
        typer.Option(help="appAUC acts on the softmax probability or on the logit."),
    ] = AucScore.probability,
    steps: Annotated[int, typer.Option(help="Basin-hopping steps per loss.")] = 200,
    step_size: Annotated[float, typer.Option(help="Uniform step half-width.")] = 1.0,
    temperature: Annotated[float, typer.Option(help="Metropolis temperature.")] = 2.0,
    connect: Annotated[
        int, typer.Option(help="Connect the N lowest minima of each (0: no barriers).")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    db_dir: Annotated[
        Path | None, typer.Option("--db-dir", help="Keep the two databases here.")
    ] = None,
    format: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
) -> None:
    """Explore cross-entropy and appAUC on the same network and data; compare side by side."""
    from lossatlas.energy import compare_losses as run

    if steps < 0 or hidden < 1:
        raise InputError(f"--steps must be >= 0 and --hidden >= 1, got {steps} and {hidden}")
    c = run(
        dataset,
        hidden=hidden,
        lam=lam,
        beta=beta,
        score=score.value,
        steps=steps,
        step_size=step_size,
        temperature=temperature,
        connect=connect,
        seed=seed,
        db_dir=db_dir,
        progress=not quiet,
    )
    if format is OutputFormat.json:
        typer.echo(json.dumps(c.to_dict()))
        return
    print_table(f"{c.dataset}, {c.n_hidden} hidden units", c.table())
