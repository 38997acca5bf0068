from django.contrib import admin

from cocov.dispatch import redact_authorizations
from cocov.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "queue", "created_at")
    list_filter = ("queue",)
    search_fields = ("payload",)
    fields = ("queue", "shown_payload", "created_at")
    readonly_fields = fields

    @admin.display(description="payload (secret authorizations redacted)")
    def shown_payload(self, message):
        import json

        return json.dumps(redact_authorizations(message.payload), indent=2)

