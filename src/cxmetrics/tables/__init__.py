"""The input layer: one columnar table per kind of input, built and validated once.

Tickets with their histories are a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`;
calls are :class:`~cxmetrics.tables.calls.CallColumns`; customers
:class:`~cxmetrics.tables.customers.CustomerColumns`; survey answers, calls and
customers read from files or DataFrames a :class:`~cxmetrics.tables.schema.RecordTable`.
:mod:`cxmetrics.tables.inputs` turns every accepted form of input into these; nothing
above this layer converts input itself.
"""
