"""Cobertura XML (Cobertura, `coverage xml`, gcovr --xml, istanbul/c8, Coverlet, ...)."""

from coverage_reports.formats.base import ParsedReport, ReportError, hit_count, line_number
from coverage_reports.formats.xml import events, root_tag

NAME = "cobertura"


def sniff(head):
    return root_tag(head) == "coverage"


def parse(data):
    report = ParsedReport(NAME)
    filename, hits, in_methods = None, None, 0
    for event, element in events(data, NAME):
        tag = element.tag
        if event == "start":
            if tag == "class":
                filename = element.get("filename")
                if not filename:
                    raise ReportError("cobertura: a <class> has no filename")
                hits = {}
            elif tag == "methods":
                in_methods += 1
            continue
        if tag == "line":
            # Lines under <methods> repeat the class's own <lines>: count each line once.
            if hits is not None and not in_methods:
                number = line_number(element.get("number"), f"{NAME} {filename}")
                hits[number] = hits.get(number, 0) + hit_count(element.get("hits"), f"{NAME} {filename}")
            element.clear()
        elif tag == "methods":
            in_methods -= 1
        elif tag == "class":
            report.add_hits(filename, hits)
            filename, hits = None, None
            element.clear()
        elif tag == "source":
            if element.text and element.text.strip():
                report.sources.append(element.text.strip())
        elif tag == "package":
            element.clear()
    if not report.files and not report.sources:
        raise ReportError("cobertura: no <class> elements")
    return report
