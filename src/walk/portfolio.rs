//! A walk-forward over a universe (CONVENTIONS, "Walk-forward", "On a universe"): windows of
//! union bars; a window's portfolio is every asset with a bar in it, on those bars alone.

use std::ops::Range;

use super::{walk, WalkBars, WalkOptions, WalkRun, WindowResult, WindowWords};
use crate::error::Result;
use crate::execution::run::Effective;
use crate::execution::trade::RawTrade;
use crate::execution::ExecSettings;
use crate::pool::WorkerPool;
use crate::portfolio::run::{buy_and_hold, run};
use crate::portfolio::Universe;
use crate::strategy::signals::Sweep;
use crate::strategy::tree::Bindings;
use crate::strategy::SeriesTable;
use crate::sweep::SweepPlan;

/// A universe with every combination's indicators, one table per asset.
struct UniverseBars<'a> {
    universe: &'a Universe,
    plan: &'a SweepPlan,
    slots: Option<usize>,
    tables: &'a [SeriesTable],
}

/// A window's portfolio: the assets with a bar in it (universe order), on those bars.
struct WindowUniverse {
    universe: Universe,
    /// Per asset of `universe`: its index in the whole universe and its first own bar there.
    assets: Vec<(usize, usize)>,
}

impl UniverseBars<'_> {
    /// Asset `i`'s own bars whose union bar is in `range`.
    fn own_bars(&self, i: usize, range: &Range<usize>) -> Range<usize> {
        let union_bars = self.universe.union_bars(i);
        union_bars.partition_point(|&u| u < range.start)
            ..union_bars.partition_point(|&u| u < range.end)
    }
}

impl WalkBars for UniverseBars<'_> {
    /// Its asset in the whole universe, and the trade.
    type Trade = (usize, RawTrade);
    type Part = WindowUniverse;

    fn len(&self) -> usize {
        self.universe.len()
    }

    fn part(&self, range: Range<usize>) -> WindowUniverse {
        let mut assets = Vec::new();
        let mut bars = Vec::new();
        for (i, data) in self.universe.assets().iter().enumerate() {
            let own = self.own_bars(i, &range);
            if !own.is_empty() {
                assets.push((i, own.start));
                bars.push(data.slice(own));
            }
        }
        let universe = Universe::new(bars).expect("a window's assets are the universe's");
        debug_assert_eq!(universe.len(), range.len());
        WindowUniverse { universe, assets }
    }

    fn run(
        &self,
        part: &WindowUniverse,
        i: usize,
        settings: &ExecSettings,
        _returns: &mut Vec<f64>,
        keep: bool,
    ) -> WindowResult<(usize, RawTrade)> {
        let plan = self.plan;
        let values = plan.combination(i);
        let b = Bindings::new(&plan.names, &values);
        let all = self.universe.assets();
        let mut signals: Vec<_> = part
            .assets
            .iter()
            .zip(part.universe.assets())
            .map(|(&(k, start), bars)| {
                let words = self.tables[k].words(&all[k], &plan.strategy, &b);
                let words = WindowWords::new(words, all[k].len(), start);
                Effective::new(words, settings.direction, bars.len())
            })
            .collect();
        let settings = vec![*settings; part.assets.len()];
        let r = run(&part.universe, &mut signals, &settings, self.slots, keep);
        WindowResult {
            metrics: r.metrics,
            equity: r.equity,
            trades: r
                .trades
                .into_iter()
                .map(|(j, t)| (part.assets[j].0, t))
                .collect(),
            exposed_bars: r.exposed_bars,
        }
    }

    fn buy_and_hold(&self, first: usize, last: usize) -> f64 {
        let span = first..last + 1;
        let assets = self.universe.assets();
        let held: Vec<(f64, f64)> = (0..assets.len())
            .filter_map(|i| {
                let own = self.own_bars(i, &span);
                let close = assets[i].close();
                (!own.is_empty()).then(|| (close[own.start], close[own.end - 1]))
            })
            .collect();
        buy_and_hold(held.into_iter())
    }
}

/// Runs every window of `options` over `universe` with the portfolio sweep `plan` (one
/// strategy for every asset, `slots` its `max_positions`); `tables` (one per asset) get every
/// combination's indicators.
pub fn walk_portfolio(
    universe: &Universe,
    plan: &SweepPlan,
    slots: Option<usize>,
    options: &WalkOptions,
    pool: &WorkerPool,
    tables: &mut Vec<SeriesTable>,
) -> Result<WalkRun<(usize, RawTrade)>> {
    options.windows(universe.len())?;
    let values_at = |i| plan.combination(i);
    let sweep = Sweep {
        strategy: &plan.strategy,
        names: &plan.names,
        count: plan.len(),
        values_at: &values_at,
    };
    let data = universe.assets();
    tables.resize_with(data.len(), SeriesTable::new);
    for (table, d) in tables.iter_mut().zip(data) {
        table.fill_from(d, &sweep, pool);
    }
    let bars = UniverseBars {
        universe,
        plan,
        slots,
        tables,
    };
    walk(&bars, plan.len(), &plan.settings, options, pool)
}
