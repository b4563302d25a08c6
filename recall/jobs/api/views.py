"""Viewset of background jobs (read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets

from recall.core import schema_examples as ex
from recall.jobs.models import Job
from recall.jobs.selectors import jobs_owned_by

from .examples import JOB
from .serializers import JobSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List your background jobs", examples=[ex.response("jobs", ex.page(JOB))]
    ),
    retrieve=extend_schema(
        summary="Read a job's status and progress",
        description="Poll this after an import: status goes pending → running → "
        "succeeded or failed; progress counts up to total.",
        examples=[ex.response("job", JOB)],
    ),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "kind"]
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at", "-id"]
    queryset = Job.objects.none()

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_owned_by(self.request.user)
