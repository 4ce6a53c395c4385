"""What 12_gans grades: sample_noise and the four GAN losses (PyTorch functions).

The grader's inputs are numpy arrays and plain numbers, and it calls names of the
student's notebook. The notebook's locked setup cell defines, for each graded function
``f``, ``numpy_f = numpy_adapter("f", globals())`` (course_utils.generative.adapters):
a wrapper that looks the student's ``f`` up by name *when it is called* (late binding,
so it always runs what the student's cell defined last), turns the arrays into float64
tensors, and returns the output as numpy arrays, together with the gradients of the loss
with respect to the scores for the losses (a loss computed outside autograd, e.g. through
numpy or ``.item()``, cannot train a network and fails). ``sample_noise`` is called with
an explicit ``seed=``, so the student's draw is compared with the reference's same draw.

The references here are the same adapters around the course_utils references; mutants
(tests/mutants/nb12_gans.py) wrap their wrong versions the same way.
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, call, case
from course_utils.generative import (
    discriminator_loss,
    generator_loss,
    ls_discriminator_loss,
    ls_generator_loss,
    sample_noise,
)
from course_utils.generative.adapters import numpy_adapter


def _adapted(name: str, function) -> dict:
    return {f"numpy_{name}": numpy_adapter(name, {name: function})}


def _noise_cases(rng: np.random.Generator):
    def noise(label, N, Z):
        return case(label, call("numpy_sample_noise", N, Z, seed=int(rng.integers(2**31))))

    return [
        noise("a batch of noise vectors", int(rng.integers(20, 40)), int(rng.integers(5, 17))),
        noise("a batch of one", 1, 8),
        noise("one dimension", 12, 1),
        noise("a large batch", 512, 3),
    ]


def _scores(rng: np.random.Generator, n: int, scale: float = 2.0) -> np.ndarray:
    return scale * rng.standard_normal(n)


def _huge(rng: np.random.Generator, n: int) -> np.ndarray:
    """Logits of magnitude 750..1000, alternately positive and negative: log(sigmoid(s))
    and log(1 - sigmoid(s)) are -inf in float64 for some of them, the stable forms are finite."""
    return np.resize([1.0, -1.0], n) * rng.uniform(750.0, 1000.0, size=n)


def _discriminator_cases(rng: np.random.Generator, target: str):
    n = int(rng.integers(8, 20))
    return [
        case("equal batches", call(target, _scores(rng, n), _scores(rng, n))),
        case("batches of one", call(target, _scores(rng, 1), _scores(rng, 1))),
        case("batches of different sizes", call(target, _scores(rng, 5), _scores(rng, 11))),
        case(
            "scores of shape (N, 1)",
            call(target, _scores(rng, 6)[:, None], _scores(rng, 6)[:, None]),
        ),
        case("very large scores", call(target, _huge(rng, 7), _huge(rng, 7))),
    ]


def _generator_cases(rng: np.random.Generator, target: str):
    return [
        case("a batch of scores", call(target, _scores(rng, int(rng.integers(8, 20))))),
        case("a batch of one", call(target, _scores(rng, 1))),
        case("scores of shape (N, 1)", call(target, _scores(rng, 6)[:, None])),
        case("very large scores", call(target, _huge(rng, 9))),
    ]


def _loss_names(*inputs: str) -> dict[str, str]:
    names = {"s0.out.0": "the loss"}
    for i, name in enumerate(inputs, start=1):
        names[f"s0.out.{i}"] = f"the gradient of the loss with respect to {name}"
    return names


CHECKS = [
    Check(
        grade_id="test_sample_noise",
        function="sample_noise",
        reference=_adapted("sample_noise", sample_noise),
        cases=_noise_cases,
        tol=1e-6,
        names={"s0.out": "the noise"},
    ),
    Check(
        grade_id="test_discriminator_loss",
        function="discriminator_loss",
        reference=_adapted("discriminator_loss", discriminator_loss),
        cases=lambda rng: _discriminator_cases(rng, "numpy_discriminator_loss"),
        tol=1e-7,
        names=_loss_names("logits_real", "logits_fake"),
    ),
    Check(
        grade_id="test_generator_loss",
        function="generator_loss",
        reference=_adapted("generator_loss", generator_loss),
        cases=lambda rng: _generator_cases(rng, "numpy_generator_loss"),
        tol=1e-7,
        names=_loss_names("logits_fake"),
    ),
    Check(
        grade_id="test_ls_discriminator_loss",
        function="ls_discriminator_loss",
        reference=_adapted("ls_discriminator_loss", ls_discriminator_loss),
        cases=lambda rng: _discriminator_cases(rng, "numpy_ls_discriminator_loss")[:4],
        tol=1e-7,
        names=_loss_names("scores_real", "scores_fake"),
    ),
    Check(
        grade_id="test_ls_generator_loss",
        function="ls_generator_loss",
        reference=_adapted("ls_generator_loss", ls_generator_loss),
        cases=lambda rng: _generator_cases(rng, "numpy_ls_generator_loss")[:3],
        tol=1e-7,
        names=_loss_names("scores_fake"),
    ),
]
