import base64
import json

import pytest

from coverage_reports import linedata
from tests.coverage_reports.conftest import SHARED_COVERAGE

N, I = linedata.NEUTRAL, linedata.IGNORED


def test_the_real_upload_decodes_to_lines_as_cocov_reads_them():
    upload = json.loads((SHARED_COVERAGE / "cocov_upload_49_files.json").read_text())
    lines = linedata.decode(upload["data"]["app/controllers/application_controller.rb"])
    assert lines == [N, N, 1, 1, 1, N, 1, 2, N, N, 1, 34, N, N, 1, N, 88, N, N, 88, N, 88, N, N, N, 1, N]
    assert linedata.totals(lines) == linedata.Totals(lines_total=12, lines_covered=12)


def test_the_single_file_sample_has_missed_and_ignored_lines():
    lines = linedata.decode((SHARED_COVERAGE / "cocov_native_single_file.b64").read_text().strip())
    assert 0 in lines and I in lines
    totals = linedata.totals(lines)
    assert totals.lines_total == sum(1 for h in lines if isinstance(h, int))
    assert totals.lines_missed == lines.count(0)


@pytest.mark.parametrize(
    "raw, lines",
    [
        (b"", []),
        (b"\x00", [N]),
        (b"12\x1e3\x00", [12, 3, N]),
        (b"\x15\x1b7", [0, I, 7]),
        (b"0\x1e5", [0, 5]),
        (b"1\x1e\x00", [1, N]),
    ],
)
def test_raw_line_data(raw, lines):
    assert linedata.decode(raw) == lines
    assert linedata.decode(base64.b64encode(raw)) == lines if raw and not raw.isdigit() else True


def test_encode_then_decode_gives_the_lines_back():
    lines = [N, 0, 1, 250, I, N, N, 3, 0, 0, 1000000]
    assert linedata.decode(linedata.encode(lines)) == lines


@pytest.mark.parametrize("raw, message", [(b"1\x1e\x07", "0x07 at offset 2"), (b"\x00A", "0x41 at offset 1")])
def test_an_unexpected_byte_is_named(raw, message):
    with pytest.raises(linedata.LineDataError, match=message):
        linedata.decode(raw)


def test_text_that_is_not_base64_is_an_error():
    with pytest.raises(linedata.LineDataError, match="neither line data nor base64"):
        linedata.decode("not base64!")


def test_percentages():
    assert linedata.Totals(7, 0).percent_covered == 0.0
    assert linedata.Totals(0, 0).percent_covered == 0.0
    assert linedata.Totals(4, 3).percent_covered == 75.0
