"""Call graded functions on grader-chosen inputs and keep their outputs as plain arrays.

This one file runs on both sides of the grading design (docs/GRADING_DESIGN.md):

- student side: copied into the sandbox and run inside the student's kernel after the
  notebook, where ``harvest(globals(), ...)`` calls the student's functions and writes
  their outputs as uncompressed ``.npz`` files (plain arrays, no pickles) plus one JSON
  line per case (an exception's class name, never its message);
- grader side: :func:`run_case` calls the reference implementations on the same inputs,
  so both outputs are flattened by the same code.

It imports only numpy and the standard library, because the sandbox holds nothing else
of the autograder.

Encoding of a case (JSON, arrays kept apart in an ``.npz``)::

    {"label": "batch of one",
     "calls": [{"target": "softmax_loss", "args": [{"__array__": "a0"}, 0.5],
                "kwargs": {}, "bind": null, "record": true, "record_args": []}]}

``{"__ref__": "model"}`` refers to the result of an earlier call bound with ``"bind"``,
``{"__ref__": "fwd", "index": 1}`` to its element 1 (a forward's cache); ``target``
may be ``"model.train"`` to call a method of such a result. ``"read": true`` records the
value of ``target`` itself instead of calling it (a student's choice in an outcome task).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

#: longest exception class name kept (the message is never kept: see _harvest_one)
MAX_ERROR_CHARS = 60
#: the most array elements one case may return (larger outputs are refused, not saved)
MAX_OUTPUT_ELEMENTS = 20_000_000


class OutputError(Exception):
    """An output that cannot be kept as plain data (wrong type, object dtype, too large)."""


def flatten(value: Any, prefix: str = "out") -> dict[str, np.ndarray]:
    """Flatten nested tuples, lists and str-keyed dicts of arrays and numbers.

    Returns {"out.0": array, "out.1.velocity": array, ...}; every leaf becomes a numeric
    numpy array. ``None`` leaves are skipped. Raises OutputError for anything else.
    """
    if value is None:
        return {}
    if isinstance(value, (tuple, list)):
        flat: dict[str, np.ndarray] = {}
        for i, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}.{i}"))
        return flat
    if isinstance(value, Mapping):
        flat = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise OutputError(f"{prefix} has a non-string key")
            flat.update(flatten(item, f"{prefix}.{key}"))
        return flat
    if isinstance(value, str):
        return {}
    return {prefix: _as_plain_array(value, prefix)}


def _as_plain_array(value: Any, name: str) -> np.ndarray:
    """Convert a leaf to a numeric, non-object numpy array (copy), or raise OutputError."""
    if not isinstance(value, (np.ndarray, np.generic, int, float, bool, complex)):
        if not hasattr(value, "__array__"):
            raise OutputError(f"{name} is a {type(value).__name__}, not an array or a number")
    try:
        array = np.array(value, copy=True)
    except Exception as exc:  # a student's object whose conversion fails
        raise OutputError(f"{name} could not be converted to an array ({exc})") from None
    if array.dtype.kind not in "biufc":
        raise OutputError(f"{name} has dtype {array.dtype}, not a numeric dtype")
    if array.size > MAX_OUTPUT_ELEMENTS:
        raise OutputError(f"{name} has {array.size} elements, more than allowed")
    return array


def decode(value: Any, arrays: Mapping[str, np.ndarray], bound: Mapping[str, Any]) -> Any:
    """Turn the JSON encoding back into Python values (fresh array copies each time)."""
    if isinstance(value, list):
        return [decode(v, arrays, bound) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__array__"}:
            return np.array(arrays[value["__array__"]], copy=True)
        if set(value) == {"__ref__"}:
            return bound[value["__ref__"]]
        if set(value) == {"__ref__", "index"}:
            return bound[value["__ref__"]][value["index"]]
        if set(value) == {"__tuple__"}:
            return tuple(decode(v, arrays, bound) for v in value["__tuple__"])
        return {k: decode(v, arrays, bound) for k, v in value.items()}
    return value


def _resolve(target: str, namespace: Mapping[str, Any], bound: Mapping[str, Any]) -> Any:
    """Find ``name`` or ``name.attr`` among earlier results, then in the namespace."""
    head, _, rest = target.partition(".")
    if head in bound:
        obj = bound[head]
    elif head in namespace:
        obj = namespace[head]
    else:
        raise NameError(f"{head} is not defined")
    for attr in rest.split(".") if rest else ():
        obj = getattr(obj, attr)
    return obj


def run_case(
    namespace: Mapping[str, Any], case: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Run one encoded case's calls against ``namespace`` and return its flattened outputs.

    Keys are "s<step>.out..." for recorded results and "s<step>.arg<i>..." for arguments
    recorded after the call (in-place updates such as running statistics).
    """
    bound: dict[str, Any] = {}
    outputs: dict[str, np.ndarray] = {}
    for step, call in enumerate(case["calls"]):
        func = _resolve(call["target"], namespace, bound)
        args = decode(call.get("args", []), arrays, bound)
        kwargs = decode(call.get("kwargs", {}), arrays, bound)
        result = func if call.get("read") else func(*args, **kwargs)
        if call.get("bind"):
            bound[call["bind"]] = result
        if call.get("record", True):
            outputs.update(flatten(result, f"s{step}.out"))
        for index in call.get("record_args", []):
            outputs.update(flatten(args[index], f"s{step}.arg{index}"))
    return outputs


class _CallTimeout(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` in student code misses it."""


def _on_alarm(signum, frame):
    raise _CallTimeout()


def _type_name(exc: BaseException) -> str:
    return type(exc).__name__[:MAX_ERROR_CHARS]


def harvest(
    namespace: Mapping[str, Any],
    cases_path: str,
    inputs_path: str,
    out_dir: str,
    seconds_per_case: float = 20.0,
) -> int:
    """Student side: run every case against the kernel's namespace and write the outputs.

    Writes ``out_dir/case_<i>.npz`` and appends one JSON line per case to
    ``out_dir/harvest.jsonl`` as soon as the case ends, so a later timeout keeps what
    was already done. Returns the number of cases that produced outputs.
    """
    with open(cases_path, encoding="utf-8") as handle:
        cases = json.load(handle)
    with np.load(inputs_path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    log_path = os.path.join(out_dir, "harvest.jsonl")
    produced = 0
    for index, case in enumerate(cases):
        record = _harvest_one(namespace, case, arrays, out_dir, index, seconds_per_case)
        produced += record["ok"]
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
    return produced


def _harvest_one(namespace, case, arrays, out_dir, index, seconds_per_case) -> dict:
    """Run one case; keep only the outputs the grader asked for (``case["keep"]``).

    Of an exception only the class name is kept, never the message: the code ran on hidden
    inputs and could have put them into it (docs/GRADING_DESIGN.md).
    """
    start = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    # re-fires every second in case the student's code catches it
    signal.setitimer(signal.ITIMER_REAL, seconds_per_case, 1.0)
    try:
        outputs = run_case(namespace, case, arrays)
        keep = case.get("keep")
        if keep is not None:
            outputs = {k: v for k, v in outputs.items() if k in keep}
        # plain .npy members in an uncompressed zip; the grader refuses compressed members
        np.savez(os.path.join(out_dir, f"case_{index}.npz"), **outputs)
        record = {"case": index, "ok": True, "error_type": None}
    except _CallTimeout:
        record = {"case": index, "ok": False, "timed_out": True, "error_type": None}
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        record = {"case": index, "ok": False, "error_type": _type_name(exc)}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    record["seconds"] = round(time.perf_counter() - start, 4)
    return record
