//! Technical indicators with TA-Lib's definitions (docs/CONVENTIONS.md, "Indicators").
//!
//! Streaming first: each indicator is a small state machine fed one value at a time
//! (`update`), and the batch function is its fold, so the two agree bit for bit by
//! construction. Batch outputs have the input's length, NaN before the first valid index.
//!
//! Leading NaNs are skipped, as the `ta-lib` Python package does: an indicator of an indicator
//! (`sma` of `rsi`) starts where its source does, and its first valid index moves by as many
//! bars. A streaming state ignores NaN updates until the first number, returning NaN.
//!
//! Periods are validated by the callers (`>= 1`; `macd` also `fast < slow`). States keep
//! windows that grow with the values pushed, never allocating `period` values up front.
//! This module is self-contained (its one `crate::` use is `state_json`, how a live run saves
//! a state's floats): the strategy layer dispatches to it.

mod atr;
mod bbands;
mod ema;
mod extremes;
mod macd;
mod roc;
mod rsi;
mod sma;
mod stddev;
mod wma;

pub use atr::{atr, Atr};
pub use bbands::{bbands, Bbands};
pub use ema::{ema, Ema};
pub use extremes::{highest, lowest, Highest, Lowest};
pub use macd::{macd, Macd};
pub use roc::{roc, Roc};
pub use rsi::{rsi, Rsi};
pub use sma::{sma, sma_into, Sma};
pub use stddev::{stddev, Stddev};
pub use wma::{wma, Wma};

/// The batch form of a one-input, one-output state: `update` folded over `values`.
fn fold(values: &[f64], mut update: impl FnMut(f64) -> f64) -> Vec<f64> {
    values.iter().map(|&x| update(x)).collect()
}

/// The batch form of a one-input, three-output state (`macd`, `bbands`).
fn fold3(values: &[f64], mut update: impl FnMut(f64) -> [f64; 3]) -> [Vec<f64>; 3] {
    let mut out = [
        Vec::with_capacity(values.len()),
        Vec::with_capacity(values.len()),
        Vec::with_capacity(values.len()),
    ];
    for &x in values {
        let [a, b, c] = update(x);
        out[0].push(a);
        out[1].push(b);
        out[2].push(c);
    }
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    /// A deterministic, price-like series (a SplitMix64 random walk) with some repeats and a
    /// flat stretch, so that the equal-window and zero-change paths are exercised.
    pub fn series(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
        };
        let mut x = 100.0;
        let mut out = Vec::with_capacity(n);
        for t in 0..n {
            let u = next();
            if !(n / 3..n / 3 + 40).contains(&t) && u > 0.1 {
                x *= 1.0 + 0.02 * (next() - 0.5);
            }
            out.push(x);
        }
        out
    }

    /// Bitwise equality of two series (NaN equal to NaN at the same place).
    pub fn assert_same_bits(a: &[f64], b: &[f64], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        for (t, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                "{what}: t={t}: {x:?} != {y:?}"
            );
        }
    }

    /// The index of the first non-NaN value (the length when there is none).
    pub fn first_valid(a: &[f64]) -> usize {
        a.iter().position(|x| !x.is_nan()).unwrap_or(a.len())
    }

    pub fn assert_close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a:?} != {b:?}"
        );
    }
}
