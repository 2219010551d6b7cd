"""factory_boy factories for tests."""

from __future__ import annotations

import factory

from core.tenancy import Role
from organizations.models import Department, Membership, OCMAccess, Organization, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.bmms")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TST{n}")
    name = factory.Sequence(lambda n: f"Test Organization {n}")
    category = Organization.Category.AGENCY


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.VIEWER
    is_primary = True


class OCMAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OCMAccess

    user = factory.SubFactory(UserFactory)
    level = OCMAccess.Level.ANALYST


def main_of(response) -> str:
    """The page's <main> element: what a cached fragment renders, without the per-request shell
    (whose forms carry a fresh CSRF mask on every response)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]
