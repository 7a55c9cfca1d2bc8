#!/usr/bin/env bash
# The threaded browser build into pkg/wasm-mt/ (called by scripts/build-wasm.sh after pkg/ is
# assembled). Nightly + build-std with shared memory: rustc's `+atomics` alone no longer makes
# the memory shared, so the linker arguments below are needed (the toolchain notes of wasm-bindgen-rayon and rust-lang/rust#147225).
set -euo pipefail
cd "$(dirname "$0")/.."

NIGHTLY=${NIGHTLY:-nightly}
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  echo "==> rustup toolchain install $NIGHTLY"
  rustup toolchain install "$NIGHTLY" --profile minimal
fi
if ! rustup component list --toolchain "$NIGHTLY" --installed | grep -q '^rust-src'; then
  echo "==> rustup component add rust-src --toolchain $NIGHTLY"
  rustup component add rust-src --toolchain "$NIGHTLY"
fi
if ! rustup target list --toolchain "$NIGHTLY" --installed | grep -qx wasm32-unknown-unknown; then
  echo "==> rustup target add wasm32-unknown-unknown --toolchain $NIGHTLY"
  rustup target add wasm32-unknown-unknown --toolchain "$NIGHTLY"
fi

MT_RUSTFLAGS='-C target-feature=+atomics,+bulk-memory -C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base'
echo "==> cargo +$NIGHTLY build (threaded: web-threads, build-std) -> pkg/wasm-mt/"
# Its own target dir, so these RUSTFLAGS do not invalidate the stable builds.
CARGO_TARGET_DIR=target-mt RUSTFLAGS="$MT_RUSTFLAGS" cargo +"$NIGHTLY" build --release \
  --target wasm32-unknown-unknown --features web-threads -Z build-std=panic_abort,std 2>&1 \
  | grep -v "unstable feature specified for \`-Ctarget-feature\`: \`atomics\`" \
  | grep -v "this feature is not stably supported" || true
test -f target-mt/wasm32-unknown-unknown/release/quant_backtest.wasm
rm -rf pkg/wasm-mt
wasm-bindgen --target web --out-dir pkg/wasm-mt --out-name quant_backtest \
  target-mt/wasm32-unknown-unknown/release/quant_backtest.wasm
node_modules/.bin/wasm-opt -O3 --enable-threads --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue \
  pkg/wasm-mt/quant_backtest_bg.wasm -o pkg/wasm-mt/quant_backtest_bg.wasm
rm -f pkg/wasm-mt/.gitignore pkg/wasm-mt/package.json
# wasm-bindgen-rayon's helper initialises each thread with wasm-bindgen's deprecated positional
# arguments, which logs a console warning per thread; pass the object form it asks for instead.
helper=$(ls pkg/wasm-mt/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js)
grep -q 'await pkg.default(data.module, data.memory);' "$helper" \
  || { echo "wasm-bindgen-rayon's worker helper changed: revisit this patch" >&2; exit 1; }
sed -i 's/await pkg.default(data.module, data.memory);/await pkg.default({ module_or_path: data.module, memory: data.memory });/' "$helper"
raw=$(stat -c %s pkg/wasm-mt/quant_backtest_bg.wasm)
gz=$(gzip -9 -c pkg/wasm-mt/quant_backtest_bg.wasm | wc -c)
echo "pkg/wasm-mt ready: threaded wasm $raw bytes ($gz gzipped)"
