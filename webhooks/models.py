from django.db import models


class WebhookDelivery(models.Model):
    """A GitHub delivery already handled; a redelivery with the same id does nothing."""

    delivery_id = models.CharField(max_length=128, unique=True)
    event = models.CharField(max_length=64)
    action = models.CharField(max_length=64, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} {self.delivery_id}"
