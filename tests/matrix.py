"""The permission matrix harness: every URL pattern of the project × every persona.

Each named URL pattern needs a `Sample` here (admin patterns are sampled generically from the
admin registry). `check_pattern()` returns the list of rule violations for one pattern; the test
module walks every pattern and fails on any violation, and on any pattern without a sample.

The rules (ARCHITECTURE.md §3):
  1. anonymous → redirect to a login page (unless the sample is public);
  2. a member with the right (alice, org A admin; root for the admin) → the page works;
  3. an object of org A asked for by charlie (org B) → 404, for reads and writes alike;
  4. olga (OCM-only) → 403 on every unsafe method, everywhere (sign-out excepted);
  5. bob (org A viewer) → 403 on a write.
  7. sam (org B, "shared with": holds grants on org A's plans, see tests/bcp/matrix_samples.py)
     → 404 on every URL naming an object of org A, for reads and writes, except the URLs a grant
     is meant to open (`Sample.shared` / `shared_post`: what sam gets there);
  6. (module off, `check_module_off`) with the URL's module switched off for org A only, a member
     of org A who also belongs to org B (module on) and works in org B → 404 on org A's object,
     for reads and writes: a module is off for the objects of the organization where it is off.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

UNSAFE = ("post", "put", "patch", "delete")


@dataclass
class Sample:
    """How to exercise one URL pattern."""

    kwargs: Callable[[dict], dict] | dict = field(default_factory=dict)
    #: The URL names an object of org A: charlie (org B) must get 404.
    foreign: bool = False
    #: Reachable without signing in (login page, health check), answering `anon_ok`.
    public: bool = False
    anon_ok: tuple[int, ...] = (200,)
    #: Who must be able to GET it, and the statuses that count as "works".
    reader: str = "alice"
    ok: tuple[int, ...] = (200,)
    #: The view changes data on POST: bob (viewer) must get 403.
    write: bool = False
    #: Exempt from the OCM write guard: sign-out and the person's own account (accounts/).
    ocm_exempt: bool = False
    #: JSON API URLs answer anonymous requests with this status (401) instead of redirecting
    #: to the login page.
    anon_status: int | None = None
    #: A JSON body for the POSTs of charlie and bob, so that an API write reaches the view's
    #: tenancy checks instead of stopping at body validation (422).
    json_body: Callable[[dict], dict] | None = None
    #: An API read: unsafe methods answer 405 before any lookup, which reveals nothing, so
    #: charlie's POST may get 405 as well as 404.
    get_only: bool = False
    #: Rule 7: what sam (a person org A's plan is shared with) gets on GET and on POST here;
    #: None: 404, as for everything of org A a grant does not open.
    shared: tuple[int, ...] | None = None
    shared_post: tuple[int, ...] | None = None

    def resolve_kwargs(self, world: dict) -> dict:
        return self.kwargs(world) if callable(self.kwargs) else dict(self.kwargs)


def iter_patterns(urlconf: str | None = None) -> Iterator[tuple[str, URLPattern, str]]:
    """(key, pattern, namespace) for every endpoint; key is the qualified name or the route."""

    def walk(resolver: URLResolver, namespace: str, prefix: str):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or ""
                full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                yield from walk(entry, full_ns, prefix + str(entry.pattern))
            else:
                route = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = f"route:{route}"
                yield key, entry, namespace

    yield from walk(get_resolver(urlconf), "", "")


# ----------------------------------------------------------------------------------------------
# Samples of the project's own URLs live beside each app's tests, in a module with
#   SAMPLES: dict[str, Sample]           URL name → how to exercise it
#   build_world(world, personas) -> None  adds the objects those samples point at (org A's)
# Every later issue adds its module to this list.
# ----------------------------------------------------------------------------------------------
APP_SAMPLE_MODULES = [
    "tests.organizations.matrix_samples",
    "tests.bcp.matrix_samples",
    "tests.coordination.matrix_samples",
    "tests.ocm.matrix_samples",
    "tests.planning.matrix_samples",
    "tests.budgeting.matrix_samples",
    "tests.rollout.matrix_samples",
    "tests.incidents.matrix_samples",
    "tests.accounts.matrix_samples",
    "tests.notifications.matrix_samples",
]


def _modules():
    return [importlib.import_module(name) for name in APP_SAMPLE_MODULES]


def project_samples() -> dict[str, Sample]:
    samples: dict[str, Sample] = {}
    for module in _modules():
        clash = samples.keys() & module.SAMPLES.keys()
        assert not clash, f"samples defined twice: {clash}"
        samples.update(module.SAMPLES)
    return samples


def build_world(personas: dict[str, Any]) -> dict[str, Any]:
    """The objects of org A that the samples point at, built by each app's module."""
    world: dict[str, Any] = {}
    for module in _modules():
        module.build_world(world, personas)
    return world


# Admin views that need no object, and what root gets there.
ADMIN_FIXED: dict[str, Sample] = {
    "admin:index": Sample(reader="root"),
    "admin:login": Sample(public=True, reader="root", ok=(200, 302)),
    "admin:logout": Sample(public=True, anon_ok=(302,), reader="root", ok=(405,)),
    "admin:password_change": Sample(reader="root"),
    "admin:password_change_done": Sample(reader="root"),
    "admin:jsi18n": Sample(reader="root"),
    "admin:autocomplete": Sample(reader="root", ok=(200, 403)),
}


def admin_sample(key: str, pattern: URLPattern, world: dict) -> Sample | None:
    """Generic samples for the Django admin, built from the admin registry."""
    if key in ADMIN_FIXED:
        return ADMIN_FIXED[key]
    route = str(pattern.pattern)
    if key == "admin:auth_user_password_change":  # Django names it after auth.User
        return Sample(kwargs=lambda w: {"id": w["bob_membership"].user_id}, reader="root")
    if key == "admin:app_list":
        return Sample(kwargs={"app_label": "organizations"}, reader="root")
    if key == "admin:view_on_site":
        return Sample(
            kwargs=lambda w: {"content_type_id": w["content_type_id"], "object_id": w["dept_a"].pk},
            reader="root",
            ok=(302, 404),
        )
    if key.startswith("route:admin/"):
        # Unnamed admin patterns: the catch-all and the legacy "<id>/" redirect.
        if "object_id" in route:
            return Sample(kwargs=lambda w: {"object_id": "1"}, reader="root", ok=(301, 302))
        return Sample(kwargs={"url": "no-such-page/"}, reader="root", ok=(302, 404))
    for model, _model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if key.startswith(prefix):
            view = key[len(prefix) :]
            if view in ("changelist", "add"):
                ok = (200, 403) if view == "add" else (200,)
                return Sample(reader="root", ok=ok)
            instance = model._default_manager.order_by("pk").first()
            object_id = str(instance.pk) if instance is not None else "0"
            ok = (200, 403) if instance is not None else (302,)
            if view == "password_change":
                return Sample(kwargs={"id": object_id}, reader="root", ok=ok)
            return Sample(kwargs={"object_id": object_id}, reader="root", ok=ok)
    return None


def sample_for(
    key: str, pattern: URLPattern, world: dict, extra: dict[str, Sample] | None = None
) -> Sample | None:
    if extra and key in extra:
        return extra[key]
    samples = project_samples()
    if key in samples:
        return samples[key]
    if key.startswith(("admin:", "route:admin/")):
        return admin_sample(key, pattern, world)
    return None


def _url(key: str, pattern: URLPattern, kwargs: dict, urlconf: str | None) -> str:
    if key.startswith("route:"):
        route = key[len("route:") :]
        # Unnamed patterns: fill the single kwarg into the regex/route by hand.
        if "(?P<url>" in route:
            return "/admin/" + kwargs["url"]
        if "<path:object_id>" in route:
            return "/" + route.replace("<path:object_id>", kwargs["object_id"]).lstrip("^")
        return "/" + route
    return reverse(key, kwargs=kwargs, urlconf=urlconf)


def _is_login_redirect(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code == 302 and (
        "/accounts/login/" in location or "/admin/login/" in location
    )


def check_pattern(
    key: str,
    pattern: URLPattern,
    world: dict,
    personas: dict[str, Any],
    urlconf: str | None = None,
    extra: dict[str, Sample] | None = None,
) -> list[str]:
    """All rule violations of one URL pattern (an empty list means it passes)."""
    sample = sample_for(key, pattern, world, extra)
    if sample is None:
        return [f"{key}: no sample in tests/matrix.py: add one so the matrix covers it"]
    url = _url(key, pattern, sample.resolve_kwargs(world), urlconf)
    problems: list[str] = []

    def client_for(persona: str | None) -> Client:
        client = Client()
        if persona:
            client.force_login(personas[persona])
        return client

    def post(client: Client):
        if sample.json_body is None:
            return client.post(url)
        return client.post(url, sample.json_body(world), content_type="application/json")

    # 1. anonymous
    response = client_for(None).get(url)
    if sample.public:
        if response.status_code not in sample.anon_ok:
            problems.append(
                f"{key}: anonymous GET {url} → {response.status_code}, expected {sample.anon_ok}"
            )
    elif sample.anon_status is not None:
        if response.status_code != sample.anon_status:
            problems.append(
                f"{key}: anonymous GET {url} → {response.status_code}, "
                f"expected {sample.anon_status}"
            )
    elif not _is_login_redirect(response):
        problems.append(
            f"{key}: anonymous GET {url} → {response.status_code}, "
            "expected a redirect to the login page"
        )

    # 2. the reader
    response = client_for(sample.reader).get(url)
    if response.status_code not in sample.ok:
        problems.append(
            f"{key}: {sample.reader} GET {url} → {response.status_code}, expected {sample.ok}"
        )

    # 3. foreign organization's object
    if sample.foreign:
        charlie = client_for("charlie")
        for method in ("get", "post"):
            response = charlie.get(url) if method == "get" else post(charlie)
            # A POST-only view answers GET with 405 whatever the object: that reveals nothing.
            allowed = (404, 405) if method == "get" and sample.ok == (405,) else (404,)
            if method == "post" and sample.get_only:
                allowed = (404, 405)
            if response.status_code not in allowed:
                problems.append(
                    f"{key}: charlie (other organization) {method.upper()} {url} → "
                    f"{response.status_code}, expected 404"
                )

    # 7. the "shared with" persona: a grant opens its plan's shared pages and nothing else
    if sample.foreign and "sam" in personas:
        sam = client_for("sam")
        for method in ("get", "post"):
            expected = sample.shared if method == "get" else sample.shared_post
            if expected is None:
                expected = (404, 405) if method == "get" and sample.ok == (405,) else (404,)
                if method == "post" and sample.get_only:
                    expected = (404, 405)
            response = sam.get(url) if method == "get" else post(sam)
            if response.status_code not in expected:
                problems.append(
                    f"{key}: sam (shared with) {method.upper()} {url} → "
                    f"{response.status_code}, expected {expected}"
                )

    # 4. OCM-only user writes nothing, anywhere
    if not sample.ocm_exempt:
        olga = client_for("olga")
        for method in UNSAFE:
            response = getattr(olga, method)(url)
            if response.status_code != 403:
                problems.append(
                    f"{key}: olga (OCM) {method.upper()} {url} → "
                    f"{response.status_code}, expected 403"
                )

    # 5. a viewer cannot write
    if sample.write:
        response = post(client_for("bob"))
        if response.status_code != 403:
            problems.append(
                f"{key}: bob (viewer) POST {url} → {response.status_code}, expected 403"
            )
    return problems


# --- the module-off dimension (issue 16) ---------------------------------------------------------

#: URL namespace → the module its objects belong to (the JSON API serves business continuity).
NAMESPACE_MODULES = {
    "planning": "planning",
    "budgeting": "budgeting",
    "coordination": "coordination",
    "bcp": "bcp",
    "api": "bcp",
}


def module_of_namespace(namespace: str) -> str | None:
    return NAMESPACE_MODULES.get(namespace.split(":")[0])


def check_module_off(
    key: str,
    pattern: URLPattern,
    world: dict,
    personas: dict[str, Any],
    member: Any,
    urlconf: str | None = None,
) -> list[str]:
    """Violations of rule 6 for one URL naming an object of org A, whose module the caller has
    switched off for org A only. `member` is an org admin of org A and of org B (module on),
    whose current organization is org B."""
    from core.middleware import SESSION_KEY

    sample = sample_for(key, pattern, world)
    if sample is None or not sample.foreign:
        return []
    url = _url(key, pattern, sample.resolve_kwargs(world), urlconf)
    client = Client()
    client.force_login(member)
    session = client.session
    session[SESSION_KEY] = personas["charlie"].memberships.get().organization.code
    session.save()
    problems = []
    response = client.get(url)
    # A POST-only view answers GET with 405 whatever the object: that reveals nothing.
    allowed = (404, 405) if sample.ok == (405,) else (404,)
    if response.status_code not in allowed:
        problems.append(
            f"{key}: module off for the object's organization, member GET {url} → "
            f"{response.status_code}, expected 404"
        )
    if sample.json_body is None:
        response = client.post(url)
    else:
        response = client.post(url, sample.json_body(world), content_type="application/json")
    allowed = (404, 405) if sample.get_only else (404,)
    if response.status_code not in allowed:
        problems.append(
            f"{key}: module off for the object's organization, member POST {url} → "
            f"{response.status_code}, expected 404"
        )
    return problems
