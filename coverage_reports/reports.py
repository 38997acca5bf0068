"""An accepted report in Cocov's per-line form: what is held in the cache and handed to the job."""

import base64
import json
import uuid
import zlib
from dataclasses import dataclass, field

from coverage_reports import linedata
from coverage_reports.formats import ParsedReport


@dataclass(frozen=True)
class AcceptedReport:
    id: uuid.UUID
    format: str
    sources: tuple = ()
    data: dict = field(default_factory=dict)  # path as the report wrote it → raw Cocov line data

    @classmethod
    def from_parsed(cls, parsed: ParsedReport):
        return cls(
            id=uuid.uuid4(),
            format=parsed.format,
            sources=tuple(parsed.sources),
            data={path: linedata.encode(lines) for path, lines in parsed.files.items()},
        )

    def to_blob(self) -> bytes:
        document = {
            "id": str(self.id),
            "format": self.format,
            "sources": list(self.sources),
            "data": {path: base64.b64encode(raw).decode("ascii") for path, raw in self.data.items()},
        }
        return zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_blob(cls, blob: bytes):
        document = json.loads(zlib.decompress(blob))
        return cls(
            id=uuid.UUID(document["id"]),
            format=document["format"],
            sources=tuple(document["sources"]),
            data={path: base64.b64decode(encoded) for path, encoded in document["data"].items()},
        )

    def lines_of(self, path):
        return linedata.decode(self.data[path])
