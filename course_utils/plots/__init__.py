"""Pictures, one module per topic: ``from course_utils.plots.linear import plot_templates``.

activations (05, 07, 08), cnn (09), decision (2-D regions, 05-08), experiments (sweeps and
train/validation gaps, 07-08), graph (computational graphs, 05), knn (kNN regions, images at
equal distance, 02), least_squares (01), linear (03-04), optim (06) and training (loss and
accuracy histories, 05-08). Nothing is re-exported here.
"""
