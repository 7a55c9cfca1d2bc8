"""The Pyodide door's Python side, checked on the desktop (the wasm engine itself runs in
tests/pyodide/, in Node and chromium): the backend choice under a simulated emscripten platform
where the wasm engine cannot start, and the glue rewriting of ``_wasm_bridge``."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from conftest import ENV_VAR
from quant_backtest import RustEngine, _backend, _wasm_bridge, generate_sample_data

GLUE = Path(__file__).resolve().parents[2] / "pkg" / "wasm" / _wasm_bridge.GLUE_FILE


@pytest.fixture
def emscripten_without_js(monkeypatch: pytest.MonkeyPatch) -> None:
    """sys.platform == "emscripten" as far as the package can tell, no native module, and no
    ``js`` module (so the wasm engine cannot start)."""
    monkeypatch.setattr(_backend, "IS_EMSCRIPTEN", True)
    monkeypatch.setattr(_backend, "_native", None)
    monkeypatch.setattr(_backend, "_warned", False)
    monkeypatch.setattr(_backend, "_wasm", None)
    monkeypatch.setattr(_backend, "_WASM_ERROR", None)
    monkeypatch.setattr(_backend, "_wasm_tried", False)
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_desktop_never_tries_the_wasm_engine():
    assert _backend.IS_EMSCRIPTEN is False
    assert _backend.wasm_module() is None
    assert _backend._wasm_tried is False
    info = RustEngine().get_engine_info()
    assert info["wasm_available"] is False and info["wasm_version"] is None


def test_wasm_engine_that_cannot_start_warns_once_and_falls_back(emscripten_without_js):
    with pytest.warns(RuntimeWarning, match=r"the wasm engine could not start \(.*js") as record:
        engine = RustEngine()
    assert len([w for w in record if issubclass(w.category, RuntimeWarning)]) == 1
    assert engine.backend == "python"
    assert RustEngine.is_rust_available() is False
    info = engine.get_engine_info()
    assert (info["backend"], info["wasm_available"], info["native_available"]) == (
        "python",
        False,
        False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second warning would raise here
        data = generate_sample_data("W", days=60, seed=4)
        assert RustEngine().run_sma_backtest(data, 3, 10).backend == "python"


def test_env_rust_demands_the_wasm_engine_under_emscripten(emscripten_without_js, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "rust")
    with pytest.raises(ImportError, match=f"^{ENV_VAR}=rust but the wasm engine could not start"):
        RustEngine()


def test_env_python_does_not_try_the_wasm_engine(emscripten_without_js, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "python")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert RustEngine().backend == "python"
    assert _backend._wasm_tried is False


def test_glue_becomes_a_function_body():
    if not GLUE.exists():
        # The first pytest pass of npm test runs before the npm build; the second (after it)
        # demands the glue, so this cannot skip into green there.
        if os.environ.get("QUANT_BACKTEST_EXPECT_GLUE") == "1":
            pytest.fail("QUANT_BACKTEST_EXPECT_GLUE=1 but pkg/wasm is not built")
        pytest.skip("pkg/wasm is not built (scripts/build-wasm.sh)")
    body = _wasm_bridge._module_body(GLUE.read_text(encoding="utf-8"))
    assert "import.meta" not in body
    assert not any(line.startswith(("export ", "import ")) for line in body.splitlines())
    assert "function initSync" in body and "class WasmMarketData" in body
    assert body.rstrip().endswith("};")


def test_glue_with_module_imports_is_refused():
    glue = "import * as x from './snippets/a.js';\nexport function initSync() {}\n"
    with pytest.raises(ImportError, match="module statement"):
        _wasm_bridge._module_body(glue)
    with pytest.raises(ImportError, match="the wasm glue has no version"):
        _wasm_bridge._module_body("export function initSync() {}\nexport { initSync };\n")
