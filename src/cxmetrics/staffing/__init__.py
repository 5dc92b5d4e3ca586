"""Staffing models: Erlang C (no abandonment) and Erlang A (callers abandon)."""

from cxmetrics.staffing.erlang_a import ErlangA
from cxmetrics.staffing.erlang_c import ErlangC, UnstableQueueError, erlang_b

__all__ = ["ErlangA", "ErlangC", "UnstableQueueError", "erlang_b"]
