"""The outcome task of notebook 06: reach a validation accuracy within a budget of steps.

The same network (two hidden layers of 100 ReLU units, the course's ``FullyConnectedNet``,
from a fixed seed) is trained by one update rule for ``BUDGET_STEPS`` minibatch steps; the
only choice is the learning rate. The notebook searches it with the student's rules on the
notebook's split; the grader trains the reference rules with the student's numbers on its
own split (``autograder/checks/nb06_optimizers.py``).

Example::

    from course_utils.optim import adam
    result = train_on_budget(data, adam, 1e-3)
    result["val_acc"], len(result["losses"])  # accuracy after the budget, BUDGET_STEPS losses
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from course_utils.classifiers.fc_net import FullyConnectedNet

#: the budget: this many minibatch updates of BUDGET_BATCH examples each
BUDGET_STEPS = 60
BUDGET_BATCH = 50
#: the network: hidden sizes and the scale of its initial weights
BUDGET_HIDDEN = (100, 100)
BUDGET_WEIGHT_SCALE = 0.05


def train_on_budget(
    data: Mapping[str, np.ndarray],
    rule: Callable,
    learning_rate: float,
    steps: int = BUDGET_STEPS,
    batch_size: int = BUDGET_BATCH,
    seed: int = 0,
    config: Mapping | None = None,
) -> dict:
    """Train the budget network with one update rule and report its validation accuracy.

    Inputs:
    - data: dict with X_train (N, D), y_train (N,), X_val (M, D), y_val (M,)
    - rule: rule(w, dw, config) -> (next_w, config), as in course_utils.optim
    - learning_rate: the config's "learning_rate" (every other hyperparameter at its default,
      or as given in ``config``)
    - steps: number of minibatch updates
    - batch_size: examples per minibatch, drawn without replacement within each step
    - seed: seeds the initial weights and the order of the minibatches

    Returns {"val_acc": float, "losses": list of the ``steps`` minibatch losses (a diverged
    run stops early and scores the accuracy of its last finite weights, or 0)}.
    """
    X, y = np.asarray(data["X_train"]), np.asarray(data["y_train"])
    X = X.reshape(len(X), -1)
    X_val = np.asarray(data["X_val"]).reshape(len(data["X_val"]), -1)
    num_classes = int(max(np.max(y), np.max(data["y_val"]))) + 1
    model = FullyConnectedNet(
        list(BUDGET_HIDDEN),
        X.shape[1],
        num_classes,
        weight_scale=BUDGET_WEIGHT_SCALE,
        dtype=np.float64,
        seed=seed,
    )
    rng = np.random.default_rng(seed)
    configs = {name: {**(config or {}), "learning_rate": learning_rate} for name in model.params}
    losses: list[float] = []
    with np.errstate(all="ignore"):  # a diverging learning rate is the student's to find
        for _ in range(steps):
            batch = rng.choice(len(X), size=min(batch_size, len(X)), replace=False)
            loss, grads = model.loss(X[batch], y[batch])
            if not np.isfinite(loss):
                break
            losses.append(float(loss))
            for name, w in model.params.items():
                model.params[name], configs[name] = rule(w, grads[name], configs[name])
        scores = model.loss(X_val)
    if not np.all(np.isfinite(scores)):
        return {"val_acc": 0.0, "losses": losses}
    val_acc = float(np.mean(np.argmax(scores, axis=1) == np.asarray(data["y_val"])))
    return {"val_acc": val_acc, "losses": losses}
