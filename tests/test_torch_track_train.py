"""The PyTorch track's training loop: make_loaders, fit, evaluate (CPU; CUDA when present).

Oracles: a direct computation of the mean loss and accuracy under torch.no_grad(), and a
separable problem that any working loop learns. CUDA-only paths (mixed precision,
channels_last) run in the gpu-marked tests.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.torch_track.train import History, evaluate, fit, make_loaders

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


#: one torch thread (tiny models), seed 0, torch's random state restored (tests/conftest.py)
pytestmark = [pytest.mark.usefixtures("torch_state"), pytest.mark.numerics]


def blobs(rng, n=240):
    """Three well-separated classes of 1 x 4 x 4 "images" (class k: pixel (0, k) raised by 4)."""
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 1, 4, 4))
    X[np.arange(n), 0, 0, y] += 4.0
    return X, y


def tiny_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
        nn.Linear(64, 3),
    )  # fmt: skip


def test_make_loaders_batches_dtypes_and_seeded_shuffle(rng):
    X, y = rng.normal(size=(10, 2, 3, 3)), np.arange(10)
    loader = make_loaders(X, y, batch_size=4, seed=3)
    batches = list(loader)
    assert len(loader) == 3 and [len(b[1]) for b in batches] == [4, 4, 2]
    assert batches[0][0].dtype == torch.float32 and batches[0][1].dtype == torch.int64
    order = torch.cat([b[1] for b in batches])
    assert sorted(order.tolist()) == list(range(10)) and order.tolist() != list(range(10))
    for xb, yb in batches:  # images travel with their labels
        np.testing.assert_allclose(xb.numpy(), X[yb.numpy()].astype(np.float32))
    again = torch.cat([b[1] for b in make_loaders(X, y, batch_size=4, seed=3)])
    assert torch.equal(order, again)
    second_epoch = torch.cat([b[1] for b in loader])
    assert not torch.equal(order, second_epoch)  # a new order every epoch


def test_make_loaders_without_shuffle_and_with_drop_last(rng):
    X, y = rng.normal(size=(7, 1, 2, 2)), np.arange(7)
    ordered = make_loaders(X, y, batch_size=3, shuffle=False)
    assert torch.cat([b[1] for b in ordered]).tolist() == list(range(7))
    assert len(make_loaders(X, y, batch_size=3, drop_last=True)) == 2


def test_evaluate_matches_a_direct_computation(rng):
    X, y = blobs(rng, 50)
    model = tiny_cnn()
    model.train()
    loss, acc = evaluate(model, make_loaders(X, y, batch_size=16, shuffle=False), device="cpu")
    assert not model.training  # eval mode: BatchNorm used its running statistics
    with torch.no_grad():
        scores = model(torch.tensor(X, dtype=torch.float32))
        expected_loss = nn.functional.cross_entropy(scores, torch.tensor(y)).item()
        expected_acc = (scores.argmax(dim=1).numpy() == y).mean()
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert acc == pytest.approx(expected_acc)
    assert all(p.grad is None for p in model.parameters())


def test_fit_learns_a_separable_problem(rng, capsys):
    X, y = blobs(rng)
    X_val, y_val = blobs(rng, 90)
    model = tiny_cnn()
    history = fit(
        model,
        make_loaders(X, y, batch_size=32, seed=0),
        epochs=4,
        lr=1e-2,
        val_loader=make_loaders(X_val, y_val, batch_size=64, shuffle=False),
        device="cpu",
    )
    assert isinstance(history, History)
    for series in (history.train_loss, history.train_acc, history.val_loss, history.val_acc):
        assert len(series) == 4 and all(np.isfinite(series))
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] > 0.9
    assert len(history.seconds) == 4 and history.total_seconds > 0
    assert history.device.startswith("CPU") and not history.amp and not history.channels_last
    captured = capsys.readouterr()
    assert captured.err == ""  # progress bar and logs go to stdout
    assert "epoch 4/4" in captured.out


def test_fit_is_reproducible_and_quiet_when_asked(rng, capsys):
    X, y = blobs(rng, 60)
    losses = []
    for _ in range(2):
        torch.manual_seed(1)
        model = tiny_cnn()
        history = fit(
            model, make_loaders(X, y, 16, seed=5), epochs=2, progress=False, log_every=0,
            device="cpu",
        )  # fmt: skip
        losses.append(history.train_loss)
        assert np.isnan(history.val_acc).all()  # no val_loader
    assert losses[0] == losses[1]
    assert capsys.readouterr().out == ""


def test_fit_uses_a_given_optimizer_and_loss(rng):
    X, y = blobs(rng, 40)
    model = tiny_cnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: nothing may change
    before = [p.detach().clone() for p in model.parameters()]
    calls = []

    def loss_fn(scores, targets):
        calls.append(scores.shape)
        return nn.functional.cross_entropy(scores, targets)

    fit(model, make_loaders(X, y, 20), epochs=1, optimizer=optimizer, loss_fn=loss_fn,
        progress=False, log_every=0, device="cpu")  # fmt: skip
    assert calls == [(20, 3), (20, 3)]
    for old, new in zip(before, model.parameters()):
        torch.testing.assert_close(old, new.detach())


def test_fit_bfloat16_autocast_on_cpu_when_asked(rng):
    X, y = blobs(rng, 64)
    history = fit(tiny_cnn(), make_loaders(X, y, 32), epochs=1, amp=True, progress=False,
                  log_every=0, device="cpu")  # fmt: skip
    assert history.amp and np.isfinite(history.train_loss[0])


@pytest.mark.gpu
@CUDA
def test_fit_on_cuda_uses_mixed_precision_and_channels_last(rng):
    X, y = blobs(rng)
    model = tiny_cnn()
    history = fit(model, make_loaders(X, y, 32), epochs=3, lr=1e-2, progress=False, log_every=0,
                  val_loader=make_loaders(X, y, 64, shuffle=False), device="cuda")  # fmt: skip
    assert history.amp and history.channels_last
    assert next(model.parameters()).is_cuda
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert history.val_acc[-1] > 0.9
    loss, acc = evaluate(model, make_loaders(X, y, 64, shuffle=False))  # on the model's device
    assert acc == pytest.approx(history.val_acc[-1])
