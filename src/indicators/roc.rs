//! Rate of change in percent (TA-Lib's ROC).

use std::collections::VecDeque;

use super::fold;

/// The streaming ROC: `x[t-p] != 0 ? (x[t] / x[t-p] - 1) * 100 : 0`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Roc {
    period: usize,
    /// The last `period` values.
    #[serde(with = "crate::state_json::floats")]
    window: VecDeque<f64>,
}

impl Roc {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Roc {
            period,
            window: VecDeque::new(),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if self.window.is_empty() && x.is_nan() {
            return f64::NAN;
        }
        let value = if self.window.len() == self.period {
            let before = self.window.pop_front().unwrap_or(f64::NAN);
            if before != 0.0 {
                (x / before - 1.0) * 100.0
            } else {
                0.0
            }
        } else {
            f64::NAN
        };
        self.window.push_back(x);
        value
    }
}

/// The ROC of `values` over `period` (first valid index `period`).
pub fn roc(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Roc::new(period);
    fold(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn hand_checked() {
        let r = roc(&[100.0, 110.0, 99.0, 0.0, 5.0], 1);
        assert!(r[0].is_nan());
        assert_eq!(r[1], (110.0 / 100.0 - 1.0) * 100.0);
        assert_eq!(r[2], (99.0 / 110.0 - 1.0) * 100.0);
        assert_eq!(r[3], -100.0);
        assert_eq!(r[4], 0.0); // the value 1 bar back is 0
        assert_eq!(roc(&[50.0, 1.0, 100.0], 2)[2], 100.0);
        assert!(roc(&[50.0, 1.0], 2).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn streaming_equals_batch() {
        let x = series(2000, 23);
        for p in [1, 2, 10, 1999, 2000] {
            let batch = roc(&x, p);
            let mut state = Roc::new(p);
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            assert_same_bits(&streamed, &batch, &format!("roc p={p}"));
            assert_eq!(first_valid(&batch), p.min(x.len()));
        }
    }
}
