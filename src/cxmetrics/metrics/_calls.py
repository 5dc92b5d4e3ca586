"""Parameters shared by the live-contact (call and chat) metrics."""

from __future__ import annotations

from cxmetrics.core.base import MetricParams

__all__ = ["CallParams"]


class CallParams(MetricParams):
    """Parameters shared by the live-contact metrics.

    Parameters
    ----------
    channel : str, optional
        Keep only contacts of this channel (``"phone"``, ``"chat"``…); ``None``
        keeps every channel.
    """

    channel: str | None = None
