"""`python manage.py api_token USERNAME --name NAME`: make an API token and print it once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sanshe.accounts.models import User
from sanshe.accounts.services import api_token_create
from sanshe.core.errors import ActionForbidden


class Command(BaseCommand):
    help = "为用户创建接口令牌并打印（只显示这一次）/ Create an API token for a user and print it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="用户名 / username")
        parser.add_argument("--name", required=True, help="令牌用途，例如“区疫情平台对接” / what the token is for")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为 {username} 的有效用户 / no active user {username!r}")
        try:
            token, plaintext = api_token_create(actor=user, name=name)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except ActionForbidden as exc:
            raise CommandError(f"用户 {username} 不是工作人员，不能创建接口令牌 / {username!r} holds no staff role") from exc
        self.stderr.write(f"已为 {username} 创建令牌「{token.name}」（{token.prefix}…）。请立即保存，它不会再次显示：")
        self.stdout.write(plaintext)
