"""What 07_batchnorm grades: batchnorm forward (train/test, running statistics), its two
backward passes, layernorm forward and backward, spatial batchnorm and group normalization
(forward and backward, image-shaped data), and an outcome task: the student's learning rate
and weight scale for a deep batchnorm network, judged by training the reference with them
on the grader's own split of the digits.

A backward pass receives the cache of the student's own forward (an opaque tuple), so each
backward case calls the forward first (bound as "fwd", not recorded) and then the backward
with ``Ref("fwd", 1)``, the cache.
"""

from __future__ import annotations

import functools

import numpy as np

from autograder.checks.outcome import level_checks, read_choices
from autograder.spec import Check, Ref, alternatives, call, case
from course_utils.layer_impl.groupnorm import spatial_groupnorm_backward, spatial_groupnorm_forward
from course_utils.layers import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)


def _shape(rng, n_low=8, n_high=30, d_low=3, d_high=9):
    return int(rng.integers(n_low, n_high)), int(rng.integers(d_low, d_high))


def _affine_params(rng, D):
    """gamma around 1 (never 0) and beta of either sign, shape (D,)."""
    return 0.5 + rng.random(D), rng.normal(size=D)


def _data(rng, N, D, offset=0.0, scale=1.0):
    return offset + scale * rng.normal(size=(N, D))


def _nearly_constant(rng, N, D):
    """One feature (column) with a variance far below eps = 1e-5."""
    x = _data(rng, N, D)
    x[:, 1] = 0.3 + 1e-4 * rng.normal(size=N)
    return x


def _running(rng, D):
    return {"running_mean": rng.normal(size=D), "running_var": 0.5 + rng.random(D)}


def _bn_forward(rng, label, x, bn_param):
    """One forward call; bn_param (argument 3) is recorded after the call."""
    gamma, beta = _affine_params(rng, x.shape[1])
    return case(label, call("batchnorm_forward", x, gamma, beta, bn_param, record_args=(3,)))


def _bn_forward_cases(rng):
    N, D = _shape(rng)
    wide = _shape(rng, 40, 80, 10, 20)
    small_d = int(rng.integers(3, 9))
    return [
        _bn_forward(
            rng,
            "train mode, running statistics created by the forward",
            _data(rng, N, D, 2.0, 3.0),
            {"mode": "train"},
        ),
        _bn_forward(
            rng,
            "train mode, existing running statistics, momentum and eps given",
            _data(rng, N, D, -1.0, 0.5),
            {"mode": "train", "momentum": 0.6, "eps": 1e-3, **_running(rng, D)},
        ),
        _bn_forward(
            rng,
            "train mode, a nearly constant feature",
            _nearly_constant(rng, N, D),
            {"mode": "train", **_running(rng, D)},
        ),
        _bn_forward(rng, "train mode, a batch of two", _data(rng, 2, small_d), {"mode": "train"}),
        _bn_forward(
            rng,
            "train mode, features far from zero mean and unit variance",
            _data(rng, *wide, 50.0, 10.0),
            {"mode": "train", **_running(rng, wide[1])},
        ),
        _bn_forward(
            rng,
            "test mode uses the running statistics (and leaves them alone)",
            _data(rng, N, D, 1.0, 2.0),
            {"mode": "test", **_running(rng, D)},
        ),
        _bn_forward(
            rng,
            "test mode, a batch of one, eps given",
            _data(rng, 1, small_d),
            {"mode": "test", "eps": 1e-2, **_running(rng, small_d)},
        ),
    ]


def _forward_then(backward, forward, param):
    """Cases that run the student's forward, then their backward on its cache."""

    def cases(rng):
        made = []
        shapes = [
            ("a typical batch", _shape(rng), {}),
            ("a larger batch, eps given", _shape(rng, 50, 100, 10, 30), {"eps": 1e-3}),
            ("a batch of two", (2, int(rng.integers(3, 8))), {}),
            ("a nearly constant feature", _shape(rng), {}),
        ]
        for label, (N, D), extra in shapes:
            if "constant" in label:
                x = _nearly_constant(rng, N, D)
            else:
                x = _data(rng, N, D, rng.normal(), 1 + 2 * rng.random())
            gamma, beta = _affine_params(rng, D)
            dout = rng.normal(size=(N, D))
            made.append(
                case(
                    label,
                    call(forward, x, gamma, beta, {**param, **extra}, bind="fwd", record=False),
                    call(backward, dout, Ref("fwd", 1)),
                )
            )
        return made

    return cases


def _ln_forward(rng, label, x, ln_param):
    gamma, beta = _affine_params(rng, x.shape[1])
    return case(label, call("layernorm_forward", x, gamma, beta, ln_param))


def _ln_forward_cases(rng):
    N, D = _shape(rng)
    flat = _data(rng, N, D)
    flat[0] = 0.7 + 1e-4 * rng.normal(size=D)  # one example with almost no spread
    return [
        _ln_forward(rng, "a typical batch", _data(rng, N, D, 1.0, 2.0), {}),
        _ln_forward(rng, "a batch of one, eps given", _data(rng, 1, 12), {"eps": 1e-2}),
        _ln_forward(rng, "a nearly constant example", flat, {}),
        _ln_forward(
            rng,
            "few wide examples far from zero mean",
            _data(rng, *_shape(rng, 3, 6, 40, 80), 30.0, 5.0),
            {},
        ),
    ]


def _ln_backward_cases(rng):
    cases = _forward_then("layernorm_backward", "layernorm_forward", {})(rng)
    D = int(rng.integers(5, 20))
    x, dout = _data(rng, 1, D), rng.normal(size=(1, D))
    cases.append(
        case(
            "a batch of one",
            call("layernorm_forward", x, *_affine_params(rng, D), {}, bind="fwd", record=False),
            call("layernorm_backward", dout, Ref("fwd", 1)),
        )
    )
    return cases


# --- image-shaped data: spatial batchnorm and group normalization ---------------------------


def _image(rng, N=None, C=None, offset=0.0, scale=1.0):
    N = N or int(rng.integers(2, 5))
    C = C or int(rng.integers(2, 5))
    H, W = int(rng.integers(2, 5)), int(rng.integers(2, 6))
    return offset + scale * rng.normal(size=(N, C, H, W))


def _spatial_bn_forward_cases(rng):
    made = []
    inputs = [
        ("train mode, running statistics created by the forward", _image(rng, offset=2.0), {}),
        ("train mode, momentum and eps given", _image(rng, C=5), {"momentum": 0.7, "eps": 1e-3}),
        ("train mode, one image", _image(rng, N=1, scale=3.0), {}),
    ]
    for label, x, extra in inputs:
        C = x.shape[1]
        param = {"mode": "train", **extra, **_running(rng, C)}
        made.append(
            case(
                label,
                call(
                    "spatial_batchnorm_forward", x, *_affine_params(rng, C), param, record_args=(3,)
                ),
            )
        )
    x = _image(rng, offset=-1.0, scale=2.0)
    made.append(
        case(
            "test mode uses the running statistics",
            call(
                "spatial_batchnorm_forward",
                x,
                *_affine_params(rng, x.shape[1]),
                {"mode": "test", **_running(rng, x.shape[1])},
                record_args=(3,),
            ),
        )
    )
    return made


def _spatial_bn_backward_cases(rng):
    made = []
    for label, x in (
        ("a typical batch", _image(rng, offset=1.0, scale=2.0)),
        ("one image", _image(rng, N=1)),
        ("more channels than pixels", _image(rng, C=7)),
    ):
        dout = rng.normal(size=x.shape)
        made.append(
            case(
                label,
                call(
                    "spatial_batchnorm_forward",
                    x,
                    *_affine_params(rng, x.shape[1]),
                    {"mode": "train"},
                    bind="fwd",
                    record=False,
                ),
                call("spatial_batchnorm_backward", dout, Ref("fwd", 1)),
            )
        )
    return made


def _gn_inputs(rng):
    """(label, x, G, gn_param): several groupings, one group, one channel per group."""
    return [
        ("two groups", _image(rng, C=4, offset=1.0, scale=2.0), 2, {}),
        ("three groups of two channels, eps given", _image(rng, C=6), 3, {"eps": 1e-2}),
        ("one group (layernorm of the image)", _image(rng, C=3), 1, {}),
        ("one channel per group", _image(rng, C=4, scale=3.0), 4, {}),
        ("a batch of one", _image(rng, N=1, C=6), 2, {}),
    ]


def _gn_forward_cases(rng):
    return [
        case(label, call("spatial_groupnorm_forward", x, *_affine_params(rng, x.shape[1]), G, p))
        for label, x, G, p in _gn_inputs(rng)
    ]


def _gn_backward_cases(rng):
    made = []
    for label, x, G, p in _gn_inputs(rng):
        made.append(
            case(
                label,
                call(
                    "spatial_groupnorm_forward",
                    x,
                    *_affine_params(rng, x.shape[1]),
                    G,
                    p,
                    bind="fwd",
                    record=False,
                ),
                call("spatial_groupnorm_backward", rng.normal(size=x.shape), Ref("fwd", 1)),
            )
        )
    return made


# --- outcome: the learning rate and weight scale of a deep batchnorm network ---------------

#: what the judge reads, in order, and the reference's own choices (same shapes)
OUTCOME_CHOICES = {"best_learning_rate": 0.03, "best_weight_scale": 0.1}
#: held-out accuracy of the grader's run that earns full points, and the partial step
#: (measured: lr 0.03 reaches 94 % with weight scale 0.1, lr 0.01 96 % with 0.01; weight
#: scale 10 stays below 50 % and learning rates 1e-5 or 10 near chance, for any partner)
OUTCOME_TARGET = 0.90
OUTCOME_PARTIAL = 0.80
OUTCOME_LIMITS = {"best_learning_rate": (1e-6, 10.0), "best_weight_scale": (1e-4, 10.0)}
#: the network and its training, as in the notebook's section "Tune a batchnorm network"
OUTCOME_RECIPE = {
    "hidden_dims": (64,) * 6,
    "update_rule": "sgd_momentum",
    "batch_size": 50,
    "num_epochs": 4,
    "seed": 0,
}


@functools.lru_cache(maxsize=1)
def _outcome_split(seed: int = 2607):
    """The grader's own split of the 1797 digits: 1000 train, 200 Solver-val, 597 scored."""
    from course_utils.data import load_digits

    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    X = X.reshape(len(y), -1)[order]
    y = y[order]
    X = X - X[:1000].mean(axis=0)
    data = {"X_train": X[:1000], "y_train": y[:1000], "X_val": X[1000:1200], "y_val": y[1000:1200]}
    return data, X[1200:], y[1200:]


@functools.lru_cache(maxsize=16)
def outcome_accuracy(learning_rate: float, weight_scale: float) -> float:
    """Accuracy on the grader's held-out digits of the reference batchnorm network (six
    hidden layers of 64) trained with the two choices (SGD with momentum, 4 epochs)."""
    from course_utils.experiments.normalization import train_normalized_net

    data, X_score, y_score = _outcome_split()
    solver = train_normalized_net(
        data,
        "batchnorm",
        weight_scale=weight_scale,
        learning_rate=learning_rate,
        **OUTCOME_RECIPE,
    )
    with np.errstate(all="ignore"):
        scores = solver.model.loss(X_score)
    if not np.all(np.isfinite(scores)):
        return 0.0
    return float(np.mean(np.argmax(scores, axis=1) == y_score))


def outcome_judge(threshold: float):
    """A judge: None when the grader's run with the student's choices reaches ``threshold``."""

    def judge(got) -> str | None:
        choices, problem = read_choices(got, OUTCOME_LIMITS)
        if problem:
            return problem
        reached = outcome_accuracy(*choices)
        if reached >= threshold:
            return None
        return (
            f"With your choices the network reaches {reached:.1%} on the grader's validation "
            f"digits, below {threshold:.0%}."
        )

    return judge


BN_REFERENCE = {"batchnorm_forward": batchnorm_forward}
LN_REFERENCE = {"layernorm_forward": layernorm_forward}
GRAD_NAMES = {"s1.out.0": "dx", "s1.out.1": "dgamma", "s1.out.2": "dbeta"}


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def _bn(
    x,
    gamma,
    beta,
    bn_param,
    *,
    ddof=0,
    eps_inside=True,
    swap_momentum=False,
    update=True,
    test_uses_batch=False,
    running_var_ddof=None,
):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    rm = bn_param.setdefault("running_mean", np.zeros(D))
    rv = bn_param.setdefault("running_var", np.zeros(D))
    if mode == "train" or test_uses_batch:
        mean, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
        if mode == "train" and update:
            batch_var = var if running_var_ddof is None else x.var(axis=0, ddof=running_var_ddof)
            a, b = (1 - m, m) if swap_momentum else (m, 1 - m)
            rm[...] = a * rm + b * mean
            rv[...] = a * rv + b * batch_var
    else:
        mean, var = rm, rv
    std = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
    return gamma * (x - mean) / std + beta, None


def bn_unbiased_var(x, gamma, beta, bn_param):
    """The sample variance (N - 1) instead of the biased batch variance."""
    return _bn(x, gamma, beta, bn_param, ddof=1)


def bn_eps_outside_sqrt(x, gamma, beta, bn_param):
    """Divides by sqrt(var) + eps."""
    return _bn(x, gamma, beta, bn_param, eps_inside=False)


def bn_swapped_momentum(x, gamma, beta, bn_param):
    """running = (1 - momentum) * running + momentum * batch."""
    return _bn(x, gamma, beta, bn_param, swap_momentum=True)


def bn_no_running_update(x, gamma, beta, bn_param):
    """Never updates the running statistics."""
    return _bn(x, gamma, beta, bn_param, update=False)


def bn_test_uses_batch_stats(x, gamma, beta, bn_param):
    """Normalises with the batch statistics in test mode too."""
    return _bn(x, gamma, beta, bn_param, test_uses_batch=True)


def bn_running_var_unbiased(x, gamma, beta, bn_param):
    """Right output, but the running variance tracks the sample (N - 1) variance."""
    return _bn(x, gamma, beta, bn_param, running_var_ddof=1)


def bn_running_stats_on_a_copy(x, gamma, beta, bn_param):
    """Updates copies of the running statistics: bn_param never sees the new values."""
    copied = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in bn_param.items()}
    return _bn(x, gamma, beta, copied)


def bn_backward_no_mean_path(dout, cache):
    """Forgets that the mean depends on x."""
    x_hat, xc, std, gamma = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dvar = -0.5 * np.sum(dx_hat * xc, axis=0) / std**3
    dx = dx_hat / std + 2 * xc * dvar / N
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def bn_backward_no_var_path(dout, cache):
    """Treats the standard deviation as a constant."""
    x_hat, xc, std, gamma = cache
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0)) / std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def bn_backward_dgamma_wrong(dout, cache):
    """dgamma = sum(dout) (forgets x_hat)."""
    dx, _, dbeta = batchnorm_backward_alt(dout, cache)
    return dx, dout.sum(axis=0), dbeta


def bn_backward_no_gamma(dout, cache):
    """Forgets to multiply by gamma on the way to x."""
    x_hat, xc, std, gamma = cache
    dx, dgamma, dbeta = batchnorm_backward_alt(dout, (x_hat, xc, std, np.ones_like(gamma)))
    return dx, dgamma, dbeta


def bn_alt_missing_n(dout, cache):
    """Closed form without the factor N in front of dout."""
    x_hat, _, std, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def bn_alt_sign_error(dout, cache):
    """Adds the x_hat term instead of subtracting it."""
    x_hat, _, std, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (N * dout - dbeta + x_hat * dgamma)
    return dx, dgamma, dbeta


def bn_alt_wrong_axis(dout, cache):
    """Sums over the features (axis 1) instead of the batch."""
    x_hat, _, std, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=1, keepdims=True)
    dgamma = np.sum(dout * x_hat, axis=1, keepdims=True)
    dx = gamma / (D * std) * (D * dout - dbeta - x_hat * dgamma)
    return dx, dgamma.ravel(), dbeta.ravel()


def ln_over_batch(x, gamma, beta, ln_param):
    """Normalises each feature over the batch (that is batchnorm)."""
    return batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": ln_param.get("eps", 1e-5)})


def ln_eps_outside_sqrt(x, gamma, beta, ln_param):
    """Divides by sqrt(var) + eps."""
    eps = ln_param.get("eps", 1e-5)
    mean, std = x.mean(axis=1, keepdims=True), x.std(axis=1, keepdims=True)
    return gamma * (x - mean) / (std + eps) + beta, None


def ln_unbiased_var(x, gamma, beta, ln_param):
    """The sample variance (D - 1) of each example."""
    eps = ln_param.get("eps", 1e-5)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, ddof=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, None


def ln_backward_std_constant(dout, cache):
    """Treats the per-example standard deviation as a constant."""
    x_hat, std, gamma = cache
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True)) / std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def ln_backward_batch_axis(dout, cache):
    """Takes the means over the batch (axis 0), as in batchnorm."""
    x_hat, std, gamma = cache
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0)) / std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def ln_backward_dgamma_per_example(dout, cache):
    """Right dx, but dgamma and dbeta summed over the features (one per example)."""
    dx, _, _ = layernorm_backward(dout, cache)
    x_hat = cache[0]
    return dx, np.sum(dout * x_hat, axis=1), dout.sum(axis=1)


def _to_rows(x):
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(-1, C)


def _from_rows(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def sbn_reshape_without_transpose(x, gamma, beta, bn_param):
    """x.reshape(-1, C) without moving the channels last: the columns mix channels."""
    N, C, H, W = x.shape
    out, cache = batchnorm_forward(x.reshape(-1, C), gamma, beta, bn_param)
    return out.reshape(N, C, H, W), cache


def sbn_per_pixel(x, gamma, beta, bn_param):
    """Statistics over the batch only: one mean per channel and pixel, not per channel."""
    N, C, H, W = x.shape
    mode, eps = bn_param["mode"], bn_param.get("eps", 1e-5)
    if mode == "test":
        return spatial_batchnorm_forward(x, gamma, beta, bn_param)
    spatial_batchnorm_forward(x, gamma, beta, bn_param)  # the running statistics as usual
    mean, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma[:, None, None] * x_hat + beta[:, None, None], None


def sbn_backward_without_transpose(dout, cache):
    """dout.reshape(-1, C) without moving the channels last."""
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = batchnorm_backward_alt(dout.reshape(-1, C), cache)
    return dx.reshape(N, C, H, W), dgamma, dbeta


def sbn_backward_dx_not_transposed_back(dout, cache):
    """dx reshaped to (N, C, H, W) straight from the (N*H*W, C) rows: no transpose back."""
    dx, dgamma, dbeta = batchnorm_backward_alt(_to_rows(dout), cache)
    return dx.reshape(dout.shape), dgamma, dbeta


def gn_interleaved_groups(x, gamma, beta, G, gn_param):
    """Channel c in group c % G (x.reshape(N, C // G, G, ...)): groups are consecutive."""
    N, C, H, W = x.shape
    moved = x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)
    out, _ = spatial_groupnorm_forward(moved, np.ones(C), np.zeros(C), G, gn_param)
    out = out.reshape(N, G, C // G, H, W).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)
    return gamma[:, None, None] * out + beta[:, None, None], None


def gn_over_the_batch(x, gamma, beta, G, gn_param):
    """Each group normalised over the whole batch too (one mean per group, not per example)."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    groups = x.reshape(N, G, -1)
    mean = groups.mean(axis=(0, 2), keepdims=True)
    var = groups.var(axis=(0, 2), keepdims=True)
    x_hat = ((groups - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return gamma[:, None, None] * x_hat + beta[:, None, None], None


def gn_ignores_groups(x, gamma, beta, G, gn_param):
    """G ignored: the whole image normalised at once (that is G = 1)."""
    return spatial_groupnorm_forward(x, gamma, beta, 1, gn_param)


def gn_unbiased_var(x, gamma, beta, G, gn_param):
    """The sample variance (M - 1) of each group."""
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    groups = x.reshape(N, G, -1)
    mean, var = groups.mean(axis=2, keepdims=True), groups.var(axis=2, ddof=1, keepdims=True)
    x_hat = ((groups - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return gamma[:, None, None] * x_hat + beta[:, None, None], None


def gn_backward_std_constant(dout, cache):
    """Treats each group's standard deviation as a constant."""
    x_hat, std, gamma, G = cache
    N = dout.shape[0]
    g = (dout * gamma[:, None, None]).reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True)) / std
    dgamma, dbeta = np.sum(dout * x_hat, axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
    return dx.reshape(dout.shape), dgamma, dbeta


def gn_backward_no_gamma(dout, cache):
    """Forgets to multiply by gamma on the way to x."""
    x_hat, std, gamma, G = cache
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, (x_hat, std, np.ones_like(gamma), G))
    return dx, dgamma, dbeta


def gn_backward_dgamma_without_x_hat(dout, cache):
    """dgamma = sum(dout) (forgets x_hat)."""
    dx, _, dbeta = spatial_groupnorm_backward(dout, cache)
    return dx, dbeta.copy(), dbeta


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "batchnorm_forward": [
        (
            "the sample variance (N - 1): batchnorm uses the biased batch variance (N)",
            bn_unbiased_var,
        ),
        ("eps outside the square root: divide by sqrt(var + eps)", bn_eps_outside_sqrt),
        (
            "momentum swapped: running = momentum running + (1 - momentum) batch",
            bn_swapped_momentum,
        ),
        ("the running statistics are never updated in train mode", bn_no_running_update),
        (
            "test mode normalises with the batch statistics: use the running ones",
            bn_test_uses_batch_stats,
        ),
        (
            "the running variance tracks the sample (N - 1) variance, not the batch's",
            bn_running_var_unbiased,
        ),
        (
            "the running statistics are updated on a copy: write them into bn_param",
            bn_running_stats_on_a_copy,
        ),
    ],
    "batchnorm_backward": [
        (
            "the path through the mean is missing: the mean depends on x too",
            bn_backward_no_mean_path,
        ),
        ("dgamma without x_hat: dgamma = sum(dout * x_hat)", bn_backward_dgamma_wrong),
        ("gamma is missing on the way back to x", bn_backward_no_gamma),
    ],
    "batchnorm_backward_alt": [
        (
            "the path through the variance is missing: the std depends on x too",
            bn_backward_no_var_path,
        ),
        (
            "the path through the variance is missing: the std depends on x too",
            bn_backward_no_var_path,
        ),
        ("the closed form without the factor N in front of dout", bn_alt_missing_n),
        ("a sign error in the closed form: the x_hat term is subtracted", bn_alt_sign_error),
        (
            "sums over the features (axis 1): batchnorm sums over the batch (axis 0)",
            bn_alt_wrong_axis,
        ),
    ],
    "layernorm_forward": [
        ("normalises each feature over the batch: that is batchnorm, not layernorm", ln_over_batch),
        ("eps outside the square root: divide by sqrt(var + eps)", ln_eps_outside_sqrt),
        ("the sample variance (D - 1): layernorm uses the biased variance (D)", ln_unbiased_var),
    ],
    "layernorm_backward": [
        ("the per-example std is treated as a constant: it depends on x", ln_backward_std_constant),
        (
            "means over the batch (axis 0): layernorm's are over the features",
            ln_backward_batch_axis,
        ),
        (
            "dgamma and dbeta summed over the features: sum them over the batch",
            ln_backward_dgamma_per_example,
        ),
    ],
    "spatial_batchnorm_forward": [
        (
            "reshaped to (-1, C) without moving the channels last: transpose to (N, H, W, C) first",
            sbn_reshape_without_transpose,
        ),
        (
            "one mean per channel and pixel: a channel's statistics are over N, H and W",
            sbn_per_pixel,
        ),
    ],
    "spatial_batchnorm_backward": [
        (
            "dout reshaped to (-1, C) without moving the channels last",
            sbn_backward_without_transpose,
        ),
        (
            "dx not transposed back: rows of (N*H*W, C) are reshaped to (N, H, W, C) first",
            sbn_backward_dx_not_transposed_back,
        ),
    ],
    "spatial_groupnorm_forward": [
        (
            "interleaved groups: group g holds the consecutive channels g*C/G ... (g+1)*C/G - 1",
            gn_interleaved_groups,
        ),
        (
            "statistics over the whole batch: group norm is per example",
            gn_over_the_batch,
        ),
        ("G is ignored: one group per image", gn_ignores_groups),
        ("the sample variance (M - 1): group norm uses the biased variance", gn_unbiased_var),
    ],
    "spatial_groupnorm_backward": [
        ("each group's std is treated as a constant: it depends on x", gn_backward_std_constant),
        ("gamma is missing on the way back to x", gn_backward_no_gamma),
        ("dgamma without x_hat: dgamma = sum(dout * x_hat)", gn_backward_dgamma_without_x_hat),
    ],
}


CHECKS = [
    Check(
        grade_id="test_batchnorm_forward",
        function="batchnorm_forward",
        alternatives=alternatives("batchnorm_forward", MISTAKES),
        reference=BN_REFERENCE,
        cases=_bn_forward_cases,
        tol=1e-7,
        names={
            "s0.out.0": "out",
            "s0.arg3.running_mean": "bn_param['running_mean'] after the call",
            "s0.arg3.running_var": "bn_param['running_var'] after the call",
        },
        # the cache is the student's own business: only out and the running statistics count
        compare=("s0.out.0", "s0.arg3.running_mean", "s0.arg3.running_var"),
    ),
    Check(
        grade_id="test_batchnorm_backward",
        function="batchnorm_backward",
        alternatives=alternatives("batchnorm_backward", MISTAKES),
        reference={**BN_REFERENCE, "batchnorm_backward": batchnorm_backward},
        cases=_forward_then("batchnorm_backward", "batchnorm_forward", {"mode": "train"}),
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    Check(
        grade_id="test_batchnorm_backward_alt",
        function="batchnorm_backward_alt",
        alternatives=alternatives("batchnorm_backward_alt", MISTAKES),
        reference={**BN_REFERENCE, "batchnorm_backward_alt": batchnorm_backward_alt},
        cases=_forward_then("batchnorm_backward_alt", "batchnorm_forward", {"mode": "train"}),
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    Check(
        grade_id="test_layernorm_forward",
        function="layernorm_forward",
        alternatives=alternatives("layernorm_forward", MISTAKES),
        reference=LN_REFERENCE,
        cases=_ln_forward_cases,
        tol=1e-7,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_layernorm_backward",
        function="layernorm_backward",
        alternatives=alternatives("layernorm_backward", MISTAKES),
        reference={**LN_REFERENCE, "layernorm_backward": layernorm_backward},
        cases=_ln_backward_cases,
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    Check(
        grade_id="test_spatial_batchnorm",
        function="spatial_batchnorm_forward",
        alternatives=alternatives("spatial_batchnorm_forward", MISTAKES),
        reference={**BN_REFERENCE, "spatial_batchnorm_forward": spatial_batchnorm_forward},
        cases=_spatial_bn_forward_cases,
        tol=1e-7,
        names={
            "s0.out.0": "out",
            "s0.arg3.running_mean": "bn_param['running_mean'] after the call",
            "s0.arg3.running_var": "bn_param['running_var'] after the call",
        },
        compare=("s0.out.0", "s0.arg3.running_mean", "s0.arg3.running_var"),
    ),
    Check(
        grade_id="test_spatial_batchnorm",
        function="spatial_batchnorm_backward",
        alternatives=alternatives("spatial_batchnorm_backward", MISTAKES),
        reference={
            **BN_REFERENCE,
            "batchnorm_backward_alt": batchnorm_backward_alt,
            "spatial_batchnorm_forward": spatial_batchnorm_forward,
            "spatial_batchnorm_backward": spatial_batchnorm_backward,
        },
        cases=_spatial_bn_backward_cases,
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    Check(
        grade_id="test_groupnorm_forward",
        function="spatial_groupnorm_forward",
        alternatives=alternatives("spatial_groupnorm_forward", MISTAKES),
        reference={"spatial_groupnorm_forward": spatial_groupnorm_forward},
        cases=_gn_forward_cases,
        tol=1e-7,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_groupnorm_backward",
        function="spatial_groupnorm_backward",
        alternatives=alternatives("spatial_groupnorm_backward", MISTAKES),
        reference={
            "spatial_groupnorm_forward": spatial_groupnorm_forward,
            "spatial_groupnorm_backward": spatial_groupnorm_backward,
        },
        cases=_gn_backward_cases,
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    *level_checks(
        "test_tuning",
        OUTCOME_CHOICES,
        outcome_judge,
        (
            (f"your choices reach {OUTCOME_PARTIAL:.0%} on the grader's split", OUTCOME_PARTIAL),
            (f"your choices reach {OUTCOME_TARGET:.0%} on the grader's split", OUTCOME_TARGET),
        ),
    ),
]
