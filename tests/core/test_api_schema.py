"""The OpenAPI schema: valid, warning-free, and documenting what every operation answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from recall.core.schema import ERROR_DESCRIPTIONS


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """`manage.py spectacular --validate --fail-on-warn`: raises on any warning or error."""
    path: Path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(path))
    return yaml.safe_load(path.read_text())


def _operations(schema: dict):
    for url, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield url, method, operation


def test_every_operation_has_a_summary(schema):
    missing = [f"{m.upper()} {u}" for u, m, op in _operations(schema) if not op.get("summary")]
    assert missing == []


def test_every_operation_documents_auth_and_throttling_errors(schema):
    for url, method, operation in _operations(schema):
        assert {"401", "429"} <= set(operation["responses"]), f"{method} {url}"


def test_api_v1_operations_have_examples(schema):
    """Each /api/v1/ operation shows a request or a response example (deletes have no body)."""
    missing = []
    for url, method, operation in _operations(schema):
        if not url.startswith("/api/v1/") or method == "delete":
            continue
        contents = [r.get("content", {}) for r in operation["responses"].values()]
        contents.append(operation.get("requestBody", {}).get("content", {}))
        if not any("examples" in media for content in contents for media in content.values()):
            missing.append(f"{method.upper()} {url}")
    assert missing == []


def test_errors_use_the_single_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    op = schema["paths"]["/api/v1/decks/{id}/"]["patch"]
    for code in ("400", "401", "403", "404", "429"):
        assert op["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        # A 400 may go on to list the business rules of the operation.
        assert op["responses"][code]["description"].startswith(ERROR_DESCRIPTIONS[int(code)])


def test_export_documents_each_registered_format(schema):
    from recall.decks.exporters import EXPORTERS

    op = schema["paths"]["/api/v1/decks/{id}/export/"]["get"]
    (param,) = [p for p in op["parameters"] if p["name"] == "format"]
    assert sorted(param["schema"]["enum"]) == sorted(EXPORTERS)
    documented = set(op["responses"]["200"]["content"])
    assert documented == {e.content_type.split(";")[0] for e in EXPORTERS.values()}


def test_token_and_session_authentication_are_documented(schema):
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/schema/", "application/vnd.oai.openapi"),
        ("/api/schema/?format=json", "application/vnd.oai.openapi+json"),
        ("/api/docs/", "text/html"),
        ("/api/redoc/", "text/html"),
    ],
)
def test_schema_and_documentation_pages_are_served(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
