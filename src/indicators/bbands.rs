//! Bollinger bands: the SMA plus and minus `k` population standard deviations.

use super::fold3;
use super::sma::Sma;
use super::stddev::Stddev;

/// The streaming bands: `[upper, middle, lower]` with `middle` = the SMA, `sd` = the
/// standard deviation as [`Stddev`] computes it, `upper = middle + k * sd`,
/// `lower = middle - k * sd`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Bbands {
    #[serde(with = "crate::state_json::float")]
    k: f64,
    middle: Sma,
    deviation: Stddev,
}

impl Bbands {
    pub fn new(period: usize, k: f64) -> Self {
        debug_assert!(period >= 1 && k >= 0.0);
        Bbands {
            k,
            middle: Sma::new(period),
            deviation: Stddev::new(period),
        }
    }

    pub fn update(&mut self, x: f64) -> [f64; 3] {
        // Both inner states skip the same leading NaNs, so they stay aligned.
        let middle = self.middle.update(x);
        let deviation = self.deviation.update(x);
        if middle.is_nan() && deviation.is_nan() {
            return [f64::NAN; 3];
        }
        let width = self.k * deviation;
        [middle + width, middle, middle - width]
    }
}

/// `[upper, middle, lower]` of `values` over `period` (first valid index `period - 1`).
pub fn bbands(values: &[f64], period: usize, k: f64) -> [Vec<f64>; 3] {
    let mut state = Bbands::new(period, k);
    fold3(values, |x| state.update(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::sma::sma;
    use crate::indicators::stddev::stddev;
    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn equals_its_definition() {
        let x = series(2000, 17);
        for (p, k) in [
            (20, 2.0),
            (1, 2.0),
            (5, 0.0),
            (50, 1.5),
            (2000, 3.0),
            (2001, 2.0),
        ] {
            let [upper, middle, lower] = bbands(&x, p, k);
            let m = sma(&x, p);
            let sd = stddev(&x, p);
            assert_same_bits(&middle, &m, "middle");
            let up: Vec<f64> = m.iter().zip(&sd).map(|(m, s)| m + k * s).collect();
            let low: Vec<f64> = m.iter().zip(&sd).map(|(m, s)| m - k * s).collect();
            assert_same_bits(&upper, &up, "upper");
            assert_same_bits(&lower, &low, "lower");
            assert_eq!(first_valid(&upper), (p - 1).min(x.len()));
            let mut state = Bbands::new(p, k);
            let streamed: Vec<[f64; 3]> = x.iter().map(|&v| state.update(v)).collect();
            for (i, out) in [&upper, &middle, &lower].into_iter().enumerate() {
                let column: Vec<f64> = streamed.iter().map(|r| r[i]).collect();
                assert_same_bits(&column, out, "bbands streaming");
            }
        }
    }

    #[test]
    fn hand_checked() {
        let [u, m, l] = bbands(&[1.0, 3.0, 3.0], 2, 2.0);
        assert!(u[0].is_nan() && m[0].is_nan() && l[0].is_nan());
        assert_eq!((u[1], m[1], l[1]), (4.0, 2.0, 0.0));
        assert_eq!((u[2], m[2], l[2]), (3.0, 3.0, 3.0));
    }
}
