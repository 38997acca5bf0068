import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cocov.http import error_response, post_only
from coverage_reports.holding import accept_report
from coverage_reports.reports import AcceptedReport
from coverage_reports.uploads import UploadRefused, parse_upload, read_upload_body
from jobs.process_coverage import ProcessCoverageJob
from repositories.models import Repository

log = logging.getLogger(__name__)


def repository_for(request):
    """The repository named by `Authorization: token crt_…`, or an UploadRefused."""
    header = request.headers.get("Authorization")
    if not header:
        raise UploadRefused(401, "auth.no_authorization", "Missing Authorization header")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "token" or not token or " " in token:
        raise UploadRefused(401, "auth.invalid_token", "Authorization must be `token <repository token>'")
    try:
        return Repository.objects.with_token(token)
    except Repository.DoesNotExist:
        raise UploadRefused(403, "auth.forbidden", "The token does not belong to any repository") from None


@csrf_exempt
@post_only
def upload_report(request):
    try:
        repository = repository_for(request)
        upload = parse_upload(read_upload_body(request), request.GET.get("commit_sha"))
    except UploadRefused as refused:
        return error_response(refused.status, refused.code, refused.message)

    report = AcceptedReport.from_parsed(upload.parsed)
    queued = accept_report(repository, upload.sha, report)
    if queued is not None:
        try:
            ProcessCoverageJob.enqueue(repository.id, upload.sha, queued.blob)
        except Exception:
            # Stored but not queued: RequeueStalledWorkJob queues it within minutes; say so honestly.
            log.exception("Could not queue ProcessCoverageJob", extra={"repository": repository.name,
                                                                        "sha": upload.sha})
            return error_response(503, "report.not_queued",
                                  "The report was stored but could not be queued yet; it will be processed later")
    log.info("Coverage report accepted", extra={"repository": repository.name, "sha": upload.sha,
                                                "format": report.format, "files": len(report.data),
                                                "held": queued is None})
    return HttpResponse(status=204)
