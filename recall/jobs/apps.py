"""Jobs app: background work a user waits for, its progress and the websocket that streams it."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "recall.jobs"
    label = "jobs"
