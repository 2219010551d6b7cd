"""Create the configured PostgreSQL database when it is missing; explain plainly when the server
does not answer. Used by `make run` and `make test` before anything touches the database."""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = "Create the database named by DATABASE_URL if it does not exist."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        params = {
            k: v
            for k, v in {
                "host": db.get("HOST") or None,
                "port": db.get("PORT") or None,
                "user": db.get("USER") or None,
                "password": db.get("PASSWORD") or None,
            }.items()
            if v
        }
        name = db["NAME"]
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
        try:
            with psycopg.connect(
                dbname="postgres", autocommit=True, connect_timeout=5, **params
            ) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if exists:
                    self.stdout.write(f"Database {name} is ready on {where}.")
                    return
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.stdout.write(self.style.SUCCESS(f"Created database {name} on {where}."))
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"PostgreSQL does not answer on {where}: start it (for example "
                "`sudo service postgresql start`) or set DATABASE_URL in .env to a server "
                f"that runs. ({str(exc).strip().splitlines()[0]})"
            ) from exc
