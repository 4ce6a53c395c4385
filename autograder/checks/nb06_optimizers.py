"""What 06_optimizers grades: five update rules, each over several consecutive steps.

A rule is ``rule(w, dw, config=None) -> (next_w, config)``. Each multi-step case feeds
the rule's own ``next_w`` and ``config`` back into it (``Ref("s<k>", 0)`` and
``Ref("s<k>", 1)``), so the state it carries (velocity, cache, m, v, t) is compared after
every step, together with the hyperparameters it must keep in config (the defaults when
config is None).

The outcome task (``test_budget``) reads the student's learning rates for momentum and Adam
and judges them by training the course's reference rules with them, within the notebook's
budget of steps, on the grader's own split of the digits.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from autograder.spec import Check, Ref, alternatives, call, case, read
from course_utils.optim import adagrad, adam, nesterov, rmsprop, sgd_momentum

#: config keys, with their meaning in messages
CONFIG_KEYS = (
    "learning_rate",
    "momentum",
    "velocity",
    "epsilon",
    "decay_rate",
    "cache",
    "beta1",
    "beta2",
    "m",
    "v",
    "t",
)
MAX_STEPS = 4


def _names() -> dict[str, str]:
    names = {}
    for step in range(MAX_STEPS):
        names[f"s{step}.out.0"] = f"next_w after step {step + 1}"
        for key in CONFIG_KEYS:
            names[f"s{step}.out.1.{key}"] = f"config['{key}'] after step {step + 1}"
    return names


def _steps(rule: str, w, grads, config) -> tuple:
    """Calls for len(grads) consecutive steps, each fed the previous step's outputs."""
    calls = [call(rule, w, grads[0], *([] if config is None else [config]), bind="s0")]
    for k in range(1, len(grads)):
        previous = f"s{k - 1}"
        calls.append(call(rule, Ref(previous, 0), grads[k], Ref(previous, 1), bind=f"s{k}"))
    return tuple(calls)


def _shape(rng):
    return (int(rng.integers(3, 8)), int(rng.integers(2, 6)))


def _cases_for(rule: str, hyper, state):
    """Cases for one rule.

    - hyper(rng) -> dict of non-default hyperparameters
    - state(rng, shape) -> dict of an existing state (as after earlier steps)
    """

    def cases(rng):
        shape = _shape(rng)
        w = rng.normal(size=shape)
        grads = [rng.normal(size=shape) for _ in range(3)]
        tiny = rng.normal(size=shape) * 1e-6
        tiny[0] = 0.0
        w4, g4 = rng.normal(size=(2, 3, 2, 2)), [rng.normal(size=(2, 3, 2, 2)) for _ in range(2)]
        return [
            case(
                "three consecutive steps carrying the config",
                *_steps(rule, w, grads, hyper(rng)),
            ),
            case(
                "config=None: the default hyperparameters, then a second step",
                *_steps(rule, rng.normal(size=shape), grads[:2], None),
            ),
            case(
                "a config that already holds a state",
                *_steps(rule, w, grads[:2], {**hyper(rng), **state(rng, shape)}),
            ),
            case(
                "tiny and zero gradients",
                *_steps(rule, w, [tiny, 0.5 * tiny], hyper(rng)),
            ),
            case("a 4-D weight, two steps", *_steps(rule, w4, g4, hyper(rng))),
            case(
                "a vector weight, four steps",
                *_steps(
                    rule, rng.normal(size=5), [rng.normal(size=5) for _ in range(4)], hyper(rng)
                ),
            ),
        ]

    return cases


def _lr(rng, low=1e-3, high=1e-1):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _momentum_hyper(rng):
    return {"learning_rate": _lr(rng), "momentum": float(rng.uniform(0.5, 0.95))}


def _velocity(rng, shape):
    return {"velocity": 0.1 * rng.normal(size=shape)}


def _adagrad_hyper(rng):
    return {"learning_rate": _lr(rng), "epsilon": 1e-7}


def _cache(rng, shape):
    return {"cache": rng.uniform(0.01, 1.0, size=shape)}


def _rmsprop_hyper(rng):
    return {"learning_rate": _lr(rng), "decay_rate": float(rng.uniform(0.8, 0.95))}


def _adam_hyper(rng):
    return {
        "learning_rate": _lr(rng),
        "beta1": float(rng.uniform(0.7, 0.9)),
        "beta2": float(rng.uniform(0.9, 0.99)),
    }


def _adam_state(rng, shape):
    return {
        "m": 0.1 * rng.normal(size=shape),
        "v": rng.uniform(0.01, 0.1, size=shape),
        "t": int(rng.integers(3, 9)),
    }


RULES = {
    # name: (reference, non-default hyperparameters, an existing state)
    "sgd_momentum": (sgd_momentum, _momentum_hyper, _velocity),
    "nesterov": (nesterov, _momentum_hyper, _velocity),
    "adagrad": (adagrad, _adagrad_hyper, _cache),
    "rmsprop": (rmsprop, _rmsprop_hyper, _cache),
    "adam": (adam, _adam_hyper, _adam_state),
}


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def _config(config, **defaults):
    config = {} if config is None else config
    for key, value in defaults.items():
        config.setdefault(key, value)
    return config


def momentum_plus_lr(w, dw, config=None):
    """v = mu * v + lr * dw; w -= v: the same first step, but the stored velocity has the
    wrong sign, so an existing velocity in config is read the wrong way."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config


def momentum_forgets_velocity(w, dw, config=None):
    """Never stores the velocity: every step starts from v = 0."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = -config["learning_rate"] * dw
    return w + v, config


def momentum_default_half(w, dw, config=None):
    """Default momentum 0.5 instead of 0.9."""
    config = _config(config, learning_rate=1e-2, momentum=0.5)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def nesterov_is_momentum(w, dw, config=None):
    """Plain momentum: next_w = w + v."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def nesterov_without_one_plus(w, dw, config=None):
    """next_w = w - mu * v_prev + v: the (1 + mu) factor forgotten."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    mu, v_prev = config["momentum"], config.get("velocity", np.zeros_like(w))
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w - mu * v_prev + v, config


def nesterov_sign_of_lookback(w, dw, config=None):
    """next_w = w + mu * v_prev + (1 + mu) * v: the sign of the first term flipped."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    mu, v_prev = config["momentum"], config.get("velocity", np.zeros_like(w))
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w + mu * v_prev + (1 + mu) * v, config


def adagrad_no_accumulation(w, dw, config=None):
    """cache = dw**2 (replaced, not accumulated)."""
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    cache = dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adagrad_eps_inside_sqrt(w, dw, config=None):
    """sqrt(cache + eps) instead of sqrt(cache) + eps: wrong for tiny gradients."""
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config


def adagrad_no_sqrt(w, dw, config=None):
    """Divides by the cache itself."""
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config


def rmsprop_swapped_decay(w, dw, config=None):
    """cache = (1 - decay) * cache + decay * dw**2."""
    config = _config(config, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8)
    d = config["decay_rate"]
    cache = (1 - d) * config.get("cache", np.zeros_like(w)) + d * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_default_decay(w, dw, config=None):
    """Default decay rate 0.9 instead of 0.99."""
    config = _config(config, learning_rate=1e-2, decay_rate=0.9, epsilon=1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_cache_not_stored(w, dw, config=None):
    """Computes the cache but never stores it."""
    config = _config(config, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def _adam(w, dw, config, correct=True, t_offset=0, store=True):
    config = _config(config, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    if correct:
        m_hat, v_hat = m / (1 - b1 ** (t + t_offset)), v / (1 - b2 ** (t + t_offset))
    else:
        m_hat, v_hat = m, v
    if store:
        config["m"], config["v"], config["t"] = m, v, t
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_no_bias_correction(w, dw, config=None):
    """m and v used without dividing by 1 - beta**t."""
    return _adam(w, dw, config, correct=False)


def adam_t_after_correction(w, dw, config=None):
    """Bias correction with the old t (t incremented after it): divides by zero at t = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _adam(w, dw, config, t_offset=-1)


def adam_state_not_stored(w, dw, config=None):
    """m, v and t never written back into config."""
    return _adam(w, dw, config, store=False)


def adam_same_beta(w, dw, config=None):
    """beta1 used for both moving averages."""
    config = _config(config, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8)
    return _adam(w, dw, {**config, "beta2": config["beta1"]})


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "sgd_momentum": [
        ("the velocity stored with the wrong sign (v = mu v - lr dw, w + v)", momentum_plus_lr),
        (
            "the velocity is never stored: every step starts from v = 0",
            momentum_forgets_velocity,
        ),
        ("the default momentum is 0.5; the course's default is 0.9", momentum_default_half),
    ],
    "nesterov": [
        ("plain momentum: Nesterov's update is w - mu v_prev + (1 + mu) v", nesterov_is_momentum),
        ("the (1 + mu) factor of v is missing in Nesterov's update", nesterov_without_one_plus),
        ("the sign of mu v_prev is flipped in Nesterov's update", nesterov_sign_of_lookback),
    ],
    "adagrad": [
        ("the cache is replaced by dw², not accumulated (cache += dw²)", adagrad_no_accumulation),
        ("eps inside the square root: divide by sqrt(cache) + eps", adagrad_eps_inside_sqrt),
        ("the update divides by the cache, not by its square root", adagrad_no_sqrt),
    ],
    "rmsprop": [
        (
            "decay and 1 - decay swapped (cache = decay cache + (1 - decay) dw²)",
            rmsprop_swapped_decay,
        ),
        ("the default decay rate is 0.9; the course's default is 0.99", rmsprop_default_decay),
        ("the cache is computed but never stored in config", rmsprop_cache_not_stored),
    ],
    "adam": [
        (
            "no bias correction: m / (1 - beta1^t) and v / (1 - beta2^t)",
            adam_no_bias_correction,
        ),
        ("t is incremented after the bias correction: increment it first", adam_t_after_correction),
        ("m, v and t are never written back into config", adam_state_not_stored),
        ("beta1 used for both moving averages: v uses beta2", adam_same_beta),
    ],
}


CHECKS = [
    Check(
        grade_id=f"test_{name}",
        function=name,
        reference={name: reference},
        cases=_cases_for(name, hyper, state),
        tol=1e-8,
        names=_names(),
        alternatives=alternatives(name, MISTAKES),
    )
    for name, (reference, hyper, state) in RULES.items()
]


# --- outcome: a learning rate for each rule, within a budget of steps ------------------------

#: what the judges read, and the reference's own choices (the solution's search)
BUDGET_CHOICES = {"best_momentum_lr": 0.3, "best_adam_lr": 1e-2}
#: the rule each choice is for (the course's reference, with its other defaults)
BUDGET_RULES = {"best_momentum_lr": sgd_momentum, "best_adam_lr": adam}
#: held-out accuracy each rule must reach within the budget (measured on five grader splits:
#: momentum 0.3 reaches 89-94 %, Adam 0.01 94-97 %; the defaults 1e-2 and 1e-3 stay below 82 %)
BUDGET_TARGET = 0.85
#: the range a learning rate may take, so that one judge run stays well under a second
BUDGET_LIMITS = (1e-6, 10.0)
#: the seed of the grader's split of the digits (the notebook uses 0)
BUDGET_SPLIT_SEED = 606


@functools.lru_cache(maxsize=1)
def _budget_split():
    """The grader's own digits split: 1397 training images, 400 held out and scored."""
    from course_utils.data import get_dataset

    return get_dataset("digits", num_val=400, seed=BUDGET_SPLIT_SEED)


@functools.lru_cache(maxsize=32)
def budget_accuracy(choice: str, learning_rate: float) -> float:
    """Held-out accuracy on the grader's split of the budget network trained by the reference
    rule of ``choice`` with ``learning_rate`` (course_utils.experiments.optimizer_budget)."""
    from course_utils.experiments.optimizer_budget import train_on_budget

    return train_on_budget(_budget_split(), BUDGET_RULES[choice], learning_rate)["val_acc"]


def budget_judge(choice: str):
    """A judge: None when the reference rule of ``choice`` with the student's learning rate
    reaches BUDGET_TARGET on the grader's split within the budget, else one sentence."""
    low, high = BUDGET_LIMITS

    def judge(got) -> str | None:
        value = got.get("s0.out")
        if value is None or np.size(value) != 1:
            return f"`{choice}` must be set to a single number."
        learning_rate = float(np.asarray(value, dtype=np.float64).ravel()[0])
        if not math.isfinite(learning_rate) or not low <= learning_rate <= high:
            return (
                f"`{choice}` = {learning_rate:g} is outside the range this task allows "
                f"[{low:g}, {high:g}]."
            )
        reached = budget_accuracy(choice, learning_rate)
        if reached >= BUDGET_TARGET:
            return None
        return (
            f"With learning rate {learning_rate:g} the network reaches {reached:.1%} on the "
            f"grader's held-out digits within the budget, below {BUDGET_TARGET:.0%}."
        )

    return judge


CHECKS += [
    Check(
        grade_id="test_budget",
        function=choice,
        reference={choice: value},
        cases=lambda rng, choice=choice: [
            case(f"{choice}: {BUDGET_TARGET:.0%} on the grader's split", read(choice))
        ],
        names={"s0.out": choice},
        judge=budget_judge(choice),
    )
    for choice, value in BUDGET_CHOICES.items()
]
