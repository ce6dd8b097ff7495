"""csv_line writes the bytes the csv module's writer would, for every kind of value a table holds."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.export.tables import _cell, csv_line

_TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\t;é€') + ["\u2028", "\x00"]), max_size=12)
_VALUE = st.one_of(st.none(), _TEXT, st.integers(-10**6, 10**6), st.booleans(),
                   st.floats(allow_nan=False, allow_infinity=False), st.lists(_TEXT, max_size=3),
                   st.dictionaries(_TEXT, st.integers(0, 9), max_size=2))


def _reference(values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(["" if v is None else _cell(v) for v in values])
    return buf.getvalue()


@settings(max_examples=600, deadline=None)
@given(st.lists(_VALUE, min_size=1, max_size=6))
def test_csv_line_equals_the_csv_writer(values):
    assert csv_line(values) == _reference(values)


def test_a_lone_empty_field_is_quoted_as_the_csv_writer_does():
    assert csv_line([""]) == _reference([""]) == '""\r\n'
    assert csv_line([None, ""]) == _reference([None, ""]) == ",\r\n"
