import functools

from django.http import JsonResponse

_CHUNK = 1024 * 1024


def error_response(status, code, message):
    """Every refused request answers with this body: {"error": {"code", "message"}}."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class BodyTooLarge(Exception):
    pass


def read_body(request, limit):
    """The raw request body, read in chunks up to `limit` bytes (Django's 2.5 MB limit does not apply)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge
    stream = request
    if not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # No Content-Length: Django reads nothing, but the server (gunicorn) has de-chunked the input.
        stream = request.META["wsgi.input"]
    chunks, size = [], 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def post_only(view):
    """Like require_POST, but the 405 answer has the JSON error body too."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            response = error_response(405, "http.method_not_allowed", f"{request.method} is not allowed here; use POST")
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def not_found(request, exception=None):
    return error_response(404, "http.not_found", f"No such endpoint: {request.path[:200]}")


def bad_request(request, exception=None):
    return error_response(400, "http.bad_request", "Bad request")


def server_error(request):
    return error_response(500, "http.internal_error", "Internal error")
