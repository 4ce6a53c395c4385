"""The numpy layers of the course: every layer of the public API, from one import path.

``from course_utils.layers import affine_forward``. The implementations live in
``course_utils.layer_impl``, one module per family of layers.
"""

from course_utils.layer_impl.activations import (
    elu_backward,
    elu_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softplus_backward,
    softplus_forward,
    tanh_backward,
    tanh_forward,
)
from course_utils.layer_impl.affine import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
)
from course_utils.layer_impl.conv_naive import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
)
from course_utils.layer_impl.dropout import dropout_backward, dropout_forward
from course_utils.layer_impl.losses import softmax_loss, svm_loss
from course_utils.layer_impl.normalization import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)

__all__ = [
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "elu_forward",
    "elu_backward",
    "softplus_forward",
    "softplus_backward",
    "affine_relu_forward",
    "affine_relu_backward",
    "softmax_loss",
    "svm_loss",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "layernorm_forward",
    "layernorm_backward",
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "dropout_forward",
    "dropout_backward",
    "conv_forward_naive",
    "conv_backward_naive",
    "max_pool_forward_naive",
    "max_pool_backward_naive",
]
