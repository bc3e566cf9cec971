"""Typed options of the energy drivers, validated once.

:class:`BasinHoppingOptions` is shared by :func:`~lossatlas.energy._basinhopping.basin_hopping`
and :func:`~lossatlas.energy._parallel.parallel_basin_hopping`; :class:`DNEBOptions` by
:func:`~lossatlas.energy._neb.doubly_nudged_elastic_band` and the ``band_options`` of
:func:`~lossatlas.energy._transition.find_transition_states`. Each checks its values in
``__post_init__``, so every caller gets the same one-line error. Drivers still take the fields
as keywords; :meth:`build` merges an options object with keyword overrides.
:class:`ConnectOptions` groups what :func:`~lossatlas.energy._connect.connect_minima` and
:func:`~lossatlas.energy._connect.connect_lowest` pass to each transition-state search.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar

from lossatlas.errors import InputError

__all__ = ["BasinHoppingOptions", "ConnectOptions", "DNEBOptions"]

_T = TypeVar("_T")


def _build(cls: type[_T], options: _T | Mapping[str, Any] | None, what: str, **kw: Any) -> _T:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(kw) | (set(options) if isinstance(options, Mapping) else set()))
    unknown = [k for k in unknown if k not in names]
    if unknown:
        raise InputError(f"{what}: unknown option(s) {unknown}; known: {sorted(names)}")
    if options is None:
        return cls(**kw)
    if isinstance(options, Mapping):
        return cls(**{**options, **kw})
    if not isinstance(options, cls):
        raise InputError(f"{what}: options must be a {cls.__name__}, got {type(options).__name__}")
    return dataclasses.replace(options, **kw) if kw else options  # type: ignore[type-var]


class _Options:
    """What the options dataclasses share: building from a base plus overrides, and a dict."""

    _what = "options"  # names the driver in error messages

    @classmethod
    def build(cls, options: Self | Mapping[str, Any] | None = None, **kw: Any) -> Self:
        """``options`` (an instance, a mapping or None) with the keyword overrides ``kw``.

        Parameters
        ----------
        options : instance of this class, mapping or None
            The base; None means the defaults.
        **kw
            Fields to override.

        Returns
        -------
        instance of this class
            Validated.
        """
        return _build(cls, options, cls._what, **kw)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-able dict.

        Returns
        -------
        dict
        """
        return dataclasses.asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class BasinHoppingOptions(_Options):
    """Options of one basin-hopping chain (reference settings of the Wales group for MLPs).

    Parameters
    ----------
    steps : int, default 1000
        Perturb-and-quench steps.
    step_size : float, default 1.0
        Half-width of the uniform displacement per coordinate.
    temperature : float, default 2.0
        Metropolis temperature (energy units); 0 accepts only downhill moves.
    adaptive_step : bool, default False
        Every ``adapt_interval`` steps divide the step size by 0.9 when the interval's
        acceptance rate is above ``target_acceptance``, else multiply it by 0.9.
    target_acceptance : float, default 0.5
        In (0, 1).
    adapt_interval : int, default 50
        Steps between step-size adaptations (>= 1).
    rms_tol : float, default 1e-6
        RMS-gradient tolerance of each quench.
    store_tol : float or None, default 1e-9
        New minima are refined to this RMS gradient before they are stored (None: as quenched).
    max_iterations : int, default 10000
        L-BFGS iterations per quench.
    memory : int, default 30
        L-BFGS memory.
    compute_hessian : bool, default True
        Store ``fvib``, the number of positive eigenvalues and the lowest eigenvalue.
    blas_threads : int or None, default 1
        BLAS threads during the run (None leaves them alone).

    Raises
    ------
    InputError
        A value out of range, named in one line.

    References
    ----------
    D. J. Wales and J. P. K. Doye, J. Phys. Chem. A 101, 5111-5116 (1997).
    """

    _what = "basin-hopping"

    steps: int = 1000
    step_size: float = 1.0
    temperature: float = 2.0
    adaptive_step: bool = False
    target_acceptance: float = 0.5
    adapt_interval: int = 50
    rms_tol: float = 1e-6
    store_tol: float | None = 1e-9
    max_iterations: int = 10_000
    memory: int = 30
    compute_hessian: bool = True
    blas_threads: int | None = 1

    def __post_init__(self) -> None:
        if int(self.steps) < 0:
            raise InputError(f"basin-hopping: steps must be >= 0, got {self.steps}")
        if not self.step_size > 0:
            raise InputError(f"basin-hopping: step_size must be > 0, got {self.step_size}")
        if not self.temperature >= 0:
            raise InputError(f"basin-hopping: temperature must be >= 0, got {self.temperature}")
        if not 0 < self.target_acceptance < 1:
            raise InputError(
                f"basin-hopping: target_acceptance must lie in (0, 1), got {self.target_acceptance}"
            )
        if int(self.adapt_interval) < 1:
            raise InputError(
                f"basin-hopping: adapt_interval must be >= 1, got {self.adapt_interval}"
            )
        if not self.rms_tol > 0:
            raise InputError(f"basin-hopping: rms_tol must be > 0, got {self.rms_tol}")
        if int(self.max_iterations) < 1 or int(self.memory) < 1:
            raise InputError(
                "basin-hopping: max_iterations and memory must be >= 1, "
                f"got {self.max_iterations} and {self.memory}"
            )


@dataclass(frozen=True)
class DNEBOptions(_Options):
    """Options of a doubly-nudged elastic band (Trygubenko & Wales 2004).

    Parameters
    ----------
    n_images : int or None, default None
        Interior images; by default ``image_density`` times the endpoint distance, rounded, at
        least 3 and at most ``max_images``.
    image_density : float, default 10.0
        Interior images per unit of Euclidean distance between the endpoints.
    max_images : int, default 50
        Upper bound on the images chosen by density.
    spring : float, default 50.0
        Spring constant (the reference range is 50-100).
    rms_tol : float, default 1e-3
        RMS DNEB-gradient tolerance.
    max_iterations : int, default 500
        L-BFGS iterations at most.
    max_step : float, default 0.1
        Largest displacement of any image in one step.
    memory : int, default 20
        L-BFGS memory.

    Raises
    ------
    InputError
        A value out of range, named in one line.

    References
    ----------
    S. A. Trygubenko and D. J. Wales, J. Chem. Phys. 120, 2082 (2004).
    """

    _what = "DNEB"

    n_images: int | None = None
    image_density: float = 10.0
    max_images: int = 50
    spring: float = 50.0
    rms_tol: float = 1e-3
    max_iterations: int = 500
    max_step: float = 0.1
    memory: int = 20

    def __post_init__(self) -> None:
        if self.spring <= 0 or self.max_step <= 0:
            raise InputError(
                f"spring and max_step must be positive, got {self.spring} and {self.max_step}"
            )
        if self.n_images is not None and int(self.n_images) < 1:
            raise InputError(f"n_images must be at least 1, got {self.n_images}")
        if int(self.max_images) < 1 or not self.image_density > 0:
            raise InputError(
                "DNEB: max_images must be >= 1 and image_density > 0, "
                f"got {self.max_images} and {self.image_density}"
            )


@dataclass(frozen=True)
class ConnectOptions(_Options):
    """Options of the connection of minima (Carr, Trygubenko & Wales 2005) and of each
    transition-state search it runs.

    Parameters
    ----------
    max_cycles : int, default 10
        Dijkstra cycles at most per pair of minima.
    distance_metric : {"squared", "exp"}, default "squared"
        Weight of an untried edge: ``d^2`` or ``exp(d)`` of the distance up to symmetry.
    rms_tol : float, default 1e-6
        RMS-gradient tolerance of the saddle refinement and the push-off quenches.
    displacement : float, default 0.2
        Push-off step along the saddle's negative-curvature direction.
    band : DNEBOptions or mapping, default DNEBOptions()
        The doubly-nudged elastic band of each search.
    saddle_options : mapping, optional
        Extra keywords of :func:`~lossatlas.energy._eigenfollow.hybrid_eigenvector_following`.
    polish : bool, default True
        Polish saddles and minima found.
    polish_tol : float, default 1e-9
        RMS gradient of the polish.
    energy_tol, distance_tol : float
        When two saddles of one search are the same.
    blas_threads : int or None, default 1
        BLAS threads during each search (None leaves them alone).
    align_endpoints : bool, default True
        Run each band to the symmetric copy of the end minimum nearest the start.

    Raises
    ------
    InputError
        A value out of range, named in one line.

    References
    ----------
    J. M. Carr, S. A. Trygubenko and D. J. Wales, J. Chem. Phys. 122, 234903 (2005).
    """

    _what = "connect"

    max_cycles: int = 10
    distance_metric: Literal["squared", "exp"] = "squared"
    rms_tol: float = 1e-6
    displacement: float = 0.2
    band: DNEBOptions = field(default_factory=DNEBOptions)
    saddle_options: Mapping[str, Any] | None = None
    polish: bool = True
    polish_tol: float = 1e-9
    energy_tol: float = 1e-4
    distance_tol: float = 1e-3
    blas_threads: int | None = 1
    align_endpoints: bool = True

    def __post_init__(self) -> None:
        if self.distance_metric not in ("squared", "exp"):
            raise InputError(
                f"unknown distance_metric {self.distance_metric!r}: use 'squared' or 'exp'"
            )
        if int(self.max_cycles) < 0:
            raise InputError(f"connect: max_cycles must be >= 0, got {self.max_cycles}")
        if not self.rms_tol > 0 or not self.displacement > 0:
            raise InputError(
                "connect: rms_tol and displacement must be > 0, "
                f"got {self.rms_tol} and {self.displacement}"
            )
        if self.energy_tol < 0 or self.distance_tol < 0:
            raise InputError(
                "connect: energy_tol and distance_tol must be >= 0, "
                f"got {self.energy_tol} and {self.distance_tol}"
            )
        object.__setattr__(self, "band", DNEBOptions.build(self.band))

    @classmethod
    def build(
        cls, options: ConnectOptions | Mapping[str, Any] | None = None, **kw: Any
    ) -> ConnectOptions:
        """``options`` (an instance, a mapping or None) with the keyword overrides ``kw``.

        ``band_options`` is accepted as another name of ``band`` (the keyword of
        :func:`~lossatlas.energy._transition.find_transition_states`).

        Parameters
        ----------
        options : ConnectOptions, mapping or None
            The base; None means the defaults.
        **kw
            Fields to override.

        Returns
        -------
        ConnectOptions
            Validated.
        """
        if "band_options" in kw:
            kw["band"] = kw.pop("band_options")
        return super().build(options, **kw)

    def search_options(self) -> dict[str, Any]:
        """Keywords of :func:`~lossatlas.energy._transition.find_transition_states`.

        Returns
        -------
        dict
        """
        return {
            "rms_tol": self.rms_tol,
            "displacement": self.displacement,
            "band_options": self.band,
            "saddle_options": self.saddle_options,
            "polish": self.polish,
            "polish_tol": self.polish_tol,
            "energy_tol": self.energy_tol,
            "distance_tol": self.distance_tol,
            "blas_threads": self.blas_threads,
            "align_endpoints": self.align_endpoints,
        }
