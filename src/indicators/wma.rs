//! Weighted moving average (TA-Lib's WMA: weights 1..=period, the newest heaviest).

use std::collections::VecDeque;

use super::fold;

/// The streaming WMA: `sum_{j=1..p} j * x[t-p+j]` (j ascending) `/ (p * (p + 1) / 2)`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Wma {
    period: usize,
    #[serde(with = "crate::state_json::float")]
    divisor: f64,
    #[serde(with = "crate::state_json::floats")]
    window: VecDeque<f64>,
}

impl Wma {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        let p = period as f64;
        Wma {
            period,
            divisor: p * (p + 1.0) / 2.0,
            window: VecDeque::new(),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if self.window.is_empty() && x.is_nan() {
            return f64::NAN;
        }
        self.window.push_back(x);
        if self.window.len() > self.period {
            self.window.pop_front();
        }
        if self.window.len() < self.period {
            return f64::NAN;
        }
        let mut sum = 0.0;
        for (j, &v) in self.window.iter().enumerate() {
            sum += (j + 1) as f64 * v;
        }
        sum / self.divisor
    }
}

/// The WMA of `values` over `period` (first valid index `period - 1`).
pub fn wma(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Wma::new(period);
    fold(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn hand_checked() {
        let w = wma(&[1.0, 2.0, 3.0, 4.0], 3);
        assert!(w[0].is_nan() && w[1].is_nan());
        assert_eq!(w[2], 14.0 / 6.0); // (1 + 4 + 9) / 6
        assert_eq!(w[3], 20.0 / 6.0); // (2 + 6 + 12) / 6
        assert_eq!(wma(&[3.0, 7.0], 1), vec![3.0, 7.0]);
        assert!(wma(&[3.0, 7.0], 3).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn streaming_equals_batch() {
        let x = series(1500, 11);
        for p in [1, 2, 10, 30, 1500, 1501] {
            let batch = wma(&x, p);
            let mut state = Wma::new(p);
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            assert_same_bits(&streamed, &batch, &format!("wma p={p}"));
            assert_eq!(first_valid(&batch), (p - 1).min(x.len()));
        }
    }
}
