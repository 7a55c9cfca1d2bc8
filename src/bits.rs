//! Per-bar booleans packed 64 to a word: bit `t` of a set is bit `t % 64` of word `t / 64`;
//! bits past the last bar are 0. Conditions are evaluated a word (64 bars) at a time, while a
//! run goes through the bars, so each series is read once, when the run needs it.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// Bit `t` is `f(t)`.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Self {
        let words = (0..len.div_ceil(64))
            .map(|w| {
                let start = w * 64;
                (start..(start + 64).min(len))
                    .fold(0u64, |x, t| x | (u64::from(f(t)) << (t - start)))
            })
            .collect();
        Self { words, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Word `w` (bars `64 w ..`).
    #[inline(always)]
    pub fn word(&self, w: usize) -> u64 {
        self.words[w]
    }
}

/// The mask of the bars of word `w` that exist among `len` bars.
#[inline(always)]
pub fn tail_mask(w: usize, len: usize) -> u64 {
    let valid = len.saturating_sub(w * 64);
    if valid >= 64 {
        !0
    } else {
        (1u64 << valid) - 1
    }
}

/// The first set bit of `word` at or after bit `from` of it, as a bar of word `w`.
#[inline(always)]
pub fn first_set(word: u64, from: usize) -> Option<usize> {
    let masked = word & (!0u64 << from);
    (masked != 0).then(|| masked.trailing_zeros() as usize)
}

/// Bit `i` is `op(a[i], b[i])` (`a` and `b` hold at most 64 values).
#[inline(always)]
pub fn compare_word(a: &[f64], b: &[f64], op: impl Fn(f64, f64) -> bool) -> u64 {
    a.iter()
        .zip(b)
        .enumerate()
        .fold(0u64, |x, (i, (&p, &q))| x | (u64::from(op(p, q)) << i))
}

/// Bit `i` is `op(a[i], c)`.
#[inline(always)]
pub fn compare_const_word(a: &[f64], c: f64, op: impl Fn(f64, f64) -> bool) -> u64 {
    a.iter()
        .enumerate()
        .fold(0u64, |x, (i, &p)| x | (u64::from(op(p, c)) << i))
}

/// `a < b` and `a > b` bit by bit (at most 64 values; NaN is neither): the comparisons of
/// a crossing.
#[inline(always)]
pub fn below_above_word(a: &[f64], b: &[f64]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    if a.len() == 64 && b.len() == 64 {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked just above).
            return unsafe { below_above_avx(a, b) };
        }
        return below_above_sse2(a, b);
    }
    (
        compare_word(a, b, |p, q| p < q),
        compare_word(a, b, |p, q| p > q),
    )
}

/// 64 values, two at a time: SSE2 is part of the x86_64 baseline. CMPLTPD / CMPGTPD are
/// ordered comparisons, false for NaN, as Rust's `<` and `>`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn below_above_sse2(a: &[f64], b: &[f64]) -> (u64, u64) {
    use std::arch::x86_64::{_mm_cmpgt_pd, _mm_cmplt_pd, _mm_loadu_pd, _mm_movemask_pd};
    assert!(a.len() == 64 && b.len() == 64);
    let (mut below, mut above) = (0u64, 0u64);
    for j in 0..32 {
        // SAFETY: `2 * j + 1 < 64` is inside both slices (checked above); SSE2 is always there.
        unsafe {
            let x = _mm_loadu_pd(a.as_ptr().add(2 * j));
            let y = _mm_loadu_pd(b.as_ptr().add(2 * j));
            below |= (_mm_movemask_pd(_mm_cmplt_pd(x, y)) as u64) << (2 * j);
            above |= (_mm_movemask_pd(_mm_cmpgt_pd(x, y)) as u64) << (2 * j);
        }
    }
    (below, above)
}

/// 64 values, four at a time, where the CPU has AVX (`_CMP_LT_OQ` / `_CMP_GT_OQ`: ordered,
/// false for NaN, as Rust's `<` and `>`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn below_above_avx(a: &[f64], b: &[f64]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm256_cmp_pd, _mm256_loadu_pd, _mm256_movemask_pd, _CMP_GT_OQ, _CMP_LT_OQ,
    };
    assert!(a.len() == 64 && b.len() == 64);
    let (mut below, mut above) = (0u64, 0u64);
    for j in 0..16 {
        // SAFETY: `4 * j + 3 < 64` is inside both slices (checked above).
        unsafe {
            let x = _mm256_loadu_pd(a.as_ptr().add(4 * j));
            let y = _mm256_loadu_pd(b.as_ptr().add(4 * j));
            below |= (_mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(x, y)) as u64) << (4 * j);
            above |= (_mm256_movemask_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(x, y)) as u64) << (4 * j);
        }
    }
    (below, above)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_equal_bit_by_bit() {
        let mut x: Vec<f64> = (0..64).map(|i| ((i * 37) % 11) as f64).collect();
        let y: Vec<f64> = (0..64).map(|i| ((i * 53) % 7) as f64 + 2.0).collect();
        x[3] = f64::NAN;
        x[40] = f64::NAN;
        let bit = |f: &dyn Fn(usize) -> bool| (0..64).fold(0u64, |w, i| w | (u64::from(f(i)) << i));
        for len in [64, 63, 1] {
            let (below, above) = below_above_word(&x[..len], &y[..len]);
            let m = tail_mask(0, len);
            assert_eq!(below, bit(&|i| x[i] < y[i]) & m);
            assert_eq!(above, bit(&|i| x[i] > y[i]) & m);
        }
        #[cfg(target_arch = "x86_64")]
        {
            let want = (bit(&|i| x[i] < y[i]), bit(&|i| x[i] > y[i]));
            assert_eq!(below_above_sse2(&x, &y), want);
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: the CPU has AVX.
                assert_eq!(unsafe { below_above_avx(&x, &y) }, want);
            }
        }
        assert_eq!(compare_word(&x, &y, |p, q| p >= q), bit(&|i| x[i] >= y[i]));
        assert_eq!(
            compare_const_word(&x, 5.0, |p, c| p <= c),
            bit(&|i| x[i] <= 5.0)
        );
        assert_eq!(first_set(0b1010_0000, 6), Some(7));
        assert_eq!(first_set(0b1010_0000, 8), None);
        assert_eq!(tail_mask(1, 70), 0b11_1111);
        let b = Bits::from_fn(130, |t| t % 7 == 0);
        assert_eq!((b.word(1) >> (126 - 64)) & 1, 1);
        assert_eq!(b.word(2), 0);
    }
}
