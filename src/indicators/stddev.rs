//! Population standard deviation: TA-Lib 0.8's STDDEV (`nbdev` 1) over its cancellation-free
//! VAR (`ta_codegen/input/var/var.c`: shifted sums, re-anchored when they lose digits).

use std::collections::VecDeque;

use super::fold;

/// The streaming standard deviation, the operations of TA-Lib's `var` then `sqrt`:
///
/// * running sums of `d = x - shift` and `d * d`, `shift` = the first value;
/// * per window: `m1 = s1 * inv; var = s2 * inv - m1 * m1` (`inv = 1.0 / p`), then the oldest
///   value leaves the sums;
/// * re-anchoring (`shift` = the plain mean of the window, the sums rebuilt over it, `var`
///   recomputed and set to 0 below `1e-12 * (s2 * inv)`, then the oldest value removed again)
///   when `var < 1e-6 * (s2 * inv)`, or the square that left exceeds `1e6 * s2`, or every
///   `32 * p` windows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Stddev {
    period: usize,
    #[serde(with = "crate::state_json::float")]
    inv_period: f64,
    /// The last `period - 1` values between updates (`period` during one).
    #[serde(with = "crate::state_json::floats")]
    window: VecDeque<f64>,
    #[serde(with = "crate::state_json::float")]
    shift: f64,
    #[serde(with = "crate::state_json::float")]
    sum: f64,
    #[serde(with = "crate::state_json::float")]
    sum_sq: f64,
    windows_to_reseed: usize,
    started: bool,
}

impl Stddev {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Stddev {
            period,
            inv_period: 1.0 / period as f64,
            window: VecDeque::new(),
            shift: 0.0,
            sum: 0.0,
            sum_sq: 0.0,
            windows_to_reseed: 32 * period,
            started: false,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if !self.started {
            if x.is_nan() {
                return f64::NAN;
            }
            self.started = true;
            self.shift = x;
        }
        let d = x - self.shift;
        self.sum += d;
        self.sum_sq += d * d;
        self.window.push_back(x);
        if self.window.len() < self.period {
            return f64::NAN;
        }
        let inv = self.inv_period;
        let mean = self.sum * inv;
        let mut variance = self.sum_sq * inv - mean * mean;
        let oldest = self.window.pop_front().unwrap_or(f64::NAN);
        let t = oldest - self.shift;
        self.sum -= t;
        let t_sq = t * t;
        self.sum_sq -= t_sq;
        self.windows_to_reseed -= 1;
        if variance < 0.000001 * (self.sum_sq * inv)
            || t_sq > 1000000.0 * self.sum_sq
            || self.windows_to_reseed == 0
        {
            variance = self.reseed(oldest);
        }
        variance.sqrt()
    }

    /// Re-anchors the shift at the mean of the window (`oldest`, then `self.window`), rebuilds
    /// the sums, and returns the window's variance; the sums end without `oldest`.
    fn reseed(&mut self, oldest: f64) -> f64 {
        let inv = self.inv_period;
        self.windows_to_reseed = 32 * self.period;
        let mut total = 0.0;
        total += oldest;
        for &v in &self.window {
            total += v;
        }
        self.shift = total * inv;
        self.sum = 0.0;
        self.sum_sq = 0.0;
        for v in std::iter::once(oldest).chain(self.window.iter().copied()) {
            let d = v - self.shift;
            self.sum += d;
            self.sum_sq += d * d;
        }
        let mean = self.sum * inv;
        let mut variance = self.sum_sq * inv - mean * mean;
        if variance < 0.000000000001 * (self.sum_sq * inv) {
            variance = 0.0;
        }
        let t = oldest - self.shift;
        self.sum -= t;
        self.sum_sq -= t * t;
        variance
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
        // No fixed cut: a tiny spread keeps its value (TA-Lib 0.8, its issue #243).
        let tiny = stddev(&[1.0, 1.0 + 2e-9], 2)[1];
        assert!((tiny - 1e-9).abs() < 1e-15, "{tiny:?}");
        assert_eq!(stddev(&[5.0; 40], 3)[39], 0.0);
        // A far outlier passing through leaves no cancellation residue.
        let mut x = vec![1.0, 2.0, 1e9, 1.0, 2.0, 1.0, 2.0];
        x.extend([1.5; 3]);
        let s = stddev(&x, 2);
        assert_eq!(s[4], 0.5);
        assert_eq!(s[9], 0.0);
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
                let exact = v.sqrt();
                assert!(
                    (batch[t] - exact).abs() <= 1e-9 * exact + 1e-12,
                    "p={p} t={t}: {:?} vs {exact:?}",
                    batch[t]
                );
            }
        }
    }
}
