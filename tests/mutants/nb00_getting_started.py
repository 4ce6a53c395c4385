"""Wrong answers a student might give in 00_getting_started."""

from autograder.checks.nb00_getting_started import (
    first_window_missing,
    off_by_one_average,
    same_length_average,
    standardize_by_variance,
    standardize_centred_only,
    standardize_nan_for_constant,
    standardize_rows,
    standardize_sample_std,
    standardize_whole_matrix,
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
    Mutant("first window missing", MA, {"moving_average": first_window_missing}),
    Mutant("centred only", ST, {"standardize": standardize_centred_only}),
    Mutant("divided by the variance", ST, {"standardize": standardize_by_variance}),
    Mutant("whole-matrix statistics", ST, {"standardize": standardize_whole_matrix}),
]
