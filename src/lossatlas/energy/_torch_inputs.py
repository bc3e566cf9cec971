"""A torch module, its weights and a data file as a potential (for ``energy slice|spectrum``).

``module.py:ModelClass`` names a Python file and a :class:`torch.nn.Module` subclass in it that
takes no constructor arguments. The file is code the user asked to run; the weights and the
data are data only: the weights are read with ``torch.load(..., weights_only=True)`` (tensors
and plain containers, never arbitrary pickled objects) and must be a ``state_dict``; the data
is a CSV file read by pandas.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.errors import InputError, require

__all__ = ["LOSSES", "load_module_class", "torch_potential_from_files"]

LOSSES = ("auto", "cross-entropy", "mse")


def _line(exc: BaseException) -> str:
    """The first line of an exception's message (errors are one line on the command line)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_module_class(spec: str) -> type:
    """The class named by ``"path/to/module.py:ClassName"`` (the file is executed).

    Parameters
    ----------
    spec : str
        ``"path/to/module.py:ClassName"``.

    Returns
    -------
    type
        A :class:`torch.nn.Module` subclass.
    """
    torch = require("torch", "torch", purpose="torch modules")
    path_text, sep, name = spec.rpartition(":")
    if not sep or not path_text or not name.isidentifier():
        raise InputError(f"--module {spec!r}: expected 'module.py:ModelClass'")
    path = Path(path_text)
    if path.suffix != ".py" or not path.is_file():
        raise InputError(f"--module {spec!r}: '{path}' is not a Python file")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    mod_spec = importlib.util.spec_from_file_location(f"_lossatlas_user_{digest}", path)
    if mod_spec is None or mod_spec.loader is None:
        raise InputError(f"--module {spec!r}: cannot load '{path}'")
    module = importlib.util.module_from_spec(mod_spec)
    try:
        mod_spec.loader.exec_module(module)
    except Exception as exc:  # the user's file: say what failed, in one line
        raise InputError(f"--module {spec!r}: importing '{path}' failed: {_line(exc)}") from None
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise InputError(f"--module {spec!r}: '{path}' defines no torch.nn.Module named {name!r}")
    return cls


def _read_data(path: Path, target: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    import pandas as pd

    if not path.is_file():
        raise InputError(f"data file '{path}' does not exist")
    try:
        frame = pd.read_csv(path)
    except (ValueError, OSError) as exc:
        raise InputError(f"data file '{path}': cannot read it as CSV ({_line(exc)})") from None
    if target not in frame.columns:
        raise InputError(
            f"data file '{path}': no target column {target!r}; columns are {list(frame.columns)}"
        )
    features = [c for c in frame.columns if c != target]
    if not features:
        raise InputError(f"data file '{path}': no feature columns besides {target!r}")
    for c in [*features, target]:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            bad = frame[c][pd.to_numeric(frame[c], errors="coerce").isna()].iloc[0]
            raise InputError(f"data file '{path}': column {c!r} has a non-numeric value {bad!r}")
    values = frame[features].to_numpy(float)
    if not np.all(np.isfinite(values)) or frame[target].isna().any():
        raise InputError(f"data file '{path}': the data hold missing or infinite values")
    return values, frame[target].to_numpy(), features


def torch_potential_from_files(
    module: str,
    weights: Path | None,
    data: Path,
    target: str,
    *,
    loss: str = "auto",
    test_fraction: float = 0.0,
    lam: float = 0.0,
    seed: int = 0,
) -> Any:
    """A :class:`~lossatlas.energy.potentials.TorchPotential` from files.

    Parameters
    ----------
    module : str
        ``"module.py:ModelClass"``; the class is built with no arguments.
    weights : Path, optional
        A ``state_dict`` saved by ``torch.save``; default the class's initial weights.
    data : Path
        CSV file; every column but ``target`` is a feature.
    target : str
        Target column.
    loss : {"auto", "cross-entropy", "mse"}, default "auto"
        ``"auto"``: cross-entropy when the target holds integers, else mean squared error.
    test_fraction : float, default 0.0
        Rows held out (seeded shuffle) for the held-out loss; the potential is on the rest.
    lam : float, default 0.0
        L2 penalty.
    seed : int, default 0
        Seed of the split.

    Returns
    -------
    TorchPotential
        With a ``dataset`` attribute (:class:`~lossatlas.energy._data.EnergyDataset`) holding
        the split, so held-out losses work as for the built-in potentials.
    """
    torch = require("torch", "torch", purpose="torch modules")
    from lossatlas.energy._data import EnergyDataset
    from lossatlas.energy.potentials import TorchPotential

    if loss not in LOSSES:
        raise InputError(f"--loss must be one of {list(LOSSES)}, got {loss!r}")
    if not 0.0 <= test_fraction < 1.0:
        raise InputError(f"--test-fraction must be in [0, 1), got {test_fraction}")
    net = load_module_class(module)
    try:
        model = net()
    except Exception as exc:
        raise InputError(f"--module {module!r}: {net.__name__}() failed: {_line(exc)}") from None
    if weights is not None:
        if not Path(weights).is_file():
            raise InputError(f"weights file '{weights}' does not exist")
        try:
            state = torch.load(weights, weights_only=True, map_location="cpu")
        except Exception as exc:
            raise InputError(
                f"weights file '{weights}': cannot load it safely ({_line(exc)})"
            ) from None
        if not isinstance(state, dict):
            raise InputError(f"weights file '{weights}' is not a state_dict (got {type(state)})")
        try:
            model.load_state_dict(state)
        except (RuntimeError, KeyError, TypeError) as exc:
            raise InputError(
                f"weights file '{weights}' does not fit {net.__name__}: {_line(exc)}"
            ) from None
    X, y, features = _read_data(Path(data), target)
    integer = np.all(np.equal(np.mod(y.astype(float), 1), 0))
    if loss == "auto":
        loss = "cross-entropy" if integer else "mse"
    if loss == "cross-entropy":
        if not integer or y.min() < 0:
            raise InputError(
                f"data file '{data}': cross-entropy needs class labels 0, 1, ... in {target!r}"
            )
        y = y.astype(np.int64)
        loss_fn = torch.nn.functional.cross_entropy
    else:
        y = y.astype(float)

        def loss_fn(out: Any, t: Any) -> Any:
            return torch.nn.functional.mse_loss(out.reshape(t.shape), t)

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    if train.size == 0:
        raise InputError(f"data file '{data}': no training rows left after the split")
    pot = TorchPotential(model, loss_fn, X[train], y[train], lam=lam)
    try:
        pot.energy(pot.x0)
    except Exception as exc:
        raise InputError(
            f"{net.__name__} on '{data}' ({len(features)} features): the loss failed: {_line(exc)}"
        ) from None
    pot.dataset = EnergyDataset(  # type: ignore[attr-defined]
        name=Path(data).stem,
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        feature_names=tuple(features),
        task="classification" if loss == "cross-entropy" else "regression",
    )
    return pot
