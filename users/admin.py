from django.contrib import admin
from django.db import models
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from users.models import User, UserEmail


class UserEmailInline(admin.TabularInline):
    model = UserEmail
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("login", "github_id", "is_staff", "is_superuser", "date_joined")
    search_fields = ("login", "username", "emails__email", "github_id")
    list_filter = ("is_staff", "is_superuser", "is_active")
    inlines = [UserEmailInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = DjangoUserAdmin.fieldsets + (("GitHub", {"fields": ("login", "github_id", "avatar_url")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("GitHub", {"fields": ("login", "github_id")}),)


@admin.register(UserEmail)
class UserEmailAdmin(admin.ModelAdmin):
    list_display = ("email", "user")
    search_fields = ("email", "user__login")
    autocomplete_fields = ("user",)
