"""JaCoCo XML (`jacoco:report`, Gradle's jacocoTestReport)."""

from coverage_reports.formats.base import MAX_LINE_NUMBER, ParsedReport, ReportError, hit_count, line_budget, line_number
from coverage_reports.formats.xml import ElementHandler, parse_xml, root_tag

NAME = "jacoco"


def sniff(head):
    return root_tag(head) == "report"


class _Handler(ElementHandler):
    def __init__(self, report):
        self.report = report
        self.package, self.path, self.hits = "", None, None

    def start(self, name, attributes):
        if name == "line":
            if self.hits is None:
                return
            number, missed, covered = attributes.get("nr", ""), attributes.get("mi", "0"), attributes.get("ci", "0")
            # The common case (plain digits) inline: this runs once per line of the report.
            if number.isdigit() and missed.isdigit() and covered.isdigit() and len(number) <= 7 \
                    and len(missed) <= 18 and len(covered) <= 18 and 1 <= int(number) <= MAX_LINE_NUMBER:
                number, missed, covered = int(number), int(missed), int(covered)
            else:
                where = f"{NAME} {self.path}"
                number = line_number(number, where)
                missed, covered = hit_count(missed, where), hit_count(covered, where)
            if missed or covered:
                # JaCoCo counts instructions, not executions: covered instructions stand for hits.
                self.hits[number] = covered
        elif name == "sourcefile":
            source = attributes.get("name")
            if not source:
                raise ReportError("jacoco: a <sourcefile> has no name")
            self.path, self.hits = f"{self.package}/{source}" if self.package else source, {}
        elif name == "package":
            self.package = (attributes.get("name") or "").strip("/")

    def end(self, name):
        if name == "sourcefile":
            self.report.add_hits(self.path, self.hits)
            self.path, self.hits = None, None


def parse(data):
    report = ParsedReport(NAME, budget=line_budget(len(data)))
    parse_xml(data, NAME, _Handler(report))
    if not report.files:
        raise ReportError("jacoco: no <sourcefile> elements with lines")
    return report
