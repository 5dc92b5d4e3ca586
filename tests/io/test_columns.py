"""Column access through pyarrow buffers: the same values as pyarrow's own conversions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.tables.arrow import (
    bool_values,
    dictionary_indices,
    float_values,
    objects,
    take,
    valid_mask,
    values_view,
)
from cxmetrics.tables.columns import Table

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

numbers = st.lists(st.one_of(st.none(), st.integers(-(2**40), 2**40)), max_size=40)
words = st.sampled_from(["a", "b", " b", "b ", "", "  ", "é", "\u00a0x", "x\u3000", "Zed", "10"])
texts = st.lists(st.one_of(st.none(), words), max_size=40)


def _window(values: list[Any], data: st.DataObject) -> tuple[int, int]:
    """A slice of the values (a non-zero offset exercises the buffer arithmetic)."""
    start = data.draw(st.integers(0, len(values)))
    return start, data.draw(st.integers(0, len(values) - start))


@given(numbers, st.data())
def test_numbers_read_through_buffers_match_pyarrow(values: list[int | None], data: Any) -> None:
    start, length = _window(values, data)
    array = pa.array(values, pa.int64()).slice(start, length)
    expected = [np.nan if v is None else float(v) for v in values[start : start + length]]
    np.testing.assert_array_equal(float_values(array), np.array(expected, dtype=float))
    valid = valid_mask(array)
    nulls = [v is None for v in values[start : start + length]]
    assert (np.zeros(length, bool) if valid is None else ~valid).tolist() == nulls
    view = values_view(array)
    assert view is not None
    assert [int(v) for v, n in zip(view, nulls, strict=True) if not n] == [
        v for v in values[start : start + length] if v is not None
    ]


@given(st.lists(st.one_of(st.none(), st.booleans()), max_size=40), st.data())
def test_booleans_read_through_buffers_match_pyarrow(values: list[Any], data: Any) -> None:
    start, length = _window(values, data)
    array = pa.array(values, pa.bool_()).slice(start, length)
    got = bool_values(array)
    for value, flag in zip(values[start : start + length], got.tolist(), strict=True):
        if value is not None:
            assert flag == value


@given(texts, st.data())
def test_dictionary_indices_and_objects_match_pyarrow(values: list[Any], data: Any) -> None:
    start, length = _window(values, data)
    array = pa.array(values, pa.string()).dictionary_encode().slice(start, length)
    indices = dictionary_indices(array)
    words = array.dictionary.to_pylist()
    assert [None if i < 0 else words[i] for i in indices.tolist()] == array.to_pylist()
    assert objects(array.dictionary_decode()).tolist() == array.to_pylist()


def _reference_text(values: list[Any]) -> list[Any]:
    """The clean text the slow arrow way: trim, then an empty string is missing."""
    trimmed = pc.utf8_trim_whitespace(pa.array(values, pa.string()))
    return [None if v in (None, "") else v for v in trimmed.to_pylist()]


@given(texts, st.data())
def test_clean_text_is_trimmed_with_empty_as_missing(values: list[Any], data: Any) -> None:
    start, length = _window(values, data)
    column = pa.array(values, pa.string()).slice(start, length)
    table = Table(pa.table({"x": column}), "t")
    assert table.text("x").to_pylist() == _reference_text(values[start : start + length])
    strings, missing = table.strings("x")
    assert strings.tolist() == _reference_text(values[start : start + length])
    assert missing.tolist() == [v is None for v in strings.tolist()]


@pytest.mark.parametrize("many", [False, True])
@given(st.lists(texts, min_size=1, max_size=4))
def test_codes_of_row_groups_with_their_own_dictionaries(many: bool, groups: list[Any]) -> None:
    # Each chunk is dictionary-encoded on its own, as Parquet row groups are read.
    if many:  # past the threshold where categories are sorted in arrow
        groups = [*groups, [f"id{i:04d}" for i in range(700)]]
    chunks = [pa.array(g, pa.string()).dictionary_encode() for g in groups]
    table = Table(pa.table({"x": pa.chunked_array(chunks)}), "t")
    flat = _reference_text([v for g in groups for v in g])
    categories = tuple(sorted({v for v in flat if v is not None}))
    codes, got = table.codes("x")
    assert got == categories
    assert codes.tolist() == [-1 if v is None else categories.index(v) for v in flat]
    assert table.categorical("x", default="zz").to_list() == [
        "zz" if v is None else v for v in flat
    ]
    assert table.strings("x")[0].tolist() == flat


def test_take_by_blocks_is_plain_indexing() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=50)
    indices = rng.integers(-1, 50, size=(1 << 20) * 2 + 17).astype(np.int32)
    np.testing.assert_array_equal(take(values, indices), values[indices.astype(np.intp)])


def test_pending_table_waits_only_for_data() -> None:
    from concurrent.futures import Future

    future: Future[Any] = Future()
    table = Table.pending(future, ["id", "created_at"], 2, "tickets")
    assert table.has("id") and table.n == 2  # known from the file's metadata
    table.require("id", "created_at")
    future.set_result(pa.table({"id": ["A", "B"], "created_at": [1.0, 2.0]}))
    assert table.text("id").to_pylist() == ["A", "B"]
