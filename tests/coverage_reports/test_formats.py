import base64
import json

import pytest

from coverage_reports import linedata
from coverage_reports.formats import FORMAT_NAMES, ReportError, UnknownFormat, parse_report
from tests.coverage_reports.conftest import SHARED_COVERAGE


def covered_and_missed(lines):
    return ({n for n, h in enumerate(lines, 1) if isinstance(h, int) and h > 0},
            {n for n, h in enumerate(lines, 1) if h == 0})


def by_suffix(files, suffix):
    [(path, lines)] = [(p, lines) for p, lines in files.items() if p.replace("\\", "/").endswith(suffix)]
    return lines


@pytest.mark.parametrize("kind, expected_format", [("lcov", "lcov"), ("xml", "cobertura"), ("json", "coverage.py json")])
def test_coverage_py_reports_give_the_lines_coverage_py_measured(coverage_py_reports, coverage_py_truth, kind,
                                                                expected_format):
    _, reports = coverage_py_reports
    parsed = parse_report(reports[kind])
    assert parsed.format == expected_format
    assert len(parsed.files) == len(coverage_py_truth)
    for path, (executed, missing) in coverage_py_truth.items():
        assert covered_and_missed(by_suffix(parsed.files, path)) == (executed, missing), path
    some_missing = [missing for _, missing in coverage_py_truth.values() if missing]
    assert some_missing, "the sample project leaves lines uncovered, so misses are really checked"


def test_cobertura_from_coverage_py_names_its_source_directory(coverage_py_reports):
    project, reports = coverage_py_reports
    parsed = parse_report(reports["xml"])
    assert parsed.sources == [str(project)]


def test_the_cocov_upload_is_read_as_is():
    body = (SHARED_COVERAGE / "cocov_upload_49_files.json").read_bytes()
    parsed = parse_report(body)
    assert parsed.format == "cocov" and len(parsed.files) == 49


LCOV = b"""TN:unit
SF:/ci/work/app/lib/a.py
DA:1,1
DA:2,0
DA:4,3
end_of_record
TN:integration
SF:/ci/work/app/lib/a.py
DA:2,2
DA:5,0
end_of_record
"""


def test_lcov_records_of_one_file_are_merged():
    parsed = parse_report(LCOV)
    assert parsed.files == {"/ci/work/app/lib/a.py": [1, 2, None, 3, 0]}


COBERTURA = b"""<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" version="1.9">
  <sources><source>/build/src</source></sources>
  <packages><package name="p"><classes>
    <class name="A" filename="pkg/a.py" line-rate="0.5">
      <methods><method name="m"><lines><line number="1" hits="1"/></lines></method></methods>
      <lines><line number="1" hits="1"/><line number="3" hits="0" branch="true"/></lines>
    </class>
    <class name="A$Inner" filename="pkg/a.py" line-rate="1"><lines><line number="4" hits="2"/></lines></class>
  </classes></package></packages>
</coverage>"""


def test_cobertura_counts_class_lines_once_and_merges_classes_of_one_file():
    parsed = parse_report(COBERTURA)
    assert parsed.files == {"pkg/a.py": [1, None, 0, 2]}
    assert parsed.sources == ["/build/src"]


JACOCO = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="calc"><sessioninfo id="s" start="1" dump="2"/>
<package name="com/example/calc"><class name="com/example/calc/Calc" sourcefilename="Calc.java"/>
<sourcefile name="Calc.java"><line nr="3" mi="0" ci="3" mb="0" cb="0"/><line nr="5" mi="2" ci="0" mb="0" cb="0"/>
<counter type="LINE" missed="1" covered="1"/></sourcefile></package></report>"""


def test_jacoco_lines_by_package_path():
    parsed = parse_report(JACOCO)
    assert parsed.files == {"com/example/calc/Calc.java": [None, None, 3, None, 0]}


GO = b"""mode: count
example.com/calc/calc/calc.go:3.24,5.2 1 4
example.com/calc/calc/calc.go:5.2,7.3 1 0
example.com/calc/main.go:1.1,2.2 1 1
"""


def test_go_blocks_cover_their_lines_and_edges_take_the_best_block():
    parsed = parse_report(GO)
    assert parsed.files["example.com/calc/calc/calc.go"] == [None, None, 4, 4, 4, 0, 0]
    assert parsed.files["example.com/calc/main.go"] == [1, 1]


RESULTSET = json.dumps({
    "RSpec": {"coverage": {"/app/lib/a.rb": {"lines": [None, 1, 0, "ignored"]}}, "timestamp": 1},
    "Minitest": {"coverage": {"/app/lib/a.rb": {"lines": [None, 0, 2, None]}}, "timestamp": 2},
}).encode()
SIMPLECOV_JSON = json.dumps({
    "meta": {"simplecov_version": "0.22.0"},
    "coverage": {"/app/lib/b.rb": {"lines": [1, None, 0]}},
    "groups": {},
}).encode()


def test_simplecov_resultset_merges_its_commands():
    parsed = parse_report(RESULTSET)
    assert parsed.format == "simplecov json"
    assert parsed.files == {"/app/lib/a.rb": [None, 1, 2, linedata.IGNORED]}


def test_simplecov_json_formatter_output():
    assert parse_report(SIMPLECOV_JSON).files == {"/app/lib/b.rb": [1, None, 0]}


@pytest.mark.parametrize("body", [b"hello world", b"<html><body>no</body></html>", b'{"some": "json"}', b"[1,2]",
                                  b"\x89PNG\r\n\x1a\n"])
def test_an_unknown_format_names_the_formats_tried(body):
    with pytest.raises(UnknownFormat) as raised:
        parse_report(body)
    for name in FORMAT_NAMES:
        assert name in str(raised.value)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"TN:\nSF:a.py\nDA:x,1\nend_of_record\n", "malformed DA"),
        (b"SF:a.py\nDA:1,1\n", "no end_of_record"),
        (b"SF:a.py\nDA:99999999,1\nend_of_record\n", "out of range"),
        (b"mode: set\nfoo.go:1.1,2.2 one 1\n", "malformed block"),
        (b"mode: set\nfoo.go:9.1,2.2 1 1\n", "out of range"),
        (b'<coverage><packages><package><classes><class filename="a.py"><lines><line number="1" hits="1"/>',
         "malformed XML"),
        (b'<coverage><packages><class filename="a.py"><lines><line number="-3" hits="1"/></lines></class>'
         b"</packages></coverage>", "out of range"),
        (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><coverage>&b;</coverage>',
         "refused XML construct"),
        (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><coverage>&x;</coverage>',
         "refused XML construct"),
        (b'{"meta": {"format": 3}, "files": {"a.py": {"executed_lines": "1,2"}}}', "must be a list"),
        (b'{"RSpec": {"coverage": {"a.rb": {"lines": [1, true]}}}}', "is not a hit count"),
        (b'{"data": {"a.rb": "AAE\\u0007"}}', "unexpected byte 0x41 at offset 0"),
        (b'{"truncated": ', "does not parse"),
    ],
)
def test_a_malformed_report_is_an_error_that_says_where(body, message):
    with pytest.raises(ReportError, match=message):
        parse_report(body)


def test_a_file_named_end_of_record_is_a_file_like_any_other():
    parsed = parse_report(b"SF:src/end_of_record.py\nDA:1,1\nend_of_record\n")
    assert parsed.files == {"src/end_of_record.py": [1]}


# --- reports forged to expand into far more lines than they describe: refused, and quickly ----------------

FORGED = {
    "lcov sparse": b"".join(b"SF:f%d.py\nDA:999999,1\nend_of_record\n" % i for i in range(100)),
    "lcov one file many times": b"SF:a.py\nDA:999999,1\nend_of_record\n" * 200,
    "cobertura sparse": b"<coverage><packages><package><classes>" + b"".join(
        b'<class filename="f%d.py"><lines><line number="999999" hits="1"/></lines></class>' % i
        for i in range(50)) + b"</classes></package></packages></coverage>",
    "jacoco sparse": b"<report>" + b"".join(
        b'<package name="p"><sourcefile name="F%d.java"><line nr="999999" mi="0" ci="1"/></sourcefile></package>' % i
        for i in range(50)) + b"</report>",
    "go huge blocks": b"mode: set\n" + b"".join(b"f%d.go:1.1,1000000.2 1 1\n" % i for i in range(40)),
    "go one block repeated": b"mode: set\n" + b"a.go:1.1,1000000.2 1 1\n" * 1000,
    "coverage.py sparse": json.dumps({"meta": {"format": 3}, "files": {
        f"f{i}.py": {"executed_lines": [999999], "missing_lines": []} for i in range(50)}}).encode(),
    "cocov neutral lines": json.dumps({"data": {"a.rb": base64.b64encode(b"\x00" * 6_000_000).decode()}}).encode(),
}


@pytest.mark.parametrize("name", FORGED)
def test_a_forged_report_that_would_expand_is_refused(name):
    import time

    started = time.perf_counter()
    with pytest.raises(ReportError, match="too many lines|far more lines"):
        parse_report(FORGED[name])
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "body",
    [
        b"SF:a.py\nDA:1," + b"9" * 5000 + b"\nend_of_record\n",
        b"SF:a.py\nDA:" + b"9" * 5000 + b",1\nend_of_record\n",
        b"mode: set\na.go:1.1,2.2 1 " + b"9" * 5000 + b"\n",
        b'<coverage><packages><class filename="a.py"><lines><line number="1" hits="inf"/></lines></class></packages></coverage>',
        b'<coverage><packages><class filename="a.py"><lines><line number="1" hits="1e400"/></lines></class></packages></coverage>',
        b'<?xml version="1.0" encoding="EBCDIC-xx"?><coverage></coverage>',
        b'<coverage><packages><class filename="a.py"><class filename="b.py"></class></class></packages></coverage>',
        b'{"meta": {"format": 3}, "files": {"a.py": {"executed_lines": [Infinity]}}}',
        b'{"RSpec": {"coverage": {"a.rb": {"lines": [1e400]}}}}',
        b'{"data": {"a.rb": "\\ud800"}}',
        b'{"data": {"a.rb": "' + base64.b64encode(b"9" * 5000 + b"\x1e") + b'"}}',
        b'{"meta": {"format": 3}, "files": {"a.py": {"executed_lines": [1.5]}}}',
        b'{"meta": {"format": 3}, "files": {"a.py": {"executed_lines": [true]}}}',
    ],
)
def test_absurd_numbers_and_constructs_are_report_errors_not_crashes(body):
    with pytest.raises(ReportError):
        parse_report(body)


def test_more_than_a_hundred_cobertura_sources_is_refused():
    sources = "".join(f"<source>/s{i}</source>" for i in range(101))
    with pytest.raises(ReportError, match="more than 100 <source>"):
        parse_report(f'<coverage><sources>{sources}</sources><packages></packages></coverage>'.encode())
