"""The overfitting experiments of 08_dropout: small digit networks with dropout, L1, L2, noise.

One recipe trains every network of the notebook (and of the tests that assert its claims):
``FullyConnectedNet`` with two hidden layers of 64 units, Adam at learning rate 3e-3,
minibatches of 25, on a small training subset of the digits. ``PenalizedNet`` wraps a network
to add an L1 penalty and noise injection (on the inputs or on the weights) during training.
"""

from __future__ import annotations

import numpy as np

from course_utils.classifiers import fc_net
from course_utils.classifiers.fc_net import FullyConnectedNet
from course_utils.experiments.regularization import l1_regularized_loss, smoothed_softmax_loss
from course_utils.solver import Solver

#: the hidden layers of every network of the notebook
HIDDEN = (64, 64)


class PenalizedNet:
    """A model that adds an L1 penalty, label smoothing and training noise to another model.

    In train mode (``loss(X, y)``): Gaussian noise of std ``input_noise`` is added to X, and
    of std ``weight_noise`` to every weight matrix for that one forward/backward pass (the
    gradient is the one at the perturbed weights, applied to the clean ones); then
    ``l1 * sum |W|`` is added to the loss and ``l1 * sign(W)`` to the gradients; with
    ``smoothing`` the data loss is ``smoothed_softmax_loss`` (the wrapped model must be a
    FullyConnectedNet, whose module's ``softmax_loss`` is swapped for that call). Test mode
    (``loss(X)``) is the wrapped model unchanged. ``params`` is the wrapped model's dict.
    """

    def __init__(self, model, l1=0.0, input_noise=0.0, weight_noise=0.0, smoothing=0.0, seed=None):
        self.model = model
        self.l1, self.input_noise, self.weight_noise = l1, input_noise, weight_noise
        self.smoothing = smoothing
        self.rng = np.random.default_rng(seed)

    @property
    def params(self):
        return self.model.params

    @params.setter
    def params(self, value):  # the Solver swaps in its best parameters at the end
        self.model.params = value

    def loss(self, X, y=None):
        if y is None:
            return self.model.loss(X)
        if self.input_noise:
            X = X + self.input_noise * self.rng.standard_normal(X.shape)
        saved = {}
        if self.weight_noise:
            for name, W in self.params.items():
                if name.startswith("W"):
                    saved[name] = W.copy()
                    W += self.weight_noise * self.rng.standard_normal(W.shape)
        plain = fc_net.softmax_loss
        if self.smoothing:
            fc_net.softmax_loss = lambda x, y: smoothed_softmax_loss(x, y, self.smoothing)
        try:
            loss, grads = self.model.loss(X, y)
        finally:
            fc_net.softmax_loss = plain
            for name, W in saved.items():
                self.params[name][...] = W
        if self.l1:
            loss, grads = l1_regularized_loss(loss, grads, self.params, self.l1)
        return loss, grads


def make_net(input_dim, keep=1.0, reg=0.0, seed=0, **penalties):
    """The notebook's network: hidden layers HIDDEN, dropout keep probability ``keep`` (a new
    mask at every step, reproducibly from ``seed``), L2 ``reg``; ``penalties`` (l1,
    input_noise, weight_noise, smoothing) wrap it in a PenalizedNet."""
    model = FullyConnectedNet(
        list(HIDDEN),
        input_dim=input_dim,
        num_classes=10,
        dropout_keep_ratio=keep,
        reg=reg,
        weight_scale=0.1,
        dtype=np.float64,
        seed=seed,
    )
    if keep < 1:
        # an int seed gives the same mask at every call (for gradient checks); a Generator
        # gives a new mask at every step, reproducibly
        model.dropout_param["seed"] = np.random.default_rng(seed + 1)
    if any(penalties.values()):
        model = PenalizedNet(model, seed=seed + 2, **penalties)
    return model


def train_net(data, keep=1.0, reg=0.0, seed=0, num_epochs=60, learning_rate=3e-3, **penalties):
    """Train make_net(...) on ``data`` (the Solver's dict: X_train, y_train, X_val, y_val) with
    Adam, minibatches of 25; returns the Solver (``train_acc_history``, ``val_acc_history``,
    ``model``). The histories show every epoch; the model ends with the parameters of the
    best validation accuracy (the Solver's early stopping)."""
    input_dim = int(np.prod(data["X_train"].shape[1:]))
    model = make_net(input_dim, keep=keep, reg=reg, seed=seed, **penalties)
    solver = Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": learning_rate},
        batch_size=25,
        num_epochs=num_epochs,
        num_train_samples=None,
        verbose=False,
        progress=False,
        seed=seed,
    )
    with np.errstate(all="ignore"):
        solver.train()
    return solver


def bootstrap(data, rng):
    """A bootstrap resample of the training set: N draws with replacement (about 63 % of the
    distinct examples, some several times); the validation entries are kept as they are."""
    n = len(data["y_train"])
    pick = rng.integers(0, n, size=n)
    return {**data, "X_train": data["X_train"][pick], "y_train": data["y_train"][pick]}


def final_accuracies(solver) -> tuple[float, float]:
    """(train, validation) accuracy at the last epoch."""
    return float(solver.train_acc_history[-1]), float(solver.val_acc_history[-1])
