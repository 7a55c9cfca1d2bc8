"""The one exception class both backends raise for bad input."""


class BacktestError(ValueError):
    """Input the engine refuses: the message names the field and, for market data, the
    0-based row (for example ``close at row 17 must be a finite number > 0, got NaN``).

    A subclass of ``ValueError``, so ``except ValueError`` catches it too.
    """
