"""REST API of the sources app: serializers and views (routed by config/api_router.py)."""
