"""Numpy layers, one module per family; import them through ``course_utils.layers``."""
