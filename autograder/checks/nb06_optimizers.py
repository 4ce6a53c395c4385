"""What 06_optimizers grades: five update rules, each over several consecutive steps.

A rule is ``rule(w, dw, config=None) -> (next_w, config)``. Each multi-step case feeds
the rule's own ``next_w`` and ``config`` back into it (``Ref("s<k>", 0)`` and
``Ref("s<k>", 1)``), so the state it carries (velocity, cache, m, v, t) is compared after
every step, together with the hyperparameters it must keep in config (the defaults when
config is None).
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, Ref, call, case
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

CHECKS = [
    Check(
        grade_id=f"test_{name}",
        function=name,
        reference={name: reference},
        cases=_cases_for(name, hyper, state),
        tol=1e-8,
        names=_names(),
    )
    for name, (reference, hyper, state) in RULES.items()
]
