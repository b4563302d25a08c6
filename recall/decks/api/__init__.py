"""REST API of the decks app: serializers, filters and viewsets (see config/api_router)."""
