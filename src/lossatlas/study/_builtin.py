"""The built-in studies, shipped as study files in ``lossatlas/study/builtin/``.

- ``run``: what ``lossatlas run`` evaluates: 3 models x 3 offline datasets x 3 data fractions
  with the held-out split, a few minutes on two cores;
- ``paper``: the reference's protocol at a 2-core scale: the 6 models of Huang & Li (2023) on
  the offline datasets each fits (the CNN on ``digits``), 3 fidelities, 5-fold CV and a 20 %
  held-out split.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lossatlas.errors import InputError
from lossatlas.study._file import StudySpec, load_study

__all__ = ["builtin_path", "builtin_study", "list_builtin"]


def list_builtin() -> list[str]:
    """Names of the built-in studies."""
    folder = resources.files("lossatlas.study") / "builtin"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def builtin_path(name: str) -> Path:
    """The study file of the built-in study ``name``."""
    if name not in list_builtin():
        raise InputError(f"no built-in study {name!r} (built-in: {', '.join(list_builtin())})")
    return Path(str(resources.files("lossatlas.study") / "builtin" / f"{name}.yaml"))


def builtin_study(name: str) -> StudySpec:
    """The validated built-in study ``name`` (``run`` or ``paper``)."""
    return load_study(builtin_path(name))
