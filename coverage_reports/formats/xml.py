"""Streaming XML with defusedxml: no entity expansion, no external entities or DTDs fetched."""

import io
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from coverage_reports.formats.base import ReportError


def root_tag(head):
    """The root element's name, read from the start of the document (None when it is not XML)."""
    stripped = head.lstrip()
    if not stripped.startswith(b"<"):
        return None
    try:
        for _, element in iterparse(io.BytesIO(stripped), events=("start",)):
            return element.tag
    except DefusedXmlException as error:
        raise ReportError(f"XML report: refused XML construct ({type(error).__name__})") from None
    except ParseError:
        return None
    return None


def events(data, name):
    """(event, element) pairs of the whole document, errors turned into ReportError."""
    try:
        yield from iterparse(io.BytesIO(data), events=("start", "end"))
    except DefusedXmlException as error:
        raise ReportError(f"{name}: refused XML construct ({type(error).__name__})") from None
    except ParseError as error:
        raise ReportError(f"{name}: malformed XML ({error})") from None
