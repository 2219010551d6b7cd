"""The register of critical processes and the dependency map (ISO 22301
8.2.2): reads, always scoped to the user asking.

The map lays processes and the vendors they rely on out in columns (what everything depends on
at the left, what nothing depends on at the right), marks RTO conflicts (a dependency that comes
back later than the process that needs it), and is drawn as server-side SVG by
templates/bcp/dependency_map.html: no JavaScript, no graph library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from .models import CriticalProcess, Plan, Vendor

# --- the register of critical processes -----------------------------------------------------------


def register_for(user: Any, organization: Any) -> QuerySet[CriticalProcess]:
    """Every critical process of the organization's plans that `user` may read (archived plans
    left out), most urgent first, with coverage counted and links prefetched: a fixed number of
    queries whatever the number of rows (4)."""
    return (
        CriticalProcess.objects.for_user(user)
        .filter(plan__organization=organization)
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .select_related("plan__department")
        .with_coverage()
        .prefetch_related(
            Prefetch(
                "depends_on", queryset=CriticalProcess.objects.only("pk", "name", "rto_minutes")
            ),
            Prefetch("vendors", queryset=Vendor.objects.only("pk", "name", "rto_offered_minutes")),
        )
        .order_by("rto_minutes", "plan__title", "priority", "name")
    )


# --- the dependency map ---------------------------------------------------------------------------


@dataclass
class Node:
    key: str
    label: str
    kind: str  # "process" or "vendor"
    rto_minutes: int | None
    url: str = ""
    detail: str = ""
    layer: int = 0
    x: int = 0
    y: int = 0
    conflict: bool = False


@dataclass
class Edge:
    source: Node  # the dependent
    target: Node  # what it depends on
    conflict: bool = False
    message: str = ""

    @property
    def path(self) -> str:
        """A cubic curve from the dependent's left side to the dependency's right side."""
        x1, y1 = self.source.x, self.source.y + NODE_HEIGHT // 2
        x2, y2 = self.target.x + NODE_WIDTH, self.target.y + NODE_HEIGHT // 2
        middle = (x1 + x2) // 2
        return f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2 + 8},{y2}"


@dataclass
class DependencyMap:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = 0
    height: int = 0

    @property
    def conflicts(self) -> list[Edge]:
        return [e for e in self.edges if e.conflict]


NODE_WIDTH, NODE_HEIGHT, COLUMN_GAP, ROW_GAP, MARGIN = 250, 52, 80, 18, 16


def rto_conflict(dependent_rto: int | None, dependency_rto: int | None) -> bool:
    """A dependency that comes back later than the process that needs it (both RTOs known)."""
    return (
        dependent_rto is not None and dependency_rto is not None and dependency_rto > dependent_rto
    )


def dependency_map(processes: list[CriticalProcess], *, url_of=None, duration=str) -> DependencyMap:
    """Lay out processes (with `depends_on` and `vendors` prefetched) and the vendors they rely
    on in columns: a node's column is one more than the deepest of its dependencies (cycles are
    cut where they close), so dependencies sit to the left of what needs them."""
    nodes: dict[str, Node] = {}
    for process in processes:
        nodes[f"p{process.pk}"] = Node(
            key=f"p{process.pk}",
            label=process.name,
            kind="process",
            rto_minutes=process.rto_minutes,
            url=url_of(process) if url_of else "",
            detail=process.plan.department.name if process.plan.department else process.plan.title,
        )
    edges: list[Edge] = []
    for process in processes:
        source = nodes[f"p{process.pk}"]
        for dependency in process.depends_on.all():
            target = nodes.get(f"p{dependency.pk}")
            if target is None:
                continue
            edges.append(_edge(source, target, duration))
        for vendor in process.vendors.all():
            key = f"v{vendor.pk}"
            if key not in nodes:
                nodes[key] = Node(
                    key=key,
                    label=vendor.name,
                    kind="vendor",
                    rto_minutes=vendor.rto_offered_minutes,
                    detail="Vendor",
                )
            edges.append(_edge(source, nodes[key], duration))
    _layer(nodes, edges)
    return _place(nodes, edges)


def _edge(source: Node, target: Node, duration) -> Edge:
    conflict = rto_conflict(source.rto_minutes, target.rto_minutes)
    message = ""
    if conflict:
        what = "vendor" if target.kind == "vendor" else "process"
        message = (
            f"“{source.label}” must be back within {duration(source.rto_minutes)}, but the "
            f"{what} “{target.label}” it depends on "
            f"{'commits to' if target.kind == 'vendor' else 'has an RTO of'} "
            f"{duration(target.rto_minutes)}."
        )
        source.conflict = target.conflict = True
    return Edge(source=source, target=target, conflict=conflict, message=message)


def _layer(nodes: dict[str, Node], edges: list[Edge]) -> None:
    needs: dict[str, list[str]] = {key: [] for key in nodes}
    for edge in edges:
        needs[edge.source.key].append(edge.target.key)
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(key: str) -> int:
        if key in depth:
            return depth[key]
        if key in visiting:  # a cycle: cut it here
            return -1
        visiting.add(key)
        layer = 1 + max((visit(k) for k in needs[key]), default=-1)
        visiting.discard(key)
        depth[key] = layer
        return layer

    for key in nodes:
        nodes[key].layer = visit(key)


def _place(nodes: dict[str, Node], edges: list[Edge]) -> DependencyMap:
    columns: dict[int, list[Node]] = {}
    for node in sorted(nodes.values(), key=lambda n: (n.kind != "vendor", n.label.lower())):
        columns.setdefault(node.layer, []).append(node)
    tallest = max((len(c) for c in columns.values()), default=0)
    for layer, column in columns.items():
        for row, node in enumerate(column):
            node.x = MARGIN + layer * (NODE_WIDTH + COLUMN_GAP)
            node.y = MARGIN + row * (NODE_HEIGHT + ROW_GAP)
    width = MARGIN * 2 + len(columns) * NODE_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP
    height = MARGIN * 2 + tallest * NODE_HEIGHT + max(tallest - 1, 0) * ROW_GAP
    ordered = sorted(nodes.values(), key=lambda n: (n.layer, n.y))
    return DependencyMap(nodes=ordered, edges=edges, width=max(width, 0), height=max(height, 0))
