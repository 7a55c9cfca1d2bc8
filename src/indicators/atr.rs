//! Average true range (TA-Lib's ATR: Wilder's smoothing of the true range).

/// The streaming ATR over `(high, low, close)` bars: the true range from the second bar on,
/// its mean over the first `period` at index `period`, then `a = (a * (p - 1) + tr) / p`.
/// `period = 1` gives the true range itself (first valid index 1).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Atr {
    period: usize,
    /// Bars seen, the first included (so `seen - 1` true ranges).
    seen: usize,
    #[serde(with = "crate::state_json::float")]
    previous_close: f64,
    /// The plain sum of the true ranges while seeding, then the average itself.
    #[serde(with = "crate::state_json::float")]
    value: f64,
}

impl Atr {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Atr {
            period,
            seen: 0,
            previous_close: f64::NAN,
            value: 0.0,
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        if self.seen == 0 {
            // Leading bars with a NaN are skipped (as the `ta-lib` package does).
            if !(high.is_nan() || low.is_nan() || close.is_nan()) {
                self.previous_close = close;
                self.seen = 1;
            }
            return f64::NAN;
        }
        let range = true_range(high, low, self.previous_close);
        self.previous_close = close;
        let ranges = self.seen; // including this one
        self.seen += 1;
        let p = self.period as f64;
        if self.period == 1 {
            return range;
        }
        if ranges < self.period {
            self.value += range;
            f64::NAN
        } else if ranges == self.period {
            self.value += range;
            self.value /= p;
            self.value
        } else {
            self.value *= (self.period - 1) as f64;
            self.value += range;
            self.value /= p;
            self.value
        }
    }
}

/// `max(high - low, |high - previous_close|, |low - previous_close|)`, compared in that order.
fn true_range(high: f64, low: f64, previous_close: f64) -> f64 {
    let mut greatest = high - low;
    let to_high = (high - previous_close).abs();
    if to_high > greatest {
        greatest = to_high;
    }
    let to_low = (low - previous_close).abs();
    if to_low > greatest {
        greatest = to_low;
    }
    greatest
}

/// The ATR of the bars over `period` (first valid index `period`). The three slices have the
/// same length (the callers check it).
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<f64> {
    debug_assert!(high.len() == close.len() && low.len() == close.len());
    let mut state = Atr::new(period);
    high.iter()
        .zip(low)
        .zip(close)
        .map(|((&h, &l), &c)| state.update(h, l, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_support::{assert_close, assert_same_bits, first_valid, series};

    fn bars(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let close = series(n, seed);
        let wiggle = series(n, seed + 1);
        let high: Vec<f64> = close
            .iter()
            .zip(&wiggle)
            .map(|(c, w)| c + w * 0.01)
            .collect();
        let low: Vec<f64> = close
            .iter()
            .zip(&wiggle)
            .map(|(c, w)| c - w * 0.013)
            .collect();
        (high, low, close)
    }

    #[test]
    fn hand_checked() {
        let high = [10.0, 12.0, 11.0, 15.0];
        let low = [9.0, 10.0, 8.0, 13.0];
        let close = [9.5, 11.0, 9.0, 14.0];
        // true ranges: 2.5 (12 - 9.5), 3.0 (11 - 8), 6.0 (15 - 9)
        let a = atr(&high, &low, &close, 2);
        assert!(a[0].is_nan() && a[1].is_nan());
        assert_eq!(a[2], 2.75);
        assert_eq!(a[3], (2.75 + 6.0) / 2.0);
        let one = atr(&high, &low, &close, 1);
        assert!(one[0].is_nan());
        assert_eq!(&one[1..], &[2.5, 3.0, 6.0]);
        assert!(atr(&high, &low, &close, 4).iter().all(|v| v.is_nan()));
        assert_eq!(atr(&high, &low, &close, 3)[3], 11.5 / 3.0);
    }

    #[test]
    fn streaming_equals_batch() {
        let (high, low, close) = bars(2000, 21);
        for p in [1, 2, 14, 100, 1999, 2000] {
            let batch = atr(&high, &low, &close, p);
            let mut state = Atr::new(p);
            let streamed: Vec<f64> = (0..close.len())
                .map(|t| state.update(high[t], low[t], close[t]))
                .collect();
            assert_same_bits(&streamed, &batch, &format!("atr p={p}"));
            assert_eq!(first_valid(&batch), p.min(close.len()));
            if p < close.len() {
                let tr = |t: usize| true_range(high[t], low[t], close[t - 1]);
                let mut a = (1..=p).map(tr).sum::<f64>() / p as f64;
                assert_close(batch[p], a, "seed");
                for (t, &got) in batch.iter().enumerate().skip(p + 1) {
                    a = (a * (p - 1) as f64 + tr(t)) / p as f64;
                    assert_close(got, a, "atr");
                }
            }
        }
    }

    #[test]
    fn leading_bars_with_a_nan_are_skipped() {
        let nan = f64::NAN;
        let a = atr(&[nan, 10.0, 12.0], &[1.0, 9.0, 10.0], &[1.0, 9.5, 11.0], 1);
        assert!(a[0].is_nan() && a[1].is_nan());
        assert_eq!(a[2], 2.5);
    }
}
