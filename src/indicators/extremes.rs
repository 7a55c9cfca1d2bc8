//! Rolling maximum and minimum (TA-Lib's MAX / MIN; the Donchian channel).
//!
//! A monotonic deque keeps the candidates, so each value is pushed and popped once (O(1)
//! amortised per update) and the answer is exactly one of the window's values. On ties the
//! latest value is kept, as TA-Lib does (it matters only for `0.0` against `-0.0`). A NaN
//! inside the window (after the leading ones, which are skipped) makes the value NaN.

use std::collections::VecDeque;

use super::fold;

/// The rolling extreme over the last `period` values; `keeps(a, b)` says whether `a` beats or
/// ties `b` (`>=` for the maximum).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Extreme {
    period: usize,
    seen: usize,
    /// (index, value), values strictly decreasing in the `keeps` order from the front.
    #[serde(with = "crate::state_json::indexed")]
    candidates: VecDeque<(usize, f64)>,
    last_nan: Option<usize>,
}

impl Extreme {
    fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Extreme {
            period,
            seen: 0,
            candidates: VecDeque::new(),
            last_nan: None,
        }
    }

    #[inline]
    fn update(&mut self, x: f64, keeps: impl Fn(f64, f64) -> bool) -> f64 {
        if self.seen == 0 && x.is_nan() {
            return f64::NAN;
        }
        let index = self.seen;
        self.seen += 1;
        if x.is_nan() {
            self.last_nan = Some(index);
        } else {
            while let Some(&(_, back)) = self.candidates.back() {
                if keeps(x, back) {
                    self.candidates.pop_back();
                } else {
                    break;
                }
            }
            self.candidates.push_back((index, x));
        }
        // Drop the candidates that left the window (index <= index - period).
        while let Some(&(i, _)) = self.candidates.front() {
            if i + self.period <= index {
                self.candidates.pop_front();
            } else {
                break;
            }
        }
        if self.seen < self.period {
            return f64::NAN;
        }
        if matches!(self.last_nan, Some(i) if i + self.period > index) {
            return f64::NAN;
        }
        self.candidates.front().map_or(f64::NAN, |&(_, v)| v)
    }
}

/// The streaming rolling maximum of the last `period` values.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Highest(Extreme);

impl Highest {
    pub fn new(period: usize) -> Self {
        Highest(Extreme::new(period))
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.0.update(x, |new, old| new >= old)
    }
}

/// The streaming rolling minimum of the last `period` values.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Lowest(Extreme);

impl Lowest {
    pub fn new(period: usize) -> Self {
        Lowest(Extreme::new(period))
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.0.update(x, |new, old| new <= old)
    }
}

/// The rolling maximum of `values` over `period` (first valid index `period - 1`).
pub fn highest(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Highest::new(period);
    fold(values, |x| state.update(x))
}

/// The rolling minimum of `values` over `period` (first valid index `period - 1`).
pub fn lowest(values: &[f64], period: usize) -> Vec<f64> {
    let mut state = Lowest::new(period);
    fold(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn hand_checked() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let h = highest(&x, 3);
        let l = lowest(&x, 3);
        assert!(h[..2].iter().all(|v| v.is_nan()) && l[..2].iter().all(|v| v.is_nan()));
        assert_eq!(&h[2..], &[4.0, 4.0, 5.0, 9.0, 9.0, 9.0]);
        assert_eq!(&l[2..], &[1.0, 1.0, 1.0, 1.0, 2.0, 2.0]);
        assert_eq!(highest(&x, 1), x.to_vec());
        assert_eq!(lowest(&x, 8)[7], 1.0);
        assert!(highest(&x, 9).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn equals_the_naive_window_and_streams() {
        let x = series(3000, 29);
        for p in [1, 2, 3, 20, 55, 2999, 3000, 3001] {
            let h = highest(&x, p);
            let l = lowest(&x, p);
            assert_eq!(first_valid(&h), (p - 1).min(x.len()));
            for t in p.saturating_sub(1)..x.len() {
                let w = &x[t + 1 - p..=t];
                assert_eq!(
                    h[t],
                    w.iter().cloned().fold(f64::MIN, f64::max),
                    "p={p} t={t}"
                );
                assert_eq!(
                    l[t],
                    w.iter().cloned().fold(f64::MAX, f64::min),
                    "p={p} t={t}"
                );
            }
            let mut hs = Highest::new(p);
            let mut ls = Lowest::new(p);
            let streamed_h: Vec<f64> = x.iter().map(|&v| hs.update(v)).collect();
            let streamed_l: Vec<f64> = x.iter().map(|&v| ls.update(v)).collect();
            assert_same_bits(&streamed_h, &h, "highest");
            assert_same_bits(&streamed_l, &l, "lowest");
        }
    }

    #[test]
    fn nans() {
        let nan = f64::NAN;
        let h = highest(&[nan, 1.0, 3.0, nan, 2.0, 1.0, 0.5], 2);
        assert!(h[..2].iter().all(|v| v.is_nan()));
        assert_eq!(h[2], 3.0);
        assert!(h[3].is_nan() && h[4].is_nan());
        assert_eq!(&h[5..], &[2.0, 1.0]);
    }

    #[test]
    fn ties_keep_the_latest() {
        assert!(highest(&[-0.0, 0.0], 2)[1].is_sign_positive());
        assert!(highest(&[0.0, -0.0], 2)[1].is_sign_negative());
    }
}
