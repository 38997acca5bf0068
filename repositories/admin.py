from django import forms
from django.contrib import admin

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


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ("name", "github_id", "default_branch", "commits_size", "cache_size", "created_at")
    search_fields = ("name", "description", "github_id")
    readonly_fields = ("commits_size", "cache_size", "created_at", "updated_at")
    exclude = ("token_digest",)


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("name", "repository", "head", "coverage", "issues", "updated_at")
    search_fields = ("name", "repository__name")
    list_filter = ("repository",)
    raw_id_fields = ("head",)


class CheckSetInline(admin.StackedInline):
    model = CheckSet
    extra = 0
    readonly_fields = ("status", "job_id", "error_kind", "error_extra", "started_at", "finished_at")


@admin.register(Commit)
class CommitAdmin(admin.ModelAdmin):
    list_display = ("sha", "repository", "author_name", "clone_status", "clone_size", "coverage_percent", "created_at")
    search_fields = ("sha", "author_name", "author_email", "message", "repository__name")
    list_filter = ("clone_status", "repository")
    raw_id_fields = ("user",)
    inlines = [CheckSetInline]


class CheckInline(admin.TabularInline):
    model = Check
    extra = 0


@admin.register(CheckSet)
class CheckSetAdmin(admin.ModelAdmin):
    list_display = ("commit", "status", "error_kind", "job_id", "started_at", "finished_at")
    search_fields = ("commit__sha", "commit__repository__name", "job_id", "error_kind")
    list_filter = ("status", "error_kind")
    raw_id_fields = ("commit",)
    inlines = [CheckInline]


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ("plugin_name", "check_set", "status", "started_at", "finished_at")
    search_fields = ("plugin_name", "check_set__commit__sha")
    list_filter = ("status", "plugin_name")
    raw_id_fields = ("check_set",)


class SecretForm(forms.ModelForm):
    """The value is write-only: required when adding, left unchanged when blank on edit."""

    new_value = forms.CharField(
        label="Value", required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text="Never shown again. Leave blank to keep the current value.",
    )

    class Meta:
        model = Secret
        fields = ("scope", "repository", "name", "owner")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not (cleaned.get("new_value") or "").strip():
            self.add_error("new_value", "A new secret needs a value")
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("new_value"):
            self.instance.value = self.cleaned_data["new_value"]
        return super().save(commit)


@admin.register(Secret)
class SecretAdmin(admin.ModelAdmin):
    form = SecretForm
    list_display = ("name", "scope", "repository", "owner", "last_used_at")
    search_fields = ("name", "repository__name")
    list_filter = ("scope",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("value")  # lists never decrypt


@admin.register(SecretAuthorization)
class SecretAuthorizationAdmin(admin.ModelAdmin):
    list_display = ("secret", "target", "check_set", "expires_at", "redeemed_at")
    list_filter = ("redeemed_at",)
    raw_id_fields = ("check_set",)
    exclude = ("token_digest",)


@admin.register(RepositoryMember)
class RepositoryMemberAdmin(admin.ModelAdmin):
    list_display = ("repository", "github_member_id", "level")
    search_fields = ("repository__name", "github_member_id")
    list_filter = ("level",)
