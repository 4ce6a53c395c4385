"""Cells that build on an earlier task say which task to finish, instead of a traceback.

    with after("Task 2 (loss_and_gradient)"):
        contour = loss_contour(lambda t: loss_and_gradient(t, X, y)[0], ...)

A stub raises NotImplementedError; a later cell that uses a name the failed cell never
defined raises NameError. Inside ``after`` either becomes one line naming the task to finish
first (and the original error, for the curious). Any other error is the cell's own and
propagates as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

#: the errors an unfinished earlier task causes in the cells that build on it
UNFINISHED = (NotImplementedError, NameError)


def unfinished_message(task: str, error: BaseException) -> str:
    """The line printed in place of the traceback."""
    return (
        f"This cell builds on {task}: finish it first, then run the cells from there again "
        f"({type(error).__name__}: {error})."
    )


@contextmanager
def after(task: str) -> Iterator[None]:
    """Run the block; if an unfinished task stops it, print which one instead of raising."""
    try:
        yield
    except UNFINISHED as error:
        print(unfinished_message(task, error))
