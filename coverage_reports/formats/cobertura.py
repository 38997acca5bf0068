"""Cobertura XML (Cobertura, `coverage xml`, gcovr --xml, istanbul/c8, Coverlet, ...)."""

from coverage_reports.formats.base import MAX_LINE_NUMBER, ParsedReport, ReportError, hit_count, line_budget, line_number
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
                number, hits = attributes.get("number", ""), attributes.get("hits", "")
                # The common case (plain digits) inline: this runs once per line of the report.
                if number.isdigit() and hits.isdigit() and len(number) <= 7 and len(hits) <= 18:
                    number, hits = int(number), int(hits)
                    if not 1 <= number <= MAX_LINE_NUMBER:
                        line_number(number, f"{NAME} {self.filename}")  # raises, naming the place
                else:
                    where = f"{NAME} {self.filename}"
                    number, hits = line_number(number, where), hit_count(hits, where)
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
