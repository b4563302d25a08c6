"""REST API of the search app: serializers, views and URLs (mounted by config/api_router.py)."""
