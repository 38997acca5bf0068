"""JaCoCo XML (`jacoco:report`, Gradle's jacocoTestReport)."""

from coverage_reports.formats.base import ParsedReport, ReportError, hit_count, line_number
from coverage_reports.formats.xml import events, root_tag

NAME = "jacoco"


def sniff(head):
    return root_tag(head) == "report"


def parse(data):
    report = ParsedReport(NAME)
    package, path, hits = "", None, None
    for event, element in events(data, NAME):
        tag = element.tag
        if event == "start":
            if tag == "package":
                package = (element.get("name") or "").strip("/")
            elif tag == "sourcefile":
                name = element.get("name")
                if not name:
                    raise ReportError("jacoco: a <sourcefile> has no name")
                path, hits = f"{package}/{name}" if package else name, {}
            continue
        if tag == "line" and hits is not None:
            number = line_number(element.get("nr"), f"{NAME} {path}")
            missed = hit_count(element.get("mi", "0"), f"{NAME} {path}")
            covered = hit_count(element.get("ci", "0"), f"{NAME} {path}")
            if missed or covered:
                # JaCoCo counts instructions, not executions: covered instructions stand for hits.
                hits[number] = covered
            element.clear()
        elif tag == "sourcefile":
            if hits is not None:
                report.add_hits(path, hits)
            path, hits = None, None
            element.clear()
        elif tag in ("class", "package"):
            element.clear()
    if not report.files:
        raise ReportError("jacoco: no <sourcefile> elements with lines")
    return report
