from django.db import models


class OutboxMessage(models.Model):
    """A message for another Cocov service, kept in the database when no Redis is configured."""

    queue = models.CharField(max_length=128, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.queue} #{self.pk}"
