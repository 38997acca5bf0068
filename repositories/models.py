from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from cocov.crypto import EncryptedTextField, digest, random_token

REPOSITORY_TOKEN_PREFIX = "crt_"


class RepositoryQuerySet(models.QuerySet):
    def named(self, name):
        return self.get(name__iexact=name)

    def with_token(self, token):
        """The repository an upload token belongs to; looked up by digest, never compared in clear."""
        return self.get(token_digest=digest(token))


class Repository(models.Model):
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    default_branch = models.CharField(max_length=255, blank=True, default="")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    github_id = models.BigIntegerField(unique=True)
    cache_size = models.BigIntegerField(default=0)
    commits_size = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RepositoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "repositories"
        constraints = [models.UniqueConstraint(Lower("name"), name="repositories_repository_name_ci_unique")]

    def __str__(self):
        return self.name

    def issue_token(self):
        """Give the repository a new upload token; the clear token is returned once and not stored."""
        token = random_token(REPOSITORY_TOKEN_PREFIX)
        self.token_digest = digest(token)
        return token

    @property
    def full_name(self):
        return f"{settings.COCOV_GITHUB_ORG_NAME}/{self.name}"


class Commit(models.Model):
    class CloneStatus(models.TextChoices):
        QUEUED = "queued"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        ERRORED = "errored"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(max_length=64)
    author_name = models.TextField(blank=True, default="")
    author_email = models.TextField(blank=True, default="")
    message = models.TextField(blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="commits"
    )
    clone_status = models.CharField(max_length=16, choices=CloneStatus.choices, default=CloneStatus.QUEUED)
    clone_size = models.BigIntegerField(null=True, blank=True)
    coverage_percent = models.FloatField(null=True, blank=True)
    minimum_coverage = models.IntegerField(null=True, blank=True)
    issues_count = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repository", "sha"], name="repositories_commit_unique_sha")]
        indexes = [models.Index(fields=["sha"])]

    def __str__(self):
        return f"{self.repository.name}@{self.sha[:12]}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_clone_size = instance.__dict__.get("clone_size")
        return instance

    @property
    def clone_size_changed(self):
        return getattr(self, "_loaded_clone_size", None) != self.clone_size


class Branch(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="branches")
    name = models.TextField()  # git allows names longer than any column size we would pick
    head = models.ForeignKey(Commit, null=True, blank=True, on_delete=models.SET_NULL, related_name="heads_of")
    issues = models.IntegerField(null=True, blank=True)
    coverage = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "branches"
        constraints = [models.UniqueConstraint(fields=["repository", "name"], name="repositories_branch_unique_name")]

    def __str__(self):
        return f"{self.repository.name}:{self.name}"


class CheckSet(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting"
        QUEUED = "queued"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        ERRORED = "errored"
        NOT_CONFIGURED = "not_configured"
        CANCELED = "canceled"
        FAILURE = "failure"

    # Past these, the commit's checks were handed over or settled: processing it again changes nothing.
    SETTLED = (Status.QUEUED, Status.IN_PROGRESS, Status.COMPLETED, Status.NOT_CONFIGURED, Status.CANCELED)

    commit = models.OneToOneField(Commit, on_delete=models.CASCADE, related_name="check_set")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    job_id = models.CharField(max_length=64, null=True, blank=True)
    error_kind = models.CharField(max_length=64, blank=True, default="")
    error_extra = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    canceling = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"checks of {self.commit}"

    @property
    def is_settled(self):
        return self.status in self.SETTLED


class Check(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        ERRORED = "errored"
        CANCELED = "canceled"

    check_set = models.ForeignKey(CheckSet, on_delete=models.CASCADE, related_name="checks")
    plugin_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_output = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_set", "plugin_name"], name="repositories_check_unique_plugin")
        ]

    def __str__(self):
        return self.plugin_name


class SecretQuerySet(models.QuerySet):
    def visible_to(self, repository):
        return self.filter(
            models.Q(scope=Secret.Scope.REPOSITORY, repository=repository)
            | models.Q(scope=Secret.Scope.ORGANIZATION)
        )


class Secret(models.Model):
    class Scope(models.TextChoices):
        ORGANIZATION = "organization"
        REPOSITORY = "repository"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    repository = models.ForeignKey(
        Repository, null=True, blank=True, on_delete=models.CASCADE, related_name="secrets"
    )
    name = models.CharField(max_length=255)
    value = EncryptedTextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="secrets"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SecretQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "name"],
                condition=models.Q(scope="repository"),
                name="repositories_secret_unique_per_repository",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(scope="organization"),
                name="repositories_secret_unique_per_organization",
            ),
            models.CheckConstraint(
                condition=models.Q(scope="organization", repository__isnull=True)
                | models.Q(scope="repository", repository__isnull=False),
                name="repositories_secret_scope_matches_repository",
            ),
        ]

    def __str__(self):
        return f"{self.scope}:{self.name}"


class SecretAuthorization(models.Model):
    """A one-time grant the Worker redeems to read a secret it mounts into a check."""

    TOKEN_PREFIX = "csa_"

    secret = models.ForeignKey(Secret, on_delete=models.CASCADE, related_name="authorizations")
    check_set = models.ForeignKey(CheckSet, on_delete=models.CASCADE, related_name="secret_authorizations")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    target = models.CharField(max_length=1024)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.secret} → {self.target}"


class RepositoryMember(models.Model):
    class Level(models.TextChoices):
        USER = "user"
        MAINTAINER = "maintainer"
        ADMIN = "admin"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="members")
    github_member_id = models.BigIntegerField()
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.USER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "github_member_id"], name="repositories_member_unique_per_repository"
            )
        ]

    def __str__(self):
        return f"{self.github_member_id}@{self.repository.name} ({self.level})"
