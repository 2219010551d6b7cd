"""Issue 16, class 6 (imports): an import is claimed atomically, so simultaneous commits of one
previewed file import it once; the others are told so, and nobody gets a 500."""

from __future__ import annotations

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from organizations import importing, tasks
from organizations.models import ImportJob, Membership, User
from tests.organizations.test_import import csv_text, rows


def _previewed_job(alice, org_a, text: str) -> ImportJob:
    checked = importing.preview(text, alice)
    assert checked.ok
    return ImportJob.objects.create(
        created_by=alice,
        organization=org_a,
        filename="staff.csv",
        content=text,
        total_rows=len(checked.rows),
    )


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_commits_of_one_import_import_it_once(alice, org_a):
    job = _previewed_job(alice, org_a, csv_text(rows(300)))
    url = reverse("organizations:user-import-commit", args=[job.public_id])
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, list[str]]] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    clients = []
    for _ in range(threads_count):
        client = Client(raise_request_exception=False)
        client.force_login(alice)
        clients.append(client)

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            response = clients[n].post(url)
            texts = [str(m) for m in get_messages(response.wsgi_request)]
            with lock:
                results.append((response.status_code, texts))
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert unexpected == []
    assert sorted(status for status, _ in results) == [302] * threads_count, results
    refused = [texts for _status, texts in results if texts]
    assert len(refused) == threads_count - 1
    assert all(
        texts == ["This file is already being imported (or was imported). Nothing was done twice."]
        for texts in refused
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.result["invited"] == 300
    assert Membership.objects.filter(user__email__startswith="staff").count() == 300
    assert User.objects.filter(email__startswith="staff").count() == 300


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_task_does_not_run_a_job_twice_at_once(alice, org_a):
    """Two workers handed the same job at the same moment: one imports, the other leaves it."""
    job = _previewed_job(alice, org_a, csv_text(rows(300)))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            outcome = tasks.run_import(job.pk)
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert unexpected == []
    assert sorted(outcomes) == ["done", "done"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["invited"] == 300
    assert Membership.objects.filter(user__email__startswith="staff").count() == 300


def test_a_job_being_imported_cannot_be_committed_again(client, alice, org_a, db):
    job = _previewed_job(alice, org_a, csv_text(rows(2)))
    client.force_login(alice)
    for status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.DONE):
        ImportJob.objects.filter(pk=job.pk).update(status=status)
        response = client.post(
            reverse("organizations:user-import-commit", args=[job.public_id]), follow=True
        )
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [
            "This file is already being imported (or was imported). Nothing was done twice."
        ]
        job.refresh_from_db()
        assert job.status == status
    assert not Membership.objects.filter(user__email__startswith="staff").exists()
