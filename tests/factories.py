import factory
from django.utils import timezone

from cocov.models import OutboxMessage
from repositories.models import (
    Branch,
    Check,
    CheckSet,
    Commit,
    Repository,
    RepositoryMember,
    Secret,
    SecretAuthorization,
)
from users.models import User, UserEmail
from webhooks.models import WebhookDelivery


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    login = factory.Sequence(lambda n: f"user{n}")
    username = factory.SelfAttribute("login")
    github_id = factory.Sequence(lambda n: 1000 + n)
    avatar_url = factory.LazyAttribute(lambda u: f"https://avatars.example.com/{u.login}")


class UserEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserEmail

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda e: f"{e.user.login}@example.com")


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repository

    name = factory.Sequence(lambda n: f"repo{n}")
    github_id = factory.Sequence(lambda n: 500000 + n)
    default_branch = "master"
    description = factory.LazyAttribute(lambda r: f"The {r.name} repository")
    token_digest = factory.Sequence(lambda n: f"{n:064x}")


class CommitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commit

    repository = factory.SubFactory(RepositoryFactory)
    sha = factory.Sequence(lambda n: f"{n:040x}")
    author_name = "Ada Lovelace"
    author_email = "ada@example.com"
    message = "Add the analytical engine"


class CheckSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckSet

    commit = factory.SubFactory(CommitFactory)


class CheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Check

    check_set = factory.SubFactory(CheckSetFactory)
    plugin_name = factory.Sequence(lambda n: f"cocov/plugin{n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    repository = factory.SubFactory(RepositoryFactory)
    name = factory.Sequence(lambda n: f"branch{n}")
    head = factory.SubFactory(CommitFactory, repository=factory.SelfAttribute("..repository"))


class SecretFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Secret

    scope = Secret.Scope.ORGANIZATION
    repository = None
    name = factory.Sequence(lambda n: f"SECRET_{n}")
    value = "s3cr3t-value"


class SecretAuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecretAuthorization

    secret = factory.SubFactory(SecretFactory)
    check_set = factory.SubFactory(CheckSetFactory)
    token_digest = factory.Sequence(lambda n: f"{n:064x}")
    target = "/secrets/key"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))


class RepositoryMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepositoryMember

    repository = factory.SubFactory(RepositoryFactory)
    github_member_id = factory.Sequence(lambda n: 9000 + n)
    level = RepositoryMember.Level.USER


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    queue = "cocov:checks"
    payload = factory.LazyFunction(lambda: {"job_id": "x"})


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    delivery_id = factory.Sequence(lambda n: f"delivery-{n}")
    event = "push"


class CoverageInfoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coverage_reports.CoverageInfo"

    commit = factory.SubFactory(CommitFactory)


class CoverageFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coverage_reports.CoverageFile"

    coverage = factory.SubFactory(CoverageInfoFactory)
    file = factory.Sequence(lambda n: f"lib/file{n}.py")
    lines_total = 2
    lines_covered = 1
    lines_missed = 1
    percent_covered = 50.0
    raw_data = b"1\x1e\x15"


class CoverageHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coverage_reports.CoverageHistory"

    branch = factory.SubFactory(BranchFactory)
    repository = factory.SelfAttribute("branch.repository")
    percentage = 75.0
    report_id = factory.Faker("uuid4")
