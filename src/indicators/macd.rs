//! Moving average convergence/divergence (TA-Lib's MACD and its alignment of the two seeds).

use super::ema::Ema;
use super::fold3;

/// The streaming MACD: `[macd, signal, hist]`, all NaN until the signal line starts (index
/// `slow - 1 + signal - 1`). Both averages start at index `slow - 1`: the fast one is seeded
/// with the mean of the `fast` values ending there, as TA-Lib does.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Macd {
    fast_start: usize,
    slow_period: usize,
    seen: usize,
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Macd {
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        debug_assert!(1 <= fast && fast < slow && signal >= 1);
        Macd {
            fast_start: slow - fast,
            slow_period: slow,
            seen: 0,
            fast: Ema::new(fast),
            slow: Ema::new(slow),
            signal: Ema::new(signal),
        }
    }

    pub fn update(&mut self, x: f64) -> [f64; 3] {
        const NONE: [f64; 3] = [f64::NAN; 3];
        if self.seen == 0 && x.is_nan() {
            return NONE;
        }
        let index = self.seen;
        self.seen += 1;
        let slow = self.slow.push(x);
        if index < self.fast_start {
            return NONE;
        }
        let fast = self.fast.push(x);
        if index + 1 < self.slow_period {
            return NONE;
        }
        let macd = fast - slow;
        let signal = self.signal.push(macd);
        if self.signal.is_seeding() {
            return NONE;
        }
        [macd, signal, macd - signal]
    }
}

/// `[macd, signal, hist]` of `values` (first valid index `slow - 1 + signal - 1`).
pub fn macd(values: &[f64], fast: usize, slow: usize, signal: usize) -> [Vec<f64>; 3] {
    let mut state = Macd::new(fast, slow, signal);
    fold3(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::ema::ema;
    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn equals_its_definition() {
        let x = series(1000, 9);
        for (f, s, g) in [(12, 26, 9), (1, 2, 1), (3, 10, 1), (5, 6, 20)] {
            let [m, sig, hist] = macd(&x, f, s, g);
            let start = s - 1 + g - 1;
            assert_eq!(first_valid(&m), start);
            assert_eq!(first_valid(&sig), start);
            assert_eq!(first_valid(&hist), start);
            // The fast EMA over the values from `slow - fast`, the slow one over all.
            let fast = ema(&x[s - f..], f);
            let slow = ema(&x, s);
            let line: Vec<f64> = (s - 1..x.len())
                .map(|t| fast[t - (s - f)] - slow[t])
                .collect();
            let signal = ema(&line, g);
            for t in start..x.len() {
                let k = t - (s - 1);
                assert_eq!(m[t].to_bits(), line[k].to_bits(), "macd t={t}");
                assert_eq!(sig[t].to_bits(), signal[k].to_bits(), "signal t={t}");
                assert_eq!(hist[t].to_bits(), (line[k] - signal[k]).to_bits());
            }
            let mut state = Macd::new(f, s, g);
            let streamed: Vec<[f64; 3]> = x.iter().map(|&v| state.update(v)).collect();
            for (i, out) in [&m, &sig, &hist].into_iter().enumerate() {
                let column: Vec<f64> = streamed.iter().map(|r| r[i]).collect();
                assert_same_bits(&column, out, "macd streaming");
            }
        }
    }

    #[test]
    fn short_inputs() {
        let x = series(33, 1);
        assert!(macd(&x, 12, 26, 9)
            .iter()
            .all(|o| o.iter().all(|v| v.is_nan())));
        let x = series(34, 1);
        let [m, _, _] = macd(&x, 12, 26, 9);
        assert_eq!(first_valid(&m), 33);
    }
}
