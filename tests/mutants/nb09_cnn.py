"""Wrong answers a student might give in 09_cnn (numpy layers and PyTorch modules)."""

from autograder.checks.nb09_cnn import (
    BlockNoFinalRelu,
    BlockNoShortcut,
    BlockReluBeforeSum,
    BlockShortcutWithoutBatchNorm,
    BlockStrideInSecondConv,
    conv_backward_crop_from_corner,
    conv_backward_db_mean,
    conv_backward_dw_no_stride,
    conv_backward_dx_flipped,
    conv_ignores_stride_in_windows,
    conv_no_bias,
    conv_no_padding,
    conv_true_convolution,
    macs_input_positions,
    macs_with_bias,
    macs_without_channels,
    macs_without_padding,
    params_bias_per_channel,
    params_kernel_not_squared,
    params_without_bias,
    params_without_channels,
    pool_average,
    pool_backward_all_ties,
    pool_backward_average,
    pool_backward_overwrite,
    pool_max_over_channels,
    pool_stride_is_pool_size,
    saliency_no_relu_mask,
    saliency_of_the_loss,
    saliency_predicted_class,
    saliency_signed,
    saliency_sum_over_channels,
    vgg_average_pool,
    vgg_conv_without_bias,
    vgg_flatten_over_2_times_stages,
    vgg_ignores_batch_norm_flag,
    vgg_one_conv_per_stage,
    vgg_relu_before_bn,
)
from tests.mutants import Mutant

# ---------------------------------------------------------------- convolution forward


# ---------------------------------------------------------------- convolution backward


# ---------------------------------------------------------------- max pooling


# ---------------------------------------------------------------- build_vgg_small


# ---------------------------------------------------------------- ResidualBlock


CF, CB = "test_conv_forward_naive", "test_conv_backward_naive"
PF, PB = "test_max_pool_forward_naive", "test_max_pool_backward_naive"
VGG, RES = "test_build_vgg_small", "test_residual_block"
MUTANTS = [
    Mutant("true convolution (flipped kernel)", CF, {"conv_forward_naive": conv_true_convolution}),
    Mutant("no bias", CF, {"conv_forward_naive": conv_no_bias}),
    Mutant("padding never applied", CF, {"conv_forward_naive": conv_no_padding}),
    Mutant("stride ignored in windows", CF, {"conv_forward_naive": conv_ignores_stride_in_windows}),
    Mutant(
        "dx cropped from the corner", CB, {"conv_backward_naive": conv_backward_crop_from_corner}
    ),
    Mutant("dw windows without stride", CB, {"conv_backward_naive": conv_backward_dw_no_stride}),
    Mutant("db averaged over the batch", CB, {"conv_backward_naive": conv_backward_db_mean}),
    Mutant("dx through a flipped kernel", CB, {"conv_backward_naive": conv_backward_dx_flipped}),
    Mutant("average pooling", PF, {"max_pool_forward_naive": pool_average}),
    Mutant("stride = pool size", PF, {"max_pool_forward_naive": pool_stride_is_pool_size}),
    Mutant("max over channels too", PF, {"max_pool_forward_naive": pool_max_over_channels}),
    Mutant("gradient to every tie", PB, {"max_pool_backward_naive": pool_backward_all_ties}),
    Mutant("gradient spread evenly", PB, {"max_pool_backward_naive": pool_backward_average}),
    Mutant(
        "assignment, not accumulation", PB, {"max_pool_backward_naive": pool_backward_overwrite}
    ),
    Mutant("ReLU before BatchNorm", VGG, {"build_vgg_small": vgg_relu_before_bn}),
    Mutant("one convolution per stage", VGG, {"build_vgg_small": vgg_one_conv_per_stage}),
    Mutant("average pooling in the stages", VGG, {"build_vgg_small": vgg_average_pool}),
    Mutant("batch_norm flag ignored", VGG, {"build_vgg_small": vgg_ignores_batch_norm_flag}),
    Mutant("convolutions without bias", VGG, {"build_vgg_small": vgg_conv_without_bias}),
    Mutant(
        "flatten side over 2 * stages", VGG, {"build_vgg_small": vgg_flatten_over_2_times_stages}
    ),
    Mutant("no final ReLU", RES, {"ResidualBlock": BlockNoFinalRelu}),
    Mutant("ReLU before the sum", RES, {"ResidualBlock": BlockReluBeforeSum}),
    Mutant("no shortcut", RES, {"ResidualBlock": BlockNoShortcut}),
    Mutant("projection without BatchNorm", RES, {"ResidualBlock": BlockShortcutWithoutBatchNorm}),
    Mutant("stride in the second convolution", RES, {"ResidualBlock": BlockStrideInSecondConv}),
]

# ---------------------------------------------------------------- 09_cnn_numpy: costs, saliency

CP, CM, SAL = "test_conv_params", "test_conv_macs", "test_saliency_map"
MUTANTS += [
    Mutant("params without bias", CP, {"conv_params": params_without_bias}),
    Mutant("a bias per channel", CP, {"conv_params": params_bias_per_channel}),
    Mutant("params without channels", CP, {"conv_params": params_without_channels}),
    Mutant("k weights per channel", CP, {"conv_params": params_kernel_not_squared}),
    Mutant("macs per input pixel", CM, {"conv_macs": macs_input_positions}),
    Mutant("macs count the bias", CM, {"conv_macs": macs_with_bias}),
    Mutant("macs without channels", CM, {"conv_macs": macs_without_channels}),
    Mutant("macs without padding", CM, {"conv_macs": macs_without_padding}),
    Mutant("signed saliency", SAL, {"saliency_map": saliency_signed}),
    Mutant("saliency of the loss", SAL, {"saliency_map": saliency_of_the_loss}),
    Mutant("saliency summed over channels", SAL, {"saliency_map": saliency_sum_over_channels}),
    Mutant("saliency without the ReLU mask", SAL, {"saliency_map": saliency_no_relu_mask}),
    Mutant("saliency of the predicted class", SAL, {"saliency_map": saliency_predicted_class}),
]

# ==================================================================== 09_cnn_pytorch: the loop
from autograder.checks.nb09_cnn import (  # noqa: E402
    evaluate_mean_of_batches,
    evaluate_no_eval_mode,
    evaluate_without_no_grad,
    train_last_batch_loss,
    train_mean_of_batch_losses,
    train_no_train_mode,
    train_no_zero_grad,
    train_zero_grad_after_backward,
)

TRAIN, EVAL = "test_train_one_epoch", "test_evaluate_model"
MUTANTS += [
    Mutant("no zero_grad", TRAIN, {"train_one_epoch": train_no_zero_grad}),
    Mutant("zero_grad after backward", TRAIN, {"train_one_epoch": train_zero_grad_after_backward}),
    Mutant("no model.train()", TRAIN, {"train_one_epoch": train_no_train_mode}),
    Mutant("mean of batch losses", TRAIN, {"train_one_epoch": train_mean_of_batch_losses}),
    Mutant("last batch's loss", TRAIN, {"train_one_epoch": train_last_batch_loss}),
    Mutant("no model.eval()", EVAL, {"evaluate_model": evaluate_no_eval_mode}),
    Mutant("no torch.no_grad()", EVAL, {"evaluate_model": evaluate_without_no_grad}),
    Mutant("per-batch means", EVAL, {"evaluate_model": evaluate_mean_of_batches}),
]

# ==================================================================== 09_cnn_pytorch: challenge
# absurd choices for the digits challenge (each must lose points; the judge says why)
CHALLENGE = "test_challenge"
MUTANTS += [
    Mutant("challenge: learning rate 1e-5", CHALLENGE, {"challenge_learning_rate": 1e-5}),
    Mutant("challenge: learning rate 1", CHALLENGE, {"challenge_learning_rate": 1.0}),
    Mutant("challenge: one epoch", CHALLENGE, {"challenge_epochs": 1}),
    Mutant("challenge: one filter", CHALLENGE, {"challenge_widths": (1, 0, 0)}),
    Mutant("challenge: over the budget", CHALLENGE, {"challenge_widths": (64, 64, 64)}),
    Mutant("challenge: widths after a 0", CHALLENGE, {"challenge_widths": (16, 0, 32)}),
]
