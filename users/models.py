from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from cocov.crypto import EncryptedTextField


class User(AbstractUser):
    """A GitHub user of the organization. Cocov's admin flag is is_staff/is_superuser."""

    login = models.CharField(max_length=255, unique=True)
    github_id = models.BigIntegerField(unique=True, null=True, blank=True)
    github_token = EncryptedTextField(blank=True, default="")
    avatar_url = models.URLField(max_length=1024, blank=True, default="")

    objects = UserManager()

    def save(self, *args, **kwargs):
        if not self.username:
            self.username = self.login
        super().save(*args, **kwargs)

    def __str__(self):
        return self.login or self.username


class UserEmailQuerySet(models.QuerySet):
    def matching(self, email):
        return self.filter(email__iexact=(email or "").strip())


class UserEmail(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=320)

    objects = UserEmailQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="users_useremail_email_ci_unique")]

    def __str__(self):
        return self.email


def user_for_email(email):
    """The user who owns this address, matched case-insensitively, or None."""
    if not email:
        return None
    match = UserEmail.objects.matching(email).select_related("user").first()
    return match.user if match else None
