"""Transfer learning offline (09_cnn_pytorch): pretrain a convnet on digits 0-4, freeze it, and
train a new linear head on digits 5-9 from a few labels per class; compare with the same
network trained from scratch on those few labels.

Example::

    run = transfer_experiment(labels_per_class=2, seed=0)
    run["transfer"][-1], run["scratch"][-1]  # test accuracies on digits 5-9 after training
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_utils.data import get_dataset
from course_utils.torch_track.loops import evaluate_model, train_one_epoch
from course_utils.torch_track.models.vgg_small import build_vgg_small
from course_utils.torch_track.train import make_loaders


def few_labels(y: np.ndarray, classes, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` examples of each class in ``classes`` (drawn without repeats)."""
    return np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                           for c in classes])  # fmt: skip


def frozen_features(body: nn.Module, X: np.ndarray) -> np.ndarray:
    """The outputs of a frozen network body for X (N, C, H, W): eval mode, no graph."""
    body.eval()
    with torch.no_grad():
        return body(torch.as_tensor(X, dtype=torch.float32)).numpy()


def transfer_experiment(
    labels_per_class: int = 2,
    seed: int = 0,
    *,
    widths: tuple[int, ...] = (16, 32),
    pretrain_epochs: int = 6,
    epochs: int = 30,
    lr: float = 1e-2,
    train_fn=None,
    evaluate_fn=None,
    build_fn=None,
) -> dict:
    """Pretrain on digits 0-4, then learn digits 5-9 from ``labels_per_class`` labels each.

    Inputs:
    - labels_per_class: labelled training digits per class of 5-9.
    - seed: the split, the drawn labels, the weights and the batch order.
    - widths: the VGG-small of both networks (build_vgg_small(1, 5, widths, 8)).
    - pretrain_epochs: epochs on all training digits 0-4 (Adam, batches of 64).
    - epochs: epochs of the two small-data runs (Adam, batches of 10): the new linear head on
      the frozen body's features, and the whole network from scratch.
    - train_fn, evaluate_fn, build_fn: the student's train_one_epoch, evaluate_model and
      build_vgg_small (default the course's).
    Returns a dict with "pretrain_acc" (test accuracy on digits 0-4 of the pretrained network),
    "transfer" and "scratch" (test accuracy on digits 5-9 after each epoch, lists of length
    ``epochs``), "epochs" (1..epochs) and "labels_per_class".
    """
    train_fn = train_fn or train_one_epoch
    evaluate_fn = evaluate_fn or evaluate_model
    build_fn = build_fn or build_vgg_small
    data = get_dataset("digits", layout="nchw", seed=seed)
    rng = np.random.default_rng(seed)
    X, y, X_test, y_test = data["X_train"], data["y_train"], data["X_test"], data["y_test"]
    old = y < 5
    test_old, test_new = y_test < 5, y_test >= 5
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        pretrained = build_fn(1, 5, widths, 8)
        optimizer = torch.optim.Adam(pretrained.parameters(), lr=2e-3)
        loader = make_loaders(X[old], y[old], 64, seed=seed)
        for _ in range(pretrain_epochs):
            train_fn(pretrained, loader, optimizer, "cpu")
        old_test = make_loaders(X_test[test_old], y_test[test_old], 512, shuffle=False)
        _, pretrain_acc = evaluate_fn(pretrained, old_test, "cpu")

        pick = few_labels(y, range(5, 10), labels_per_class, rng)
        X_few, y_few = X[pick], y[pick] - 5
        new_test_y = y_test[test_new] - 5

        # transfer: the pretrained network without its last layer, frozen; a new head
        body = pretrained[:-1]
        for p in body.parameters():
            p.requires_grad_(False)
        head = nn.Linear(pretrained[-1].in_features, 5)
        head_optimizer = torch.optim.Adam(head.parameters(), lr=lr)
        head_loader = make_loaders(frozen_features(body, X_few), y_few, 10, seed=seed)
        head_test = make_loaders(frozen_features(body, X_test[test_new]), new_test_y, 512,
                                 shuffle=False)  # fmt: skip
        transfer = []
        for _ in range(epochs):
            train_fn(head, head_loader, head_optimizer, "cpu")
            transfer.append(evaluate_fn(head, head_test, "cpu")[1])

        # from scratch: the same architecture, every weight trained on the few labels
        scratch_model = build_fn(1, 5, widths, 8)
        scratch_optimizer = torch.optim.Adam(scratch_model.parameters(), lr=lr)
        scratch_loader = make_loaders(X_few, y_few, 10, seed=seed)
        new_test = make_loaders(X_test[test_new], new_test_y, 512, shuffle=False)
        scratch = []
        for _ in range(epochs):
            train_fn(scratch_model, scratch_loader, scratch_optimizer, "cpu")
            scratch.append(evaluate_fn(scratch_model, new_test, "cpu")[1])
    finally:
        torch.set_num_threads(threads)
    return {
        "pretrain_acc": float(pretrain_acc),
        "transfer": [float(a) for a in transfer],
        "scratch": [float(a) for a in scratch],
        "epochs": list(range(1, epochs + 1)),
        "labels_per_class": labels_per_class,
    }
