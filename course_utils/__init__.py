"""Reference implementations and helpers for the neural-networks course kit.

Every notebook imports what it needs from the submodules explicitly, for example
``from course_utils.layers import affine_forward``. Nothing is re-exported here.
"""

__version__ = "0.1.0"
