from django.contrib import admin

from coverage_reports.models import CoverageFile, CoverageHistory, CoverageInfo


class CoverageFileInline(admin.TabularInline):
    model = CoverageFile
    extra = 0
    fields = ("file", "lines_total", "lines_covered", "lines_missed", "percent_covered")
    readonly_fields = fields
    show_change_link = True


@admin.register(CoverageInfo)
class CoverageInfoAdmin(admin.ModelAdmin):
    list_display = ("commit", "status", "percent_covered", "lines_covered", "lines_total", "format",
                    "dropped_paths", "updated_at")
    list_filter = ("status", "format")
    search_fields = ("commit__sha", "commit__repository__name")
    raw_id_fields = ("commit",)
    readonly_fields = ("report_id", "processed_report_id", "reported_report_id", "warning")
    inlines = [CoverageFileInline]


@admin.register(CoverageFile)
class CoverageFileAdmin(admin.ModelAdmin):
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
class CoverageHistoryAdmin(admin.ModelAdmin):
    list_display = ("repository", "branch", "percentage", "created_at")
    list_filter = ("repository",)
    search_fields = ("repository__name", "branch__name")
    raw_id_fields = ("branch",)
