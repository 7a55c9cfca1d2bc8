"""generate_sample_data reproduces tests/golden/sample_data.json bit for bit on both backends
(the same file the Rust and JS tests read)."""

from __future__ import annotations

import json
import os

import pytest

import quant_backtest as qb

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "sample_data.json")
with open(GOLDEN) as f:
    CASES = json.load(f)


@pytest.mark.parametrize("backend_name", ["rust", "python"])
@pytest.mark.parametrize("case", CASES, ids=[c["args"]["symbol"] for c in CASES])
def test_sample_data_is_bit_identical(monkeypatch, backend_name, case):
    if backend_name == "rust" and not qb.RustEngine.is_rust_available():
        if os.environ.get("QUANT_BACKTEST_EXPECT_NATIVE") == "1":
            pytest.fail("the native module is expected but missing")
        pytest.skip("native module not built")
    monkeypatch.setenv("QUANT_BACKTEST_BACKEND", backend_name)
    a = case["args"]
    data = qb.generate_sample_data(a["symbol"], a["days"], a["start_price"], int(a["seed"]))
    bars = case["bars"]
    assert data.symbol == bars["symbol"]
    assert list(data.dates) == bars["dates"]
    for name in ("open", "high", "low", "close", "volume"):
        got = [float(x).hex() for x in getattr(data, name)]
        want = [float(x).hex() for x in bars[name]]
        assert got == want, name
