"""The versioned JSON API (/api/v1/), with its OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="Sanshe API", version="1", urls_namespace="api-v1")


@api.get("/health", auth=None, summary="Liveness")
def health(request):
    return {"status": "ok"}
