"""Create the periodic tasks of celery beat (DatabaseScheduler): editable later in the admin."""

from django.db import migrations

# name -> (task, crontab fields). Times are UTC; the admin can change them.
SCHEDULE = {
    "Daily digest: cards due today": (
        "recall.accounts.tasks.send_daily_digests",
        {"minute": "0", "hour": "6", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    ),
    "Check links not checked for a week": (
        "recall.decks.tasks.check_stale_deck_links",
        {"minute": "30", "hour": "3", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    ),
}


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, (task, fields) in SCHEDULE.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(timezone="UTC", **fields)
        # Only created when missing: an admin's later edits survive re-running migrations.
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )
    # Tell a running beat that the schedule changed (what the admin's save does too).
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=list(SCHEDULE)).delete()


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
