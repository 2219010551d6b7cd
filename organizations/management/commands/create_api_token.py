"""Issue a personal API token for the JSON API (`/api/`); the token is printed once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations import api_tokens as services
from organizations.models import User


class Command(BaseCommand):
    help = (
        "Create an API token for a user (Authorization: Bearer <token>). The token acts with the "
        "user's own rights and is shown only once: only its SHA-256 is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The user the token acts as.")
        parser.add_argument("--name", default="API token", help="What the token is for.")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email}.")
        try:
            # An operator issues the token on the user's behalf: the audit log names the user.
            api_token, token = services.api_token_create(actor=user, user=user, name=name)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"API token “{api_token.name}” for {user.email} (shown only once):")
        self.stdout.write(token)
