"""09_cnn_pytorch's open challenge: a VGG-small on the digits within a CPU budget.

The student chooses the architecture (up to three stages of widths, batch norm or not) and
the training settings (epochs, Adam's learning rate, batch size); :func:`train_challenge`
trains the course's ``build_vgg_small`` with them, with the course's training loop, on the
CPU and one thread, deterministically for a seed. The grader calls
:func:`challenge_accuracy`: the same recipe on its own split of the 1797 digits, scored on
digits that split held out.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from course_utils.data import load_digits
from course_utils.torch_track.loops import evaluate_model, train_one_epoch
from course_utils.torch_track.models.vgg_small import build_vgg_small
from course_utils.torch_track.train import make_loaders

#: the budget: what one run may use (a run at the limits takes a few seconds of one core)
MAX_PARAMETERS = 50_000
MAX_EPOCHS = 10
BATCH_SIZES = (8, 512)
LEARNING_RATES = (1e-5, 1.0)
MAX_STAGES = 3


def challenge_widths(widths) -> tuple[int, ...]:
    """The stages of a choice: the widths up to the first 0 (e.g. (16, 32, 0) -> (16, 32))."""
    stages = []
    for width in np.asarray(widths, dtype=np.float64).ravel():
        if width == 0:
            break
        stages.append(int(width))
    return tuple(stages)


def challenge_parameters(stages: tuple[int, ...], batch_norm: bool) -> int:
    """Parameters of the challenge network: build_vgg_small(1, 10, stages, 8, batch_norm)."""
    count, channels = 0, 1
    for width in stages:
        for _ in range(2):
            count += width * (9 * channels + 1) + (2 * width if batch_norm else 0)
            channels = width
    side = 8 // 2 ** len(stages)
    return count + 10 * (channels * side * side + 1)


def challenge_problem(widths, batch_norm, epochs, learning_rate, batch_size) -> str | None:
    """None when the choice is within the rules and the budget, else one sentence why not."""
    raw = np.asarray(widths, dtype=np.float64).ravel()
    numbers = [*raw, batch_norm, epochs, learning_rate, batch_size]
    if not all(math.isfinite(float(v)) for v in numbers):
        return "every choice must be a finite number"
    if raw.size != MAX_STAGES or np.any(raw != np.round(raw)) or np.any(raw < 0):
        return f"the widths are {MAX_STAGES} whole numbers >= 0 (a 0 ends the network)"
    stages = challenge_widths(raw)
    if not stages or np.any(raw[len(stages) :] != 0):
        return "the first width must be positive, and only 0s may follow a 0"
    if batch_norm not in (0, 1):
        return "batch_norm is True or False"
    if epochs != int(epochs) or not 1 <= epochs <= MAX_EPOCHS:
        return f"epochs is a whole number from 1 to {MAX_EPOCHS}"
    if batch_size != int(batch_size) or not BATCH_SIZES[0] <= batch_size <= BATCH_SIZES[1]:
        return f"the batch size is a whole number from {BATCH_SIZES[0]} to {BATCH_SIZES[1]}"
    if not LEARNING_RATES[0] <= learning_rate <= LEARNING_RATES[1]:
        return f"the learning rate is in [{LEARNING_RATES[0]:g}, {LEARNING_RATES[1]:g}]"
    size = challenge_parameters(stages, bool(batch_norm))
    if size > MAX_PARAMETERS:
        return f"the network has {size:,} parameters, over the budget of {MAX_PARAMETERS:,}"
    return None


def train_challenge(
    widths,
    batch_norm,
    epochs,
    learning_rate,
    batch_size,
    data,
    *,
    seed: int = 0,
    train_fn=None,
    build_fn=None,
) -> tuple[torch.nn.Module, list[float]]:
    """Train build_vgg_small(1, 10, stages, 8, batch_norm) with Adam on data["X_train"].

    Inputs: the choices (as :func:`challenge_problem` accepts them); data with X_train
    (N, 1, 8, 8) and y_train (N,); seed for the weights and the batch order; train_fn and
    build_fn replace the course's ``train_one_epoch`` and ``build_vgg_small`` (a notebook
    passes the student's own).
    Returns the trained model (on the CPU, in eval mode) and the training loss per epoch.
    A diverging run returns what it reached (its losses may be NaN).
    """
    problem = challenge_problem(widths, batch_norm, epochs, learning_rate, batch_size)
    if problem:
        raise ValueError(problem)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny images: threads would only wait for each other
    try:
        torch.manual_seed(seed)
        build_fn = build_fn or build_vgg_small
        train_fn = train_fn or train_one_epoch
        model = build_fn(1, 10, challenge_widths(widths), 8, batch_norm=bool(batch_norm))
        optimizer = torch.optim.Adam(model.parameters(), lr=float(learning_rate))
        loader = make_loaders(data["X_train"], data["y_train"], int(batch_size), seed=seed)
        losses = [train_fn(model, loader, optimizer, "cpu") for _ in range(int(epochs))]
        model.eval()
    finally:
        torch.set_num_threads(threads)
    return model, losses


def accuracy_of(model: torch.nn.Module, X: np.ndarray, y: np.ndarray, evaluate_fn=None) -> float:
    """Fraction of X (N, 1, 8, 8) classified as y (N,), by ``evaluate_fn`` (default the
    course's ``evaluate_model``)."""
    loader = make_loaders(X, y, 512, shuffle=False)
    _, acc = (evaluate_fn or evaluate_model)(model, loader, "cpu")
    return float(acc)


@functools.lru_cache(maxsize=1)
def grader_split(seed: int = 2027, num_train: int = 1000):
    """The grader's own split of the 1797 digits: (train data, X_score, y_score), the mean
    image of its training part subtracted (as get_dataset does), layout (N, 1, 8, 8)."""
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    X, y = X[order][:, None], y[order]
    X = X - X[:num_train].mean(axis=0)
    return {"X_train": X[:num_train], "y_train": y[:num_train]}, X[num_train:], y[num_train:]


@functools.lru_cache(maxsize=16)
def challenge_accuracy(widths, batch_norm, epochs, learning_rate, batch_size) -> float:
    """Accuracy on the grader's held-out digits of the challenge trained with the choices
    (widths as a tuple, so that the result can be cached)."""
    data, X_score, y_score = grader_split()
    model, losses = train_challenge(widths, batch_norm, epochs, learning_rate, batch_size, data)
    if not all(math.isfinite(loss) for loss in losses):
        return 0.0
    return accuracy_of(model, X_score, y_score)
