"""Ref(name, index): a later call can use one element of an earlier call's bound result."""

from __future__ import annotations

import json

import numpy as np

from autograder.harvest import decode, run_case
from autograder.spec import Ref, call, case, encode_cases


def _forward(x, scale):
    """A toy (out, cache) layer: the cache is an opaque tuple."""
    return x * scale, (x, scale)


def _backward(dout, cache):
    x, scale = cache
    return dout * scale, np.sum(dout * x)


NAMESPACE = {"forward": _forward, "backward": _backward}


def test_ref_without_index_keeps_the_old_encoding():
    encoded, _ = encode_cases([case("plain", call("f", Ref("m")))])
    assert encoded[0]["calls"][0]["args"] == [{"__ref__": "m"}]
    assert Ref("m").index is None


def test_ref_with_index_encodes_as_plain_json():
    encoded, _ = encode_cases([case("indexed", call("f", Ref("fwd", 1)))])
    arg = encoded[0]["calls"][0]["args"][0]
    assert arg == {"__ref__": "fwd", "index": 1}
    assert json.loads(json.dumps(encoded)) == encoded


def test_decode_picks_the_element_of_the_bound_result():
    bound = {"fwd": ("out", "cache"), "m": ("whole",)}
    assert decode({"__ref__": "fwd", "index": 1}, {}, bound) == "cache"
    assert decode({"__ref__": "fwd", "index": 0}, {}, bound) == "out"
    assert decode({"__ref__": "m"}, {}, bound) == ("whole",)


def test_forward_then_backward_through_the_cache(rng):
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    item = case(
        "forward then backward",
        call("forward", x, 2.5, bind="fwd", record=False),
        call("backward", dout, Ref("fwd", 1)),
    )
    encoded, arrays = encode_cases([item])
    outputs = run_case(NAMESPACE, encoded[0], arrays)
    assert sorted(outputs) == ["s1.out.0", "s1.out.1"]
    np.testing.assert_allclose(outputs["s1.out.0"], 2.5 * dout)
    np.testing.assert_allclose(outputs["s1.out.1"], np.sum(dout * x))


def test_a_dict_input_that_looks_like_a_ref_needs_both_keys_only():
    """A plain dict with more keys than __ref__/index stays a dict."""
    value = {"__ref__": "fwd", "index": 0, "other": 1}
    assert decode(value, {}, {"fwd": ("a",)}) == value
