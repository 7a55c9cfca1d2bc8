"""Writes tests/golden/sample_data.json: generate_sample_data's bars for a few arguments, from the
pure-Python engine (the readable reference). Rust, wasm and both Python backends must reproduce
them bit for bit (JSON numbers here are shortest round-trip reprs, so they parse exactly).

    .venv/bin/python tests/golden/make_sample_data.py
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python", "quant_backtest"))
import _fallback  # noqa: E402  (the module alone: no package, no native code)

ARGS = [
    ("SAMPLE", 30, 100.0, 42),
    ("SEED0", 10, 1.0, 0),
    ("BIGSEED", 15, 2500.5, 2**64 - 1),
    ("LONG", 300, 35.25, 7),
]


def main() -> None:
    cases = []
    for symbol, days, start, seed in ARGS:
        bars = _fallback.generate_sample_data(symbol, days, start, seed)
        cases.append(
            {
                "args": {"symbol": symbol, "days": days, "start_price": start, "seed": str(seed)},
                "bars": {
                    k: bars[k]
                    for k in ("symbol", "dates", "open", "high", "low", "close", "volume")
                },
            }
        )
    with open(os.path.join(HERE, "sample_data.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
