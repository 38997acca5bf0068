"""Reading an upload: the body (size-limited, gzip inflated with a limit) and what it holds."""

import re
import zlib
from dataclasses import dataclass

from cocov.http import BodyTooLarge, read_body
from coverage_reports.formats import ReportError, UnknownFormat, cocov, load_json, parse_document, parse_report

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_SHA = re.compile(r"\A(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})\Z")


class UploadRefused(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Upload:
    sha: str
    parsed: object  # ParsedReport


def read_upload_body(request):
    """The request body, at most MAX_UPLOAD_BYTES once inflated, whatever Django's own limit is."""
    try:
        body = read_body(request, MAX_UPLOAD_BYTES)
    except BodyTooLarge:
        raise UploadRefused(413, "report.too_large", f"Reports are limited to {MAX_UPLOAD_BYTES // 2**20} MB") from None
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        body = _gunzip_limited(body, MAX_UPLOAD_BYTES)
    elif encoding not in ("", "identity"):
        raise UploadRefused(415, "report.unsupported_encoding", f"Content-Encoding {encoding[:40]} is not supported")
    return body


def _gunzip_limited(body, limit):
    """Inflate gzip (several members too, as `cat a.gz b.gz` makes), refusing to go past `limit`."""
    inflated, rest = [], body
    size = 0
    try:
        while rest:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = inflater.decompress(rest, limit - size + 1)
            size += len(chunk)
            if size > limit or inflater.unconsumed_tail:
                raise UploadRefused(413, "report.too_large",
                                    f"The report inflates past {limit // 2**20} MB; it was refused, not inflated")
            if not inflater.eof:
                raise UploadRefused(400, "report.bad_encoding", "The gzip body is truncated")
            inflated.append(chunk)
            rest = inflater.unused_data.lstrip(b"\x00")  # padding between members is allowed
    except zlib.error:
        raise UploadRefused(400, "report.bad_encoding", "The body is not valid gzip") from None
    return b"".join(inflated)


def parse_upload(body, query_sha):
    """The commit sha and parsed report of an upload: Cocov's JSON envelope, or a report file as it is."""
    body = body.removeprefix(b"\xef\xbb\xbf")
    if not body.strip():
        raise UploadRefused(400, "report.missing_data", "The upload has no coverage data")
    if query_sha is not None:
        _check_sha(query_sha)
    try:
        document = load_json(body) if body.lstrip()[:1] == b"{" else None
        if _is_cocov_envelope(document):
            if not document.get("data"):
                raise UploadRefused(400, "report.missing_data", "`data' is missing or empty")
            sha = document.get("commit_sha")
            if sha is None or sha == "":
                sha = query_sha
            _check_sha(sha)
            if query_sha is not None and sha.lower() != query_sha.lower():
                raise UploadRefused(400, "report.conflicting_commit_sha",
                                    "`commit_sha' in the body and in the query string differ")
            parsed = cocov.parse_data(document["data"], len(body))
        else:
            _check_sha(query_sha)
            sha = query_sha
            parsed = parse_document(document, len(body)) if document is not None else parse_report(body)
    except UnknownFormat as error:
        raise UploadRefused(400, "report.unknown_format", str(error)) from None
    except ReportError as error:
        raise UploadRefused(400, "report.invalid_data", str(error)) from None
    if not parsed.files:
        raise UploadRefused(400, "report.missing_data", "The report covers no files")
    return Upload(sha=sha.lower(), parsed=parsed)


def _is_cocov_envelope(document):
    """Cocov's coverage-reporter sends {"commit_sha", "data"}; its `data' is what marks it."""
    return isinstance(document, dict) and ("data" in document or set(document) == {"commit_sha"})


def _check_sha(sha):
    if sha is None or sha == "":
        raise UploadRefused(400, "report.missing_commit_sha", "`commit_sha' is missing")
    if not isinstance(sha, str) or not _SHA.match(sha):
        raise UploadRefused(400, "report.invalid_commit_sha", "`commit_sha' must be 40 or 64 hexadecimal characters")
