"""Wrong answers a student might give in 07_batchnorm.

Backward mutants receive the cache of the reference forward: (x_hat, x_centered, std, gamma)
for batchnorm, (x_hat, std, gamma) for layernorm.
"""

from autograder.checks.nb07_batchnorm import (
    bn_alt_missing_n,
    bn_alt_sign_error,
    bn_alt_wrong_axis,
    bn_backward_dgamma_wrong,
    bn_backward_no_gamma,
    bn_backward_no_mean_path,
    bn_backward_no_var_path,
    bn_eps_outside_sqrt,
    bn_no_running_update,
    bn_running_stats_on_a_copy,
    bn_running_var_unbiased,
    bn_swapped_momentum,
    bn_test_uses_batch_stats,
    bn_unbiased_var,
    gn_backward_dgamma_without_x_hat,
    gn_backward_no_gamma,
    gn_backward_std_constant,
    gn_ignores_groups,
    gn_interleaved_groups,
    gn_over_the_batch,
    gn_unbiased_var,
    ln_backward_batch_axis,
    ln_backward_dgamma_per_example,
    ln_backward_std_constant,
    ln_eps_outside_sqrt,
    ln_over_batch,
    ln_unbiased_var,
    sbn_backward_dx_not_transposed_back,
    sbn_backward_without_transpose,
    sbn_per_pixel,
    sbn_reshape_without_transpose,
)
from tests.mutants import Mutant

# ------------------------------------------------------------------ batchnorm forward


# ----------------------------------------------------------------- batchnorm backward


# ------------------------------------------------------------------------- layernorm


BF, BB, BA = "test_batchnorm_forward", "test_batchnorm_backward", "test_batchnorm_backward_alt"
LF, LB = "test_layernorm_forward", "test_layernorm_backward"
SB, GF, GB = "test_spatial_batchnorm", "test_groupnorm_forward", "test_groupnorm_backward"
MUTANTS = [
    Mutant("unbiased batch variance", BF, {"batchnorm_forward": bn_unbiased_var}),
    Mutant("eps outside the sqrt", BF, {"batchnorm_forward": bn_eps_outside_sqrt}),
    Mutant("momentum swapped", BF, {"batchnorm_forward": bn_swapped_momentum}),
    Mutant("no running update", BF, {"batchnorm_forward": bn_no_running_update}),
    Mutant("test mode uses batch statistics", BF, {"batchnorm_forward": bn_test_uses_batch_stats}),
    Mutant("running var unbiased", BF, {"batchnorm_forward": bn_running_var_unbiased}),
    Mutant("running stats not stored", BF, {"batchnorm_forward": bn_running_stats_on_a_copy}),
    Mutant("no mean path", BB, {"batchnorm_backward": bn_backward_no_mean_path}),
    Mutant("no variance path", BB, {"batchnorm_backward": bn_backward_no_var_path}),
    Mutant("dgamma without x_hat", BB, {"batchnorm_backward": bn_backward_dgamma_wrong}),
    Mutant("dx without gamma", BB, {"batchnorm_backward": bn_backward_no_gamma}),
    Mutant("closed form missing N", BA, {"batchnorm_backward_alt": bn_alt_missing_n}),
    Mutant("closed form sign error", BA, {"batchnorm_backward_alt": bn_alt_sign_error}),
    Mutant("closed form wrong axis", BA, {"batchnorm_backward_alt": bn_alt_wrong_axis}),
    Mutant("no variance path (alt)", BA, {"batchnorm_backward_alt": bn_backward_no_var_path}),
    Mutant("normalises over the batch", LF, {"layernorm_forward": ln_over_batch}),
    Mutant("eps outside the sqrt", LF, {"layernorm_forward": ln_eps_outside_sqrt}),
    Mutant("unbiased variance", LF, {"layernorm_forward": ln_unbiased_var}),
    Mutant("std treated as constant", LB, {"layernorm_backward": ln_backward_std_constant}),
    Mutant("means over the batch", LB, {"layernorm_backward": ln_backward_batch_axis}),
    Mutant("dgamma per example", LB, {"layernorm_backward": ln_backward_dgamma_per_example}),
    Mutant(
        "spatial: no transpose", SB, {"spatial_batchnorm_forward": sbn_reshape_without_transpose}
    ),
    Mutant("spatial: per pixel", SB, {"spatial_batchnorm_forward": sbn_per_pixel}),
    Mutant(
        "spatial backward: no transpose",
        SB,
        {"spatial_batchnorm_backward": sbn_backward_without_transpose},
    ),
    Mutant(
        "spatial backward: dx not transposed back",
        SB,
        {"spatial_batchnorm_backward": sbn_backward_dx_not_transposed_back},
    ),
    Mutant(
        "groupnorm: interleaved groups", GF, {"spatial_groupnorm_forward": gn_interleaved_groups}
    ),
    Mutant("groupnorm: over the batch", GF, {"spatial_groupnorm_forward": gn_over_the_batch}),
    Mutant("groupnorm: G ignored", GF, {"spatial_groupnorm_forward": gn_ignores_groups}),
    Mutant("groupnorm: unbiased variance", GF, {"spatial_groupnorm_forward": gn_unbiased_var}),
    Mutant(
        "groupnorm: std treated as constant",
        GB,
        {"spatial_groupnorm_backward": gn_backward_std_constant},
    ),
    Mutant("groupnorm: dx without gamma", GB, {"spatial_groupnorm_backward": gn_backward_no_gamma}),
    Mutant(
        "groupnorm: dgamma without x_hat",
        GB,
        {"spatial_groupnorm_backward": gn_backward_dgamma_without_x_hat},
    ),
    Mutant("tuning: learning rate 1e-5", "test_tuning", {"best_learning_rate": 1e-5}),
    Mutant("tuning: learning rate 10", "test_tuning", {"best_learning_rate": 10.0}),
    Mutant("tuning: weight scale 10", "test_tuning", {"best_weight_scale": 10.0}),
]
