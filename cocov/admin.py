from django.contrib import admin

from cocov.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "queue", "created_at")
    list_filter = ("queue",)
    search_fields = ("payload",)
    readonly_fields = ("queue", "payload", "created_at")
