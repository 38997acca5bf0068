"""XML through defusedxml: no entity declarations, no external entities or DTDs fetched.

Reports run to tens of megabytes, so elements are handed to the format's callbacks straight from
defusedxml's expat parser, without building a tree or going through SAX's per-element objects.
"""

import io
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from defusedxml.expatreader import DefusedExpatParser

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


class ElementHandler:
    """Subclasses implement start(name, attributes) and may implement end(name) and text(data)."""

    def start(self, name, attributes):
        raise NotImplementedError

    end = None

    def collect_text(self, parser, on):
        parser.CharacterDataHandler = self.text if on else None


def parse_xml(data, format_name, handler):
    reader = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    reader.reset()
    parser = reader._parser  # expat with defusedxml's guards installed by reset()
    # Never read the external DTD subset (<!DOCTYPE coverage SYSTEM "http://...">) either.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    for unused in ("NotationDeclHandler", "StartNamespaceDeclHandler", "EndNamespaceDeclHandler",
                   "SkippedEntityHandler", "CharacterDataHandler", "ProcessingInstructionHandler"):
        setattr(parser, unused, None)
    parser.buffer_text = True
    handler.parser = parser
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    try:
        parser.Parse(data, True)
    except DefusedXmlException as error:
        raise ReportError(f"{format_name}: refused XML construct ({type(error).__name__})") from None
    except expat.ExpatError as error:
        raise ReportError(f"{format_name}: malformed XML ({expat.ErrorString(error.code)}, "
                          f"line {error.lineno})") from None
