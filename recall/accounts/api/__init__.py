"""REST API of the accounts app: serializers and views (routed by config/api_router.py)."""
