from django.contrib import admin
from django.urls import path

from webhooks.views import github_events

urlpatterns = [
    path("v1/github/events", github_events, name="github-events"),
    path("admin/", admin.site.urls),
]
