//! The JS door (wasm-bindgen): conversions only. The npm package's JS (pkg-template/) wraps
//! these raw exports into `RustEngine`, `MarketData`, the strategy builder, ... and turns thrown
//! errors into its `BacktestError` class; every engine error crosses as a JS `Error` named
//! `BacktestError` with a `code`, and the instance stays usable (input is validated, nothing
//! panics).
//!
//! `seed`: the SMA crossover API. `convert`: JS values to and from the core's wire [`Value`]
//! (serde-wasm-bindgen). `strategy`: strategy trees, signals, sweeps and indicators on the wire
//! schema, as the Python door calls them. `live`: live runs, one bar pushed at a time; `live_portfolio`: a portfolio's,
//! one bar set per instant. `walk`: walk-forward optimisation.

mod convert;
mod live;
mod live_portfolio;
mod portfolio;
mod seed;
mod strategy;
mod walk;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::{BacktestError, WorkerPool};

// The threaded build's pool: `await initThreadPool(navigator.hardwareConcurrency)` in a Worker.
#[cfg(feature = "web-threads")]
#[allow(unused_imports)] // re-exported so that wasm-bindgen exports it to JS
pub use wasm_bindgen_rayon::init_thread_pool;

/// The pool grids and sweeps run on: every thread of the rayon pool in the threaded build, else
/// this one.
fn grid_pool() -> WorkerPool {
    #[cfg(feature = "web-threads")]
    {
        WorkerPool::new(None)
    }
    #[cfg(not(feature = "web-threads"))]
    {
        WorkerPool::serial()
    }
}

/// Threads a grid uses in this build (1 in the single-threaded build).
#[wasm_bindgen(js_name = threadCount)]
pub fn thread_count() -> usize {
    grid_pool().threads()
}

/// Whether this is the threaded build.
#[wasm_bindgen(js_name = isThreadedBuild)]
pub fn is_threaded_build() -> bool {
    cfg!(feature = "web-threads")
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
    crate::timing::set_clock(performance_now);
}

/// `performance.now()` of whatever global this runs in (a page, a Worker, Node), through web-sys.
fn performance_now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .filter(|p| p.is_object())
        .map_or(0.0, |p| p.unchecked_into::<web_sys::Performance>().now())
}

fn js_error(error: BacktestError) -> JsValue {
    let e = js_sys::Error::new(&error.to_string());
    e.set_name("BacktestError");
    let _ = Reflect::set(&e, &"code".into(), &error.code().into());
    e.into()
}

fn set(target: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    // Setting a data property on a plain object cannot fail.
    let _ = Reflect::set(target, &key.into(), &value.into());
}

/// An integer-valued JS number (the JS layer has refused fractions), exactly: every integral
/// double below 2^127 in magnitude is an `i128`, so a message names the value given (`2**70`
/// is 1180591620717411303424, not a saturated 64-bit value).
fn whole(value: f64) -> i128 {
    // `as` saturates beyond i128 (and maps NaN to 0, which the JS layer has refused).
    value as i128
}
