"""The one exception class every backend raises for bad input."""

from __future__ import annotations


class BacktestError(ValueError):
    """Input the engine refuses: the message names the field and, for market data, the
    0-based row (for example ``close at row 17 must be a finite number > 0, got NaN``), or the
    path of the bad node of a strategy tree.

    ``code`` says what kind of input was refused, with the same values in every language:
    ``invalid_market_data``, ``invalid_parameter``, ``invalid_strategy``, ``invalid_grid`` or
    ``invalid_signals``. A subclass of ``ValueError``, so ``except ValueError`` catches it too.
    """

    def __init__(self, message: str, code: str = "invalid_parameter") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple:  # picklable with its code (process pools, dask, ray)
        return (type(self), (str(self), self.code))
