"""Numpy adapters: how the grader calls PyTorch functions with plain arrays.

The grader's inputs are numpy arrays and plain numbers (nothing else can travel between
the grader and a sandbox), while the graded functions of 11_autoencoders and 12_gans take
and return torch tensors. :func:`as_numpy_call` bridges the two: float arrays become
float64 tensors, an int passed as ``generator=`` becomes a seeded ``torch.Generator``,
and the result comes back as numpy arrays, optionally with the gradients of the output
with respect to some inputs (so that a loss computed outside autograd, or a detached
sample, is caught).

:func:`numpy_adapter` looks the function up by name in a namespace *at every call* (late
binding): a notebook's locked cell writes ``numpy_vae_loss = numpy_adapter("vae_loss",
globals())`` and the grader calls ``numpy_vae_loss``, which runs whatever ``vae_loss`` the
student defined, even if it was defined after that cell or redefined later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

#: graded function -> positions of the inputs whose gradients the adapter also returns
GRADIENTS_OF: dict[str, tuple[int, ...]] = {
    "sample_noise": (),
    "reparameterize": (0, 1),
    "vae_loss": (0, 2, 3),
    "discriminator_loss": (0, 1),
    "generator_loss": (0,),
    "ls_discriminator_loss": (0, 1),
    "ls_generator_loss": (0,),
}


def _to_tensor(value: Any, requires_grad: bool) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return torch.tensor(value, dtype=torch.float64, requires_grad=requires_grad)
    if isinstance(value, np.ndarray):
        return torch.tensor(value)
    return value


def _keyword(name: str, value: Any) -> Any:
    if name == "generator" and isinstance(value, int) and not isinstance(value, bool):
        return torch.Generator().manual_seed(value)
    return _to_tensor(value, False)


def _to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_to_numpy(v) for v in value)
    return value


def as_numpy_call(fn: Callable, grad_of: Sequence[int] = ()) -> Callable:
    """Wrap a torch function so that it takes and returns numpy arrays.

    Inputs:
    - fn: a function of tensors returning a tensor (or a tuple of tensors).
    - grad_of: positions of the arguments to differentiate with respect to. When not
      empty, fn must return one tensor `out` connected to those arguments; the wrapper
      backpropagates sum(out) and returns (out, grad_0, grad_1, ...), each grad of the
      shape of its argument (zeros where the output does not depend on it).

    Float arrays become float64 tensors (requires_grad for the positions in grad_of),
    other arrays tensors of their dtype, numbers stay numbers, and the keyword
    ``generator=<int>`` becomes ``torch.Generator().manual_seed(<int>)``.
    """
    grad_of = tuple(grad_of)

    def call(*args, **kwargs):
        inputs = [_to_tensor(a, i in grad_of) for i, a in enumerate(args)]
        keywords = {k: _keyword(k, v) for k, v in kwargs.items()}
        out = fn(*inputs, **keywords)
        if not grad_of:
            return _to_numpy(out)
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            is_tensor = isinstance(out, torch.Tensor)
            got = "a tensor without gradient" if is_tensor else type(out).__name__
            raise TypeError(
                f"expected a tensor that autograd can differentiate, got {got} "
                "(were the inputs detached or converted to numpy?)"
            )
        wrt = [inputs[i] for i in grad_of]
        grads = torch.autograd.grad(out.sum(), wrt, allow_unused=True)
        grads = [torch.zeros_like(x) if g is None else g for x, g in zip(wrt, grads)]
        return (_to_numpy(out), *(_to_numpy(g) for g in grads))

    return call


def numpy_adapter(name: str, namespace: Mapping[str, Any]) -> Callable:
    """The numpy view of the graded function ``name``, found in ``namespace`` at call time.

    Inputs:
    - name: a key of :data:`GRADIENTS_OF` ("vae_loss", "sample_noise", ...).
    - namespace: where to look the function up at each call (a notebook's ``globals()``).

    Returns a function of numpy arrays; see :func:`as_numpy_call` for what it returns.
    """
    if name not in GRADIENTS_OF:
        raise ValueError(f"no adapter for {name!r}; known: {', '.join(GRADIENTS_OF)}")

    def late_bound(*args, **kwargs):
        if name not in namespace:
            raise NameError(f"{name} is not defined")
        return namespace[name](*args, **kwargs)

    return as_numpy_call(late_bound, GRADIENTS_OF[name])
