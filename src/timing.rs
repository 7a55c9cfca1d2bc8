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

/// The host's clock in milliseconds, installed by the wasm door (`performance.now`); the core
/// itself has no JS code. Without one, times read 0.
#[cfg(target_arch = "wasm32")]
static CLOCK: std::sync::OnceLock<fn() -> f64> = std::sync::OnceLock::new();

/// Installs the clock wasm builds time with (the first call wins).
#[cfg(target_arch = "wasm32")]
pub(crate) fn set_clock(clock: fn() -> f64) {
    let _ = CLOCK.set(clock);
}

#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    CLOCK.get().map_or(0.0, |clock| clock())
}

#[cfg(target_arch = "wasm32")]
pub(crate) struct Stopwatch(f64);

#[cfg(target_arch = "wasm32")]
impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self(now_ms())
    }
    pub(crate) fn elapsed_ms(&self) -> f64 {
        now_ms() - self.0
    }
}
