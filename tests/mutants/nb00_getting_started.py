"""Wrong answers a student might give in 00_getting_started."""

from autograder.checks.nb00_getting_started import (
    off_by_one_average,
    same_length_average,
    standardize_nan_for_constant,
    standardize_rows,
    standardize_sample_std,
    sum_not_mean,
)
from tests.mutants import Mutant

MA, ST = "test_moving_average", "test_standardize"
MUTANTS = [
    Mutant("same-length convolution", MA, {"moving_average": same_length_average}),
    Mutant("off-by-one range", MA, {"moving_average": off_by_one_average}),
    Mutant("sum instead of mean", MA, {"moving_average": sum_not_mean}),
    Mutant("wrong axis", ST, {"standardize": standardize_rows}),
    Mutant("NaN for a constant column", ST, {"standardize": standardize_nan_for_constant}),
    Mutant("sample std (ddof=1)", ST, {"standardize": standardize_sample_std}),
]
