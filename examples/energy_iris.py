"""The whole energy-landscape pipeline on iris, written up as one HTML page.

    python examples/energy_iris.py --out energy-report

1. basin-hopping on the cross-entropy of a 4-3-3 tanh network (27 weights) on iris;
2. transition states between the lowest minima (DNEB + hybrid eigenvector-following);
3. disconnectivity graphs coloured by test accuracy and by monotonic sequence basin;
4. heat capacity C(T) and the minima that drive its peaks;
5. ensembles of minima: per-minimum accuracy, overlap, oracle, averaging, learned selector;
6. feature relevance from weights conserved within each basin;
7. the Gaussian-process likelihood on a 1-D regression set as the Matern nu varies (folds,
   optimal nu);
8. cross-entropy against appAUC on the binary version of iris.

Runs in a couple of minutes on two cores with the defaults. The page is self-contained (PNG
figures embedded as data URIs), written by this script: ``lossatlas.viz.report.write_report``
reports hyperparameter landscapes and takes extra sections only next to them.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import time
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.energy.basinhopping import basin_hopping
from lossatlas.energy.catastrophe import optimal_nu, plot_stationary_points, sweep_nu
from lossatlas.energy.connect import connect_lowest
from lossatlas.energy.database import Database, potential_db_options
from lossatlas.energy.disconnectivity import plot_disconnectivity, tree_from_database
from lossatlas.energy.ensembles import ensemble_from_database, plot_specialisation
from lossatlas.energy.losscompare import compare_losses
from lossatlas.energy.msb import msb_from_database, plot_msb_disconnectivity
from lossatlas.energy.potentials import make_potential
from lossatlas.energy.relevance import relevance_from_database
from lossatlas.energy.thermo import heat_capacity_from_database, plot_heat_capacity


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f"<img alt='figure' src='data:image/png;base64,{data}'>"


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"

    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "" if not np.isfinite(v) else f"{v:.4g}"
        return html.escape("" if v is None else str(v))

    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row.values()) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


PAGE = """<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>
body{{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:0.5em 0}}td,th{{border:1px solid #ccc;padding:2px 8px;
text-align:right}}img{{max-width:100%}}section{{margin-bottom:2em}}.note{{color:#555}}
</style></head><body><h1>{title}</h1><p class='note'>{settings}</p><ul>{toc}</ul>{body}
</body></html>"""


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("energy-report"))
    ap.add_argument("--steps", type=int, default=200, help="basin-hopping steps")
    ap.add_argument(
        "--step-size",
        type=float,
        default=3.0,
        help="basin-hopping step (the reference 1.0 stays in the global minimum's funnel on "
        "iris in a short run)",
    )
    ap.add_argument("--hidden", type=int, default=3)
    ap.add_argument("--connect", type=int, default=6, help="connect the N lowest minima")
    ap.add_argument("--compare-steps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    db_path = args.out / "iris.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    sections: list[tuple[str, str]] = []
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = time.perf_counter() - t0 - sum(timings.values())
        print(f"{name}: {timings[name]:.1f} s", flush=True)

    pot = make_potential("mlp", dataset="iris", hidden=args.hidden, seed=args.seed)
    data = pot.dataset
    with Database(db_path, **potential_db_options(pot)) as db:
        db.set_meta("potential", pot.spec)
        bh = basin_hopping(
            pot, db, steps=args.steps, step_size=args.step_size, temperature=2.0, seed=args.seed
        )
        lap("basin-hopping")
        connect_lowest(pot, db, lowest=args.connect, seed=args.seed)
        lap("connect")
        minima, ts = db.minima(), db.transition_states()
        sections.append(
            (
                "exploration",
                f"<p>{len(minima)} distinct minima from {bh.n_steps} basin-hopping steps "
                f"(acceptance {bh.acceptance_rate:.2f}); {len(ts)} transition states between the "
                f"{args.connect} lowest. Network 4-{args.hidden}-3, {pot.ndim} weights, "
                f"lambda={pot.lam:g}.</p>"
                + _table(
                    [
                        {
                            "id": m.id,
                            "loss": m.energy,
                            "fvib": m.fvib,
                            "test accuracy": float(
                                np.mean(pot.predict(m.coords, data.X_test) == data.y_test)
                            ),
                        }
                        for m in minima[:15]
                    ]
                ),
            )
        )
        tree = tree_from_database(db)
        acc = {
            m.id: float(np.mean(pot.predict(m.coords, data.X_test) == data.y_test)) for m in minima
        }
        msbs = msb_from_database(db)
        sections.append(
            (
                "disconnectivity graph",
                _png(plot_disconnectivity(tree, colour_by=acc, colour_label="test accuracy"))
                + _png(plot_msb_disconnectivity(tree, msbs))
                + f"<p>{len(msbs.bottoms)} monotonic sequence basins ({len(msbs.isolated)} minima "
                f"not connected are their own); ambiguous minima: {list(msbs.ambiguous)}; "
                f"the two descent rules disagree on {list(msbs.rules_disagree)}.</p>",
            )
        )
        lap("trees and MSBs")
        hc = heat_capacity_from_database(db, use_fvib=all(m.fvib is not None for m in minima))
        sections.append(
            (
                "heat capacity",
                _png(plot_heat_capacity(hc))
                + _table(
                    [
                        {
                            "T": p.T,
                            "C": p.C,
                            "drivers (id: change of occupation)": ", ".join(
                                f"{m}: {d:+.2f}" for m, d in p.drivers[:5]
                            ),
                        }
                        for p in hc.peaks
                    ]
                ),
            )
        )
        lap("heat capacity")
        ens = ensemble_from_database(db, pot, lowest=20, seed=args.seed)
        sections.append(
            (
                "ensembles of minima",
                _png(plot_specialisation(ens))
                + _table([{"method": k, **v} for k, v in ens.summary().items()])
                + f"<p>Occupation weights at T={ens.temperature:.3g}; the selector (a small "
                "network picking the minimum to trust per input) was trained on the training "
                "split and is evaluated on the held-out test split.</p>",
            )
        )
        lap("ensembles")
        rel = relevance_from_database(db, pot)
        sections.append(
            (
                "feature relevance",
                f"<p>Grouping: {rel.grouping}, {len(rel.groups)} group(s).</p>"
                + _table(rel.table()),
            )
        )
        lap("relevance")

    gp = make_potential("gp", dataset="sine", nu=1.5, seed=args.seed)
    sweep = sweep_nu(gp, np.linspace(0.5, 3.0, 6), n_random=4, seed=args.seed)
    best = optimal_nu(gp, seed=args.seed, points=12)
    sections.append(
        (
            "Gaussian process: catastrophes in nu",
            _png(plot_stationary_points(sweep))
            + f"<p>{len(sweep.folds)} fold(s) between nu = 0.5 and 3. Optimal nu = {best.nu:.3g} "
            f"(NLL {best.nll:.5g}){' at the search bound' if best.at_bound else ''}; nearest "
            f"half-integer {best.nearest_half_integer}: "
            f"{'it is one' if best.is_half_integer else 'not a half-integer'}.</p>"
            + _table([{"nu": k, "profile NLL": v} for k, v in best.half_integer_nll.items()]),
        )
    )
    lap("GP sweep")
    comp = compare_losses(
        "iris", hidden=args.hidden, steps=args.compare_steps, connect=4, seed=args.seed
    )
    sections.append(("cross-entropy vs appAUC (iris, last class positive)", _table(comp.table())))
    lap("loss comparison")

    toc = "".join(
        f"<li><a href='#s{i}'>{html.escape(t)}</a></li>" for i, (t, _) in enumerate(sections)
    )
    body = "".join(
        f"<section id='s{i}'><h2>{html.escape(t)}</h2>{h}</section>"
        for i, (t, h) in enumerate(sections)
    )
    settings = (
        f"seed {args.seed}; steps {args.steps}; total {sum(timings.values()):.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
        + ")"
    )
    out = args.out / "energy_iris.html"
    out.write_text(
        PAGE.format(
            title="lossatlas: the energy landscape of an iris classifier",
            settings=html.escape(settings),
            toc=toc,
            body=body,
        ),
        encoding="utf-8",
    )
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    main()
