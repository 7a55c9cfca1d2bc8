//! A batch run over all bars: the per-bar step where something can happen, and tight loops
//! over the stretches where nothing can (same operations, same results).

use super::account::{Account, Bar, BarSignals};
use super::settings::{Direction, ExecSettings};
use super::trade::{RawTrade, Side};
use crate::bits::Bits;
use crate::data::MarketData;
use crate::metrics::{Metrics, MetricsAccumulator};

/// Where a run's signals come from: the four raw series (entry, exit, short_entry,
/// short_exit) one word of 64 bars at a time, in bar order, bits past the last bar 0 or not
/// (they are masked). A strategy evaluates its conditions here, as the run reaches the bars.
pub trait SignalWords {
    fn next_words(&mut self) -> [u64; 4];
}

/// Signals computed elsewhere (raw arrays), as bits.
#[derive(Debug, Clone)]
pub struct SignalSet {
    pub entry: Option<Bits>,
    pub exit: Option<Bits>,
    pub short_entry: Option<Bits>,
    pub short_exit: Option<Bits>,
}

/// A [`SignalSet`] read word by word.
pub(crate) struct SetWords<'a> {
    set: &'a SignalSet,
    w: usize,
}

impl<'a> SetWords<'a> {
    pub(crate) fn new(set: &'a SignalSet) -> Self {
        Self { set, w: 0 }
    }
}

impl SignalWords for SetWords<'_> {
    fn next_words(&mut self) -> [u64; 4] {
        let w = self.w;
        self.w += 1;
        let word = |b: &Option<Bits>| b.as_ref().map_or(0, |b| b.word(w));
        let s = self.set;
        [
            word(&s.entry),
            word(&s.exit),
            word(&s.short_entry),
            word(&s.short_exit),
        ]
    }
}

/// The effective signals of a word of bars (entry, exit, short entry, short exit): an entry
/// and an exit of one side on one bar cancel, and the direction drops the other side. A live
/// run applies it to one bar (bit 0).
#[inline(always)]
pub(crate) fn resolve(words: [u64; 4], direction: Direction) -> [u64; 4] {
    let [entry, exit, short_entry, short_exit] = words;
    let (mut le, mut lx) = (entry & !exit, exit & !entry);
    let (mut se, mut sx) = (short_entry & !short_exit, short_exit & !short_entry);
    match direction {
        Direction::LongOnly => (se, sx) = (0, 0),
        Direction::ShortOnly => (le, lx) = (0, 0),
        Direction::Both => {}
    }
    [le, lx, se, sx]
}

/// The effective signals, made a word at a time as the run asks for bars (it only goes
/// forward): conflicts and the direction applied, and per state the bars that can change it.
pub(crate) struct Effective<S> {
    source: S,
    direction: Direction,
    len: usize,
    /// Per word of bars: long entry, long exit, short entry, short exit, then the wake-ups of
    /// each state: flat (an entry of either side), long (a short entry or a long exit), short.
    words: Vec<[u64; 7]>,
}

/// The word buffer of an [`Effective`], kept between the runs of a sweep worker.
pub(crate) type WordBuffer = Vec<[u64; 7]>;

pub(crate) const FLAT_WAKE: usize = 4;
pub(crate) const LONG_WAKE: usize = 5;
pub(crate) const SHORT_WAKE: usize = 6;

impl<S: SignalWords> Effective<S> {
    pub(crate) fn new(source: S, direction: Direction, bars: usize) -> Self {
        Self::with_buffers(source, direction, bars, Default::default())
    }

    /// With the word buffers of an earlier run (a sweep worker reuses them).
    pub(crate) fn with_buffers(
        source: S,
        direction: Direction,
        bars: usize,
        mut words: WordBuffer,
    ) -> Self {
        words.clear();
        words.reserve(bars.div_ceil(64));
        Self {
            source,
            direction,
            len: bars,
            words,
        }
    }

    /// The word buffers, for the next run.
    pub(crate) fn into_buffers(self) -> WordBuffer {
        self.words
    }

    /// Makes the words up to word `w`.
    #[inline(always)]
    fn ensure(&mut self, w: usize) {
        while self.words.len() <= w {
            self.extend();
        }
    }

    fn extend(&mut self) {
        let w = self.words.len();
        let mask = crate::bits::tail_mask(w, self.len);
        let [le, lx, se, sx] = resolve(self.source.next_words().map(|x| x & mask), self.direction);
        self.words.push([le, lx, se, sx, le | se, se | lx, le | sx]);
    }

    #[inline(always)]
    pub(crate) fn at(&mut self, t: usize) -> BarSignals {
        let (w, b) = (t >> 6, t & 63);
        self.ensure(w);
        let bit = |k: usize| (self.words[w][k] >> b) & 1 == 1;
        BarSignals {
            long_entry: bit(0),
            long_exit: bit(1),
            short_entry: bit(2),
            short_exit: bit(3),
        }
    }

    /// The first bar at or after `from` set in wake-up set `k` within `from`'s word and
    /// `true`, or the end of that word (or of the bars) and `false`.
    #[inline(always)]
    fn wake_in_word(&mut self, k: usize, from: usize) -> (usize, bool) {
        let w = from >> 6;
        self.ensure(w);
        match crate::bits::first_set(self.words[w][k], from & 63) {
            Some(i) => ((w * 64 + i).min(self.len), true),
            None => (((w + 1) * 64).min(self.len), false),
        }
    }

    /// The first bar at or after `from` set in wake-up set `k`, or the number of bars.
    #[inline]
    pub(crate) fn next_wake(&mut self, k: usize, from: usize) -> usize {
        let (mut w, mut b) = (from >> 6, from & 63);
        while w * 64 < self.len {
            self.ensure(w);
            if let Some(i) = crate::bits::first_set(self.words[w][k], b) {
                return (w * 64 + i).min(self.len);
            }
            (w, b) = (w + 1, 0);
        }
        self.len
    }
}

/// The equity curve and closed trades, for callers that want more than metrics.
#[derive(Debug, Default)]
pub(crate) struct Details {
    pub equity: Vec<f64>,
    pub trades: Vec<RawTrade>,
    /// Bars that ended with a position open (the metrics' exposure, as a count).
    pub exposed_bars: usize,
}

/// Runs the signals over `data` and returns the metrics; `returns` is scratch for them; with
/// `details`, every bar's equity and every closed trade are kept too.
pub(crate) fn run<S: SignalWords>(
    data: &MarketData,
    signals: &mut Effective<S>,
    settings: &ExecSettings,
    returns: &mut Vec<f64>,
    mut details: Option<&mut Details>,
) -> Metrics {
    let (open, high, low, close) = (data.open(), data.high(), data.low(), data.close());
    let n = close.len();
    let bar = |t: usize| Bar {
        open: open[t],
        high: high[t],
        low: low[t],
        close: close[t],
    };
    let mut account = Account::new(settings);
    let mut trades = Vec::new();
    let keep = details.is_some();
    let mut sink = |trade: RawTrade| {
        if keep {
            trades.push(trade);
        }
    };
    // Bar 0 sets the first peak of the drawdown.
    let e0 = account.step(0, &bar(0), signals.at(0), &mut sink);
    let mut metrics = MetricsAccumulator::new(settings.initial_capital, e0, n, returns);
    metrics.push(0, e0);
    metrics.exposed_bars += usize::from(account.position.is_some());
    if let Some(d) = details.as_deref_mut() {
        d.equity.reserve(n);
        d.equity.push(e0);
    }
    let stops = settings.has_stops();
    let mut t = 1;
    while t < n {
        // Stretches with no order pending where no signal can act: flat, the equity is the
        // cash; in a position without stops, only the mark to market.
        if account.pending.is_none() {
            match account.position {
                None => {
                    let u = signals.next_wake(FLAT_WAKE, t);
                    if let Some(d) = details.as_deref_mut() {
                        d.equity.extend(std::iter::repeat_n(account.cash, u - t));
                    }
                    t = u;
                }
                Some(side) if !stops => {
                    let wake = match side {
                        Side::Long => LONG_WAKE,
                        Side::Short => SHORT_WAKE,
                    };
                    // Equity is `cash + q * close` (long) or `cash - q * close` (short), as
                    // `Account::equity` writes it. A word of signals at a time, then its bars'
                    // equity: the series are read while the equity is worked out.
                    let (cash, q) = (account.cash, account.size);
                    let mark = |c: f64| match side {
                        Side::Long => cash + q * c,
                        Side::Short => cash - q * c,
                    };
                    loop {
                        let (u, woken) = signals.wake_in_word(wake, t);
                        match details.as_deref_mut() {
                            None => {
                                metrics.push_marked(t, &close[t..u], cash, q, side == Side::Long)
                            }
                            Some(d) => {
                                for (i, &c) in close[t..u].iter().enumerate() {
                                    let e = mark(c);
                                    metrics.push(t + i, e);
                                    d.equity.push(e);
                                }
                            }
                        }
                        metrics.exposed_bars += u - t;
                        t = u;
                        if woken || t >= n {
                            break;
                        }
                    }
                }
                Some(side) => {
                    // With stops every bar is checked against them, but without an order or a
                    // signal the rest of the step has nothing to do.
                    let wake = match side {
                        Side::Long => LONG_WAKE,
                        Side::Short => SHORT_WAKE,
                    };
                    let mut stopped = false;
                    while !stopped {
                        let (u, woken) = signals.wake_in_word(wake, t);
                        // The word's bars: stops and equity first, then the metrics of the
                        // equity (two small loops keep their state in registers).
                        let (start, mut held) = (t, 0);
                        let mut equity = [0.0f64; 64];
                        let mut k = 0;
                        while t < u && !stopped {
                            let (e, out) = account.hold(t, &bar(t), &mut sink);
                            equity[k] = e;
                            held += usize::from(!out);
                            (stopped, t, k) = (out, t + 1, k + 1);
                        }
                        metrics.push_slice(start, &equity[..k]);
                        if let Some(d) = details.as_deref_mut() {
                            d.equity.extend_from_slice(&equity[..k]);
                        }
                        metrics.exposed_bars += held;
                        if woken || t >= n {
                            break;
                        }
                    }
                    if stopped {
                        continue; // flat now, from the next bar on
                    }
                }
            }
            if t >= n {
                break;
            }
        }
        let e = account.step(t, &bar(t), signals.at(t), &mut sink);
        metrics.push(t, e);
        metrics.exposed_bars += usize::from(account.position.is_some());
        if let Some(d) = details.as_deref_mut() {
            d.equity.push(e);
        }
        t += 1;
    }
    let mut m = metrics.finish(n, settings.periods_per_year, &account.stats);
    m.buy_and_hold_return = close[n - 1] / close[0] - 1.0;
    if let Some(d) = details {
        d.trades = trades;
        d.exposed_bars = metrics.exposed_bars;
    }
    m
}
