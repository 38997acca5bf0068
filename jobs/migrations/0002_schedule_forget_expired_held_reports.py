from django.db import migrations

TASK = "jobs.forget_expired_held_reports.ForgetExpiredHeldReportsJob.run"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="ForgetExpiredHeldReportsJob", defaults={"func": TASK, "schedule_type": "H", "repeats": -1}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="ForgetExpiredHeldReportsJob").delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_schedule_requeue_stalled_work")]
    operations = [migrations.RunPython(schedule, unschedule)]
