"""The bundled sample data set: two thousand synthetic tickets over eight weeks.

The files under ``cxmetrics/datasets/data/`` are written by
``scripts/make_sample.py`` from :func:`~cxmetrics.datasets.generate` with a fixed
seed, as gzip JSON Lines in the records' own schema. :func:`load_sample` reads them
back through record validation, so the sample is also a proof that generated data
passes every rule of the models.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel

from cxmetrics.models.bulk import validate_records
from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Call
from cxmetrics.models.survey import SurveyResponse, SurveySent
from cxmetrics.models.ticket import Ticket
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = ["SAMPLE_SPEC", "SampleData", "load_sample"]

SAMPLE_SPEC: dict[str, Any] = {
    "n_tickets": 2000,
    "seed": 2024,
    "start": datetime(2024, 9, 2, tzinfo=timezone.utc),
    "weeks": 8,
    "timezone": "Europe/Amsterdam",
}
"""The arguments of :func:`~cxmetrics.datasets.generate` that produce the sample."""

FILES = {
    "tickets": Ticket,
    "surveys": SurveyResponse,
    "calls": Call,
    "customers": Customer,
    "survey_sends": SurveySent,
}


@dataclass(frozen=True)
class SampleData:
    """The bundled sample as validated records.

    The same data as columns is ``generate(**SAMPLE_SPEC)`` (the test suite checks
    that the two agree record for record).

    Attributes
    ----------
    tickets : list of Ticket
    surveys : list of SurveyResponse
    calls : list of Call
    customers : list of Customer
    survey_sends : list of SurveySent
        The CSAT surveys sent at each solve, answered or not.

    Examples
    --------
    >>> sample = load_sample()
    >>> sample.calls[0].channel, sample.customers[0].segment in ("basic", "pro", "enterprise")
    ('phone', True)
    """

    tickets: list[Ticket]
    surveys: list[SurveyResponse]
    calls: list[Call]
    customers: list[Customer]
    survey_sends: list[SurveySent]

    @property
    def ticket_batch(self) -> TicketBatch:
        """The tickets as a columnar :class:`~cxmetrics.tables.ticket_batch.TicketBatch`.

        Examples
        --------
        >>> batch = load_sample().ticket_batch
        >>> len(batch), batch.channel.categories
        (2000, ('chat', 'email', 'phone', 'social', 'web'))
        """
        return TicketBatch.from_tickets(self.tickets)


@lru_cache(maxsize=1)
def load_sample() -> SampleData:
    """Load the bundled sample: 2,000 tickets, their surveys, calls and customers.

    Returns
    -------
    SampleData

    Examples
    --------
    >>> sample = load_sample()
    >>> len(sample.tickets), sample.tickets[0].id
    (2000, 'T0000000')
    >>> from cxmetrics import csat
    >>> 0.5 < csat([s for s in sample.surveys if s.kind == "csat"]) < 1.0
    True
    """
    data = resources.files("cxmetrics.datasets") / "data"
    loaded: dict[str, list[Any]] = {}
    for name, model in FILES.items():
        with (data / f"{name}.jsonl.gz").open("rb") as raw, gzip.open(raw, "rt") as lines:
            rows = [json.loads(line) for line in lines]
        loaded[name] = validate_records(model, rows)
    return SampleData(**loaded)


def dump_jsonl_gz(records: list[BaseModel], path: Any) -> None:
    """Write records as gzip JSON Lines, byte-identical for identical records.

    The gzip header carries no file name and a zero time stamp, and fields at their
    default are left out, which keeps the files small and reproducible.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cxmetrics import SurveyResponse
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "answers.jsonl.gz"
    ...     dump_jsonl_gz([SurveyResponse(kind="csat", score=5)], path)
    ...     gzip.decompress(path.read_bytes()).decode().strip()
    '{"kind":"csat","score":5.0,"scale":5}'
    """
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out,
    ):
        for record in records:
            out.write(record.model_dump_json(exclude_defaults=True).encode() + b"\n")
