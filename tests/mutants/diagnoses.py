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
    },
    "06_optimizers": {
        "momentum: velocity sign": ("wrong sign",),
        "momentum: velocity forgotten": ("never stored",),
        "momentum: default 0.5": ("default momentum",),
        "nesterov: plain momentum": ("plain momentum",),
        "nesterov: no 1 + mu": ("(1 + mu)",),
        "nesterov: sign of mu v_prev": ("sign of mu v_prev",),
        "adagrad: no accumulation": ("not accumulated",),
        "adagrad: eps inside sqrt": ("eps inside",),
        "adagrad: no sqrt": ("square root",),
        "rmsprop: decay swapped": ("swapped",),
        "rmsprop: default decay 0.9": ("default decay",),
        "rmsprop: cache not stored": ("never stored",),
        "adam: no bias correction": ("bias correction",),
        "adam: t after the correction": ("division by zero", "t is incremented"),
        "adam: state not stored": ("never written back",),
        "adam: beta1 for both": ("beta1 used for both",),
    },
    "07_batchnorm": {
        "unbiased batch variance": ("sample variance (N - 1)",),
        "eps outside the sqrt": ("eps outside",),
        "momentum swapped": ("momentum swapped",),
        "no running update": ("never updated",),
        "test mode uses batch statistics": ("test mode",),
        "running var unbiased": ("running variance",),
        "running stats not stored": ("copy", "never updated"),
        "no mean path": ("through the mean",),
        "no variance path": ("through the variance",),
        "dgamma without x_hat": ("dgamma without x_hat",),
        "dx without gamma": ("gamma is missing",),
        "closed form missing N": ("factor N",),
        "closed form sign error": ("sign error",),
        "closed form wrong axis": ("over the features",),
        "no variance path (alt)": ("through the variance",),
        "normalises over the batch": ("over the batch",),
        "unbiased variance": ("sample variance (D - 1)",),
        "std treated as constant": ("std is treated as a constant",),
        "means over the batch": ("over the batch",),
        "dgamma per example": ("summed over the features",),
    },
    "08_dropout": {
        "not inverted": ("not inverted",),
        "p read as drop probability": ("probability of dropping",),
        "test mode scaled by p": ("test mode",),
        "binomial draw": ("mask drawn another way",),
        "seed ignored": ("seed",),
        "mask ignored": ("ignores the mask",),
        "1/p forgotten": ("1/p",),
        "divides by p in test mode": ("test mode",),
        "no 0.5 in the loss": ("without its ½",),
        "2 * reg * W gradient": ("2 reg W",),
        "biases regularized": ("biases",),
        "gradient forgotten": ("gradient is missing",),
    },
    "09_cnn": {
        "true convolution (flipped kernel)": ("flipped",),
        "no bias": ("bias is missing",),
        "padding never applied": ("never padded",),
        "stride ignored in windows": ("ignore the stride",),
        "dx cropped from the corner": ("cropped from the corner",),
        "dw windows without stride": ("ignore the stride",),
        "db averaged over the batch": ("averaged over the batch",),
        "dx through a flipped kernel": ("flipped kernel",),
        "average pooling": ("average pooling",),
        "stride = pool size": ("as the stride",),
        "max over channels too": ("over the channels",),
        "gradient to every tie": ("every tied maximum",),
        "gradient spread evenly": ("spread evenly",),
        "assignment, not accumulation": ("not accumulated",),
        "ReLU before BatchNorm": ("ReLU before BatchNorm",),
        "one convolution per stage": ("one convolution per stage",),
        "average pooling in the stages": ("average pooling",),
        "batch_norm flag ignored": ("batch_norm=False",),
        "convolutions without bias": ("without bias",),
        "no final ReLU": ("last ReLU",),
        "ReLU before the sum": ("before the sum",),
        "no shortcut": ("shortcut is missing",),
        "projection without BatchNorm": ("without its BatchNorm",),
        "stride in the second convolution": ("second convolution",),
    },
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
