//! A strategy's signals from a bar on: what a run over a window of the bars reads.

use crate::execution::run::SignalWords;

/// The words of `source` (signals of every bar from bar 0) from bar `start` on, bit 0 of the
/// first word being bar `start`. The conditions are evaluated on every bar before it too, so a
/// crossing at `start` sees the bar before it, as in a run over all the bars. The source is
/// never read past its `bars` (its last word's bits past them are masked by the run).
pub(crate) struct WindowWords<S> {
    source: S,
    /// The source's words not read yet.
    unread: usize,
    /// `start % 64`: how far each word is shifted.
    shift: u32,
    /// The source's word that holds the next word's first bar.
    current: [u64; 4],
}

impl<S: SignalWords> WindowWords<S> {
    /// `bars`: how many bars `source` has (`start` is one of them).
    pub(crate) fn new(source: S, bars: usize, start: usize) -> Self {
        debug_assert!(start < bars);
        let mut words = Self {
            source,
            unread: bars.div_ceil(64),
            shift: (start % 64) as u32,
            current: [0; 4],
        };
        for _ in 0..start / 64 {
            words.read();
        }
        words.current = words.read();
        words
    }

    fn read(&mut self) -> [u64; 4] {
        if self.unread == 0 {
            return [0; 4];
        }
        self.unread -= 1;
        self.source.next_words()
    }
}

impl<S: SignalWords> SignalWords for WindowWords<S> {
    fn next_words(&mut self) -> [u64; 4] {
        let next = self.read();
        if self.shift == 0 {
            return std::mem::replace(&mut self.current, next);
        }
        let out = std::array::from_fn(|k| {
            (self.current[k] >> self.shift) | (next[k] << (64 - self.shift))
        });
        self.current = next;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of one series whose bit `t` is `f(t)`, for all four sides.
    struct Pattern {
        w: usize,
        f: fn(usize) -> bool,
    }

    impl SignalWords for Pattern {
        fn next_words(&mut self) -> [u64; 4] {
            let base = self.w * 64;
            self.w += 1;
            let word = (0..64).fold(0u64, |x, i| x | (u64::from((self.f)(base + i)) << i));
            [word, !word, word, 0]
        }
    }

    #[test]
    fn bits_from_any_start() {
        let f: fn(usize) -> bool = |t| (t * 7 + t / 3) % 5 == 0;
        let bars = 64 * 8;
        for start in [0, 1, 5, 63, 64, 65, 127, 128, 200] {
            let mut words = WindowWords::new(Pattern { w: 0, f }, bars, start);
            for w in 0..4 {
                let got = words.next_words();
                for i in 0..64 {
                    let want = f(start + w * 64 + i);
                    assert_eq!(
                        (got[0] >> i) & 1 == 1,
                        want,
                        "start {start}, bar {}",
                        w * 64 + i
                    );
                    assert_eq!((got[1] >> i) & 1 == 1, !want);
                    assert_eq!((got[3] >> i) & 1, 0);
                }
            }
        }
    }

    /// A source that panics when read past its bars.
    struct Counted {
        w: usize,
        words: usize,
    }

    impl SignalWords for Counted {
        fn next_words(&mut self) -> [u64; 4] {
            assert!(self.w < self.words, "read past the last word");
            self.w += 1;
            [!0; 4]
        }
    }

    #[test]
    fn never_reads_past_the_bars() {
        for (bars, start) in [(100, 70), (128, 127), (64, 0), (65, 64), (200, 1)] {
            let source = Counted {
                w: 0,
                words: usize::div_ceil(bars, 64),
            };
            let mut words = WindowWords::new(source, bars, start);
            for _ in 0..(bars - start).div_ceil(64) {
                assert_eq!(words.next_words()[0] & 1, 1);
            }
        }
    }
}
