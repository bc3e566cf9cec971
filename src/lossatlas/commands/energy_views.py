"""``lossatlas energy slice|spectrum``: loss slices, line vs path, and Hessian spectra.

These verbs join the ``energy`` command group (see :mod:`lossatlas.commands.energy_analysis`,
whose group lookup they share). Both work on a stored minimum of a database (``--db``; minimum
ids as ``lossatlas energy summary`` prints them) or on a torch module given as files
(``--module module.py:ModelClass --weights W.pt --data D.csv --target y``).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from lossatlas.commands._energy_common import (
    FormatOption,
    OutputFormat,
    QuietOption,
    energy_group,
    figure_path,
)
from lossatlas.commands._energy_common import open_database as _open
from lossatlas.errors import InputError

__all__ = ["register"]


class Directions(StrEnum):
    random = "random"
    hessian = "hessian"


class Norm(StrEnum):
    filter = "filter"
    layer = "layer"
    none = "none"


class Method(StrEnum):
    auto = "auto"
    exact = "exact"
    lanczos = "lanczos"


DbOpt = Annotated[Path | None, typer.Option("--db", help="SQLite database of minima and saddles.")]
ModuleOpt = Annotated[
    str | None, typer.Option("--module", help="A torch module instead of --db: module.py:Class.")
]
WeightsOpt = Annotated[
    Path | None, typer.Option("--weights", help="state_dict of the module (torch.save).")
]
DataOpt = Annotated[Path | None, typer.Option("--data", help="CSV data of the module.")]
TargetOpt = Annotated[str, typer.Option("--target", help="Target column of --data.")]
LossOpt = Annotated[str, typer.Option("--loss", help="auto, cross-entropy or mse.")]
TestOpt = Annotated[
    float, typer.Option("--test-fraction", help="Rows of --data held out for the held-out loss.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed.")]


def register(app: typer.Typer) -> None:
    """Add ``slice`` and ``spectrum`` to the ``energy`` command group."""
    group = energy_group(app)
    group.command("slice")(slice_command)
    group.command("spectrum")(spectrum)


def _source(
    db_path: Path | None,
    module: str | None,
    weights: Path | None,
    data: Path | None,
    target: str,
    loss: str,
    test_fraction: float,
    seed: int,
) -> tuple[Any, Any]:
    """``(db or None, potential)`` from either ``--db`` or the torch-module flags."""
    if (db_path is None) == (module is None):
        raise InputError("give either --db DB or --module module.py:Class (with --data), not both")
    if module is None:
        if weights is not None or data is not None:
            raise InputError("--weights and --data go with --module, not with --db")
        db = _open(db_path, with_potential=True)  # type: ignore[arg-type]
        return db, db.potential
    if data is None:
        raise InputError("--module needs --data D.csv (and --target)")
    from lossatlas.energy._torch_inputs import torch_potential_from_files

    pot = torch_potential_from_files(
        module, weights, data, target, loss=loss, test_fraction=test_fraction, seed=seed
    )
    return None, pot


def _path_ids(text: str) -> tuple[int, int]:
    parts = text.split(",")
    try:
        a, b = (int(p) for p in parts)
    except ValueError:
        raise InputError(f"--path must be two minimum ids 'K,L', got {text!r}") from None
    return a, b


def _save(fig: Any, output: Path) -> None:
    fig.savefig(output, dpi=150, bbox_inches="tight")


def slice_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Figure file (PNG, PDF, SVG).")],
    db_path: DbOpt = None,
    minimum: Annotated[
        int | None, typer.Option("--minimum", help="Centre: this minimum (default: lowest).")
    ] = None,
    path: Annotated[
        str | None, typer.Option("--path", help="K,L: line vs path between two minima.")
    ] = None,
    dims: Annotated[int, typer.Option("--dims", help="1 or 2.")] = 2,
    directions: Annotated[
        Directions, typer.Option("--directions", help="random or hessian.")
    ] = Directions.random,
    norm: Annotated[
        Norm, typer.Option("--norm", help="Random directions: filter, layer, none.")
    ] = (Norm.filter),
    include_biases: Annotated[
        bool, typer.Option("--include-biases", help="Do not zero biases and norm parameters.")
    ] = False,
    span: Annotated[
        float, typer.Option("--span", help="Grid half-width along each direction.")
    ] = 1.0,
    points: Annotated[int, typer.Option("--points", help="Grid points per direction.")] = 41,
    refine: Annotated[
        bool, typer.Option("--refine/--no-refine", help="Relax the path segments (DNEB).")
    ] = True,
    min_persistence: Annotated[
        float, typer.Option("--min-persistence", help="Merge tree: drop shallower minima.")
    ] = 0.0,
    module: ModuleOpt = None,
    weights: WeightsOpt = None,
    data: DataOpt = None,
    target: TargetOpt = "y",
    loss: LossOpt = "auto",
    test_fraction: TestOpt = 0.0,
    seed: SeedOpt = 0,
    format: FormatOption = OutputFormat.table,
) -> None:
    """A 1-D/2-D loss slice around a minimum (or a module's weights), or line vs path (--path)."""
    from lossatlas.energy._views_plots import plot_line_vs_path, plot_slice

    output = figure_path(output, default_name="slice.png" if path is None else "path.png")
    if dims not in (1, 2):
        raise InputError(f"--dims must be 1 or 2, got {dims}")
    if path is not None and minimum is not None:
        raise InputError("give --minimum K or --path K,L, not both")
    if path is not None and module is not None:
        raise InputError("--path needs a database of minima (--db), not --module")
    if minimum is not None and module is not None:
        raise InputError("--minimum needs --db; a --module slice is centred on its weights")
    db, pot = _source(db_path, module, weights, data, target, loss, test_fraction, seed)
    if path is not None:
        from lossatlas.energy._interpolation import line_and_path_from_database

        a, b = _path_ids(path)
        with db:
            prof = line_and_path_from_database(db, pot, a, b, points=max(points, 11), refine=refine)
        _save(plot_line_vs_path(prof, title=f"minima {a} and {b}"), output)
        result: dict[str, Any] = {
            "kind": "path",
            "minima": [a, b],
            "method": prof.method,
            "chain": list(prof.chain),
            "line_barrier": prof.line_barrier,
            "path_barrier": prof.path_barrier,
            "line": {"t": prof.line_t.tolist(), "energy": prof.line_energies.tolist()},
            "path": {"s": prof.path_s.tolist(), "energy": prof.path_energies.tolist()},
            "figure": str(output),
        }
        if format is OutputFormat.json:
            typer.echo(json.dumps(result))
            return
        n_ts = sum(k in ("ts", "candidate") for k in prof.knots_kind)
        typer.echo(
            f"minima {a} -> {b} ({prof.method} path, {n_ts} saddle(s)): straight-line barrier "
            f"{prof.line_barrier:.6g}, path barrier {prof.path_barrier:.6g}; wrote '{output}'"
        )
        return
    from lossatlas.energy._slice_topology import slice_merge_tree
    from lossatlas.energy._slices import loss_slice

    if db is not None:
        with db:
            m = db.get_minimum(minimum) if minimum is not None else db.minima()[0]
        centre, label = m.coords, f"minimum {m.id}"
    else:
        centre, label = pot.x0, f"{module} weights"
    sl = loss_slice(
        pot,
        centre,
        dims=dims,
        directions=directions.value,
        span=span,
        points=points,
        norm=norm.value,
        ignore_biases=not include_biases,
        seed=seed,
        label=label,
    )
    tree = None
    if dims == 2:
        tree = slice_merge_tree(
            sl.train, coordinates=sl.coordinates, min_persistence=min_persistence
        )
    _save(plot_slice(sl, tree=tree), output)
    result = {
        "kind": "slice",
        "centre": label,
        "dims": dims,
        "directions": directions.value,
        "norm": norm.value if directions is Directions.random else "none",
        "centre_energy": sl.centre_energy,
        "coordinates": [c.tolist() for c in sl.coordinates],
        "train": sl.train.tolist(),
        "heldout": None if sl.heldout is None else sl.heldout.tolist(),
        "figure": str(output),
    }
    if tree is not None:
        from lossatlas.energy._json import json_number  # lazily: lossatlas.energy is heavy

        result["merge_tree"] = {
            "minima": [
                {
                    "coords": list(t.coords),
                    "energy": t.energy,
                    "persistence": json_number(t.persistence),
                }
                for t in tree.minima
            ],
            "saddles": [
                {"coords": list(s.coords), "energy": s.energy, "joins": list(s.joins)}
                for s in tree.saddles
            ],
        }
    if format is OutputFormat.json:
        typer.echo(json.dumps(result))
        return
    held = (
        ""
        if sl.heldout is None
        else f", held-out {float(sl.heldout.min()):.6g}-{float(sl.heldout.max()):.6g}"
    )
    topo = (
        ""
        if tree is None
        else f"; sampled merge tree: {len(tree.minima)} minima, {len(tree.saddles)} saddles"
    )
    typer.echo(
        f"{dims}-D slice of {label} ({directions.value} directions, {points} points per axis): "
        f"centre loss {sl.centre_energy:.6g}, range {float(sl.train.min()):.6g}-"
        f"{float(sl.train.max()):.6g}{held}{topo}; wrote '{output}'"
    )


def spectrum(
    db_path: DbOpt = None,
    minimum: Annotated[
        int | None, typer.Option("--minimum", help="This minimum only (default: the lowest N).")
    ] = None,
    lowest: Annotated[int, typer.Option("--lowest", help="Without --minimum: N lowest.")] = 10,
    top: Annotated[int, typer.Option("--top", help="Largest eigenvalues.")] = 10,
    bottom: Annotated[int, typer.Option("--bottom", help="Smallest eigenvalues.")] = 10,
    density: Annotated[bool, typer.Option("--density", help="Spectral density (SLQ).")] = False,
    method: Annotated[
        Method, typer.Option("--method", help="auto (exact when small), exact or lanczos.")
    ] = Method.auto,
    probes: Annotated[int, typer.Option("--probes", help="Hutchinson probe vectors.")] = 100,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Density figure (implies --density).")
    ] = None,
    module: ModuleOpt = None,
    weights: WeightsOpt = None,
    data: DataOpt = None,
    target: TargetOpt = "y",
    loss: LossOpt = "auto",
    test_fraction: TestOpt = 0.0,
    seed: SeedOpt = 0,
    format: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
) -> None:
    """Hessian spectra of stored minima (or a module's weights): extremes, trace, density."""
    from lossatlas.energy._spectrum import hessian_spectrum

    if lowest < 1 or top < 0 or bottom < 0 or probes < 2:
        raise InputError(
            f"--lowest must be >= 1, --top/--bottom >= 0 and --probes >= 2, got {lowest}, "
            f"{top}, {bottom}, {probes}"
        )
    if minimum is not None and module is not None:
        raise InputError("--minimum needs --db; a --module spectrum is at its weights")
    if output is not None:
        output = figure_path(output, default_name="spectrum.png")
    density = density or output is not None
    db, pot = _source(db_path, module, weights, data, target, loss, test_fraction, seed)
    if db is not None:
        with db:
            chosen = [db.get_minimum(minimum)] if minimum is not None else db.minima()[:lowest]
        points = [(m.id, float(m.energy), m.coords) for m in chosen]
    else:
        points = [(None, float(pot.energy(pot.x0)), pot.x0)]
    opts = dict(top=top, bottom=bottom, density=density, method=method.value, seed=seed)
    rows = []
    curves = []
    from tqdm.auto import tqdm

    for mid, energy, x in tqdm(points, desc="Hessian spectra", unit="point", disable=quiet):
        s = hessian_spectrum(pot, x, n_hutchinson=probes, **opts)
        row: dict[str, Any] = {
            "id": mid,
            "energy": energy,
            "ndim": s.ndim,
            "method": s.method,
            "top": s.top.tolist(),
            "bottom": s.bottom.tolist(),
            "trace": s.trace.value,
            "trace_stderr": s.trace.stderr,
        }
        if s.density is not None:
            row["density"] = {
                "grid": s.density.grid.tolist(),
                "density": s.density.density.tolist(),
                "sigma": s.density.sigma,
            }
            curves.append((f"minimum {mid}" if mid is not None else "module", s.density))
        rows.append(row)
    if output is not None:
        from lossatlas.energy._views_plots import plot_spectral_density

        _save(plot_spectral_density(curves), output)
    if format is OutputFormat.json:
        typer.echo(json.dumps({"minima": rows}))
        return
    from lossatlas.commands._energy_common import print_table

    print_table(
        f"Hessian spectra ({rows[0]['ndim']} coordinates)",
        [
            {
                "id": r["id"] if r["id"] is not None else "module",
                "energy": r["energy"],
                "method": r["method"],
                "largest": r["top"][0] if r["top"] else None,
                "smallest": r["bottom"][0] if r["bottom"] else None,
                "trace": r["trace"],
                "± (stderr)": r["trace_stderr"],
            }
            for r in rows
        ],
    )
    if output is not None:
        typer.echo(f"wrote '{output}'")
