//! Exponential moving average (TA-Lib's EMA: seeded with the mean of the first `period`).

use super::fold;

/// The streaming EMA: `alpha = 2 / (period + 1)`; the value at the `period`-th number is the
/// plain mean of the first `period`, then `e = (x - e) * alpha + e`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Ema {
    period: usize,
    #[serde(with = "crate::state_json::float")]
    alpha: f64,
    seen: usize,
    /// The plain sum of the first values while seeding, then the average itself.
    #[serde(with = "crate::state_json::float")]
    value: f64,
}

impl Ema {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Ema {
            period,
            alpha: 2.0 / (period as f64 + 1.0),
            seen: 0,
            value: 0.0,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if self.seen == 0 && x.is_nan() {
            return f64::NAN;
        }
        self.push(x)
    }

    /// Whether the next value is still part of the seed (no value yet).
    pub(crate) fn is_seeding(&self) -> bool {
        self.seen < self.period
    }

    /// `update` without skipping leading NaNs: `macd` feeds its inner averages values that
    /// sit at fixed places.
    pub(crate) fn push(&mut self, x: f64) -> f64 {
        self.seen += 1;
        if self.seen < self.period {
            self.value += x;
            f64::NAN
        } else if self.seen == self.period {
            self.value += x;
            self.value /= self.period as f64;
            self.value
        } else {
            self.value = (x - self.value) * self.alpha + self.value;
            self.value
        }
    }
}

/// The EMA of `values` over `period` (first valid index `period - 1`).
pub fn ema(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Ema::new(period);
    fold(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_close, assert_same_bits, first_valid, series};

    #[test]
    fn hand_checked() {
        let e = ema(&[1.0, 2.0, 3.0, 4.0, 10.0], 3);
        assert!(e[0].is_nan() && e[1].is_nan());
        assert_eq!(e[2], 2.0);
        assert_eq!(e[3], 3.0); // (4 - 2) * 0.5 + 2
        assert_eq!(e[4], 6.5); // (10 - 3) * 0.5 + 3
        assert_eq!(ema(&[1.0, 5.0], 1), vec![1.0, 5.0]);
        assert!(ema(&[1.0, 5.0], 3).iter().all(|v| v.is_nan()));
        assert_eq!(ema(&[1.0, 5.0], 2)[1], 3.0);
    }

    #[test]
    fn streaming_equals_batch_and_matches_the_definition() {
        let x = series(2000, 3);
        for p in [1, 2, 9, 26, 200, 2000, 2001] {
            let batch = ema(&x, p);
            let mut state = Ema::new(p);
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            assert_same_bits(&streamed, &batch, &format!("ema p={p}"));
            assert_eq!(first_valid(&batch), (p - 1).min(x.len()));
            if p <= x.len() {
                let mut e = x[..p].iter().sum::<f64>() / p as f64;
                assert_close(batch[p - 1], e, "seed");
                let alpha = 2.0 / (p as f64 + 1.0);
                for t in p..x.len() {
                    e += alpha * (x[t] - e);
                    assert_close(batch[t], e, "ema");
                }
            }
        }
    }

    #[test]
    fn leading_nans_are_skipped() {
        let x = [f64::NAN, f64::NAN, 1.0, 2.0, 3.0];
        let e = ema(&x, 2);
        assert!(e[..3].iter().all(|v| v.is_nan()));
        assert_eq!(&e[3..], &[1.5, 2.5]);
    }
}
