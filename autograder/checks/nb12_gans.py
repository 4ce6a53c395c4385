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

The outcome task (``test_ring_settings``): the student's three settings of the toy GAN on the
ring of 8 Gaussians (batch size, learning rate, steps) are read as numbers; the grader trains
the reference GAN with them, with its own seed, and counts the modes its samples cover.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

from autograder.checks.outcome import level_checks, read_choices
from autograder.spec import Check, alternatives, call, case
from course_utils.experiments.ring_gan import ring_gan_modes
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


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def as_torch(name, fn):
    return {name: fn, f"numpy_{name}": numpy_adapter(name, {name: fn})}


def _generator(seed):
    return None if seed is None else torch.Generator().manual_seed(seed)


def noise_in_zero_one(batch_size, dim, seed=None):
    """Forgets to map [0, 1) to [-1, 1)."""
    return torch.rand(batch_size, dim, generator=_generator(seed))


def noise_gaussian(batch_size, dim, seed=None):
    """Draws from N(0, 1) instead of U(-1, 1)."""
    return torch.randn(batch_size, dim, generator=_generator(seed))


def noise_ignores_seed(batch_size, dim, seed=None):
    """Uses torch's global generator whatever the seed."""
    return 2 * torch.rand(batch_size, dim) - 1


def noise_transposed(batch_size, dim, seed=None):
    """Returns shape (dim, batch_size)."""
    return 2 * torch.rand(dim, batch_size, generator=_generator(seed)) - 1


def noise_numpy_seeded(batch_size, dim, seed=None):
    """Seeds numpy instead of torch: a uniform draw, but not the documented one."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.uniform(-1, 1, size=(batch_size, dim)).astype(np.float32))


def d_naive_log_sigmoid(logits_real, logits_fake):
    """-log(sigmoid(s)) written out: overflows to inf for very large scores."""
    real = -torch.log(torch.sigmoid(logits_real)).mean()
    fake = -torch.log(1 - torch.sigmoid(logits_fake)).mean()
    return real + fake


def d_labels_swapped(logits_real, logits_fake):
    """Labels real data 0 and fake data 1."""
    bce = F.binary_cross_entropy_with_logits
    return bce(logits_real, torch.zeros_like(logits_real)) + bce(
        logits_fake, torch.ones_like(logits_fake)
    )


def d_mean_of_both_batches(logits_real, logits_fake):
    """Averages over the concatenated batch: half the reference for equal batch sizes."""
    logits = torch.cat([logits_real.reshape(-1), logits_fake.reshape(-1)])
    labels = torch.cat([torch.ones(logits_real.numel()), torch.zeros(logits_fake.numel())])
    return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))


def d_sum_not_mean(logits_real, logits_fake):
    """Sums the cross-entropies instead of averaging them."""
    bce = F.binary_cross_entropy_with_logits
    real = bce(logits_real, torch.ones_like(logits_real), reduction="sum")
    return real + bce(logits_fake, torch.zeros_like(logits_fake), reduction="sum")


def d_probabilities_clamped(logits_real, logits_fake):
    """Applies sigmoid then F.binary_cross_entropy, whose log is clamped at -100."""
    real, fake = torch.sigmoid(logits_real), torch.sigmoid(logits_fake)
    return F.binary_cross_entropy(real, torch.ones_like(real)) + F.binary_cross_entropy(
        fake, torch.zeros_like(fake)
    )


def g_saturating(logits_fake):
    """The original minimax generator loss mean(log(1 - D(G(z)))), not the non-saturating one."""
    return -F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))


def g_label_zero(logits_fake):
    """Uses label 0: the generator then helps the discriminator."""
    return F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))


def g_naive_log_sigmoid(logits_fake):
    """-log(sigmoid(s)) written out: inf for very negative scores."""
    return -torch.log(torch.sigmoid(logits_fake)).mean()


def ls_d_no_half(scores_real, scores_fake):
    """Drops the factors 1/2."""
    return torch.mean((scores_real - 1) ** 2) + torch.mean(scores_fake**2)


def ls_d_targets_swapped(scores_real, scores_fake):
    """Pushes real scores to 0 and fake scores to 1."""
    return 0.5 * torch.mean(scores_real**2) + 0.5 * torch.mean((scores_fake - 1) ** 2)


def ls_d_sum_not_mean(scores_real, scores_fake):
    """Sums the squares instead of averaging them."""
    return 0.5 * torch.sum((scores_real - 1) ** 2) + 0.5 * torch.sum(scores_fake**2)


def ls_g_no_half(scores_fake):
    """Drops the factor 1/2."""
    return torch.mean((scores_fake - 1) ** 2)


def ls_g_target_zero(scores_fake):
    """Pushes the fake scores to 0 (the discriminator's target)."""
    return 0.5 * torch.mean(scores_fake**2)


def ls_g_absolute(scores_fake):
    """An absolute error instead of the square."""
    return 0.5 * torch.mean(torch.abs(scores_fake - 1))


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "sample_noise": [
        (
            "noise in [0, 1): map it to [-1, 1) with 2u - 1",
            as_torch("sample_noise", noise_in_zero_one),
        ),
        (
            "Gaussian noise: the noise is uniform on [-1, 1)",
            as_torch("sample_noise", noise_gaussian),
        ),
        (
            "the seed is ignored: draw from a generator seeded with it",
            as_torch("sample_noise", noise_ignores_seed),
        ),
        (
            "the noise is transposed: its shape is (batch_size, dim)",
            as_torch("sample_noise", noise_transposed),
        ),
        (
            "numpy seeded instead of torch: draw as documented",
            as_torch("sample_noise", noise_numpy_seeded),
        ),
    ],
    "discriminator_loss": [
        (
            "-log(sigmoid(s)) written out overflows: use a stable BCE with logits",
            as_torch("discriminator_loss", d_naive_log_sigmoid),
        ),
        (
            "the labels swapped: real data is 1, fake data 0",
            as_torch("discriminator_loss", d_labels_swapped),
        ),
        (
            "averaged over the concatenated batch: average each half, then add",
            as_torch("discriminator_loss", d_mean_of_both_batches),
        ),
        (
            "the cross-entropies summed: average them",
            as_torch("discriminator_loss", d_sum_not_mean),
        ),
        (
            "BCE on probabilities is clamped at -100: use the logits",
            as_torch("discriminator_loss", d_probabilities_clamped),
        ),
    ],
    "generator_loss": [
        (
            "the saturating minimax generator loss: use -mean(log D(G(z)))",
            as_torch("generator_loss", g_saturating),
        ),
        (
            "the generator's label is 0: it wants its samples called real (1)",
            as_torch("generator_loss", g_label_zero),
        ),
        (
            "-log(sigmoid(s)) written out overflows: use a stable BCE with logits",
            as_torch("generator_loss", g_naive_log_sigmoid),
        ),
    ],
    "ls_discriminator_loss": [
        ("the factors 1/2 are missing", as_torch("ls_discriminator_loss", ls_d_no_half)),
        (
            "the targets swapped: real scores go to 1, fake ones to 0",
            as_torch("ls_discriminator_loss", ls_d_targets_swapped),
        ),
        ("the squares summed: average them", as_torch("ls_discriminator_loss", ls_d_sum_not_mean)),
    ],
    "ls_generator_loss": [
        ("the factor 1/2 is missing", as_torch("ls_generator_loss", ls_g_no_half)),
        (
            "the generator pushes the fake scores to 0: its target is 1",
            as_torch("ls_generator_loss", ls_g_target_zero),
        ),
        (
            "an absolute error where the square belongs",
            as_torch("ls_generator_loss", ls_g_absolute),
        ),
    ],
}


# --- outcome: the student's settings of the ring GAN --------------------------------------

#: what the judge reads, in order, and the reference's own choices
RING_CHOICES = {"ring_batch_size": 256, "ring_learning_rate": 2e-3, "ring_steps": 1000}
#: what is allowed, so that one judge run stays within a few seconds
RING_LIMITS = {
    "ring_batch_size": (8, 512),
    "ring_learning_rate": (1e-6, 0.1),
    "ring_steps": (1, 1500),
}
#: modes covered (of 8) in the grader's run for the partial and the full point
RING_PARTIAL, RING_TARGET = 3, 5
#: the grader's own seed (data, weights, batches, noise): not the notebook's
RING_SEED = 2026


@functools.lru_cache(maxsize=16)
def ring_modes(batch_size: int, learning_rate: float, steps: int) -> int:
    """Modes covered by the reference GAN trained with these settings, on the grader's seed."""
    run = ring_gan_modes(
        batch_size,
        learning_rate,
        steps,
        discriminator_loss=discriminator_loss,
        generator_loss=generator_loss,
        sample_noise=sample_noise,
        seed=RING_SEED,
    )
    return run["modes"]


def ring_judge(threshold: int):
    """A judge: None when the grader's run with the student's settings covers ``threshold``
    modes or more."""

    def judge(got) -> str | None:
        choices, problem = read_choices(got, RING_LIMITS, whole=("ring_batch_size", "ring_steps"))
        if problem:
            return problem
        modes = ring_modes(*choices)
        if modes >= threshold:
            return None
        return (
            f"With your settings the grader's run covers {modes} of the 8 modes, "
            f"fewer than {threshold}."
        )

    return judge


CHECKS = [
    Check(
        grade_id="test_sample_noise",
        function="sample_noise",
        alternatives=alternatives("sample_noise", MISTAKES),
        reference=_adapted("sample_noise", sample_noise),
        cases=_noise_cases,
        tol=1e-6,
        names={"s0.out": "the noise"},
    ),
    Check(
        grade_id="test_discriminator_loss",
        function="discriminator_loss",
        alternatives=alternatives("discriminator_loss", MISTAKES),
        reference=_adapted("discriminator_loss", discriminator_loss),
        cases=lambda rng: _discriminator_cases(rng, "numpy_discriminator_loss"),
        tol=1e-7,
        names=_loss_names("logits_real", "logits_fake"),
    ),
    Check(
        grade_id="test_generator_loss",
        function="generator_loss",
        alternatives=alternatives("generator_loss", MISTAKES),
        reference=_adapted("generator_loss", generator_loss),
        cases=lambda rng: _generator_cases(rng, "numpy_generator_loss"),
        tol=1e-7,
        names=_loss_names("logits_fake"),
    ),
    Check(
        grade_id="test_ls_discriminator_loss",
        function="ls_discriminator_loss",
        alternatives=alternatives("ls_discriminator_loss", MISTAKES),
        reference=_adapted("ls_discriminator_loss", ls_discriminator_loss),
        cases=lambda rng: _discriminator_cases(rng, "numpy_ls_discriminator_loss")[:4],
        tol=1e-7,
        names=_loss_names("scores_real", "scores_fake"),
    ),
    Check(
        grade_id="test_ls_generator_loss",
        function="ls_generator_loss",
        alternatives=alternatives("ls_generator_loss", MISTAKES),
        reference=_adapted("ls_generator_loss", ls_generator_loss),
        cases=lambda rng: _generator_cases(rng, "numpy_ls_generator_loss")[:3],
        tol=1e-7,
        names=_loss_names("scores_fake"),
    ),
    *level_checks(
        "test_ring_settings",
        RING_CHOICES,
        ring_judge,
        (
            (
                f"your settings cover {RING_PARTIAL} of the 8 modes in the grader's run",
                RING_PARTIAL,
            ),
            (f"your settings cover {RING_TARGET} of the 8 modes in the grader's run", RING_TARGET),
        ),
    ),
]
