//! Wall-clock timing that compiles everywhere: `std::time::Instant` panics on
//! wasm32-unknown-unknown, where the wasm door measures time with the JS clock instead.

#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct Stopwatch(std::time::Instant);

#[cfg(not(target_arch = "wasm32"))]
impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self(std::time::Instant::now())
    }
    pub(crate) fn elapsed_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) struct Stopwatch;

#[cfg(target_arch = "wasm32")]
impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self
    }
    pub(crate) fn elapsed_ms(&self) -> f64 {
        0.0
    }
}
