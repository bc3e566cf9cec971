"""Built-in potentials by name and their JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lossatlas.energy import (
    GaussianProcessNLL,
    MLPAppAUC,
    MLPCrossEntropy,
    MullerBrown,
    available_potentials,
    make_potential,
    potential_from_spec,
    potential_spec,
)
from lossatlas.errors import InputError


def test_available_names() -> None:
    assert set(available_potentials()) == {"mlp", "mlp-auc", "gp", "muller-brown", "double-well"}


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("mlp", {"dataset": "iris", "hidden": 3}),
        ("mlp", {"dataset": "wine", "hidden": 2, "lam": 1e-4, "seed": 3}),
        ("mlp-auc", {"dataset": "breast_cancer", "hidden": 2, "beta": 50, "score": "logit"}),
        ("gp", {"nu": 1.7, "ard": True}),
        ("gp", {"dataset": "diabetes", "n_samples": 60, "optimise_nu": True}),
        ("muller-brown", {}),
        ("double-well", {"tilt": 0.2}),
    ],
)
def test_spec_json_round_trip_rebuilds_same_potential(name: str, options: dict) -> None:
    pot = make_potential(name, **options)
    spec = json.loads(json.dumps(pot.spec))
    assert spec == potential_spec(name, **options)
    again = potential_from_spec(spec)
    assert type(again) is type(pot) and again.ndim == pot.ndim
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = pot.random_coordinates(rng) * 0.3
        assert again.energy(x) == pot.energy(x)


def test_built_objects_and_options() -> None:
    mlp = make_potential("mlp", dataset="iris", hidden=3)
    assert isinstance(mlp, MLPCrossEntropy)
    assert mlp.ndim == 3 * (4 + 3) + 3 + 3
    assert mlp.dataset.X_test.shape[1] == 4 and mlp.lam == 1e-5
    auc = make_potential("mlp-auc", dataset="iris", hidden=2, beta=30)
    assert isinstance(auc, MLPAppAUC) and auc.beta == 30.0
    assert set(np.unique(auc.y)) == {0, 1}
    gp = make_potential("gp", nu=1.7)
    assert isinstance(gp, GaussianProcessNLL) and gp.nu == 1.7 and gp.ndim == 3
    mb = make_potential("muller-brown")
    assert isinstance(mb, MullerBrown) and mb.dataset is None


def test_none_means_default_and_strings_are_coerced() -> None:
    spec = potential_spec("mlp", hidden="4", lam="1e-3", dataset=None, n_samples="50")
    assert spec["options"]["hidden"] == 4 and spec["options"]["lam"] == 1e-3
    assert spec["options"]["dataset"] == "iris" and spec["options"]["n_samples"] == 50
    assert potential_spec("gp", ard="true")["options"]["ard"] is True


def test_errors_list_valid_choices() -> None:
    with pytest.raises(InputError) as err:
        make_potential("lennard-jones")
    for name in available_potentials():
        assert name in str(err.value)
    with pytest.raises(InputError, match="hidden"):
        make_potential("mlp", hiden=3)
    with pytest.raises(InputError, match="hidden"):
        potential_spec("mlp", hidden=2.5)
    with pytest.raises(InputError):
        make_potential("mlp", dataset="sine")
    with pytest.raises(InputError):
        make_potential("gp", dataset="iris")
    with pytest.raises(InputError):
        potential_from_spec({"options": {}})
