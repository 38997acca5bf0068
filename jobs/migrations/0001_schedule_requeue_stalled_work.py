from django.db import migrations

TASK = "jobs.requeue_stalled_work.RequeueStalledWorkJob.run"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="RequeueStalledWorkJob", defaults={"func": TASK, "schedule_type": "I", "minutes": 5, "repeats": -1}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="RequeueStalledWorkJob").delete()


class Migration(migrations.Migration):
    dependencies = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(schedule, unschedule)]
