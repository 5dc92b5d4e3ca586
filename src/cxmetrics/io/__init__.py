"""Data in and out: DataFrames, own-schema files, event logs, message logs, Zendesk.

Everything here converts whole columns (through narwhals, the ``dataframes`` extra)
and validates them once, with the same rules and error codes as the record models.
"""

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
from cxmetrics.io.frames import (
    Collected,
    RecordTable,
    to_call_table,
    to_customer_table,
    to_survey_table,
    to_ticket_batch,
)
from cxmetrics.io.logs import read_event_log, read_message_log
from cxmetrics.io.zendesk import read_zendesk

__all__ = [
    "Collected",
    "RecordTable",
    "SupportData",
    "read_csv",
    "read_event_log",
    "read_files",
    "read_jsonl",
    "read_message_log",
    "read_parquet",
    "read_zendesk",
    "to_call_table",
    "to_customer_table",
    "to_survey_table",
    "to_ticket_batch",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]
