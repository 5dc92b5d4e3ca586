"""Data in and out: DataFrames, own-schema files, event logs, message logs, Zendesk.

Everything here converts whole columns (through narwhals, the ``dataframes`` extra)
and validates them once, with the same rules and error codes as the record models.

- :func:`to_ticket_batch`, :func:`to_survey_table`, :func:`to_call_table`,
  :func:`to_customer_table`, :func:`to_survey_send_table`,
  :func:`to_staff_survey_table`, :func:`to_qa_table`, :func:`to_callback_table`:
  pandas / polars / pyarrow tables in.
- :func:`read_files` (:func:`read_csv`, :func:`read_jsonl`, :func:`read_parquet`) and
  :func:`write_csv` / :func:`write_jsonl` / :func:`write_parquet`: the own schema.
- :func:`read_event_log`, :func:`read_message_log`, :func:`read_call_log`,
  :func:`read_zendesk`: other shapes of export.

Rows that cannot be loaded are never dropped silently: ``errors="raise"`` (the
default) raises :class:`~cxmetrics.RecordValidationError` listing every problem;
``errors="collect"`` returns the good rows with the problems.
"""

from cxmetrics.io.call_log import read_call_log
from cxmetrics.io.files import (
    SupportData,
    read_csv,
    read_files,
    read_jsonl,
    read_parquet,
    write_csv,
    write_jsonl,
    write_parquet,
)
from cxmetrics.io.logs import read_event_log, read_message_log
from cxmetrics.io.zendesk import read_zendesk
from cxmetrics.tables.record_frames import (
    to_call_table,
    to_callback_table,
    to_customer_table,
    to_qa_table,
    to_staff_survey_table,
    to_survey_send_table,
    to_survey_table,
)
from cxmetrics.tables.schema import Collected, RecordTable
from cxmetrics.tables.ticket_frames import to_ticket_batch

__all__ = [
    "Collected",
    "RecordTable",
    "SupportData",
    "read_call_log",
    "read_csv",
    "read_event_log",
    "read_files",
    "read_jsonl",
    "read_message_log",
    "read_parquet",
    "read_zendesk",
    "to_call_table",
    "to_callback_table",
    "to_customer_table",
    "to_qa_table",
    "to_staff_survey_table",
    "to_survey_send_table",
    "to_survey_table",
    "to_ticket_batch",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]
