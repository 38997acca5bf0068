from django.contrib import admin
from django.urls import path

from coverage_reports.views import upload_report
from webhooks.views import github_events

urlpatterns = [
    path("v1/github/events", github_events, name="github-events"),
    path("v1/reports", upload_report, name="upload-report"),
    path("admin/", admin.site.urls),
]

handler400 = "cocov.http.bad_request"
handler404 = "cocov.http.not_found"
handler500 = "cocov.http.server_error"
