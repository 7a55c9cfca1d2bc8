//! Deterministic sample bars (docs/CONVENTIONS.md, "Sample data"): SplitMix64 and only
//! `+ - * floor max min`, so Rust, wasm and the Python fallback produce the same bits.

use crate::data::dates::{business_days, days_from_civil};
use crate::data::MarketData;
use crate::error::{BacktestError, Result};

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and easy to reproduce in any language.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A seed from the OS's hash randomisation (no extra dependency, no clock on wasm).
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5EED);
    h.finish()
}

/// The most bars [`generate_sample_data`] makes (about 38,000 years of business days): far
/// beyond any use, and small enough that every platform, 32-bit wasm included, can hold them.
pub const MAX_SAMPLE_DAYS: i64 = 10_000_000;

/// `days` checked: 1 to [`MAX_SAMPLE_DAYS`].
pub(crate) fn check_days(days: i128) -> Result<usize> {
    if days < 1 {
        return Err(BacktestError::TooSmall {
            name: "days".into(),
            value: days,
            min: 1,
        });
    }
    if days > MAX_SAMPLE_DAYS.into() {
        return Err(BacktestError::TooLarge {
            name: "days".into(),
            value: days,
            max: MAX_SAMPLE_DAYS,
        });
    }
    Ok(days as usize)
}

/// `days` business-day bars from 2020-01-01 starting near `start_price`.
pub fn generate_sample_data(
    symbol: &str,
    days: impl Into<i128>,
    start_price: f64,
    seed: u64,
) -> Result<MarketData> {
    let n = check_days(days.into())?;
    if !(start_price.is_finite() && start_price > 0.0) {
        return Err(BacktestError::BadParameter {
            name: "start_price",
            domain: "a finite number > 0",
            value: start_price,
        });
    }
    let mut rng = SplitMix64::new(seed);
    let (mut open, mut high, mut low, mut close, mut volume) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let mut prev_close = start_price;
    for _ in 0..n {
        let mut z = 0.0;
        for _ in 0..12 {
            z += rng.uniform();
        }
        z -= 6.0;
        let (gap, hi, lo, vol) = (rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform());
        let o = prev_close * (1.0 + 0.004 * (gap - 0.5));
        let c = o * (1.0 + (0.0003 + 0.015 * z));
        open.push(o);
        close.push(c);
        high.push(o.max(c) * (1.0 + 0.01 * hi));
        low.push(o.min(c) * (1.0 - 0.01 * lo));
        volume.push(1_000_000.0 + (vol * 9_000_000.0).floor());
        prev_close = c;
    }
    let dates = business_days(days_from_civil(2020, 1, 1), n);
    MarketData::new(symbol, dates, open, high, low, close, volume)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 1234567 from the reference C implementation (Vigna).
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        assert_eq!(r.next_u64(), 9817491932198370423);
    }

    #[test]
    fn same_seed_same_bars_and_valid() {
        let a = generate_sample_data("S", 2000, 100.0, 42).unwrap();
        let b = generate_sample_data("S", 2000, 100.0, 42).unwrap();
        assert_eq!(a, b);
        let c = generate_sample_data("S", 2000, 100.0, 43).unwrap();
        assert_ne!(a.close(), c.close());
        assert_eq!(a.dates()[0], "2020-01-01");
        assert_eq!(a.len(), 2000);
    }

    #[test]
    fn refuses_bad_arguments() {
        let e = generate_sample_data("S", 0, 100.0, 1).unwrap_err();
        assert_eq!(e.to_string(), "days must be >= 1, got 0");
        let e = generate_sample_data("S", 10_000_001, 100.0, 1).unwrap_err();
        assert_eq!(e.to_string(), "days must be <= 10000000, got 10000001");
        let e = generate_sample_data("S", 5, -1.0, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "start_price must be a finite number > 0, got -1.0"
        );
    }
}
