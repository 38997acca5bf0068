from django.db import models

from repositories.models import Branch, Commit, Repository


class CoverageInfo(models.Model):
    """A commit's coverage, reached as `commit.coverage`."""

    class Status(models.TextChoices):
        WAITING = "waiting"
        QUEUED = "queued"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        ERRORED = "errored"

    commit = models.OneToOneField(Commit, on_delete=models.CASCADE, related_name="coverage")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    lines_total = models.IntegerField(default=0)
    lines_covered = models.IntegerField(default=0)
    percent_covered = models.FloatField(default=0.0)
    format = models.CharField(max_length=32, blank=True, default="")
    # The newest accepted upload; an older queued job whose report is not this one does nothing.
    report_id = models.UUIDField(null=True, blank=True)
    # The queued report itself, kept until it is processed, so that a job lost on its way to the
    # queue can be queued again (RequeueStalledWorkJob).
    pending_report = models.BinaryField(null=True, blank=True, editable=False)
    processed_report_id = models.UUIDField(null=True, blank=True)
    reported_report_id = models.UUIDField(null=True, blank=True)
    dropped_paths = models.IntegerField(
        default=0, help_text="files of the report found nowhere in the commit's tree (left out)"
    )
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "coverage"
        verbose_name_plural = "coverage"

    def __str__(self):
        return f"coverage of {self.commit}"

    @property
    def warning(self):
        if not self.dropped_paths:
            return ""
        return f"{self.dropped_paths} file(s) of the report were not found in the commit and were left out"


class CoverageFile(models.Model):
    coverage = models.ForeignKey(CoverageInfo, on_delete=models.CASCADE, related_name="files")
    file = models.TextField()
    lines_total = models.IntegerField()
    lines_covered = models.IntegerField()
    lines_missed = models.IntegerField()
    percent_covered = models.FloatField()
    raw_data = models.BinaryField(help_text="Cocov line data: one entry per line of the file")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coverage", "file"], name="coverage_file_unique_path")]

    def __str__(self):
        return self.file

    @property
    def lines(self):
        from coverage_reports import linedata

        return linedata.decode(bytes(self.raw_data))


class CoverageHistory(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="coverage_history")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="coverage_history")
    percentage = models.FloatField()
    report_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "coverage history"
        constraints = [
            # One row per processed report and branch: running the job twice adds nothing.
            models.UniqueConstraint(fields=["branch", "report_id"], name="coverage_history_once_per_report")
        ]

    def __str__(self):
        return f"{self.branch}: {self.percentage:.2f}%"
