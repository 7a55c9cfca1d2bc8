//! Per-bar booleans packed 64 to a word: what a strategy's conditions produce and execution
//! reads. Bit `t` of the set is bit `t % 64` of word `t / 64`; bits past the last bar are 0.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    pub fn zeros(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Bit `t` is `f(t)`.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Self {
        let mut bits = Self::zeros(len);
        for (w, word) in bits.words.iter_mut().enumerate() {
            let start = w * 64;
            let end = (start + 64).min(len);
            let mut x = 0u64;
            for t in start..end {
                x |= u64::from(f(t)) << (t - start);
            }
            *word = x;
        }
        bits
    }

    /// Bit `t` is `a[t] op b[t]` (two slices of `len` values), in a loop the compiler can
    /// vectorise.
    pub fn compare(a: &[f64], b: &[f64], op: impl Fn(f64, f64) -> bool) -> Self {
        let len = a.len().min(b.len());
        let mut bits = Self::zeros(len);
        for (w, word) in bits.words.iter_mut().enumerate() {
            let start = w * 64;
            let end = (start + 64).min(len);
            let (a, b) = (&a[start..end], &b[start..end]);
            let mut x = 0u64;
            for (i, (&p, &q)) in a.iter().zip(b).enumerate() {
                x |= u64::from(op(p, q)) << i;
            }
            *word = x;
        }
        bits
    }

    /// Bit `t` is `a[t] op c`.
    pub fn compare_const(a: &[f64], c: f64, op: impl Fn(f64, f64) -> bool) -> Self {
        let mut bits = Self::zeros(a.len());
        for (w, word) in bits.words.iter_mut().enumerate() {
            let start = w * 64;
            let end = (start + 64).min(a.len());
            let mut x = 0u64;
            for (i, &p) in a[start..end].iter().enumerate() {
                x |= u64::from(op(p, c)) << i;
            }
            *word = x;
        }
        bits
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    pub fn get(&self, t: usize) -> bool {
        (self.words[t >> 6] >> (t & 63)) & 1 == 1
    }

    /// Bit `t` is `self[t-1]` (0 at `t = 0`).
    pub fn shifted_one(&self) -> Self {
        let mut words = Vec::with_capacity(self.words.len());
        let mut carry = 0u64;
        for &w in &self.words {
            words.push((w << 1) | carry);
            carry = w >> 63;
        }
        let mut bits = Self {
            words,
            len: self.len,
        };
        bits.clear_tail();
        bits
    }

    fn clear_tail(&mut self) {
        let r = self.len % 64;
        if r != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << r) - 1;
            }
        }
    }

    fn zip(&self, other: &Bits, f: impl Fn(u64, u64) -> u64) -> Self {
        let mut bits = Self {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(&a, &b)| f(a, b))
                .collect(),
            len: self.len,
        };
        bits.clear_tail();
        bits
    }

    pub fn and(&self, other: &Bits) -> Self {
        self.zip(other, |a, b| a & b)
    }

    pub fn or(&self, other: &Bits) -> Self {
        self.zip(other, |a, b| a | b)
    }

    /// `self and not other`.
    pub fn and_not(&self, other: &Bits) -> Self {
        self.zip(other, |a, b| a & !b)
    }

    pub fn not(&self) -> Self {
        let mut bits = Self {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        bits.clear_tail();
        bits
    }

    /// The first set bit at or after `from`, or `len`.
    #[inline]
    pub fn next_set(&self, from: usize) -> usize {
        if from >= self.len {
            return self.len;
        }
        let mut w = from >> 6;
        let mut word = self.words[w] & (!0u64 << (from & 63));
        loop {
            if word != 0 {
                return ((w << 6) + word.trailing_zeros() as usize).min(self.len);
            }
            w += 1;
            if w >= self.words.len() {
                return self.len;
            }
            word = self.words[w];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_and_scan() {
        let a = Bits::from_fn(130, |t| t % 7 == 0);
        assert!(a.get(0) && a.get(126) && !a.get(1));
        let s = a.shifted_one();
        assert!(!s.get(0) && s.get(1) && s.get(127) && !s.get(126));
        assert_eq!(a.next_set(1), 7);
        assert_eq!(a.next_set(127), 130);
        assert_eq!(a.not().next_set(0), 1);
        assert_eq!(a.not().next_set(126), 127);
        let b = Bits::compare(&[1.0, 2.0, f64::NAN], &[2.0, 1.0, 1.0], |x, y| x < y);
        assert!(b.get(0) && !b.get(1) && !b.get(2));
        assert_eq!(a.and_not(&a), Bits::zeros(130));
    }
}
