from django.contrib import admin

from webhooks.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("delivery_id", "event", "action", "received_at")
    list_filter = ("event",)
    search_fields = ("delivery_id",)
    readonly_fields = ("delivery_id", "event", "action", "received_at")
