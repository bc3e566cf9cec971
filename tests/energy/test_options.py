"""Typed options of the energy drivers: one validation, keyword compatibility, overrides."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from lossatlas.energy import (
    BasinHoppingOptions,
    ConnectOptions,
    Database,
    DNEBOptions,
    MullerBrown,
    basin_hopping,
    doubly_nudged_elastic_band,
)
from lossatlas.errors import InputError


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("steps", -1, "steps must be >= 0, got -1"),
        ("step_size", 0.0, "step_size must be > 0, got 0.0"),
        ("temperature", -1.0, "temperature must be >= 0"),
        ("target_acceptance", 1.0, "target_acceptance must lie in (0, 1)"),
        ("adapt_interval", 0, "adapt_interval must be >= 1"),
        ("rms_tol", 0.0, "rms_tol must be > 0"),
    ],
)
def test_basin_hopping_options_validate_once(field, value, needle) -> None:
    with pytest.raises(InputError) as err:
        BasinHoppingOptions(**{field: value})
    assert needle in str(err.value) and "\n" not in str(err.value)
    # the driver and its keyword form raise the very same error
    with pytest.raises(InputError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        basin_hopping(MullerBrown(), None, **{field: value})  # type: ignore[arg-type]


def test_build_merges_overrides_and_refuses_unknown_names() -> None:
    base = BasinHoppingOptions(steps=10, temperature=5.0)
    merged = BasinHoppingOptions.build(base, temperature=1.0)
    assert (merged.steps, merged.temperature) == (10, 1.0) and base.temperature == 5.0
    assert BasinHoppingOptions.build({"steps": 3}).steps == 3
    assert BasinHoppingOptions.build(None) == BasinHoppingOptions()
    with pytest.raises(InputError, match=r"unknown option\(s\) \['stepz'\]"):
        BasinHoppingOptions.build(stepz=3)
    assert json.loads(json.dumps(merged.to_dict()))["temperature"] == 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        merged.steps = 5  # type: ignore[misc]


def test_options_object_and_keywords_give_the_same_walk(tmp_path) -> None:
    opts = BasinHoppingOptions(steps=25, step_size=0.6, temperature=20.0)
    with Database(tmp_path / "a.sqlite") as a, Database(tmp_path / "b.sqlite") as b:
        ra = basin_hopping(MullerBrown(), a, opts, seed=3)
        rb = basin_hopping(MullerBrown(), b, steps=25, step_size=0.6, temperature=20.0, seed=3)
        ea = [m.energy for m in a.minima()]
        eb = [m.energy for m in b.minima()]
    assert ea == eb and ra.n_accepted == rb.n_accepted and ra.minima_ids == rb.minima_ids
    assert ra.to_dict()["n_steps"] == 25 and ra.to_dict()["n_new_minima"] == len(ea)


def test_dneb_options_and_keywords_agree() -> None:
    pot = MullerBrown()
    a, b = np.array([-0.5582, 1.4417]), np.array([-0.0500, 0.4667])
    by_keywords = doubly_nudged_elastic_band(pot, a, b, n_images=6, max_iterations=50)
    by_options = doubly_nudged_elastic_band(pot, a, b, DNEBOptions(n_images=6, max_iterations=50))
    np.testing.assert_array_equal(by_keywords.images, by_options.images)
    with pytest.raises(InputError, match="spring and max_step must be positive"):
        doubly_nudged_elastic_band(pot, a, b, spring=0.0)
    with pytest.raises(InputError, match="n_images must be at least 1"):
        DNEBOptions(n_images=0)


def test_connect_options() -> None:
    opts = ConnectOptions.build(band_options={"spring": 80.0}, max_cycles=2)
    assert isinstance(opts.band, DNEBOptions) and opts.band.spring == 80.0
    search = opts.search_options()
    assert search["band_options"].spring == 80.0 and search["displacement"] == 0.2
    with pytest.raises(InputError, match="unknown distance_metric 'cosine'"):
        ConnectOptions(distance_metric="cosine")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="rms_tol and displacement must be > 0"):
        ConnectOptions(displacement=0.0)
