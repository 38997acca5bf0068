import json
import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cocov.http import error_response
from webhooks.models import WebhookDelivery
from webhooks.registry import InvalidPayload, handlers_for
from webhooks.signatures import is_valid_signature

log = logging.getLogger(__name__)

# GitHub may redeliver for days; remember deliveries for a week, pruned now and then.
DELIVERY_MEMORY = timedelta(days=7)


@csrf_exempt
@require_POST
def github_events(request):
    secret = settings.COCOV_GITHUB_WEBHOOK_SECRET_KEY
    if secret and not is_valid_signature(secret, request.body, request.headers.get("X-Hub-Signature-256")):
        return error_response(403, "webhook.invalid_signature", "Missing or invalid X-Hub-Signature-256")

    event = request.headers.get("X-GitHub-Event", "").strip()
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    if not event:
        return error_response(400, "webhook.missing_event", "Missing X-GitHub-Event header")
    if not delivery_id:
        return error_response(400, "webhook.missing_delivery", "Missing X-GitHub-Delivery header")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
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
                    WebhookDelivery.objects.create(delivery_id=delivery_id, event=event, action=action or "")
            except IntegrityError:
                return JsonResponse({"status": "duplicate"})
            for handler in handlers:
                handler.handle(payload)
    except Exception:
        # Nothing was recorded, the delivery included: GitHub's redelivery can bring it again.
        log.exception("Webhook handling failed", extra={"event": event, "delivery": delivery_id})
        return error_response(500, "webhook.internal_error", "The event could not be handled; redeliver it")

    if random.random() < 0.01:
        WebhookDelivery.objects.filter(received_at__lt=timezone.now() - DELIVERY_MEMORY).delete()
    return JsonResponse({"status": "handled" if handlers else "ignored"})
