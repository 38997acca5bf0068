"""Cobertura XML (Cobertura, `coverage xml`, gcovr --xml, istanbul/c8, Coverlet, ...)."""

from coverage_reports.formats.base import line_budget, ParsedReport, ReportError, hit_count, line_number
from coverage_reports.formats.xml import ElementHandler, parse_xml, root_tag

NAME = "cobertura"


def sniff(head):
    return root_tag(head) == "coverage"


class _Handler(ElementHandler):
    def __init__(self, report):
        self.report = report
        self.filename, self.hits, self.in_methods, self.source = None, None, 0, None

    def start(self, name, attributes):
        if name == "line":
            # Lines under <methods> repeat the class's own <lines>: count each line once.
            if self.hits is not None and not self.in_methods:
                where = f"{NAME} {self.filename}"
                number = line_number(attributes.get("number"), where)
                hits = hit_count(attributes.get("hits"), where)
                self.hits[number] = self.hits.get(number, 0) + hits
        elif name == "class":
            self.filename = attributes.get("filename")
            if not self.filename:
                raise ReportError("cobertura: a <class> has no filename")
            self.hits = {}
        elif name == "methods":
            self.in_methods += 1
        elif name == "source":
            self.source = []
            self.collect_text(self.parser, True)

    def end(self, name):
        if name == "class":
            self.report.add_hits(self.filename, self.hits)
            self.filename, self.hits = None, None
        elif name == "methods":
            self.in_methods -= 1
        elif name == "source":
            self.collect_text(self.parser, False)
            text = "".join(self.source).strip()
            if text:
                self.report.add_source(text)

    def text(self, data):
        self.source.append(data)


def parse(data):
    report = ParsedReport(NAME, budget=line_budget(len(data)))
    parse_xml(data, NAME, _Handler(report))
    if not report.files and not report.sources:
        raise ReportError("cobertura: no <class> elements")
    return report
