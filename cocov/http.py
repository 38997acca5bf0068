from django.http import JsonResponse


def error_response(status, code, message):
    """Every refused request answers with this body: {"error": {"code", "message"}}."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)
