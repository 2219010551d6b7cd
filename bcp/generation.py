"""Drafting a departmental BCM plan: an OpenAI-compatible model, or the built-in generator.

The model gets the organization's mandate, the department and its structured BC data (critical
processes, vendors, risks, contacts), so plans differ between departments. Its answer must be JSON
that passes the template's schema and orders the escalation response times (critical < major <
moderate < minor); an invalid answer is sent back once with the errors, and when the second answer
is invalid too, or the endpoint fails or is not configured, the deterministic built-in generator
writes the plan from the same data. Nothing here writes to the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from . import content as plan_content
from .models import Plan, SectionDefinition, Template
from .template_data import DEFAULT_ESCALATION_MATRIX, ESCALATION_LEVELS

logger = logging.getLogger(__name__)

BUILT_IN = "built-in"

# --- the structured data a plan is drafted from --------------------------------------------------


@dataclass
class PlanFacts:
    """Everything the generators know about one plan, as plain data (JSON-able, ordered)."""

    organization: str
    acronym: str
    mandate: str
    department: str
    department_description: str
    department_head: str
    review_interval_months: int
    processes: list[dict[str, Any]] = field(default_factory=list)
    vendors: list[dict[str, Any]] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def facts_of(plan: Plan) -> PlanFacts:
    """Read a plan's structured data (a handful of queries, independent of how much there is)."""
    organization = plan.organization
    department = plan.department
    processes = list(
        plan.critical_processes.prefetch_related("vendors").order_by("priority", "name")
    )
    vendors: dict[int, Any] = {}
    for process in processes:
        for vendor in process.vendors.all():
            vendors[vendor.pk] = vendor
    return PlanFacts(
        organization=organization.name,
        acronym=organization.acronym or organization.code.upper(),
        mandate=organization.mandate,
        department=department.name if department else "Whole organization",
        department_description=department.description if department else "",
        department_head=(department.head if department else "") or organization.head_official,
        review_interval_months=plan.review_interval_months,
        processes=[
            {
                "name": p.name,
                "description": p.description,
                "priority": p.priority,
                "rto_minutes": p.rto_minutes,
                "rpo_minutes": p.rpo_minutes,
                "mtpd_minutes": p.mtpd_minutes,
                "impact": p.impact_rating,
                "vendors": sorted(v.name for v in p.vendors.all()),
            }
            for p in processes
        ],
        vendors=[
            {
                "name": v.name,
                "service": v.service,
                "criticality": v.criticality,
                "rto_offered_minutes": v.rto_offered_minutes,
            }
            for v in sorted(vendors.values(), key=lambda v: v.name.lower())
        ],
        risks=[
            {
                "threat": r.threat,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "rating": r.likelihood * r.impact,
                "mitigation": r.mitigation,
            }
            for r in sorted(
                plan.risks.all(), key=lambda r: (-(r.likelihood * r.impact), r.threat.lower())
            )
        ],
        contacts=[{"name": c.name, "role": c.role} for c in plan.contacts.order_by("name", "role")],
    )


# --- validation of an answer ---------------------------------------------------------------------

_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)\b",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}


def duration_minutes(text: str) -> float | None:
    """ "30 minutes" → 30, "1 hour" → 60, "2 days" → 2880; None when it is not a duration."""
    match = _DURATION.match(text or "")
    if not match:
        return None
    return float(match.group(1)) * _UNIT_MINUTES[match.group(2)[0].lower()]


def answer_problems(template: Template, content: Any) -> list[str]:
    """Why a generated plan cannot be used (empty list: it can)."""
    try:
        plan_content.validate_content(template, content)
    except ValidationError as exc:
        return list(exc.messages)
    problems = [f"{title}: empty." for title in plan_content.missing_sections(template, content)]
    for section in plan_content.sections_of(template):
        if section.kind != SectionDefinition.Kind.ESCALATION_MATRIX:
            continue
        matrix = content[section.key]
        minutes = {}
        for level in ESCALATION_LEVELS:
            value = duration_minutes(matrix[level]["response_time"])
            if value is None:
                problems.append(
                    f"{section.title}: the {level} response time "
                    f"“{matrix[level]['response_time']}” is not a duration such as “30 minutes”."
                )
            minutes[level] = value
        if None not in minutes.values() and not (
            minutes["critical"] < minutes["major"] < minutes["moderate"] < minutes["minor"]
        ):
            problems.append(
                f"{section.title}: response times must get shorter with severity "
                "(critical < major < moderate < minor)."
            )
    return problems


# --- the prompt ----------------------------------------------------------------------------------


def _schema_description(template: Template) -> str:
    lines = []
    for section in plan_content.sections_of(template):
        if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
            shape = (
                'an object with keys "minor", "moderate", "major", "critical", each '
                '{"description": str, "response_time": str like "30 minutes", '
                '"escalation_level": str}'
            )
        else:
            shape = "a string (plain text, several paragraphs or bullet lines)"
        lines.append(f'- "{section.key}" ({section.title}): {shape}. {section.help_text}')
    return "\n".join(lines)


def build_messages(template: Template, facts: PlanFacts) -> list[dict[str, str]]:
    """Chat messages asking for the plan as one JSON object (same facts → same messages)."""
    system = (
        "You are a business continuity management (BCM) specialist writing plans for government "
        "ministries, offices and agencies of the Bangsamoro Autonomous Region in Muslim Mindanao "
        "(BARMM), following ISO 22301. Write concrete, department-specific text that names the "
        "department's real processes, systems, vendors and risks given below. Answer with one JSON "
        "object only, no prose around it."
    )
    user = (
        f"Write the departmental BCM plan of the department below.\n\n"
        f"Facts (JSON):\n{json.dumps(facts.as_dict(), ensure_ascii=False, sort_keys=True)}\n\n"
        f"The JSON object must have exactly these keys:\n{_schema_description(template)}\n\n"
        "Rules: every section non-empty; response times get shorter with severity "
        "(critical < major < moderate < minor); use the RTO/RPO/MTPD figures given (minutes); "
        "no keys other than those listed."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def prompt_hash(model: str, messages: list[dict[str, str]]) -> str:
    payload = json.dumps({"model": model, "messages": messages}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def parse_answer(text: str) -> Any:
    """The JSON object in a model's answer (tolerates a ```json fence around it)."""
    text = (text or "").strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    return json.loads(text)


# --- the result ----------------------------------------------------------------------------------


@dataclass
class GenerationResult:
    """A generated plan and how it came about (recorded on the draft version)."""

    content: dict[str, Any]
    generated_by: str
    fallback: bool
    prompt_sha256: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    duration_ms: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def change_note(self) -> str:
        if not self.fallback:
            return f"Drafted by {self.generated_by}; to be reviewed before approval."
        reason = " ".join(self.notes) or "No AI endpoint is configured."
        return f"Drafted by the built-in generator. {reason}"[:2000]


class AIUnavailable(Exception):
    """The endpoint failed (network, HTTP error, timeout) after the client's own retries."""


def _client():
    from openai import OpenAI  # imported late: the built-in path never needs it

    return OpenAI(
        base_url=settings.LLM_BASE_URL,
        # Local servers (Ollama, vLLM, the test stub) need no key, but the client insists on one.
        api_key=settings.LLM_API_KEY or "not-needed",
        timeout=settings.LLM_TIMEOUT_SECONDS,
        max_retries=settings.LLM_MAX_RETRIES,
    )


def _ask(client, messages: list[dict[str, str]]) -> tuple[str, int, int]:
    import openai

    try:
        response = client.chat.completions.create(
            model=settings.LLM_MODEL,
            messages=messages,
            temperature=0.2,
            response_format={"type": "json_object"},
        )
    except openai.APITimeoutError as exc:
        raise AIUnavailable(
            f"The AI endpoint did not answer within {settings.LLM_TIMEOUT_SECONDS:g} s."
        ) from exc
    except openai.APIStatusError as exc:
        raise AIUnavailable(f"The AI endpoint answered HTTP {exc.status_code}.") from exc
    except openai.APIError as exc:
        raise AIUnavailable(
            f"The AI endpoint could not be reached ({type(exc).__name__})."
        ) from exc
    if not response.choices:
        raise AIUnavailable("The AI endpoint returned no answer.")
    usage = response.usage
    return (
        response.choices[0].message.content or "",
        getattr(usage, "prompt_tokens", 0) or 0,
        getattr(usage, "completion_tokens", 0) or 0,
    )


def generate(plan: Plan) -> GenerationResult:
    """Draft the plan's content: the AI when configured and valid, else the built-in generator."""
    started = time.monotonic()
    template = plan.template
    facts = facts_of(plan)
    messages = build_messages(template, facts)
    model = settings.LLM_MODEL
    digest = prompt_hash(model if settings.LLM_BASE_URL else BUILT_IN, messages)
    notes: list[str] = []
    prompt_tokens = completion_tokens = 0
    if settings.LLM_BASE_URL:
        client = _client()
        conversation = list(messages)
        try:
            # One answer, and one more chance with the validation errors: then give up.
            for attempt in (1, 2):
                text, used_in, used_out = _ask(client, conversation)
                prompt_tokens += used_in
                completion_tokens += used_out
                try:
                    candidate = parse_answer(text)
                    problems = answer_problems(template, candidate)
                except ValueError as exc:
                    candidate, problems = None, [f"The answer is not valid JSON ({exc})."]
                if not problems:
                    return GenerationResult(
                        content=candidate,
                        generated_by=model[:100],
                        fallback=False,
                        prompt_sha256=digest,
                        prompt_tokens=prompt_tokens,
                        completion_tokens=completion_tokens,
                        duration_ms=round((time.monotonic() - started) * 1000),
                    )
                logger.warning("AI answer %s for plan %s invalid: %s", attempt, plan.pk, problems)
                conversation += [
                    {"role": "assistant", "content": text[:20_000]},
                    {
                        "role": "user",
                        "content": "Your answer cannot be used:\n- "
                        + "\n- ".join(problems[:20])
                        + "\nAnswer again with the corrected JSON object only.",
                    },
                ]
            notes.append(
                f"The AI model {model} answered twice with an invalid plan "
                f"({'; '.join(problems[:3])})."
            )
        except AIUnavailable as exc:
            logger.warning("AI generation for plan %s failed: %s", plan.pk, exc)
            notes.append(str(exc))
    content = builtin_plan(template, facts)
    return GenerationResult(
        content=content,
        generated_by=BUILT_IN,
        fallback=True,
        prompt_sha256=digest,
        prompt_tokens=prompt_tokens or None,
        completion_tokens=completion_tokens or None,
        duration_ms=round((time.monotonic() - started) * 1000),
        notes=notes,
    )


# --- the built-in generator ----------------------------------------------------------------------


def human_minutes(minutes: int | None) -> str:
    if minutes is None:
        return "not set"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440 or minutes % 1440:
        hours = minutes / 60
        return f"{hours:g} h"
    days = minutes // 1440
    return f"{days} day{'s' if days != 1 else ''}"


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _backup_cadence(rpo: int | None) -> str:
    if rpo is None:
        return "nightly backup until an RPO is agreed"
    if rpo <= 15:
        return "continuous replication to a second site"
    if rpo <= 60:
        return "hourly incremental backups with transaction logs shipped off-site"
    if rpo <= 1440:
        return "nightly backups, one copy off-site"
    return "weekly full and daily incremental backups"


def _escalation(facts: PlanFacts) -> dict[str, dict[str, str]]:
    """The default matrix, faster when the department has processes that must be back soon."""
    rtos = [p["rto_minutes"] for p in facts.processes if p["rto_minutes"] is not None]
    fast = bool(rtos) and min(rtos) <= 120
    times = (
        {"minor": "2 hours", "moderate": "1 hour", "major": "30 minutes", "critical": "15 minutes"}
        if fast
        else {
            "minor": "4 hours",
            "moderate": "2 hours",
            "major": "1 hour",
            "critical": "30 minutes",
        }
    )
    head = facts.department_head or f"the head of {facts.department}"
    first = facts.processes[0]["name"] if facts.processes else "a critical service"
    who = {
        "minor": f"{facts.department} section supervisor on duty",
        "moderate": f"{head} and the BCM coordinator",
        "major": f"{facts.acronym} executive committee and crisis management team",
        "critical": f"The head of {facts.acronym}, all stakeholders and external support",
    }
    described = {
        "minor": "A single system or service of the department is disrupted and a workaround "
        "exists.",
        "moderate": f"Several systems, or “{first}”, are disrupted for part of the department.",
        "major": f"Critical processes of {facts.department} are down for most users; RTOs are at "
        "risk.",
        "critical": f"The disruption threatens {facts.organization} as a whole, public service "
        "delivery or safety; MTPDs are at risk.",
    }
    return {
        level: {
            "description": described[level] or DEFAULT_ESCALATION_MATRIX[level]["description"],
            "response_time": times[level],
            "escalation_level": who[level],
        }
        for level in ESCALATION_LEVELS
    }


def builtin_plan(template: Template, facts: PlanFacts) -> dict[str, Any]:
    """A complete, department-specific plan from the structured data alone (deterministic)."""
    dept, org = facts.department, facts.organization
    procs, vendors, risks = facts.processes, facts.vendors, facts.risks
    proc_lines = [
        f"{p['priority']}. {p['name']}: RTO {human_minutes(p['rto_minutes'])}, "
        f"RPO {human_minutes(p['rpo_minutes'])}, MTPD {human_minutes(p['mtpd_minutes'])}"
        + (f" (depends on {', '.join(p['vendors'])})" if p["vendors"] else "")
        for p in procs
    ] or [f"No critical process of {dept} is recorded yet: complete the business impact analysis."]
    vendor_lines = [
        f"{v['name']} ({v['service']}, {v['criticality']} criticality"
        + (
            f", commits to recover within {human_minutes(v['rto_offered_minutes'])})"
            if v["rto_offered_minutes"] is not None
            else ", no recovery commitment on file)"
        )
        for v in vendors
    ] or ["No vendor is linked to the department's processes."]
    risk_lines = [
        f"{r['threat']} (likelihood {r['likelihood']} × impact {r['impact']} = {r['rating']})"
        + (f": {r['mitigation']}" if r["mitigation"] else "")
        for r in risks
    ] or ["No risk is recorded yet: hold a risk assessment workshop."]
    top_threats = [r["threat"] for r in risks[:3]] or ["loss of the office building"]
    mandate = f" Its mandate: {facts.mandate.strip()}" if facts.mandate.strip() else ""
    contacts = [f"{c['name']}: {c['role']}" for c in facts.contacts]
    head = facts.department_head or f"the head of {dept}"

    sections: dict[str, Any] = {
        "critical_applications_and_data_backup": (
            f"{dept} of {org} depends on the applications and data behind its critical "
            f"processes.{mandate}\n\nBackup per process (driven by its RPO):\n"
            + _bullets(
                [f"{p['name']}: {_backup_cadence(p['rpo_minutes'])}." for p in procs]
                or ["Agree an RPO for each process, then set the backup cadence."]
            )
            + "\n\nAll backups follow the 3-2-1 rule: three copies, on two kinds of media, one "
            "off-site (outside the BARMM government center). Backups are encrypted; restores are "
            "tested every quarter and the restore time is compared with each process's RTO."
        ),
        "response_and_escalation_matrix": _escalation(facts),
        "recovery_objectives_and_prioritized_activities": (
            f"Recovery objectives of {dept}, in the order processes are restored:\n"
            + _bullets(proc_lines)
            + "\n\nPrioritized activities:\n"
            + _bullets(
                [
                    "Assess the incident and declare the severity level (escalation matrix).",
                    "Protect people first; account for all staff.",
                    *[f"Restore {p['name']} within its RTO." for p in procs[:5]],
                    "Communicate status to stakeholders every two hours until resolved.",
                    "Return to normal operations and hold a post-incident review.",
                ]
            )
        ),
        "roles_and_responsibilities": (
            _bullets(
                [
                    f"Department head ({head}): declares a disruption, decides on relocation and "
                    "spending, speaks for the department.",
                    "BCM coordinator: keeps this plan current, activates the call tree, logs "
                    "decisions and actions.",
                    f"Operational team of {dept}: runs the manual workarounds and the recovery "
                    "steps of each process.",
                    "IT support: restores systems and data in the order of the process priorities.",
                ]
            )
            + (
                "\n\nNamed contacts:\n" + _bullets(contacts)
                if contacts
                else "\n\nRecord the named contacts and their alternates in the contacts table."
            )
        ),
        "critical_resources_and_assets": (
            "Key personnel: the department head, the BCM coordinator and at least two trained "
            f"staff for each critical process of {dept}.\n"
            "Technology: laptops with remote access, the systems named in the backup section.\n"
            "Facilities: an alternate work site agreed with a sister MOA.\n"
            "Vendor support:\n" + _bullets(vendor_lines) + "\n"
            "Documentation: printed copies of this plan and of the call tree.\n"
            "Communication: mobile phones, a group messaging channel, satellite phone for "
            "critical incidents."
        ),
        "training_and_awareness": _bullets(
            [
                f"Quarterly BCM training for {dept} staff on their role in this plan.",
                "Onboarding briefing for every new member of staff within their first month.",
                "Annual awareness session on: " + "; ".join(top_threats) + ".",
                "Specialised training for the crisis management team and alternates.",
            ]
        ),
        "testing": _bullets(
            [
                "Monthly verification that backups complete and can be restored.",
                "Quarterly tabletop exercise; scenarios drawn from the top risks: "
                + "; ".join(top_threats)
                + ".",
                "Semi-annual functional test of restoring "
                + (procs[0]["name"] if procs else "the most critical process")
                + " within its RTO.",
                "Annual check that each vendor can meet the recovery time it committed to.",
                "A post-test review within two weeks; corrective actions tracked to closure.",
            ]
        ),
        "review_and_maintenance": (
            f"This plan is reviewed every {facts.review_interval_months} months by the BCM "
            f"coordinator and approved by {head}. It is also reviewed after every activation or "
            "exercise, after organizational changes (new processes, systems, vendors or staff) "
            "and when a risk rating changes.\n\nRisks considered in this version:\n"
            + _bullets(risk_lines)
        ),
    }
    # Only the keys the template has, with its defaults for any section this generator
    # does not know (a template revision must not break generation).
    result: dict[str, Any] = {}
    blank = plan_content.blank_content(template)
    for section in plan_content.sections_of(template):
        value = sections.get(section.key)
        if value is None:
            value = blank[section.key] or (
                f"{section.title} for {dept}: to be completed. {section.help_text}"
            )
        if isinstance(value, str):
            value = value[: plan_content.MAX_SECTION_CHARS]
        result[section.key] = value
    return result
