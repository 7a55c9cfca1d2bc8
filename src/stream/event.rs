//! What a pushed bar did, as typed records.

use crate::execution::account::BarSignals;
use crate::execution::{Order, Side};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An effective signal of the bar (after a same-side conflict and the direction).
    Signal,
    /// The order the bar's signals made: filled at this close, or pending for the next open.
    Order,
    /// An order filled: an entry, or an exit by a signal or a reversal.
    Fill,
    /// A stop closed the position.
    Stop,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Signal,
        EventKind::Order,
        EventKind::Fill,
        EventKind::Stop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Signal => "signal",
            EventKind::Order => "order",
            EventKind::Fill => "fill",
            EventKind::Stop => "stop",
        }
    }
}

/// One event of a bar. `reason`: a signal's `"entry"` | `"exit"`; an order's `"open"` |
/// `"close"` | `"reverse"`; a fill's `"entry"` or its trade's exit reason (`"signal"` |
/// `"reverse"`); a stop's exit reason (`"stop_loss"` | `"take_profit"` | `"trailing_stop"`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    pub kind: EventKind,
    /// The bar's index in the run (0 for the first bar pushed).
    pub bar: usize,
    pub date: String,
    pub symbol: Option<String>,
    /// The position's side the event opens, closes or signals.
    pub side: Side,
    /// A signal's: the close; a fill's or a stop's: the fill price; an order's: none.
    pub price: Option<f64>,
    /// A fill's or a stop's units; none otherwise.
    pub size: Option<f64>,
    pub reason: &'static str,
}

/// An order's side and reason, held `held` when it was made.
pub(crate) fn order_event(order: Order, held: Option<Side>) -> (Side, &'static str) {
    match order {
        Order::Open(side) => (side, "open"),
        Order::Close => (held.unwrap_or(Side::Long), "close"),
        Order::Reverse(side) => (side, "reverse"),
    }
}

/// The signal events of a bar's effective signals: (side, `"entry"` | `"exit"`), in the order
/// long entry, long exit, short entry, short exit.
pub(crate) fn signal_events(sig: BarSignals) -> impl Iterator<Item = (Side, &'static str)> {
    [
        (sig.long_entry, Side::Long, "entry"),
        (sig.long_exit, Side::Long, "exit"),
        (sig.short_entry, Side::Short, "entry"),
        (sig.short_exit, Side::Short, "exit"),
    ]
    .into_iter()
    .filter_map(|(on, side, reason)| on.then_some((side, reason)))
}
