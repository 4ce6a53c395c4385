"""The helpers behind one notebook's experiment or exercise, tested like the library.

A widget or a figure in a notebook calls a plain function here (``race``, ``sgd_loss_curve``,
``softmax_with_temperature``...); the function is tested headlessly in tests/. Modules:
environment and warmup (00), centring, splits and polar (01), knn (02), linear_training (03-04),
calibration and distillation (03), temperature (03, 10), backprop (05), optimizer_race (06),
regularization and augment (08), cnn_tables, cnn_costs and saliency (09), char_rnn_numpy and
char_sampling (10), pca (11). The library of the public API (layers, optim, solver,
classifiers, ...) stays at the top of ``course_utils``.
"""
