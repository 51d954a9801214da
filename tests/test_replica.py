"""The optional read replica (DATABASE_REPLICA_URL): what the router decides, the
settings that install it, and 统计分析 read wholly from a `replica` alias that
mirrors the test database (TEST MIRROR), as a streaming replica mirrors the primary."""

import copy
import json

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideology_review.routers import REPLICA, ReplicaRouter, read_alias, replica_reads
from meetings.models import Organisation
from reports.models import QuarterlyReport

from .factories import MeasureFactory, OrganisationFactory, QuarterlyReportFactory
from .production import manage, production_env
from .workers import database_url

ROUTERS = ["ideology_review.routers.ReplicaRouter"]

# Run by `manage.py shell -c` in a child process: 统计分析 with reads from the replica.
CHILD_STATISTICS = """
import json
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from ideology_review.routers import replica_reads

setup_test_environment()
client = Client()
client.force_login(get_user_model().objects.get(pk=REVIEWER))
with CaptureQueriesContext(connections["replica"]) as on_replica, replica_reads():
    response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
summary = response.context["summary"]
print(json.dumps([response.status_code, summary["should"], len(on_replica.captured_queries)]))
"""


def branches(world, n):
    """n more branches reporting to the committee, each with a measure and a report."""
    for i in range(n):
        org = OrganisationFactory(
            parent=world.committee, must_report=True, name=f"中共青山县第{i}号支部委员会"
        )
        MeasureFactory(finding__meeting__organisation=org)
        QuarterlyReportFactory(
            organisation=org, quarter=3, status=QuarterlyReport.Status.SUBMITTED, round=1
        )


def test_the_settings_add_the_replica_and_its_router_only_when_configured():
    code = (
        "import json; from django.conf import settings;"
        "print(json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS,"
        " settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'),"
        " settings.DATABASES.get('replica', {}).get('HOST')]))"
    )
    env = production_env(DATABASE_REPLICA_URL="postgres://reader:pw@replica.internal:5432/ideology")
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    aliases, routers, mirror, host = json.loads(result.stdout.strip().splitlines()[-1])
    assert aliases == ["default", "replica"]
    assert routers == ROUTERS
    assert (mirror, host) == ("default", "replica.internal")

    result = manage("shell", "-c", code, env=production_env(DATABASE_REPLICA_URL=""))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [["default"], [], None, None]


@pytest.mark.django_db
def test_without_a_replica_everything_reads_from_default():
    assert REPLICA not in connections
    assert read_alias() == DEFAULT_DB_ALIAS
    with replica_reads():
        assert ReplicaRouter().db_for_read(Organisation) is None
        assert Organisation.objects.all().db == DEFAULT_DB_ALIAS


@pytest.fixture(scope="class")
def replica(django_db_setup):
    """A `replica` alias on the test database, set up the way TEST MIRROR sets it
    (the test database's settings, marked as a mirror so no test flushes it).
    Class-scoped so it exists before pytest-django checks a test's databases."""
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {
        **copy.deepcopy(default),
        "TEST": {**default["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    }
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def tables_read(queries):
    return [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "django_" not in q["sql"]
    ]


@pytest.mark.usefixtures("replica")
@pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, REPLICA]
)
class TestWithAReplica:
    def test_the_router_sends_only_the_reads_asked_for_to_the_replica(self, settings):
        settings.DATABASE_ROUTERS = ROUTERS
        router = ReplicaRouter()
        assert read_alias() == REPLICA
        assert router.db_for_read(Organisation) is None
        assert Organisation.objects.all().db == DEFAULT_DB_ALIAS
        with replica_reads():
            assert router.db_for_read(Organisation) == REPLICA
            assert Organisation.objects.all().db == REPLICA
            # inside a transaction: its own writes are not on the replica yet
            with transaction.atomic():
                assert router.db_for_read(Organisation) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Organisation) is None

    def test_writes_and_migrations_stay_on_default(self, settings, world):
        settings.DATABASE_ROUTERS = ROUTERS
        router = ReplicaRouter()
        with replica_reads():
            branch = Organisation.objects.get(pk=world.branch.pk)
        assert branch._state.db == REPLICA
        assert router.db_for_write(Organisation, instance=branch) == DEFAULT_DB_ALIAS
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            branch.name = "中共青山县城关第一实验学校总支部委员会"
            branch.save(update_fields=["name"])
        assert on_replica.captured_queries == []
        assert Organisation.objects.get(pk=branch.pk).name == branch.name
        assert router.allow_migrate(DEFAULT_DB_ALIAS, "meetings")
        assert not router.allow_migrate(REPLICA, "meetings")
        assert router.allow_relation(branch, world.committee)

    def test_the_statistics_read_from_the_replica_give_the_same_page(self, client, settings, world):
        settings.DATABASE_ROUTERS = ROUTERS
        branches(world, 3)
        client.force_login(world.reviewer)
        url, query = reverse("reports:dashboard"), {"year": 2026, "quarter": 3}
        primary = client.get(url, query)
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
            replica_reads(),
        ):
            response = client.get(url, query)
        assert response.status_code == primary.status_code == 200
        assert response.context["summary"] == primary.context["summary"]
        assert response.context["summary"]["should"] == 5
        assert len(tables_read(on_replica.captured_queries)) >= 10
        assert tables_read(on_default.captured_queries) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_replica_configured_by_url_serves_the_statistics_page(world):
    """The whole path in a child process: DATABASE_REPLICA_URL (here the test
    database itself) → the alias and router from settings.py → 统计分析 read there."""
    branches(world, 2)
    url = database_url(connections[DEFAULT_DB_ALIAS].settings_dict)
    code = CHILD_STATISTICS.replace("REVIEWER", str(world.reviewer.pk))
    env = production_env(
        DATABASE_URL=url,
        DATABASE_REPLICA_URL=url,
        SECURE_SSL_REDIRECT="false",
        STATICFILES_MANIFEST="false",
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    status, should, replica_queries = json.loads(result.stdout.strip().splitlines()[-1])
    assert (status, should) == (200, 4)
    assert replica_queries >= 10
