import json
import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from cocov.http import BodyTooLarge, error_response, post_only, read_body
from webhooks.models import WebhookDelivery
from webhooks.registry import InvalidPayload, handlers_for
from webhooks.signatures import is_valid_signature

log = logging.getLogger(__name__)

# GitHub caps payloads at 25 MB; a push of many commits easily passes Django's 2.5 MB default.
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024
# GitHub may redeliver for days; remember deliveries for a week, pruned now and then.
DELIVERY_MEMORY = timedelta(days=7)
MAX_DELIVERY_ID, MAX_EVENT = 128, 64


@csrf_exempt
@post_only
@sensitive_variables("secret")
def github_events(request):
    try:
        body = read_body(request, MAX_PAYLOAD_BYTES)
    except BodyTooLarge:
        return error_response(413, "webhook.too_large", "Payloads are limited to 25 MB")
    secret = settings.COCOV_GITHUB_WEBHOOK_SECRET_KEY
    if secret and not is_valid_signature(secret, body, request.headers.get("X-Hub-Signature-256")):
        return error_response(403, "webhook.invalid_signature", "Missing or invalid X-Hub-Signature-256")

    event = request.headers.get("X-GitHub-Event", "").strip()
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    if not event or len(event) > MAX_EVENT:
        return error_response(400, "webhook.missing_event", "Missing or invalid X-GitHub-Event header")
    if not delivery_id or len(delivery_id) > MAX_DELIVERY_ID:
        return error_response(400, "webhook.missing_delivery", "Missing or invalid X-GitHub-Delivery header")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return error_response(400, "webhook.malformed_payload", "The body is not valid JSON")
    if not isinstance(payload, dict):
        return error_response(400, "webhook.malformed_payload", "The body must be a JSON object")
    action = payload.get("action") if isinstance(payload.get("action"), str) else None

    handlers = handlers_for(event, action)
    try:
        for handler in handlers:
            handler.validate(payload)
    except InvalidPayload as problem:
        return error_response(400, "webhook.invalid_payload", f"Invalid {event} payload: {problem}")

    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookDelivery.objects.create(delivery_id=delivery_id, event=event, action=(action or "")[:64])
            except IntegrityError:
                return JsonResponse({"status": "duplicate"})
            for handler in handlers:
                handler.handle(payload)
    except Exception:
        # Either nothing was written (rolled back), or the records were committed and handing a job to
        # the queue failed afterwards: forget the delivery so that GitHub's redelivery runs it again.
        WebhookDelivery.objects.filter(delivery_id=delivery_id).delete()
        log.exception("Webhook handling failed", extra={"event": event, "delivery": delivery_id})
        return error_response(500, "webhook.internal_error", "The event could not be handled; redeliver it")

    if random.random() < 0.01:
        WebhookDelivery.objects.filter(received_at__lt=timezone.now() - DELIVERY_MEMORY).delete()
    return JsonResponse({"status": "handled" if handlers else "ignored"})
