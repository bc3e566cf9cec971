"""The energy report: sections that apply to the potential, the shared page, and the CLI paths."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lossatlas._pages import figure_html, table_html, write_page
from lossatlas.cli import main
from lossatlas.energy import (
    Database,
    basin_hopping,
    energy_sections,
    heat_capacity_from_database,
    hessian_summary,
    is_energy_database,
    potential_db_options,
    write_energy_report,
)
from lossatlas.energy.potentials import make_potential
from lossatlas.errors import InputError

# Mueller-Brown fixture (shared/reference/energy-landscapes.md): 3 minima and 2 saddles.
MB_MINIMA = [(-0.5582, 1.4417), (0.6235, 0.0280), (-0.0500, 0.4667)]
MB_SADDLES = [((-0.8220, 0.6243), 0, 2), ((0.2124, 0.2930), 2, 1)]
VIEWS = ["loss slice", "straight line vs path", "Hessian spectra"]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _mb_db(path, *, saddles: bool = True, spec: bool = True):
    pot = make_potential("muller-brown")
    with Database(path) as db:
        if spec:
            db.set_meta("potential", pot.spec)
        ids = []
        for p in MB_MINIMA:
            x = np.array(p)
            fvib, n_pos, lowest = hessian_summary(pot, x)
            m, _ = db.add_minimum(
                pot.energy(x), x, fvib=fvib, n_positive=n_pos, lowest_eigenvalue=lowest
            )
            ids.append(m.id)
        if saddles:
            for p, a, b in MB_SADDLES:
                x = np.array(p)
                db.add_transition_state(pot.energy(x), x, ids[a], ids[b])
    return path


def _section(text: str, title: str) -> str:
    start = text.index(f"<h2>{title}</h2>")
    end = text.find("</section>", start)
    return text[start:end]


@pytest.fixture(scope="module")
def mlp_db(tmp_path_factory):
    """A tiny iris network database (a few basin-hopping steps, no transition states)."""
    path = tmp_path_factory.mktemp("mlp") / "iris.sqlite"
    pot = make_potential("mlp", dataset="iris", hidden=3, seed=0)
    with Database(path, **potential_db_options(pot)) as db:
        db.set_meta("potential", pot.spec)
        basin_hopping(pot, db, steps=8, step_size=3.0, temperature=5.0, seed=0)
        assert db.n_minima() >= 2
    return path


def test_mueller_brown_report_has_tree_and_heat_capacity_but_no_ensembles(tmp_path):
    db_path = _mb_db(tmp_path / "mb.sqlite")
    out = write_energy_report(db_path, tmp_path / "mb.html", title="MB <test>")
    text = out.read_text(encoding="utf-8")
    assert text.lower().startswith("<!doctype html>")
    assert "<title>MB &lt;test&gt;</title>" in text
    titles = re.findall(r"<h2>(.*?)</h2>", text)
    assert titles == [
        "exploration",
        "disconnectivity graph",
        "heat capacity",
        "kinetics and free energy",
        *VIEWS,
    ]
    assert "ensembles of minima" not in text and "feature relevance" not in text
    assert "test accuracy" not in text  # not a classifier
    tree = _section(text, "disconnectivity graph")
    assert tree.count("<img") == 2  # plain tree + MSB colouring
    assert "2 monotonic sequence basins" in tree  # bottoms: global minimum and -108.17
    # the C(T) peak of the reference (kappa = 2, three minima): one peak near T = 19
    with Database(db_path, create=False) as db:
        hc = heat_capacity_from_database(db)
    assert len(hc.peaks) == 1 and 17.0 < hc.peaks[0].T < 22.0
    cv = _section(text, "heat capacity")
    assert cv.count("<img") == 1
    assert f"<td class='num'>{hc.peaks[0].T:.4g}</td>" in cv
    # kinetics at the C(T) peak: the free-energy graph and the rates into the global minimum
    kin = _section(text, "kinetics and free energy")
    assert kin.count("<img") == 1 and f"At T={hc.peaks[0].T:.4g} (the lowest peak" in kin
    assert "mean first passage time" in kin and "warning" not in kin
    assert EXTERNAL.search(text) is None
    assert "<!-- lossatlas:extra-sections:start -->" in text
    # weight-space views: contour + surface and the slice's merge tree; the stored path's
    # barrier is the highest saddle's above the higher end minimum
    assert _section(text, "loss slice").count("<img") == 2
    path = _section(text, "straight line vs path")
    assert "stored minimum - transition state - minimum chain" in path
    assert f"path {-40.6648 + 108.1667:.4g}" in path
    assert _section(text, "Hessian spectra").count("<tr><td") == 3


def test_unconnected_minima_and_missing_spec(tmp_path):
    db_path = _mb_db(tmp_path / "mb.sqlite", saddles=False, spec=False)
    with Database(db_path, create=False) as db:
        sections = dict(energy_sections(db))
    assert list(sections) == ["exploration", "disconnectivity graph", "heat capacity"]  # no spec
    assert "the 3 minima are unconnected" in sections["disconnectivity graph"]
    assert "<img" not in sections["disconnectivity graph"]
    assert "no stored potential spec" in sections["exploration"]
    assert "(no transition states)" in sections["exploration"]


def test_lowest_limits_the_tables(tmp_path):
    db_path = _mb_db(tmp_path / "mb.sqlite")
    sections = dict(energy_sections(db_path, lowest=1))
    rows = re.findall(r"<tr><td", sections["exploration"])
    assert len(rows) == 2  # one minimum, one transition state
    with pytest.raises(InputError, match="lowest"):
        energy_sections(db_path, lowest=0)


def test_mlp_report_has_ensembles_relevance_and_accuracy(mlp_db, tmp_path):
    with Database.open(mlp_db) as db:
        pot = db.potential
        sections = dict(energy_sections(db, seed=0))
        minima = db.minima()
    assert list(sections) == [
        "exploration",
        "disconnectivity graph",
        "heat capacity",
        "ensembles of minima",
        "feature relevance",
        *VIEWS,
    ]
    data = pot.dataset
    acc = float(np.mean(pot.predict(minima[0].coords, data.X_test) == data.y_test))
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", sections["exploration"]).group(1)
    assert first_row.startswith(f"<td class='num'>{minima[0].id}</td>")
    assert first_row.endswith(f"<td class='num'>{acc:.4g}</td>")
    assert "unconnected" in sections["disconnectivity graph"]
    ens = sections["ensembles of minima"]
    assert "<img" in ens and "oracle" in ens and "selector" in ens
    for name in data.feature_names:
        assert name in sections["feature relevance"]
    # same inputs and seed: the same bytes
    a = write_energy_report(mlp_db, tmp_path / "a.html")
    b = write_energy_report(mlp_db, tmp_path / "b.html", potential=pot)
    assert a.read_bytes() == b.read_bytes()


def test_extra_sections_follow_the_energy_sections(tmp_path):
    db_path = _mb_db(tmp_path / "mb.sqlite")
    out = write_energy_report(
        db_path, tmp_path / "r.html", extra_sections=[("more", "<p id='probe'>x</p>")]
    )
    text = out.read_text(encoding="utf-8")
    assert re.findall(r"<h2>(.*?)</h2>", text)[-1] == "more"
    assert text.index("<p id='probe'>") > text.index("<h2>heat capacity</h2>")
    assert f"<a href='#extra-{4 + len(VIEWS)}'>more</a>" in text


def test_cli_report_and_energy_report_write_the_same_page(mlp_db, tmp_path, capsys):
    x, y = tmp_path / "x.html", tmp_path / "y.html"
    assert main(["report", str(mlp_db), "-o", str(x)]) == 0
    assert main(["energy", "report", "--db", str(mlp_db), "-o", str(y)]) == 0
    assert capsys.readouterr().out.count("wrote") == 2
    text = x.read_text(encoding="utf-8")
    assert text.lower().startswith("<!doctype html>")
    assert EXTERNAL.search(text) is None
    assert "ensembles of minima" in text
    assert x.read_bytes() == y.read_bytes()


def test_cli_errors_are_one_line_exit_2(tmp_path, capsys):
    missing = tmp_path / "missing.sqlite"
    empty = tmp_path / "empty.sqlite"
    Database(empty).close()  # the tables, no minima
    blank = tmp_path / "blank.db"
    blank.write_bytes(b"")
    cases = [
        (["report", str(missing), "-o", str(tmp_path / "o.html")], "missing.sqlite"),
        (["energy", "report", "--db", str(missing)], "missing.sqlite"),
        (["report", str(empty), "-o", str(tmp_path / "o.html")], "holds no minima"),
        (["energy", "report", "--db", str(empty)], "holds no minima"),
        (["report", str(blank), "-o", str(tmp_path / "o.html")], "holds no minima"),
        (["energy", "report", "--db", str(blank)], "holds no minima"),
    ]
    for argv, needle in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and needle in err, (argv, err)
    assert not (tmp_path / "o.html").exists()


def test_is_energy_database_reads_tables_not_names(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE trials (id INTEGER)")
    conn.commit()
    conn.close()
    assert not is_energy_database(other)
    assert is_energy_database(_mb_db(tmp_path / "mb.db"))
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("not sqlite")
    assert not is_energy_database(text_file)
    with pytest.raises(InputError, match="not an energy database"):
        Database.open(other)


def test_shared_html_helpers():
    from matplotlib.figure import Figure

    assert table_html([{"a": 1.234567, "b": None, "c": "<x>", "d": 3}]) == (
        "<table class='data'><thead><tr><th>a</th><th>b</th><th>c</th><th>d</th></tr></thead>"
        "<tbody><tr><td class='num'>1.235</td><td></td><td>&lt;x&gt;</td>"
        "<td class='num'>3</td></tr></tbody></table>"
    )
    assert table_html([], empty="nothing") == "<p class='note'>nothing</p>"
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1])
    out = figure_html(fig, caption="a & b", fig_id="f1")
    assert out.startswith("<figure><figcaption>a &amp; b</figcaption><img id='f1' class='static'")
    assert "src='data:image/png;base64,iVBOR" in out  # PNG magic, base64-encoded


def test_write_page_sections_and_figure_count(tmp_path):
    out = write_page(
        tmp_path / "p.html",
        title="t",
        settings="s",
        sections=[("one", "<figure>x</figure>"), ("two", "<p>y</p>")],
        notes=["careful <b>"],
    )
    text = out.read_text(encoding="utf-8")
    assert "<section id='extra-1'><h2>two</h2><p>y</p></section>" in text
    assert "1 figures." in text
    assert "<p class='warning'>careful &lt;b&gt;</p>" in text


def test_sweep_optimal_nu_lies_in_the_plotted_range_and_names_its_bound(tmp_path, capsys):
    """The optimal-nu text of ``energy sweep`` agrees with the plotted nu range."""
    import json

    png = tmp_path / "sweep.png"
    argv = "energy sweep --potential gp --start 0.5 --stop 3 --points 3 --random-starts 1 -q"
    assert main([*argv.split(), "--format", "json"]) == 0
    best = json.loads(capsys.readouterr().out)["optimal_nu"]
    assert best["search_range"] == [0.5, 3.0]
    assert 0.5 <= best["nu"] <= 3.0
    at_end = np.isclose(best["nu"], 0.5) or np.isclose(best["nu"], 3.0)
    assert best["at_bound"] == bool(at_end)
    if best["at_bound"]:
        assert f"{best['bound']} bound" in best["verdict"] and "[0.5, 3]" in best["verdict"]
    assert main([*argv.split(), "--output", str(png)]) == 0
    text = capsys.readouterr().out
    assert "optimal nu in the swept range" in text and png.is_file()
    shown = re.search(r"nu=([0-9.eE+-]+)", text.split("optimal nu", 1)[1])
    assert shown is not None and 0.5 <= float(shown.group(1)) <= 3.0
