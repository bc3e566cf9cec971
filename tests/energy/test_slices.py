"""Loss slices: closed form on a quadratic, filter norms, batches, held-out, line vs path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lossatlas.energy._batch import batch_energies, heldout_potential
from lossatlas.energy._database import Database
from lossatlas.energy._interpolation import line_and_path, line_and_path_from_database
from lossatlas.energy._slices import (
    hessian_directions,
    loss_slice,
    normalise_direction,
    parameter_groups,
    random_directions,
)
from lossatlas.energy.potentials import (
    CallablePotential,
    MLPCrossEntropy,
    MullerBrown,
    make_potential,
)
from lossatlas.errors import InputError


def _quadratic(seed: int = 0, n: int = 6):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    A = M @ M.T + n * np.eye(n)
    b = rng.normal(size=n)
    pot = CallablePotential(
        lambda x: float(0.5 * x @ A @ x + b @ x), lambda x: A @ x + b, lambda x: A, ndim=n
    )
    return pot, A, b, rng.normal(size=n)


def test_quadratic_slice_equals_closed_form() -> None:
    pot, A, b, x0 = _quadratic()
    D = np.random.default_rng(1).normal(size=(2, 6))
    sl = loss_slice(pot, x0, dims=2, directions=D, span=[1.5, (-0.5, 2.0)], points=[7, 9])
    a, c = np.meshgrid(*sl.coordinates, indexing="ij")
    g = A @ x0 + b
    e0 = 0.5 * x0 @ A @ x0 + b @ x0
    d1, d2 = D
    closed = (
        e0
        + a * (g @ d1)
        + c * (g @ d2)
        + 0.5 * a**2 * (d1 @ A @ d1)
        + a * c * (d1 @ A @ d2)
        + 0.5 * c**2 * (d2 @ A @ d2)
    )
    assert sl.train.shape == (7, 9)
    np.testing.assert_allclose(sl.train, closed, rtol=1e-12, atol=1e-10)
    assert sl.coordinates[1][0] == -0.5 and sl.coordinates[1][-1] == 2.0
    assert sl.heldout is None  # no data, no held-out loss
    assert sl.centre_energy == pytest.approx(e0)
    one = loss_slice(pot, x0, dims=1, directions=D[:1], span=2.0, points=5)
    t = one.coordinates[0]
    closed1 = e0 + t * (g @ d1) + 0.5 * t**2 * (d1 @ A @ d1)
    np.testing.assert_allclose(one.train, closed1, rtol=1e-12)


def test_hessian_directions_of_a_quadratic_are_its_top_eigenvectors() -> None:
    pot, A, _, x0 = _quadratic(2)
    V = hessian_directions(pot, x0, n=2)
    w, U = np.linalg.eigh(A)
    for k in range(2):
        assert abs(V[k] @ U[:, -1 - k]) == pytest.approx(1.0, abs=1e-8)
    sl = loss_slice(pot, x0, dims=2, directions="hessian", points=5)
    assert sl.kind == "hessian"
    # curvature along the axes of the slice: the two largest eigenvalues
    a = sl.coordinates[0]
    h = a[1] - a[0]
    mid = 2
    curv = (sl.train[mid + 1, mid] - 2 * sl.train[mid, mid] + sl.train[mid - 1, mid]) / h**2
    assert curv == pytest.approx(w[-1], rel=1e-8)


def _cnn():
    torch = pytest.importorskip("torch")
    from lossatlas.energy.potentials import TorchPotential

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3),
        torch.nn.BatchNorm2d(3),
        torch.nn.Tanh(),
        torch.nn.Conv2d(3, 2, 2),
        torch.nn.Flatten(),
        torch.nn.Linear(2 * 3 * 3, 2),
    )
    net.eval()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 1, 6, 6))
    y = np.arange(8) % 2
    return net, TorchPotential(net, torch.nn.functional.cross_entropy, X, y)


def test_filter_normalisation_on_a_small_cnn() -> None:
    net, pot = _cnn()
    groups = {g.name: g for g in parameter_groups(pot)}
    assert groups["0.weight"].kind == "weight" and groups["0.bias"].kind == "bias"
    assert groups["1.weight"].kind == "norm" and groups["1.bias"].kind == "norm"
    assert groups["5.weight"].shape == (2, 18)
    x = pot.x0
    (d,) = random_directions(pot, x, n=1, seed=3)
    for name, g in groups.items():
        dg, xg = d[g.start : g.stop], x[g.start : g.stop]
        if g.kind != "weight":
            assert np.all(dg == 0.0), name
            continue
        D, W = dg.reshape(g.shape[0], -1), xg.reshape(g.shape[0], -1)
        np.testing.assert_allclose(
            np.linalg.norm(D, axis=1), np.linalg.norm(W, axis=1), rtol=1e-9, err_msg=name
        )
        # a direction, not the weights: filters are not parallel to the weights' filters
        cos = np.sum(D * W, axis=1) / np.linalg.norm(D, axis=1) / np.linalg.norm(W, axis=1)
        assert np.all(np.abs(cos) < 0.999)
    (dl,) = random_directions(pot, x, n=1, norm="layer", seed=3)
    for g in groups.values():
        if g.kind == "weight":
            assert np.linalg.norm(dl[g.start : g.stop]) == pytest.approx(
                np.linalg.norm(x[g.start : g.stop]), rel=1e-9
            )
    (dk,) = random_directions(pot, x, n=1, norm="filter", ignore_biases=False, seed=3)
    b = groups["0.bias"]
    np.testing.assert_array_equal(dk[b.start : b.stop], x[b.start : b.stop])
    (dn,) = random_directions(pot, x, n=1, norm="none", ignore_biases=False, seed=3)
    np.testing.assert_array_equal(dn, np.random.default_rng(3).normal(size=x.size))
    sl = loss_slice(pot, x, dims=1, points=5)
    assert sl.centre_energy == pytest.approx(pot.energy(x))


def test_mlp_filters_are_rows_and_biases_are_left_out() -> None:
    rng = np.random.default_rng(0)
    pot = MLPCrossEntropy(rng.normal(size=(10, 3)), np.arange(10) % 2, n_hidden=4)
    x = rng.normal(size=pot.ndim)
    d = normalise_direction(rng.normal(size=pot.ndim), x, parameter_groups(pot))
    W1, b1, W2, b2 = pot.unpack(d)
    X1, _, X2, _ = pot.unpack(x)
    np.testing.assert_allclose(np.linalg.norm(W1, axis=1), np.linalg.norm(X1, axis=1))
    np.testing.assert_allclose(np.linalg.norm(W2, axis=1), np.linalg.norm(X2, axis=1))
    assert not b1.any() and not b2.any()
    # seeded
    a1 = random_directions(pot, x, seed=5)
    np.testing.assert_array_equal(a1, random_directions(pot, x, seed=5))
    assert not np.allclose(a1, random_directions(pot, x, seed=6))
    with pytest.raises(InputError):
        normalise_direction(d, x, parameter_groups(pot), norm="unit")


def test_torch_batches_equal_the_loop_and_fall_back() -> None:
    net, pot = _cnn()
    P = pot.x0 + 0.1 * np.random.default_rng(1).normal(size=(7, pot.ndim))
    loop = [pot.energy(p) for p in P]
    np.testing.assert_allclose(batch_energies(pot, P), loop, rtol=1e-12, atol=1e-14)
    torch = pytest.importorskip("torch")
    from lossatlas.energy.potentials import TorchPotential

    class Branchy(torch.nn.Module):  # data-dependent control flow: vmap refuses it
        def __init__(self) -> None:
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)

        def forward(self, x):
            out = self.lin(x)
            return out if float(out.sum()) > -1e9 else -out

    X = np.random.default_rng(2).normal(size=(6, 2))
    branchy = TorchPotential(Branchy(), torch.nn.functional.cross_entropy, X, np.arange(6) % 2)
    Q = np.random.default_rng(3).normal(size=(4, branchy.ndim))
    from lossatlas.energy._batch import _torch_energies

    assert _torch_energies(pot, P) is not None  # the CNN is vectorised ...
    assert _torch_energies(branchy, Q) is None  # ... this one is not, and falls back
    np.testing.assert_allclose(batch_energies(branchy, Q), [branchy.energy(q) for q in Q])
    with pytest.raises(InputError):
        batch_energies(pot, P[:, :-1])


def test_heldout_loss_on_the_test_split() -> None:
    pot = make_potential("mlp", dataset="iris", hidden=2)
    other = heldout_potential(pot)
    assert other is not None and other.X.shape == pot.dataset.X_test.shape
    x = np.random.default_rng(0).normal(size=pot.ndim)
    sl = loss_slice(pot, x, dims=2, points=4, seed=1)
    assert sl.heldout is not None
    flat = sl.points()
    np.testing.assert_allclose(sl.heldout.ravel(), [other.energy(p) for p in flat], rtol=1e-12)
    np.testing.assert_allclose(sl.train.ravel(), [pot.energy(p) for p in flat], rtol=1e-12)
    assert loss_slice(pot, x, dims=1, points=3, heldout=False).heldout is None
    auc = make_potential("mlp-auc", dataset="iris", hidden=2)
    assert heldout_potential(auc) is not None
    assert heldout_potential(make_potential("gp", n_samples=20)) is None


def test_project_recovers_plane_coordinates() -> None:
    pot, *_, x0 = _quadratic(3)
    sl = loss_slice(pot, x0, dims=2, points=3, norm="none")
    coef = np.array([[0.3, -0.2], [1.0, 0.5]])
    pts = x0 + coef @ sl.directions
    c, r = sl.project(np.vstack([pts, x0 + np.eye(6)[0] * 10]))
    np.testing.assert_allclose(c[:2], coef, atol=1e-10)
    assert np.all(r[:2] < 1e-10) and r[2] > 0.1


def test_bad_slice_arguments() -> None:
    pot, *_, x0 = _quadratic()
    with pytest.raises(InputError):
        loss_slice(pot, x0, dims=3)
    with pytest.raises(InputError):
        loss_slice(pot, x0, directions="sideways")
    with pytest.raises(InputError):
        loss_slice(pot, x0[:-1])
    with pytest.raises(InputError):
        loss_slice(pot, x0, span=-1.0)
    with pytest.raises(InputError):
        loss_slice(pot, x0, points=1)
    with pytest.raises(InputError):
        loss_slice(pot, x0, dims=2, directions=np.zeros((2, 6)))


def _mb_db(tmp_path: Path, *, with_ts: bool) -> Path:
    mb = MullerBrown()
    path = tmp_path / "mb.sqlite"
    with Database(path) as db:
        ids = [
            db.add_minimum(mb.energy([x, y]), np.array([x, y]))[0].id
            for x, y, _ in mb.REFERENCE_MINIMA
        ]
        if with_ts:
            (x1, y1, _), (x2, y2, _) = mb.REFERENCE_SADDLES
            db.add_transition_state(mb.energy([x1, y1]), np.array([x1, y1]), ids[0], ids[2])
            db.add_transition_state(mb.energy([x2, y2]), np.array([x2, y2]), ids[2], ids[1])
    return path


def test_line_shows_a_barrier_the_stored_path_avoids(tmp_path: Path) -> None:
    mb = MullerBrown()
    with Database(_mb_db(tmp_path, with_ts=True)) as db:
        ids = [m.id for m in db.minima()]  # by energy: -146.7, -108.2, -80.8
        prof = line_and_path_from_database(db, mb, ids[0], ids[1])
    assert prof.method == "stored"
    assert prof.knots_kind == ("minimum", "ts", "minimum", "ts", "minimum")
    assert len(prof.chain) == 5
    # the path's highest point is the highest saddle (-40.66), above the higher end (-108.17)
    assert prof.path_energies.max() == pytest.approx(-40.66, abs=0.05)
    assert prof.path_barrier == pytest.approx(-40.66 - (-108.1667), abs=0.05)
    # the straight line crosses far higher ground
    assert prof.line_barrier > prof.path_barrier + 20.0
    assert prof.endpoint_energies == pytest.approx((-146.6995, -108.1667), abs=1e-3)
    np.testing.assert_allclose(prof.line_t[[0, -1]], [0.0, 1.0])
    assert prof.path_s[0] == 0.0 and prof.path_s[-1] == 1.0


def test_fresh_band_when_no_path_is_stored(tmp_path: Path) -> None:
    mb = MullerBrown()
    with Database(_mb_db(tmp_path, with_ts=False)) as db:
        ids = [m.id for m in db.minima()]
        prof = line_and_path_from_database(db, mb, ids[0], ids[2], refine=False)
        with pytest.raises(InputError):
            line_and_path_from_database(db, mb, ids[0], ids[0])
    assert prof.method == "dneb"
    assert prof.knots_kind.count("candidate") == 1 and prof.knots_kind[0] == "minimum"
    top = prof.knots_kind.index("candidate")
    assert prof.knots_energy[top] == prof.knots_energy.max()
    assert prof.path_barrier < prof.line_barrier
    assert prof.path_energies.max() == pytest.approx(-40.66, abs=3.0)


def test_line_between_symmetric_copies_is_flat() -> None:
    rng = np.random.default_rng(0)
    pot = MLPCrossEntropy(rng.normal(size=(12, 2)), np.arange(12) % 2, n_hidden=3)
    x = rng.normal(size=pot.ndim)
    copy = pot.flip_hidden(pot.permute_hidden(x, np.array([2, 0, 1])), 1)
    prof = line_and_path(pot, [x, copy], refine=False, points=11)
    np.testing.assert_allclose(prof.line_energies, pot.energy(x), rtol=1e-10)
    assert prof.line_barrier == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("mlp", {"hidden": 2}),
        ("mlp-auc", {"hidden": 2, "beta": 10.0}),
        ("gp", {"n_samples": 25}),
        ("double-well", {}),
    ],
)
def test_every_potential_slices_along_its_hessian(name: str, options: dict) -> None:
    """Along a unit top eigenvector the slice's curvature at the centre is the top eigenvalue."""
    pot = make_potential(name, **options)
    x = np.random.default_rng(0).uniform(-0.5, 0.5, size=pot.ndim)
    sl = loss_slice(pot, x, dims=1, directions="hessian", span=1e-3, points=3)
    assert np.linalg.norm(sl.directions[0]) == pytest.approx(1.0)
    h = sl.coordinates[0][1] - sl.coordinates[0][0]
    curv = (sl.train[0] - 2 * sl.train[1] + sl.train[2]) / h**2
    top = np.linalg.eigvalsh(pot.hessian(x))[-1]
    assert curv == pytest.approx(top, rel=1e-3, abs=1e-4)
    assert sl.train[1] == pytest.approx(pot.energy(x), rel=1e-12)
    assert (sl.heldout is None) == (name in ("gp", "double-well"))
