"""The versioned JSON API (/api/v1/), with its OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from sanshe.groups import api as groups_api
from sanshe.knowledge import api as knowledge_api
from sanshe.triage import api as triage_api

from . import people, places
from .auth import BearerToken, SessionWithCsrf, docs_login_required
from .errors import install_error_handlers

DESCRIPTION = """
三社线上抗疫平台的数据接口。 / The data API of Sanshe, a community's online epidemic response platform.

**认证 / Authentication**
- 接口令牌：在“接口令牌”页面（/api/tokens/）创建，或 `python manage.py api_token 用户名 --name 用途`；
  请求头 `Authorization: Bearer ssk_…`。令牌等同于其用户，只能看到该用户可见的数据。
  API token: make one at /api/tokens/ or with `manage.py api_token USERNAME --name NAME`; send
  `Authorization: Bearer ssk_…`. A token acts as its user and sees exactly what the user may see.
- 浏览器会话：已登录的页面可直接调用；POST/PATCH 须带 `X-CSRFToken` 头。
  Browser session: logged-in pages may call the API; POST/PATCH need the `X-CSRFToken` header.

**个人信息 / Personal data**：证件号、手机号、详细地址一律遮蔽返回；完整值只能通过
`POST /people/{id}/reveal` 写明事由后查看，每次查看记入审计日志。
ID numbers, phones and addresses are always masked; a full value only comes from the audited reveal.

**错误 / Errors**：401 未认证 unauthenticated；403 角色无此权限 role cannot do this；
404 不存在或不在您的范围内 missing or out of your scope（同一响应 / same body）；
422 输入有误 invalid input: `{"detail": [{"field": "phone", "message": "手机号应为11位…"}]}`。

**分页 / Paging**：`GET /people` 返回 `next` 游标，作为下一次请求的 `cursor`；`null` 表示最后一页。
`GET /people` returns a `next` cursor to pass as `cursor`; `null` on the last page.
"""


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese kept readable (not \\u-escaped)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="三社 Sanshe API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionWithCsrf()],
    renderer=ReadableJSONRenderer(),
    # Swagger UI is served from ninja's bundled static files (no CDN); the online validator is off.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False, "tryItOutEnabled": False}),
    # The docs page and the schema need a login (or a token), like the data they describe.
    docs_decorator=docs_login_required,
)
install_error_handlers(api)
api.add_router("", places.router)
api.add_router("", people.router)
# Feature routers from other apps, under the same authentication and error handling.
api.add_router("", triage_api.router)
api.add_router("", groups_api.router)
api.add_router("/knowledge", knowledge_api.router)


@api.get("/health", auth=None, summary="存活检查 / liveness", tags=["system 系统"])
def health(request):
    return {"status": "ok"}
