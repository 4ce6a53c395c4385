"""Solver: trains a classification model by minibatch gradient descent (CS231n style).

A model is any object with
- ``params``: dict name -> array, the parameters to learn;
- ``loss(X, y=None)``: with y None, the scores of shape (N, C); otherwise a tuple
  ``(loss, grads)`` where grads has the keys and shapes of params.

Example::

    data = {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}
    solver = Solver(model, data, update_rule="sgd_momentum",
                    optim_config={"learning_rate": 1e-3}, lr_decay=0.95,
                    num_epochs=5, batch_size=100, print_every=100, seed=0)
    solver.train()
    # model.params now holds the parameters of best validation accuracy.

Everything the solver prints (messages and the optional tqdm progress bar) goes to
``sys.stdout``, never to stderr, so that nbgrader cells stay clean.
"""

from __future__ import annotations

import pickle
import sys
import warnings

import numpy as np

from course_utils import optim

with warnings.catch_warnings():
    # tqdm.auto warns at import when it finds Jupyter without ipywidgets; stay silent.
    warnings.simplefilter("ignore")
    from tqdm.auto import tqdm


#: the update rules a name may select
UPDATE_RULES = ("sgd", "sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam")


class Solver:
    """Minibatch training loop with accuracy tracking and best-parameter selection.

    Required arguments:
    - model: object with ``params`` and ``loss(X, y=None)`` (see the module docstring)
    - data: dict with X_train (N_train, ...), y_train (N_train,), X_val (N_val, ...),
      y_val (N_val,)

    Optional keyword arguments:
    - update_rule: name of a rule in ``course_utils.optim`` (default "sgd") or a callable
      ``rule(w, dw, config) -> (next_w, config)``
    - optim_config: dict of hyperparameters given to the rule; each parameter gets its own
      copy, which also carries the rule's state
    - lr_decay: the learning rate of every parameter is multiplied by this after each epoch
    - batch_size: minibatch size (default 100)
    - num_epochs: number of epochs (default 10)
    - num_train_samples: training samples used to measure train accuracy (default 1000;
      None for all)
    - num_val_samples: validation samples used to measure val accuracy (default None: all)
    - checkpoint_name: when given, pickle a checkpoint to
      "<checkpoint_name>_epoch_<e>.pkl" after each epoch
    - print_every: print the loss every this many iterations when verbose (default 10)
    - verbose: print progress (default True)
    - progress: show a tqdm progress bar over iterations (default: the value of verbose)
    - seed: int, None or np.random.Generator for minibatches and subsampling
    """

    def __init__(self, model, data, **kwargs):
        self.model = model
        self.X_train = data["X_train"]
        self.y_train = data["y_train"]
        self.X_val = data["X_val"]
        self.y_val = data["y_val"]

        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)
        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)
        self.progress = kwargs.pop("progress", None)
        self.rng = np.random.default_rng(kwargs.pop("seed", None))
        if kwargs:
            raise ValueError(f"unrecognized arguments: {', '.join(sorted(kwargs))}")

        if isinstance(self.update_rule, str):
            rule = getattr(optim, self.update_rule, None)
            if self.update_rule not in UPDATE_RULES:
                raise ValueError(f'invalid update_rule "{self.update_rule}"')
            self.update_rule = rule
        elif not callable(self.update_rule):
            raise ValueError("update_rule must be a name in course_utils.optim or a callable")
        self._reset()

    def _reset(self):
        """Set up the bookkeeping; called by __init__, not meant to be called by hand."""
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self):
        """One gradient update on a minibatch sampled with replacement."""
        num_train = self.X_train.shape[0]
        batch_mask = self.rng.choice(num_train, self.batch_size)  # (batch_size,)
        loss, grads = self.model.loss(self.X_train[batch_mask], self.y_train[batch_mask])
        self.loss_history.append(float(loss))
        for p, w in self.model.params.items():
            next_w, next_config = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        checkpoint = {
            "model": self.model,
            "update_rule": self.update_rule,
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
        }
        filename = f"{self.checkpoint_name}_epoch_{self.epoch}.pkl"
        if self.verbose:
            print(f'Saving checkpoint to "{filename}"', file=sys.stdout)
        with open(filename, "wb") as f:
            pickle.dump(checkpoint, f)

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Accuracy of the model on data, in batches.

        Inputs:
        - X: samples, of shape (N, ...); y: labels, of shape (N,)
        - num_samples: when not None and smaller than N, score a random subset of this
          many samples (drawn without replacement from the solver's generator)
        - batch_size: samples per call of model.loss
        Returns:
        - acc: float, the fraction of samples classified correctly
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = self.rng.choice(N, num_samples, replace=False)
            X, y = X[mask], y[mask]
            N = num_samples
        y_pred = []
        for start in range(0, N, batch_size):
            scores = self.model.loss(X[start : start + batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        return float(np.mean(np.hstack(y_pred) == y))

    def _log(self, message, bar):
        if not self.verbose:
            return
        if bar is None:
            print(message, file=sys.stdout)
        else:
            bar.write(message, file=sys.stdout)

    def train(self):
        """Run num_epochs epochs of optimisation; then set model.params to best_params.

        Accuracies are recorded after the first iteration, after each epoch and after the
        last iteration: len(train_acc_history) = num_epochs + 1 when an epoch has two
        iterations or more (num_epochs when it has one). loss_history gets one entry per iteration.
        """
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        show_bar = self.verbose if self.progress is None else self.progress
        bar = tqdm(total=num_iterations, file=sys.stdout) if show_bar else None
        try:
            for t in range(num_iterations):
                self._step()
                if bar is not None:
                    bar.update(1)
                if t % self.print_every == 0:
                    loss = self.loss_history[-1]
                    self._log(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}", bar)
                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    self._decay_learning_rate()
                if t == 0 or t == num_iterations - 1 or epoch_end:
                    self._record_accuracies(bar)
        finally:
            if bar is not None:
                bar.close()
        if self.best_params:
            self.model.params = self.best_params

    def _decay_learning_rate(self):
        for config in self.optim_configs.values():
            if "learning_rate" in config:
                config["learning_rate"] *= self.lr_decay

    def _record_accuracies(self, bar):
        train_acc = self.check_accuracy(
            self.X_train, self.y_train, num_samples=self.num_train_samples
        )
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self._save_checkpoint()
        self._log(
            f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; "
            f"val_acc: {val_acc:f}",
            bar,
        )
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
