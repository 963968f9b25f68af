"""Staff log in with their username or their mobile number, and a password."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from sanshe.core.identity import IdentityError, normalize_phone
from sanshe.core.pii import blind_index

from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            try:
                phone = normalize_phone(username)
            except IdentityError:
                phone = None
            if phone:
                user = User.objects.filter(phone_index=blind_index("phone", phone)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for usernames
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
