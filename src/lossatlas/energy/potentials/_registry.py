"""Built-in potentials by name, rebuildable from a JSON-able spec.

A spec is ``{"name": str, "options": {option: value}}`` with every option filled in, so that a
database can store it in its metadata and rebuild the very same potential later
(:func:`potential_from_spec`). Data-based potentials load their data offline and
deterministically from ``dataset``, ``seed`` and ``test_fraction``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lossatlas.energy.potentials._analytic import DoubleWell, MullerBrown
from lossatlas.energy.potentials._base import Potential
from lossatlas.errors import InputError

__all__ = ["available_potentials", "make_potential", "potential_from_spec", "potential_spec"]

_DATA = {"dataset": "iris", "seed": 0, "test_fraction": 0.3, "n_samples": None}

#: Options and their defaults, per potential name.
_OPTIONS: dict[str, dict[str, Any]] = {
    "mlp": {**_DATA, "hidden": 3, "lam": 1e-5},
    "mlp-auc": {**_DATA, "hidden": 3, "lam": 1e-5, "beta": 100.0, "score": "probability"},
    "gp": {
        **_DATA,
        "dataset": "sine",
        "nu": 1.5,
        "ard": False,
        "optimise_nu": False,
        "normalise_y": True,
        "jitter": 1e-8,
    },
    "muller-brown": {},
    "double-well": {"barrier": 1.0, "k": 1.0, "tilt": 0.0},
}
_OPTIONAL_INT = {"n_samples"}


def available_potentials() -> list[str]:
    """Names accepted by :func:`make_potential`.

    Returns
    -------
    list of str
        Sorted names (``mlp``, ``mlp-auc``, ``gp``, ``muller-brown``, ``double-well``).
    """
    return list(_OPTIONS)


def _coerce(name: str, key: str, value: Any, default: Any) -> Any:
    """Bring an option to the type of its default (CLI strings, numpy scalars)."""
    try:
        if key in _OPTIONAL_INT:
            return None if value is None else int(value)
        if isinstance(default, bool):
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            return bool(value)
        if isinstance(default, int):
            if float(value) != int(float(value)):
                raise ValueError(value)
            return int(float(value))
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise InputError(
            f"potential {name!r}: option {key!r} must be of type {type(default).__name__}, "
            f"got {value!r}"
        ) from None


def potential_spec(name: str, **options: Any) -> dict[str, Any]:
    """The full JSON-able spec of a built-in potential: defaults filled in, types checked.

    An option given as ``None`` takes its default (handy for CLI flags left unset).

    Parameters
    ----------
    name : str
        A built-in potential (:func:`available_potentials`).
    **options
        Its options; missing ones take their defaults.

    Returns
    -------
    dict
        ``{"name": name, "options": {...}}`` with every option filled in (JSON-able).

    Raises
    ------
    InputError
        Unknown name (the message lists the valid ones) or unknown option (likewise).
    """
    if name not in _OPTIONS:
        raise InputError(f"unknown potential {name!r}; choose one of {available_potentials()}")
    defaults = _OPTIONS[name]
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise InputError(
            f"potential {name!r}: unknown option(s) {unknown}; valid options are "
            f"{sorted(defaults) or 'none'}"
        )
    filled = dict(defaults)
    for key, value in options.items():
        if value is not None:
            filled[key] = _coerce(name, key, value, defaults[key])
    return {"name": name, "options": filled}


def potential_from_spec(spec: Mapping[str, Any]) -> Potential:
    """Rebuild a potential from a spec made by :func:`potential_spec` (e.g. read from JSON).

    Parameters
    ----------
    spec : mapping
        ``{"name": str, "options": {option: value}}``.

    Returns
    -------
    Potential
        With ``spec`` (and for data-based potentials ``dataset``) attached.
    """
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise InputError(f"a potential spec must be a mapping with a 'name', got {spec!r}")
    options = spec.get("options", {}) or {}
    if not isinstance(options, Mapping):
        raise InputError(f"the 'options' of a potential spec must be a mapping, got {options!r}")
    return make_potential(str(spec["name"]), **dict(options))


def make_potential(name: str, **options: Any) -> Potential:
    """Build a built-in potential by name.

    Parameters
    ----------
    name : str
        ``"mlp"`` (:class:`MLPCrossEntropy`), ``"mlp-auc"`` (:class:`MLPAppAUC`, on the
        ``binary=True`` version of the data set), ``"gp"`` (:class:`GaussianProcessNLL`),
        ``"muller-brown"``, ``"double-well"``.
    **options
        mlp: ``dataset="iris", hidden=3, lam=1e-5, seed=0, test_fraction=0.3, n_samples=None``;
        mlp-auc: the same plus ``beta=100.0, score="probability"``;
        gp: ``dataset="sine", nu=1.5, ard=False, optimise_nu=False, normalise_y=True,
        jitter=1e-8, seed=0, test_fraction=0.3, n_samples=None``;
        double-well: ``barrier=1.0, k=1.0, tilt=0.0``; muller-brown: none.

    Returns
    -------
    Potential
        With two extra attributes: ``spec`` (the JSON-able spec, see :func:`potential_spec`)
        and ``dataset`` (the :class:`~lossatlas.energy._data.EnergyDataset` with its test split,
        or ``None`` for the analytic surfaces).

    Examples
    --------
    >>> pot = make_potential("mlp", dataset="iris", hidden=3)
    >>> pot.ndim
    27
    """
    spec = potential_spec(name, **options)
    pot, dataset = _BUILDERS[name](spec["options"])
    pot.spec = spec  # type: ignore[attr-defined]
    pot.dataset = dataset  # type: ignore[attr-defined]
    return pot


def _data(opts: Mapping[str, Any], *, binary: bool = False) -> Any:
    from lossatlas.energy._data import load_energy_dataset

    return load_energy_dataset(
        opts["dataset"],
        seed=opts["seed"],
        test_fraction=opts["test_fraction"],
        binary=binary,
        n_samples=opts["n_samples"],
    )


def _classification(opts: Mapping[str, Any], *, binary: bool = False) -> Any:
    ds = _data(opts, binary=binary)
    if ds.task != "classification":
        raise InputError(f"data set {opts['dataset']!r} is a regression set; pick a classifier's")
    return ds


def _mlp(opts: Mapping[str, Any]) -> tuple[Any, Any]:
    from lossatlas.energy.potentials._mlp import MLPCrossEntropy

    ds = _classification(opts)
    pot = MLPCrossEntropy(
        ds.X_train, ds.y_train, n_hidden=opts["hidden"], lam=opts["lam"], n_classes=ds.n_classes
    )
    return pot, ds


def _mlp_auc(opts: Mapping[str, Any]) -> tuple[Any, Any]:
    from lossatlas.energy.potentials._auc import MLPAppAUC

    ds = _classification(opts, binary=True)
    pot = MLPAppAUC(
        ds.X_train,
        ds.y_train,
        n_hidden=opts["hidden"],
        lam=opts["lam"],
        beta=opts["beta"],
        score=opts["score"],
    )
    return pot, ds


def _gp(opts: Mapping[str, Any]) -> tuple[Any, Any]:
    from lossatlas.energy.potentials._gp import GaussianProcessNLL

    ds = _data(opts)
    if ds.task != "regression":
        raise InputError(f"the gp potential needs a regression data set, got {opts['dataset']!r}")
    pot = GaussianProcessNLL(
        ds.X_train,
        ds.y_train,
        nu=opts["nu"],
        ard=opts["ard"],
        optimise_nu=opts["optimise_nu"],
        normalise_y=opts["normalise_y"],
        jitter=opts["jitter"],
    )
    return pot, ds


_BUILDERS: dict[str, Callable[[Mapping[str, Any]], tuple[Any, Any]]] = {
    "mlp": _mlp,
    "mlp-auc": _mlp_auc,
    "gp": _gp,
    "muller-brown": lambda opts: (MullerBrown(), None),
    "double-well": lambda opts: (DoubleWell(**opts), None),
}
