//! Where grid work runs: the calling thread, rayon's global pool, or a pool of a chosen size.
//! Without the `parallel` feature everything runs on the calling thread.

/// A set of worker threads for grids. Dropping it releases the threads it made.
pub struct WorkerPool {
    threads: usize,
    #[cfg(feature = "parallel")]
    pool: Option<rayon::ThreadPool>,
}

impl std::fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerPool")
            .field("threads", &self.threads)
            .finish()
    }
}

/// The threads a job of `work` items gets for `max_workers`: never more than the items, and a
/// huge request capped at four per core (more only queue behind each other).
pub fn threads_for(max_workers: Option<usize>, work: usize) -> Option<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    max_workers.map(|w| w.min(work.max(1)).min(4 * cores))
}

impl WorkerPool {
    /// `None`: every core (rayon's global pool, sized by `RAYON_NUM_THREADS` or the core count);
    /// `Some(1)`: the calling thread only; `Some(n)`: a pool of its own with `n` threads.
    pub fn new(max_workers: Option<usize>) -> Self {
        #[cfg(feature = "parallel")]
        {
            match max_workers {
                Some(1) => Self {
                    threads: 1,
                    pool: None,
                },
                Some(n) => {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(n)
                        .thread_name(|i| format!("quant-backtest-{i}"))
                        .build();
                    match pool {
                        Ok(pool) => Self {
                            threads: n,
                            pool: Some(pool),
                        },
                        // Could not spawn threads (e.g. a platform without them): stay serial.
                        Err(_) => Self {
                            threads: 1,
                            pool: None,
                        },
                    }
                }
                None => Self {
                    threads: rayon::current_num_threads(),
                    pool: None,
                },
            }
        }
        #[cfg(not(feature = "parallel"))]
        {
            let _ = max_workers;
            Self { threads: 1 }
        }
    }

    /// A pool that runs everything on the calling thread.
    pub fn serial() -> Self {
        Self::new(Some(1))
    }

    /// How many threads a grid on this pool uses.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// `f(i, scratch)` for `i in 0..count`, in order, with one reusable scratch value per worker.
    pub(crate) fn map_with<S, T, I, F>(&self, count: usize, init: I, f: F) -> Vec<T>
    where
        S: Send,
        T: Send,
        I: Fn() -> S + Sync + Send,
        F: Fn(usize, &mut S) -> T + Sync + Send,
    {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            if self.threads > 1 {
                let run = || {
                    (0..count)
                        .into_par_iter()
                        .map_init(&init, |s, i| f(i, s))
                        .collect()
                };
                return match &self.pool {
                    Some(pool) => pool.install(run),
                    None => run(),
                };
            }
        }
        let mut scratch = init();
        (0..count).map(|i| f(i, &mut scratch)).collect()
    }
}

impl Default for WorkerPool {
    fn default() -> Self {
        Self::new(None)
    }
}
