from django.contrib import admin

from coverage_reports.models import CoverageFile, CoverageHistory, CoverageInfo


class CoverageFileInline(admin.TabularInline):
    model = CoverageFile
    extra = 0
    fields = ("file", "lines_total", "lines_covered", "lines_missed", "percent_covered")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ComputedRecordAdmin(admin.ModelAdmin):
    """Coverage is computed by ProcessCoverageJob: shown, never edited or added by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CoverageInfo)
class CoverageInfoAdmin(ComputedRecordAdmin):
    list_display = ("commit", "status", "percent", "lines_covered", "lines_total", "format", "dropped_paths",
                    "updated_at")
    list_filter = ("status", "format")
    search_fields = ("commit__sha", "commit__repository__name")
    exclude = ("pending_report",)
    readonly_fields = ("warning",)
    inlines = [CoverageFileInline]

    @admin.display(description="percent covered", ordering="percent_covered")
    def percent(self, coverage):
        return f"{coverage.percent_covered:.2f}%"


@admin.register(CoverageFile)
class CoverageFileAdmin(ComputedRecordAdmin):
    list_display = ("file", "coverage", "lines_total", "lines_covered", "lines_missed", "percent_covered")
    search_fields = ("file", "coverage__commit__sha")
    raw_id_fields = ("coverage",)
    exclude = ("raw_data",)
    readonly_fields = ("line_view",)

    @admin.display(description="lines (hits; · not counted)")
    def line_view(self, obj):
        shown = []
        for number, hits in enumerate(obj.lines, 1):
            shown.append(f"{number}: {'·' if hits is None or hits == 'ignored' else hits}")
        return ", ".join(shown[:2000])


@admin.register(CoverageHistory)
class CoverageHistoryAdmin(ComputedRecordAdmin):
    list_display = ("repository", "branch", "percentage", "created_at")
    list_filter = ("repository",)
    search_fields = ("repository__name", "branch__name")
    raw_id_fields = ("branch",)
