from django.apps import AppConfig


class CoverageReportsConfig(AppConfig):
    name = "coverage_reports"
    verbose_name = "Coverage"
