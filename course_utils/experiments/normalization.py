"""The experiments of 07_batchnorm: deep nets trained with and without normalization.

``train_normalized_net`` trains one ``FullyConnectedNet`` (or its variant with the
normalization after the ReLU) and returns the ``Solver``; the sweeps call it over weight
scales, learning rates and batch sizes. The network calls whatever layer functions its
module ``fc_net`` holds, so a notebook that plugs the student's layers in trains with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from course_utils.classifiers import fc_net
from course_utils.classifiers.fc_net import FullyConnectedNet
from course_utils.solver import Solver


class NormAfterReluNet(FullyConnectedNet):
    """{affine - relu - [norm]} x (L - 1) - affine - softmax: the normalization after the
    nonlinearity instead of before it (same parameters, same initial weights)."""

    def _hidden_forward(self, x, i):
        out, fc_cache = fc_net.affine_forward(x, self.params[f"W{i}"], self.params[f"b{i}"])
        out, relu_cache = fc_net.relu_forward(out)
        norm_cache = None
        if self.normalization is not None:
            forward = (
                fc_net.batchnorm_forward
                if self.normalization == "batchnorm"
                else fc_net.layernorm_forward
            )
            gamma, beta = self.params[f"gamma{i}"], self.params[f"beta{i}"]
            out, norm_cache = forward(out, gamma, beta, self.bn_params[i - 1])
        return out, (fc_cache, norm_cache, relu_cache, None)

    def _hidden_backward(self, dout, cache, i, grads):
        fc_cache, norm_cache, relu_cache, _ = cache
        if self.normalization is not None:
            backward = (
                fc_net.batchnorm_backward_alt
                if self.normalization == "batchnorm"
                else fc_net.layernorm_backward
            )
            dout, grads[f"gamma{i}"], grads[f"beta{i}"] = backward(dout, norm_cache)
        dout = fc_net.relu_backward(dout, relu_cache)
        dx, grads[f"W{i}"], grads[f"b{i}"] = fc_net.affine_backward(dout, fc_cache)
        return dx


def train_normalized_net(
    data: Mapping[str, np.ndarray],
    normalization: str | None,
    *,
    hidden_dims: Iterable[int] = (64,) * 6,
    weight_scale: float = 5e-2,
    learning_rate: float = 1e-3,
    update_rule: str = "adam",
    batch_size: int = 50,
    num_epochs: int = 8,
    norm_after_relu: bool = False,
    seed: int = 0,
) -> Solver:
    """Train one network on ``data`` (X_train, y_train, X_val, y_val; X flat (N, D)).

    The weights are ``weight_scale`` times standard normal draws seeded by ``seed``; the
    minibatches are seeded by ``seed`` too, so runs that differ in one setting see the same
    data in the same order. Returns the Solver after training (histories of the loss, of the
    training and validation accuracy per epoch, and ``best_val_acc``)."""
    net_class = NormAfterReluNet if norm_after_relu else FullyConnectedNet
    model = net_class(
        list(hidden_dims),
        input_dim=data["X_train"].shape[1],
        num_classes=int(np.max(data["y_train"])) + 1,
        normalization=normalization,
        weight_scale=weight_scale,
        dtype=np.float64,
        seed=seed,
    )
    solver = Solver(
        model,
        {k: data[k] for k in ("X_train", "y_train", "X_val", "y_val")},
        update_rule=update_rule,
        optim_config={"learning_rate": learning_rate},
        batch_size=batch_size,
        num_epochs=num_epochs,
        num_train_samples=500,
        verbose=False,
        progress=False,
        seed=seed,
    )
    with np.errstate(all="ignore"):  # a diverging run is part of what a sweep shows
        solver.train()
    return solver


def sweep(data, normalizations, values, setting, **fixed) -> dict[str, list[Solver]]:
    """One trained Solver per (normalization, value of ``setting``), e.g.
    ``sweep(data, (None, "batchnorm"), [1e-3, 1e-2], "weight_scale", num_epochs=3)``;
    the keys are the normalizations' names ("none" for None)."""
    return {
        norm or "none": [train_normalized_net(data, norm, **{setting: v}, **fixed) for v in values]
        for norm in normalizations
    }


def batch_size_curves(
    data, batch_sizes=(2, 8, 32, 128), normalizations=("batchnorm", "layernorm"), **fixed
) -> dict[str, dict[int, list[float]]]:
    """Validation accuracy per epoch (test mode, the value before training first) of one
    network per (normalization, batch size), all else equal (Adam, 4 epochs unless
    ``fixed`` says otherwise): ``{"batchnorm": {2: [...], ...}, "layernorm": {...}}``."""
    fixed = {"num_epochs": 4, **fixed}
    return {
        norm: {
            bs: list(train_normalized_net(data, norm, batch_size=bs, **fixed).val_acc_history)
            for bs in batch_sizes
        }
        for norm in normalizations
    }
