"""Wrap a torch module, a loss and data as a potential over the module's flat parameters.

torch is imported lazily (extra ``energy``); importing this module does not need it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from lossatlas.energy.potentials._base import BasePotential
from lossatlas.errors import InputError, require

__all__ = ["TorchPotential"]


class TorchPotential(BasePotential):
    """The training loss of a torch model as a function of its flattened parameters.

    ``E(x) = loss_fn(module_x(X), y) + lam ||x||^2``, where ``module_x`` is the module with its
    trainable parameters replaced by the flat vector ``x`` (in ``named_parameters()`` order,
    each parameter raveled row-major). Evaluation uses :func:`torch.func.functional_call`;
    gradient by reverse-mode autograd; Hessian by :func:`torch.func.hessian`
    (forward-over-reverse, exact); Hessian-vector products by double back-propagation (exact).
    Computation is in float64 on a deep copy of the module, so the caller's module is left
    untouched.

    Parameters
    ----------
    module : torch.nn.Module
        The model. Buffers (e.g. batch-norm statistics) are kept fixed.
    loss_fn : callable
        ``loss_fn(output, y) -> scalar tensor``, e.g. ``torch.nn.functional.cross_entropy``.
    X, y : array_like or torch.Tensor
        Inputs and targets. Integer targets stay integer (class labels), others become float64.
    lam : float, default 0.0
        L2 penalty on all flat parameters (biases included, as for the built-in MLP).
    random_scale : float, default 5.0
        Half-width of the uniform box of :meth:`random_coordinates`.

    Attributes
    ----------
    x0 : ndarray
        The module's parameters at construction, flattened: a natural start point.
    parameter_names : tuple of str
        Names of the parameters in flat order.
    """

    exact_hessian = True

    def __init__(
        self,
        module: Any,
        loss_fn: Callable[[Any, Any], Any],
        X: Any,
        y: Any,
        *,
        lam: float = 0.0,
        random_scale: float = 5.0,
    ) -> None:
        torch = require("torch", "torch", purpose="TorchPotential")
        if not isinstance(module, torch.nn.Module):
            raise InputError(f"TorchPotential: module must be a torch.nn.Module, got {module!r}")
        self._torch = torch
        self.module = copy.deepcopy(module).to(dtype=torch.float64)
        named = [(n, p) for n, p in self.module.named_parameters() if p.requires_grad]
        if not named:
            raise InputError("TorchPotential: the module has no trainable parameters")
        self.parameter_names = tuple(n for n, _ in named)
        self._shapes = [tuple(p.shape) for _, p in named]
        self._numels = [int(p.numel()) for _, p in named]
        self.ndim = int(sum(self._numels))
        self.x0 = np.concatenate([p.detach().cpu().numpy().ravel() for _, p in named])
        self.loss_fn = loss_fn
        self.X = torch.as_tensor(np.asarray(X) if not torch.is_tensor(X) else X).to(torch.float64)
        yt = torch.as_tensor(np.asarray(y) if not torch.is_tensor(y) else y)
        self.y = yt if not torch.is_floating_point(yt) else yt.to(torch.float64)
        if not lam >= 0:
            raise InputError(f"TorchPotential: lam must be >= 0, got {lam!r}")
        self.lam = float(lam)
        self.random_scale = float(random_scale)

    def _loss(self, xt: Any) -> Any:
        params = {}
        start = 0
        for name, shape, numel in zip(
            self.parameter_names, self._shapes, self._numels, strict=True
        ):
            params[name] = xt[start : start + numel].reshape(shape)
            start += numel
        out = self._torch.func.functional_call(self.module, params, (self.X,))
        loss = self.loss_fn(out, self.y)
        return loss + self.lam * (xt @ xt) if self.lam else loss

    def _tensor(self, x: np.ndarray, *, grad: bool = False) -> Any:
        x = np.asarray(x, dtype=float)
        if x.shape != (self.ndim,):
            raise InputError(
                f"TorchPotential: coordinates must have shape ({self.ndim},), got {x.shape}"
            )
        return self._torch.tensor(x, dtype=self._torch.float64, requires_grad=grad)

    def energy(self, x: np.ndarray) -> float:
        with self._torch.no_grad():
            return float(self._loss(self._tensor(x)))

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        xt = self._tensor(x, grad=True)
        loss = self._loss(xt)
        (g,) = self._torch.autograd.grad(loss, xt)
        return float(loss.detach()), g.numpy().copy()

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.energy_gradient(x)[1]

    def hessian(self, x: np.ndarray) -> np.ndarray:
        hess = self._torch.func.hessian(self._loss)(self._tensor(x)).detach().numpy()
        return 0.5 * (hess + hess.T)

    def hessian_vector_product(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        xt = self._tensor(x, grad=True)
        vt = self._torch.as_tensor(np.asarray(v, dtype=float), dtype=self._torch.float64)
        (g,) = self._torch.autograd.grad(self._loss(xt), xt, create_graph=True)
        (hv,) = self._torch.autograd.grad(g @ vt, xt)
        return hv.detach().numpy().copy()
