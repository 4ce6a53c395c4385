"""Solver: histories, best-parameter restore, lr decay, output streams, determinism."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from course_utils import optim
from course_utils.classifiers.fc_net import TwoLayerNet
from course_utils.solver import Solver

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


class StepCounter:
    """A model whose one parameter t moves by +learning_rate per SGD step (gradient -1).

    Its predictions are right exactly while best_t - 0.5 < t < best_t + 0.5, so the
    validation accuracy peaks at a known step. Every training step records t.
    """

    def __init__(self, best_t=4.0, num_classes=3):
        self.params = {"t": np.zeros(1)}
        self.best_t = best_t
        self.num_classes = num_classes
        self.seen_t = []

    def loss(self, X, y=None):
        if y is None:
            labels = X[:, 0].astype(int)
            if abs(self.params["t"][0] - self.best_t) >= 0.5:
                labels = (labels + 1) % self.num_classes
            return np.eye(self.num_classes)[labels]
        self.seen_t.append(float(self.params["t"][0]))
        return float(np.sum(X)), {"t": -np.ones(1)}


def _label_data(N_train=4, N_val=6):
    y_train = np.arange(N_train) % 3
    y_val = np.arange(N_val) % 3
    return {
        "X_train": y_train[:, None].astype(float),
        "y_train": y_train,
        "X_val": y_val[:, None].astype(float),
        "y_val": y_val,
    }


@pytest.fixture(scope="module")
def blobs():
    """Four separable Gaussian blobs in 6 dimensions."""
    rng = np.random.default_rng(0)
    centers = 3 * rng.standard_normal((4, 6))
    y = rng.integers(0, 4, 260)
    X = centers[y] + rng.standard_normal((260, 6))
    return {"X_train": X[:200], "y_train": y[:200], "X_val": X[200:], "y_val": y[200:]}


def _two_layer_solver(data, seed=0, **kwargs):
    model = TwoLayerNet(input_dim=6, hidden_dim=20, num_classes=4, weight_scale=1e-1, seed=0)
    defaults = {"optim_config": {"learning_rate": 0.1}, "batch_size": 50, "num_epochs": 3}
    defaults.update(kwargs)
    return Solver(model, data, verbose=False, seed=seed, **defaults)


def test_history_lengths(blobs):
    solver = _two_layer_solver(blobs, num_epochs=3, batch_size=50)  # 4 iterations per epoch
    solver.train()
    assert len(solver.loss_history) == 12
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 4
    assert solver.epoch == 3
    assert all(isinstance(v, float) for v in solver.loss_history)
    assert solver.loss_history[-1] < solver.loss_history[0]
    assert solver.val_acc_history[-1] > 0.8


def test_one_iteration_per_epoch_records_once_per_epoch():
    solver = Solver(StepCounter(), _label_data(), batch_size=4, num_epochs=5, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 5
    assert len(solver.train_acc_history) == 5


def test_best_params_restored():
    model = StepCounter(best_t=4.0)
    data = _label_data(N_train=4)  # batch_size 2: two iterations per epoch
    solver = Solver(
        model,
        data,
        update_rule="sgd",
        optim_config={"learning_rate": 1.0},
        batch_size=2,
        num_epochs=5,
        verbose=False,
        seed=0,
    )
    solver.train()
    # Accuracies measured at t = 1 (first iteration), 2, 4, 6, 8, 10 (epoch ends).
    assert solver.val_acc_history == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert solver.best_val_acc == 1.0
    assert model.seen_t[-1] == 9.0  # training went on past the best point
    np.testing.assert_array_equal(solver.best_params["t"], [4.0])
    assert model.params is solver.best_params
    np.testing.assert_array_equal(model.params["t"], [4.0])
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == 1.0


def test_best_params_copied_not_aliased(blobs):
    solver = _two_layer_solver(blobs)
    solver.train()
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert solver.check_accuracy(blobs["X_val"], blobs["y_val"]) == solver.best_val_acc


def test_lr_decay_applied_each_epoch():
    model = StepCounter()
    solver = Solver(
        model,
        _label_data(N_train=4),
        optim_config={"learning_rate": 1.0},
        lr_decay=0.5,
        batch_size=2,
        num_epochs=3,
        verbose=False,
    )
    solver.train()
    steps = np.diff(model.seen_t)  # the step taken by each update but the last
    np.testing.assert_allclose(steps, [1.0, 1.0, 0.5, 0.5, 0.25])
    assert solver.optim_configs["t"]["learning_rate"] == pytest.approx(0.125)
    assert solver.optim_config == {"learning_rate": 1.0}  # the caller's dict is not changed


def test_update_rule_by_name_or_callable(blobs):
    calls = []

    def rule(w, dw, config=None):
        calls.append(config["learning_rate"])
        return optim.sgd(w, dw, config)

    by_name = _two_layer_solver(blobs, update_rule="sgd")
    by_callable = _two_layer_solver(blobs, update_rule=rule)
    by_name.train()
    by_callable.train()
    assert by_name.loss_history == by_callable.loss_history
    assert len(calls) == 12 * 4  # 12 iterations, 4 parameters
    with pytest.raises(ValueError):
        _two_layer_solver(blobs, update_rule="no_such_rule")
    with pytest.raises(ValueError):
        _two_layer_solver(blobs, unknown_option=1)


def test_adam_state_per_parameter(blobs):
    solver = _two_layer_solver(blobs, update_rule="adam", optim_config={"learning_rate": 1e-2})
    solver.train()
    assert set(solver.optim_configs) == {"W1", "b1", "W2", "b2"}
    assert solver.optim_configs["W1"]["m"].shape == (6, 20)
    assert solver.optim_configs["b2"]["v"].shape == (4,)
    assert solver.optim_configs["W1"] is not solver.optim_configs["W2"]


def test_deterministic_with_seed(blobs):
    runs = []
    for seed in (7, 7, 8):
        solver = _two_layer_solver(blobs, seed=seed, num_train_samples=50)
        solver.train()
        runs.append((solver.loss_history, solver.train_acc_history))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    gen = _two_layer_solver(blobs, seed=np.random.default_rng(7), num_train_samples=50)
    gen.train()
    assert gen.loss_history == runs[0][0]


def test_check_accuracy_batches_and_subsampling(blobs):
    solver = _two_layer_solver(blobs)
    X, y = blobs["X_val"], blobs["y_val"]
    scores = solver.model.loss(X)
    expected = np.mean(np.argmax(scores, axis=1) == y)
    assert solver.check_accuracy(X, y, batch_size=7) == pytest.approx(expected)
    assert solver.check_accuracy(X, y, num_samples=100) == pytest.approx(expected)
    sub = solver.check_accuracy(X, y, num_samples=10)
    assert sub * 10 == pytest.approx(round(sub * 10))  # a fraction of 10 samples


def test_verbose_prints_to_stdout_only(blobs, capsys):
    solver = _two_layer_solver(blobs, print_every=5)
    solver.verbose = True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solver.train()
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "(Iteration 1 / 12) loss:" in captured.out
    assert "(Iteration 6 / 12) loss:" in captured.out
    assert "(Epoch 3 / 3) train acc:" in captured.out
    assert "12/12" in captured.out  # the tqdm bar


def test_progress_bar_without_messages(blobs, capsys):
    solver = _two_layer_solver(blobs, progress=True)
    solver.train()
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "12/12" in captured.out
    assert "Iteration" not in captured.out


def test_silent_when_not_verbose(blobs, capsys):
    _two_layer_solver(blobs).train()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_checkpoints(blobs, tmp_path):
    name = str(tmp_path / "ckpt")
    solver = _two_layer_solver(blobs, num_epochs=2, checkpoint_name=name)
    solver.train()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["ckpt_epoch_0.pkl", "ckpt_epoch_1.pkl", "ckpt_epoch_2.pkl"]
    with open(tmp_path / "ckpt_epoch_2.pkl", "rb") as f:
        checkpoint = pickle.load(f)  # written by this test, not untrusted input
    assert checkpoint["epoch"] == 2
    assert checkpoint["val_acc_history"] == solver.val_acc_history


def test_solver_accepts_only_update_rule_names():
    from course_utils.solver import Solver

    class Tiny:
        params = {"W": np.zeros(2)}

    data = {k: np.zeros((4, 2)) for k in ("X_train", "X_val")}
    data.update(y_train=np.zeros(4, dtype=int), y_val=np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="step_decay"):
        Solver(Tiny(), data, update_rule="step_decay")
