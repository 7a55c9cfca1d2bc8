//! Relative strength index (TA-Lib 0.8's RSI, bit for bit: Wilder's smoothing seeded with the
//! mean of the first `period` changes, scaled by a hoisted `1 / period`; 0 where gains and losses
//! are both 0, tested exactly, so a series quoted in tiny units keeps its index).

use super::fold;

/// The streaming RSI (first valid value at the `period + 1`-th number, index `period`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rsi {
    period: usize,
    #[serde(with = "crate::state_json::float")]
    inv_period: f64,
    /// Values seen, the first included (so `seen - 1` changes).
    seen: usize,
    #[serde(with = "crate::state_json::float")]
    previous: f64,
    #[serde(with = "crate::state_json::float")]
    gain: f64,
    #[serde(with = "crate::state_json::float")]
    loss: f64,
}

impl Rsi {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Rsi {
            period,
            inv_period: 1.0 / period as f64,
            seen: 0,
            previous: f64::NAN,
            gain: 0.0,
            loss: 0.0,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if self.seen == 0 {
            if !x.is_nan() {
                self.previous = x;
                self.seen = 1;
            }
            return f64::NAN;
        }
        let change = x - self.previous;
        self.previous = x;
        let changes = self.seen; // including this one
        self.seen += 1;
        if changes > self.period {
            let kept = (self.period - 1) as f64;
            self.gain *= kept;
            self.loss *= kept;
        }
        if change < 0.0 {
            self.loss -= change;
        } else {
            self.gain += change;
        }
        if changes < self.period {
            return f64::NAN;
        }
        self.gain *= self.inv_period;
        self.loss *= self.inv_period;
        let total = self.gain + self.loss;
        if total > 0.0 {
            100.0 * (self.gain / total)
        } else {
            0.0
        }
    }
}

/// The RSI of `values` over `period` (first valid index `period`).
pub fn rsi(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Rsi::new(period);
    fold(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_close, assert_same_bits, first_valid, series};

    #[test]
    fn hand_checked() {
        // changes +1, -2, +3: seed gain (1 + 0) * 0.5 = 0.5, loss 2 * 0.5 = 1.0 -> 100 / 3
        let r = rsi(&[10.0, 11.0, 9.0, 12.0], 2);
        assert!(r[0].is_nan() && r[1].is_nan());
        assert_close(r[2], 100.0 * (0.5 / 1.5), "seed");
        // gain (0.5 * 1 + 3) * 0.5 = 1.75, loss (1.0 * 1) * 0.5 = 0.5
        assert_close(r[3], 100.0 * (1.75 / 2.25), "next");
        assert_eq!(rsi(&[5.0, 5.0, 5.0], 2)[2], 0.0);
        assert_eq!(rsi(&[5.0, 6.0, 7.0], 2)[2], 100.0);
        assert!(rsi(&[5.0, 6.0], 2).iter().all(|v| v.is_nan()));
        assert_eq!(rsi(&[5.0, 6.0, 4.0, 4.0], 1)[1..], [100.0, 0.0, 0.0]);
        // Tiny units keep their index (no fixed band around 0).
        let tiny = rsi(&[1e-9, 2e-9, 1e-9 + 1e-18], 1);
        assert_eq!(tiny[1], 100.0);
        assert_eq!(tiny[2], 0.0);
        let tiny = rsi(&[1e-9, 1.1e-9, 1.05e-9], 2);
        assert!(
            (tiny[2] - 100.0 * (0.1 / 0.15)).abs() < 1e-6,
            "{:?}",
            tiny[2]
        );
    }

    #[test]
    fn streaming_equals_batch() {
        let x = series(3000, 5);
        for p in [1, 2, 14, 100, 2999, 3000] {
            let batch = rsi(&x, p);
            let mut state = Rsi::new(p);
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            assert_same_bits(&streamed, &batch, &format!("rsi p={p}"));
            assert_eq!(first_valid(&batch), p.min(x.len()));
            assert!(batch
                .iter()
                .all(|v| v.is_nan() || (0.0..=100.0).contains(v)));
        }
    }
}
