"""A chart of the report, drawn: which metric it shows, its title, and the image."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Chart"]


@dataclass(frozen=True)
class Chart:
    """One drawn chart, placed by the page in the section of its metric.

    Attributes
    ----------
    metric : str
        The metric it shows (``"ticket_volume"`` for the volume heatmap,
        ``"first_response_time"`` for the response and resolution distribution).
    title : str
        Human title, also the image's alternative text.
    image : str
        The image, base64-encoded.
    mime : str, default="image/png"
    caption : str, default=""
        What the reader needs to read it (statistic, interval, target line).

    Examples
    --------
    >>> Chart("csat", "CSAT by week", "iVBO...").data_uri()[:22]
    'data:image/png;base64,'
    """

    metric: str
    title: str
    image: str
    mime: str = "image/png"
    caption: str = ""

    def data_uri(self) -> str:
        """The image as a data URI, for a self-contained page."""
        return f"data:{self.mime};base64,{self.image}"
