"""What a teaching assistant would say of each mutant: the words its diagnosis must contain.

``LABELS[assignment][mutant name]`` is a tuple of phrases, any of which a correct diagnosis
contains (``course_utils.grading.diagnose``; the grader's "Likely cause: ..."). A mutant
that gets a diagnosis and has no label fails tests/test_diagnoses.py: label it, so that a
wrong diagnosis can never pass unseen. Mutants without a label and without a diagnosis are
counted as "not diagnosed yet" in the printed shares (issue 21: named alternatives per check).
"""

FACTOR_2 = ("factor of 2",)
BATCH_N = ("batch size N", "1/N")
OVERFLOW = ("overflow", "division by zero", "log of 0")
TRANSPOSED = ("transposed",)
OTHER_BRANCH = ("only where the input is positive",)
FIRST_STEP = ("first time step",)
SIGN = ("sign is flipped",)

LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "00_getting_started": {
        "NaN for a constant column": ("division by zero",),
        "sample std (ddof=1)": ("ddof=1",),
    },
    "01_least_squares": {
        "loss without the 1/2": FACTOR_2,
        "gradient sign flipped": SIGN,
        "gradient without 1/N": BATCH_N,
        "halved squared error": FACTOR_2,
    },
    "02_knn": {"two loops: transposed": TRANSPOSED},
    "03_softmax": {
        "naive: no max shift": OVERFLOW,
        "vec: no max shift": OVERFLOW,
        "naive: gradient not averaged": BATCH_N,
        "vec: sum instead of mean": BATCH_N,
        # normalised over the batch, the probabilities of the huge-score case underflow to 0
        "vec: normalised over axis 0": ("axis", "log of 0"),
        "vec: transposed dW": TRANSPOSED,
    },
    "04_svm": {"naive: gradient not averaged": BATCH_N},
    "05_backprop": {
        "affine: db averaged": BATCH_N,
        "affine: dw transposed": TRANSPOSED,
        "relu: no mask": OTHER_BRANCH,
        "relu: abs": OTHER_BRANCH,
        "tanh: naive exponentials": OVERFLOW,
        "leaky: alpha ignored": OTHER_BRANCH,
        "leaky: zero slope": OTHER_BRANCH,
        "elu: no - 1": OTHER_BRANCH,
        "elu: backward without alpha": OTHER_BRANCH,
        "softplus: naive log(1 + exp)": OVERFLOW,
        "N-layer: summed over the batch": BATCH_N,
    },
    "06_optimizers": {
        "momentum: velocity sign": SIGN,
        "adagrad: no accumulation": ("after step 1: it is missing",),
        "adam: t after the correction": ("division by zero",),
    },
    "07_batchnorm": {"momentum swapped": ("constant factor",)},
    "10_rnn": {
        "dWh transposed": TRANSPOSED,
        "h0 fed to every step": FIRST_STEP,
        "cell state reset every step": FIRST_STEP,
    },
    "11_autoencoders": {
        "linear AE without the factor 2": FACTOR_2,
        "linear AE sum not mean": BATCH_N,
        "linear AE dW_enc transposed": TRANSPOSED,
        "summed over the batch": BATCH_N,
        "KL with the wrong sign": SIGN,
    },
    "12_gans": {
        "transposed noise": TRANSPOSED,
        "naive log sigmoid (D)": OVERFLOW,
        "naive log sigmoid (G)": OVERFLOW,
        "mean over both batches": FACTOR_2,
        "sum not mean (D)": BATCH_N,
        "LS D without 1/2": FACTOR_2,
        "LS D sum not mean": BATCH_N,
        "LS G without 1/2": FACTOR_2,
    },
}
