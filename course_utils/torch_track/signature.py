"""What a module computes, as plain numpy arrays: used by the graded checks of nn.Modules.

Two modules built the same way (the same layers registered in the same order) get the same
weights from :func:`fill_deterministic` with the same seed, so their outputs can be
compared with a reference exactly, in float64, without sharing any state. The grader only
keeps arrays and numbers, hence :func:`module_signature` returns nothing else.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from course_utils.torch_track.device import single_threaded


def fill_deterministic(module: nn.Module, seed: int) -> None:
    """Overwrite every floating-point parameter and buffer of ``module``, in place.

    Entries of ``module.state_dict()`` are visited in their registration order and drawn
    from one ``torch.Generator`` seeded with ``seed``: weights with more than one axis get
    normal / sqrt(fan_in) (fan_in = elements per output unit), other parameters 0.5 * normal,
    BatchNorm running variances uniform in [0.5, 1.5). Integer buffers are left alone.
    """
    generator = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for name, tensor in module.state_dict(keep_vars=True).items():
            if not tensor.is_floating_point():
                continue
            shape = tuple(tensor.shape)
            if name.endswith("running_var"):
                values = 0.5 + torch.rand(shape, generator=generator, dtype=torch.float64)
            elif len(shape) > 1:
                fan_in = math.prod(shape[1:])
                values = torch.randn(shape, generator=generator, dtype=torch.float64)
                values /= math.sqrt(fan_in)
            else:
                values = 0.5 * torch.randn(shape, generator=generator, dtype=torch.float64)
            tensor.copy_(values.to(tensor.dtype))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars (parameters with requires_grad) of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def module_signature(module: nn.Module, x, seed: int = 0) -> dict[str, np.ndarray]:
    """Fill ``module`` deterministically and report what it computes on ``x``, in float64.

    The module is moved to the CPU in float64 and filled by :func:`fill_deterministic`;
    everything runs on one CPU thread (``single_threaded``).

    Inputs:
    - module: an nn.Module mapping (N, ...) inputs to (N, ...) outputs.
    - x: input array (numpy or tensor), e.g. of shape (N, C, H, W).
    - seed: seed of the deterministic weights.
    Returns a dict of numpy arrays:
    - num_params: number of trainable parameters (an int64 scalar)
    - out_shape: shape of the output (int64 vector)
    - out_eval: output in eval mode (BatchNorm uses its running statistics), float64
    - out_train: output in train mode (BatchNorm uses the batch's statistics), float64
    """
    with single_threaded("cpu"):
        module = module.to(device="cpu", dtype=torch.float64)
        fill_deterministic(module, seed)
        inputs = torch.as_tensor(np.asarray(x, dtype=np.float64))
        was_training = module.training
        with torch.no_grad():
            module.eval()
            out_eval = module(inputs)  # BatchNorm with its running statistics
            module.train()
            out_train = module(inputs)  # BatchNorm with the batch's statistics
        module.train(was_training)
    return {
        "num_params": np.int64(count_parameters(module)),
        "out_shape": np.array(out_eval.shape, dtype=np.int64),
        "out_eval": out_eval.detach().cpu().numpy().astype(np.float64),
        "out_train": out_train.detach().cpu().numpy().astype(np.float64),
    }
