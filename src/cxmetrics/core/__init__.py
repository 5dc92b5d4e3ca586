"""The bottom layer: metric states, metric bases, output tables, time and periods.

Everything above builds on these modules; they import nothing of the library but
:mod:`cxmetrics.exceptions` and each other. The public names are exported from
:mod:`cxmetrics` itself.
"""
