"""Neural networks for HP landscapes: the FCNet space and a small CNN (torch, CPU).

Both are scikit-learn-style estimators (``fit``, ``predict``, ``predict_proba``) trained with
Adam on standardised inputs, one thread, seeded (``torch.manual_seed`` and a seeded shuffle), so
a configuration gives the same result in any process.

- :class:`FCNet`: two fully-connected hidden layers with their own units, dropout and activation,
  an initial learning rate with a constant or cosine schedule, and the batch size: the FCNet
  tabular benchmark space of Klein & Hutter (2019, "Tabular benchmarks for joint architecture and
  hyperparameter optimization", arXiv 1905.04970); epochs are the fidelity.
- :class:`SmallCNN`: two convolution blocks (conv, activation, 2x2 max-pool) and a dense layer
  with dropout, for single-channel images such as scikit-learn's 8x8 ``digits``.

Classification minimises cross-entropy; regression the mean squared error of the standardised
target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lossatlas.errors import InputError, require

__all__ = ["FCNet", "SmallCNN"]


def _torch() -> Any:
    torch = require("torch", "torch", purpose="the fcnet and cnn models")
    torch.set_num_threads(1)
    return torch


def _activation(torch: Any, name: str) -> Any:
    layers = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}
    if name not in layers:
        raise InputError(f"unknown activation {name!r} (use one of {sorted(layers)})")
    return layers[name]()


class _TorchEstimator:
    """Shared training loop; subclasses build the network in ``_network``."""

    task: str
    seed: int
    epochs: int
    batch_size: int

    def _network(self, torch: Any, n_features: int, n_outputs: int) -> Any:
        raise NotImplementedError

    def _learning_rate(self) -> float:
        raise NotImplementedError

    def _schedule(self) -> str:
        return "constant"

    def _reshape(self, X: Any) -> Any:
        return X

    def fit(self, X: np.ndarray, y: np.ndarray) -> _TorchEstimator:
        torch = _torch()
        torch.manual_seed(int(self.seed))
        X = np.asarray(X, dtype=np.float32)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        inputs = self._reshape(torch.from_numpy((X - self.mean_) / self.scale_))
        if self.task == "classification":
            self.classes_ = np.unique(y)
            codes = np.searchsorted(self.classes_, y)
            targets = torch.from_numpy(codes.astype(np.int64))
            loss_fn = torch.nn.CrossEntropyLoss()
            n_out = len(self.classes_)
        else:
            y = np.asarray(y, dtype=np.float64)
            self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std() or 1.0)
            targets = torch.from_numpy(((y - self.y_mean_) / self.y_scale_).astype(np.float32))
            loss_fn = torch.nn.MSELoss()
            n_out = 1
        self.network_ = self._network(torch, X.shape[1], n_out)
        optimizer = torch.optim.Adam(self.network_.parameters(), lr=self._learning_rate())
        epochs = int(self.epochs)
        scheduler = (
            torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(epochs, 1))
            if self._schedule() == "cosine"
            else None
        )
        rng = np.random.default_rng(int(self.seed))
        n, batch = len(X), max(1, int(self.batch_size))
        self.network_.train()
        for _ in range(epochs):
            order = torch.from_numpy(rng.permutation(n))
            for start in range(0, n, batch):
                rows = order[start : start + batch]
                optimizer.zero_grad()
                out = self.network_(inputs[rows])
                loss = loss_fn(
                    out if n_out > 1 or self.task == "classification" else out[:, 0], targets[rows]
                )
                loss.backward()
                optimizer.step()
            if scheduler is not None:
                scheduler.step()
        self.network_.eval()
        return self

    def _forward(self, X: np.ndarray) -> np.ndarray:
        torch = _torch()
        X = (np.asarray(X, dtype=np.float32) - self.mean_) / self.scale_
        with torch.no_grad():
            return self.network_(self._reshape(torch.from_numpy(X.astype(np.float32)))).numpy()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax of the network's outputs)."""
        if self.task != "classification":
            raise AttributeError("predict_proba is only defined for classification")
        logits = self._forward(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (classification) or values (regression)."""
        if self.task == "classification":
            return self.classes_[np.argmax(self._forward(X), axis=1)]
        return self._forward(X)[:, 0].astype(np.float64) * self.y_scale_ + self.y_mean_


class FCNet(_TorchEstimator):
    """Fully-connected network of the FCNet space (Klein & Hutter 2019).

    Parameters
    ----------
    n_units_1, n_units_2 : int
        Units of the two hidden layers.
    dropout_1, dropout_2 : float
        Dropout after each hidden layer.
    activation_fn_1, activation_fn_2 : {"relu", "tanh"}
    init_lr : float
        Initial learning rate of Adam.
    lr_schedule : {"constant", "cosine"}
        Constant, or cosine annealing to zero over the epochs.
    batch_size : int
    epochs : int
        Training epochs (the fidelity).
    task : {"classification", "regression"}
    seed : int
    """

    def __init__(
        self,
        *,
        n_units_1: int = 64,
        n_units_2: int = 64,
        dropout_1: float = 0.0,
        dropout_2: float = 0.0,
        activation_fn_1: str = "relu",
        activation_fn_2: str = "relu",
        init_lr: float = 1e-3,
        lr_schedule: str = "cosine",
        batch_size: int = 32,
        epochs: int = 10,
        task: str = "classification",
        seed: int = 0,
    ) -> None:
        self.n_units_1, self.n_units_2 = n_units_1, n_units_2
        self.dropout_1, self.dropout_2 = dropout_1, dropout_2
        self.activation_fn_1, self.activation_fn_2 = activation_fn_1, activation_fn_2
        self.init_lr, self.lr_schedule = init_lr, lr_schedule
        self.batch_size, self.epochs = batch_size, epochs
        self.task, self.seed = task, seed
        if lr_schedule not in ("constant", "cosine"):
            raise InputError(f"lr_schedule must be 'constant' or 'cosine', not {lr_schedule!r}")

    def _learning_rate(self) -> float:
        return float(self.init_lr)

    def _schedule(self) -> str:
        return self.lr_schedule

    def _network(self, torch: Any, n_features: int, n_outputs: int) -> Any:
        nn = torch.nn
        return nn.Sequential(
            nn.Linear(n_features, int(self.n_units_1)),
            _activation(torch, self.activation_fn_1),
            nn.Dropout(float(self.dropout_1)),
            nn.Linear(int(self.n_units_1), int(self.n_units_2)),
            _activation(torch, self.activation_fn_2),
            nn.Dropout(float(self.dropout_2)),
            nn.Linear(int(self.n_units_2), n_outputs),
        )


class SmallCNN(_TorchEstimator):
    """Two convolution blocks and a dense layer for single-channel images.

    Parameters
    ----------
    n_filters_1, n_filters_2 : int
        Filters of the two convolutions (padding keeps the size; each is followed by the
        activation and a 2x2 max-pool when the image is still at least 2 pixels wide).
    kernel_size : int
    n_dense : int
        Units of the dense layer before the output.
    dropout : float
        Dropout before the output layer.
    learning_rate : float
        Adam's learning rate (constant).
    batch_size : int
    activation : {"relu", "tanh"}
    epochs : int
        Training epochs (a fidelity).
    image_shape : (int, int)
        Height and width; rows of ``X`` are flattened images.
    task : {"classification"}
    seed : int
    """

    def __init__(
        self,
        *,
        n_filters_1: int = 8,
        n_filters_2: int = 16,
        kernel_size: int = 3,
        n_dense: int = 64,
        dropout: float = 0.0,
        learning_rate: float = 1e-3,
        batch_size: int = 32,
        activation: str = "relu",
        epochs: int = 10,
        image_shape: tuple[int, int] = (8, 8),
        task: str = "classification",
        seed: int = 0,
    ) -> None:
        self.n_filters_1, self.n_filters_2 = n_filters_1, n_filters_2
        self.kernel_size, self.n_dense, self.dropout = kernel_size, n_dense, dropout
        self.learning_rate, self.batch_size, self.activation = learning_rate, batch_size, activation
        self.epochs, self.image_shape, self.task, self.seed = epochs, tuple(image_shape), task, seed

    def _learning_rate(self) -> float:
        return float(self.learning_rate)

    def _reshape(self, X: Any) -> Any:
        height, width = self.image_shape
        return X.reshape(-1, 1, height, width)

    def _network(self, torch: Any, n_features: int, n_outputs: int) -> Any:
        nn = torch.nn
        height, width = self.image_shape
        if height * width != n_features:
            raise InputError(
                f"image shape {self.image_shape} does not match the {n_features} features"
            )
        k = int(self.kernel_size)
        layers: list[Any] = []
        channels = 1
        for filters in (int(self.n_filters_1), int(self.n_filters_2)):
            layers += [
                nn.Conv2d(channels, filters, k, padding=k // 2),
                _activation(torch, self.activation),
            ]
            if min(height, width) >= 2:
                layers.append(nn.MaxPool2d(2))
                height, width = height // 2, width // 2
            channels = filters
        layers += [
            nn.Flatten(),
            nn.Linear(channels * height * width, int(self.n_dense)),
            _activation(torch, self.activation),
            nn.Dropout(float(self.dropout)),
            nn.Linear(int(self.n_dense), n_outputs),
        ]
        return nn.Sequential(*layers)
