//! Population standard deviation (TA-Lib's STDDEV with `nbdev` 1, over its VAR).

use std::collections::VecDeque;

use super::fold;

/// The streaming standard deviation: running plain sums of `x` and `x * x`,
/// `var = s2 / p - (s1 / p)^2`, 0 below 1e-8 (TA-Lib's `TA_IS_ZERO_OR_NEG`).
#[derive(Debug, Clone)]
pub struct Stddev {
    period: usize,
    divisor: f64,
    window: VecDeque<f64>,
    sum: f64,
    sum_sq: f64,
    started: bool,
}

impl Stddev {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Stddev {
            period,
            divisor: period as f64,
            window: VecDeque::new(),
            sum: 0.0,
            sum_sq: 0.0,
            started: false,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if !self.started {
            if x.is_nan() {
                return f64::NAN;
            }
            self.started = true;
        }
        self.sum += x;
        self.sum_sq += x * x;
        self.window.push_back(x);
        if self.window.len() < self.period {
            return f64::NAN;
        }
        let mean = self.sum / self.divisor;
        let mean_sq = self.sum_sq / self.divisor;
        let variance = mean_sq - mean * mean;
        // The value leaving the window goes after the output, as in TA-Lib.
        let leaving = self.window.pop_front().unwrap_or(f64::NAN);
        self.sum -= leaving;
        self.sum_sq -= leaving * leaving;
        if variance < 1e-8 {
            0.0
        } else {
            variance.sqrt()
        }
    }
}

/// The population standard deviation of `values` over `period` (first valid index
/// `period - 1`).
pub fn stddev(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Stddev::new(period);
    fold(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn hand_checked() {
        let s = stddev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8);
        assert_eq!(s[7], 2.0);
        let s = stddev(&[1.0, 3.0, 3.0, 3.0], 2);
        assert!(s[0].is_nan());
        assert_eq!(&s[1..], &[1.0, 0.0, 0.0]);
        assert_eq!(stddev(&[1.0, 5.0], 1), vec![0.0, 0.0]);
        assert!(stddev(&[1.0, 5.0], 3).iter().all(|v| v.is_nan()));
        // A variance below 1e-8 is 0.
        assert_eq!(stddev(&[1.0, 1.0001], 2)[1], 0.0);
        assert!(stddev(&[1.0, 1.001], 2)[1] > 0.0);
    }

    #[test]
    fn only_leading_nans_are_skipped() {
        let s = stddev(&[f64::NAN, 1.0, f64::NAN, 2.0], 1);
        assert!(s[0].is_nan() && s[2].is_nan() && s[3].is_nan());
        assert_eq!(s[1], 0.0);
    }

    #[test]
    fn streaming_equals_batch() {
        let x = series(2500, 13);
        for p in [1, 2, 5, 20, 2500, 2501] {
            let batch = stddev(&x, p);
            let mut state = Stddev::new(p);
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            assert_same_bits(&streamed, &batch, &format!("stddev p={p}"));
            assert_eq!(first_valid(&batch), (p - 1).min(x.len()));
            for t in p.saturating_sub(1)..x.len() {
                let w = &x[t + 1 - p..=t];
                let m = w.iter().sum::<f64>() / p as f64;
                let v = w.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / p as f64;
                // E[x^2] - E[x]^2 cancels: compare variances to the scale of E[x^2], away
                // from the 1e-8 cut.
                if (0.5e-8..2e-8).contains(&v) {
                    continue;
                }
                let got = batch[t] * batch[t];
                let want = if v < 1e-8 { 0.0 } else { v };
                assert!((got - want).abs() <= 1e-12 * m * m, "p={p} t={t}");
            }
        }
    }
}
