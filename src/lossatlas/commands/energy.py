"""``lossatlas energy ...``: explore, connect, draw and summarise weight-space energy landscapes.

The database file carries the potential's spec in its metadata (key ``potential``) and the
duplicate tolerances (``energy_tol``, ``distance_tol``), so every command after ``explore``
rebuilds the very same potential from the file alone.
"""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lossatlas.commands._energy_common import (
    DbOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    figure_path,
    save_figure,
)
from lossatlas.commands._energy_common import open_database as _open
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy import Database, Potential

__all__ = ["register"]

energy_app = typer.Typer(
    name="energy",
    help="Weight-space energy landscapes: basin-hopping, transition states, disconnectivity.",
    no_args_is_help=True,
)


class BranchOrder(StrEnum):
    energy = "energy"
    basin_size = "basin-size"


def register(app: typer.Typer) -> None:
    """Add the ``energy`` command group to the ``lossatlas`` application."""
    app.add_typer(energy_app, name="energy")


# -- commands ---------------------------------------------------------------------------------
@energy_app.command()
def explore(
    db_path: DbOption = Path("landscape.sqlite"),
    potential: Annotated[
        str | None,
        typer.Option(
            "--potential",
            help="mlp, mlp-auc, gp, muller-brown or double-well "
            "(default: the database's potential, else mlp).",
        ),
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Data set, e.g. iris.")] = None,
    hidden: Annotated[int | None, typer.Option(help="Hidden units of the MLP.")] = None,
    lam: Annotated[float | None, typer.Option(help="L2 regularisation constant.")] = None,
    beta: Annotated[float | None, typer.Option(help="appAUC sigmoid steepness.")] = None,
    nu: Annotated[float | None, typer.Option(help="Matern smoothness of the GP.")] = None,
    steps: Annotated[int, typer.Option(help="Basin-hopping steps (per chain).")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    temperature: Annotated[float, typer.Option(help="Metropolis temperature.")] = 2.0,
    step_size: Annotated[float, typer.Option(help="Uniform step half-width.")] = 1.0,
    adaptive_step: Annotated[bool, typer.Option(help="Adapt the step size.")] = False,
    chains: Annotated[int, typer.Option(help="Independent chains (processes, or dask tasks).")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="dask.distributed scheduler (tcp://host:port): chains run on its workers, "
            "this process alone writes --db."
        ),
    ] = None,
    rms_tol: Annotated[float, typer.Option(help="Quench RMS-gradient tolerance.")] = 1e-6,
    energy_tol: Annotated[
        float | None, typer.Option(help="Minima closer in energy may be equal (default 1e-4).")
    ] = None,
    distance_tol: Annotated[
        float | None, typer.Option(help="... and in canonical distance (default 1e-3).")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Basin-hopping on a potential, storing every distinct minimum; re-running continues.

    A foreign SQLite file at --db is refused, never adopted.
    """
    import contextlib

    from lossatlas.energy import (
        BasinHoppingOptions,
        Database,
        basin_hopping,
        connect_scheduler,
        distributed_basin_hopping,
        parallel_basin_hopping,
        potential_db_options,
        potential_from_spec,
        potential_spec,
    )

    given = {
        k: v
        for k, v in dict(dataset=dataset, hidden=hidden, lam=lam, beta=beta, nu=nu).items()
        if v is not None
    }
    if chains < 1:
        raise InputError(f"--chains must be >= 1, got {chains}")
    options = BasinHoppingOptions(
        steps=steps,
        step_size=step_size,
        temperature=temperature,
        adaptive_step=adaptive_step,
        rms_tol=rms_tol,
    )
    checked: tuple[dict, Potential] | None = None
    if not db_path.exists():
        # a bad --potential or option must not leave a new, empty database behind
        first = potential_spec(potential or "mlp", **given)
        checked = (first, potential_from_spec(first))
    # an unreachable scheduler is refused before --db is created or changed
    client = connect_scheduler(scheduler) if scheduler is not None else None
    with contextlib.closing(client) if client is not None else contextlib.nullcontext():
        with Database(db_path) as probe:
            stored = probe.potential_spec
            e_tol = probe.get_meta("energy_tol") if energy_tol is None else energy_tol
            d_tol = probe.get_meta("distance_tol") if distance_tol is None else distance_tol
            e_tol = 1e-4 if e_tol is None else float(e_tol)
            d_tol = 1e-3 if d_tol is None else float(d_tol)
            if stored is not None and potential is None and not given:
                spec = stored
            else:
                name = potential or (stored["name"] if stored is not None else "mlp")
                spec = potential_spec(name, **given)
            if stored is not None and stored != spec:
                raise InputError(
                    f"database '{db_path}' holds minima of potential {json.dumps(stored)}; "
                    f"this run asks for {json.dumps(spec)}: use another --db"
                )
            for key, value in (("energy_tol", e_tol), ("distance_tol", d_tol)):
                old = probe.get_meta(key)
                if old is not None and float(old) != value:
                    raise InputError(
                        f"database '{db_path}' was built with {key}={old}; got {value} (--{key})"
                    )
            # built once: the check above may have built this very potential already
            pot = checked[1] if checked and checked[0] == spec else potential_from_spec(spec)
            if stored is None:
                probe.set_meta("potential", spec)
            probe.set_meta("energy_tol", e_tol)
            probe.set_meta("distance_tol", d_tol)
        if scheduler is not None:
            results = distributed_basin_hopping(
                spec,
                db_path,
                options,
                scheduler=client,
                chains=chains,
                seed=seed,
                energy_tol=e_tol,
                distance_tol=d_tol,
                progress=not quiet,
            )
        elif chains == 1:
            with Database(
                db_path, energy_tol=e_tol, distance_tol=d_tol, **potential_db_options(pot)
            ) as db:
                results = [basin_hopping(pot, db, options, seed=seed, progress=not quiet)]
        else:
            results = parallel_basin_hopping(
                spec,
                db_path,
                options,
                chains=chains,
                seed=seed,
                energy_tol=e_tol,
                distance_tol=d_tol,
                progress=not quiet,
            )
        with Database.open(db_path, rebuild=False) as db:
            after = db.n_minima()
            lowest = db.minima()[0].energy
        # what this run inserted, not what other processes writing into the file added meanwhile
        inserted = sum(r.n_new_minima for r in results)
        accepted = sum(r.n_accepted for r in results)
        total = sum(r.n_steps for r in results)
        qps = sum(r.quenches_per_second for r in results)
        typer.echo(
            f"{spec['name']}: {total} steps, {accepted} accepted, {inserted} new minima "
            f"({after} in '{db_path}'), lowest energy {lowest:.10g}, {qps:.1f} quenches/s"
        )


class ConnectStrategy(StrEnum):
    lowest = "lowest"
    unconnected = "unconnected"
    closest = "closest"
    pairs = "pairs"


@energy_app.command()
def connect(
    db_path: DbOption = Path("landscape.sqlite"),
    strategy: Annotated[
        ConnectStrategy,
        typer.Option(
            help="lowest: the N lowest to the global minimum; unconnected: each of the N lowest "
            "not joined to the global minimum to its nearest joined minimum; closest: each of "
            "the N lowest to its nearest neighbours; pairs: the pairs in --pairs FILE."
        ),
    ] = ConnectStrategy.lowest,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="File of minimum id pairs, two per line.")
    ] = None,
    lowest: Annotated[int, typer.Option(help="Work on the N lowest minima.")] = 10,
    neighbours: Annotated[int, typer.Option(help="Nearest neighbours per minimum (closest).")] = 1,
    cycles: Annotated[int, typer.Option(help="Dijkstra cycles at most per pair.")] = 10,
    images: Annotated[
        int | None, typer.Option(help="Band images (default: by distance, at most 50).")
    ] = None,
    spring: Annotated[float, typer.Option(help="Band spring constant.")] = 50.0,
    band_tol: Annotated[float, typer.Option(help="Band RMS-force tolerance.")] = 1e-3,
    band_iterations: Annotated[int, typer.Option(help="Band iterations at most.")] = 500,
    tol: Annotated[
        float, typer.Option(help="RMS-gradient tolerance of saddles and push-off quenches.")
    ] = 1e-6,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    quiet: QuietOption = False,
) -> None:
    """Find transition states joining minima (DNEB + eigenvector-following, Dijkstra cycles)."""
    import time

    from lossatlas.energy import connect_with_strategy, read_pairs

    if lowest < 1:
        raise InputError(f"--lowest must be >= 1, got {lowest}")
    if strategy is ConnectStrategy.pairs and pairs is None:
        raise InputError("--strategy pairs needs --pairs FILE")
    if pairs is not None and strategy is not ConnectStrategy.pairs:
        raise InputError("--pairs is only used with --strategy pairs")
    if images is not None and images < 3:
        raise InputError(f"--images must be >= 3, got {images}")
    pair_list = read_pairs(pairs) if pairs is not None else None
    band = {"spring": spring, "rms_tol": band_tol, "max_iterations": band_iterations}
    if images is not None:
        band["n_images"] = images
    start = time.perf_counter()
    with _open(db_path, with_potential=True, writable=True) as db:
        before = db.n_transition_states()
        results = connect_with_strategy(
            db.potential,
            db,
            strategy=strategy.value,  # type: ignore[arg-type]
            lowest=lowest,
            pairs=pair_list,
            neighbours=neighbours,
            seed=seed,
            progress=not quiet,
            max_cycles=cycles,
            rms_tol=tol,
            band=band,
        )
        n_ts, n_min = db.n_transition_states(), db.n_minima()
    joined = sum(r.success for r in results)
    searches = sum(r.n_searches for r in results)
    typer.echo(
        f"{n_ts - before} new transition states ({n_ts} in '{db_path}', {n_min} minima); "
        f"{strategy.value}: {joined}/{len(results)} pairs joined, {searches} searches, "
        f"{time.perf_counter() - start:.1f} s"
    )


def _colour_values(
    spec: str, db: Database, potential: Potential | None
) -> tuple[dict[int, float], str]:
    """Per-minimum values for ``--colour-by``: a stored field, test accuracy, or a CSV file."""
    from lossatlas.energy import minima_test_accuracy

    fields = {"fvib": "fvib", "lowest-eigenvalue": "lowest_eigenvalue", "energy": "energy"}
    if spec in fields:
        attr = fields[spec]
        return {
            m.id: float(getattr(m, attr)) for m in db.minima() if getattr(m, attr) is not None
        }, spec
    if spec == "test-accuracy":
        data = getattr(potential, "dataset", None)
        if data is None or not hasattr(potential, "predict") or data.X_test.size == 0:
            raise InputError(
                "--colour-by test-accuracy needs a classifier potential with a test split"
            )
        return minima_test_accuracy(potential, db.minima()), spec
    path = Path(spec)
    if not path.is_file():
        raise InputError(
            f"--colour-by {spec!r}: not one of {sorted([*fields, 'test-accuracy'])} "
            "and not a CSV file"
        )
    values: dict[int, float] = {}
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        if "id" not in cols or len(cols) < 2:
            raise InputError(f"'{path}': needs a column 'id' and a value column, got {cols}")
        value_col = next(c for c in cols if c != "id")
        for line, row in enumerate(reader, start=2):
            try:
                values[int(row["id"])] = float(row[value_col])
            except (TypeError, ValueError):
                raise InputError(
                    f"'{path}' line {line}: column 'id'/{value_col!r} value "
                    f"{row.get('id')!r}/{row.get(value_col)!r} is not a number"
                ) from None
    return values, value_col


@energy_app.command()
def dgraph(
    db_path: DbOption = Path("landscape.sqlite"),
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Image file (a directory: tree.png inside it; no suffix: .png)."
        ),
    ] = Path("tree.png"),
    levels: Annotated[int, typer.Option(help="Number of energy levels.")] = 20,
    colour_by: Annotated[
        str | None,
        typer.Option(
            "--colour-by",
            help="fvib, lowest-eigenvalue, energy, test-accuracy, or a CSV file (id,value).",
        ),
    ] = None,
    order: Annotated[BranchOrder, typer.Option(help="Branch order.")] = BranchOrder.energy,
    label_minima: Annotated[bool, typer.Option(help="Write minimum ids.")] = False,
    free_energy: Annotated[
        bool,
        typer.Option("--free-energy", help="Free-energy graph: minima regrouped at --temperature."),
    ] = False,
    temperature: Annotated[
        float | None, typer.Option(help="Temperature of the free-energy graph.")
    ] = None,
    regroup: Annotated[
        float,
        typer.Option(help="Merge groups whose free-energy barrier is below this."),
    ] = 0.0,
) -> None:
    """Draw the disconnectivity graph of the database (or its free-energy graph at T)."""
    from lossatlas.energy import free_energy_tree, plot_disconnectivity, tree_from_database

    if levels < 1:
        raise InputError(f"--levels must be >= 1, got {levels}")
    if free_energy and temperature is None:
        raise InputError("--free-energy needs --temperature T")
    if not free_energy and temperature is not None:
        raise InputError("--temperature is only used with --free-energy")
    figure_path(output, default_name="tree.png")  # refuse a bad name before any work
    branch = "energy" if order is BranchOrder.energy else "basin_size"
    groups = ""
    with _open(db_path, with_potential=colour_by == "test-accuracy") as db:
        if free_energy:
            assert temperature is not None
            tree, net = free_energy_tree(
                db, temperature=temperature, threshold=regroup, n_levels=levels, order=branch
            )
            groups = f", {len(net.groups)} free-energy groups at T={temperature:g}"
        else:
            tree = tree_from_database(db, n_levels=levels, order=branch)
        values, label = (
            (None, None) if colour_by is None else _colour_values(colour_by, db, db.potential)
        )
        n_min, n_ts = db.n_minima(), db.n_transition_states()
    fig = plot_disconnectivity(
        tree, colour_by=values, label_minima=label_minima, colour_label=label
    )
    written = save_figure(fig, output, default_name="tree.png")
    typer.echo(f"wrote '{written}' ({n_min} minima, {n_ts} transition states{groups})")


def _ids(text: str, option: str) -> list[int]:
    """``"1,2 5"`` -> ``[1, 2, 5]``; anything else is one clear error."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        ids = [int(p) for p in parts]
    except ValueError:
        raise InputError(f"{option} {text!r}: expected minimum ids such as '1,2,5'") from None
    if not ids:
        raise InputError(f"{option}: no minimum ids given")
    return ids


@energy_app.command()
def rates(
    db_path: DbOption = Path("landscape.sqlite"),
    source: Annotated[
        str, typer.Option("--from", help="Minimum ids the process starts in, e.g. 2,3.")
    ] = "",
    target: Annotated[str, typer.Option("--to", help="Minimum ids it must reach, e.g. 1.")] = "",
    temperature: Annotated[float, typer.Option(help="Temperature (energy units).")] = 1.0,
    no_fvib: Annotated[
        bool, typer.Option("--no-fvib", help="Leave out the harmonic entropies (fvib).")
    ] = False,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Rates between two sets of minima by graph transformation (NGT), harmonic TST."""
    from lossatlas.energy import rates_from_database

    src, tgt = _ids(source, "--from"), _ids(target, "--to")
    with _open(db_path) as db:
        res = rates_from_database(db, src, tgt, temperature=temperature, use_fvib=not no_fvib)
    if format is OutputFormat.json:
        typer.echo(json.dumps(res.to_dict()))
        return
    typer.echo(
        f"T={res.temperature:g}: k(to <- from) = {res.rate:.6g} (NSS), {res.rate_ss:.6g} (SS); "
        f"k(from <- to) = {res.reverse_rate:.6g} (NSS), {res.reverse_rate_ss:.6g} (SS); "
        f"{res.n_minima} minima, {res.n_transition_states} transition states"
    )
    for b, t in res.mfpt.items():
        typer.echo(f"  mean first passage time from {b}: {t:.6g}")


@energy_app.command()
def summary(
    db_path: DbOption = Path("landscape.sqlite"),
    format: FormatOption = OutputFormat.table,
) -> None:
    """Print the minima and transition states (without coordinates)."""
    with _open(db_path) as db:
        data = db.to_dict()
        spec = db.potential_spec
    if format is OutputFormat.json:
        typer.echo(json.dumps(data))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if spec is not None:
        console.print(f"potential: {json.dumps(spec)}")
    for title, rows in (
        ("minima", data["minima"]),
        ("transition states", data["transition_states"]),
    ):
        table = Table(title=f"{len(rows)} {title}")
        keys = list(rows[0]) if rows else ["id", "energy"]
        for k in keys:
            table.add_column(k, justify="right")
        for row in rows:
            table.add_row(*("" if row[k] is None else f"{row[k]:.10g}" for k in keys))
        console.print(table)


@energy_app.command()
def pathsample(
    db_path: DbOption = Path("landscape.sqlite"),
    directory: Annotated[Path, typer.Option("--directory", "-d", help="Output folder.")] = Path(
        "."
    ),
) -> None:
    """Write PATHSAMPLE-style min.data and ts.data."""
    with _open(db_path) as db:
        min_path, ts_path = db.write_pathsample(directory)
    typer.echo(f"wrote '{min_path}' and '{ts_path}'")


def report(
    db_path: DbOption = Path("landscape.sqlite"),
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    lowest: Annotated[int, typer.Option(help="Minima listed and combined into ensembles.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the ensemble selector.")] = 0,
) -> None:
    """Write the energy report (exploration, disconnectivity, C(T), ensembles, relevance)."""
    from lossatlas.commands.report import run_energy_report

    if lowest < 1:
        raise InputError(f"--lowest must be >= 1, got {lowest}")
    run_energy_report(db_path, output, seed=seed, lowest=lowest)


energy_app.command("report")(report)
