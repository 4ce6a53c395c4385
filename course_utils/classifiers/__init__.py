"""Classifiers and models of the numpy track, one family per module.

- ``least_squares``: linear and polynomial regression (closed form, gradient descent, k-fold).
- ``knn``: k-nearest-neighbour classifier and cross-validation of k.
- ``linear``: softmax and multiclass SVM losses and a minibatch-SGD linear classifier.
- ``fc_net``: two-layer and fully connected networks built from ``course_utils.layers``.
- ``cnn``: a three-layer convolutional network built from ``course_utils.fast_layers``.
- ``init``: weight initialisation helpers.

Import from the submodules explicitly, e.g.
``from course_utils.classifiers.knn import KNearestNeighbor``; nothing is re-exported here.
"""
