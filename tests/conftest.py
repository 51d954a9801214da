import html
import importlib
import os
import re
import shutil
from dataclasses import dataclass

import pytest

from meetings.models import Membership, Organisation

from .factories import MembershipFactory, OrganisationFactory, PersonFactory, UserFactory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INSTALL_CHROMIUM = "apt-get install -y --no-install-recommends chromium fonts-noto-cjk"
SOFFICE = shutil.which("soffice")
INSTALL_SOFFICE = (
    "apt-get install -y --no-install-recommends libreoffice-writer-nogui poppler-utils "
    "fonts-noto-cjk fonts-liberation"
)


def require_tool(path, install, what):
    """A tool the test needs: reported as not run locally, a failure in CI."""
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI 环境缺少{what}，测试不能跳过。请先安装：{install}")
    pytest.skip(f"未找到{what}，测试未运行。安装：{install}")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "page" in getattr(item, "fixturenames", ())]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM or not browser_items:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"CI 环境缺少 Chromium，浏览器测试不能跳过。请先安装：{INSTALL_CHROMIUM}"
        )
    skip = pytest.mark.skip(reason=f"未找到 Chromium，浏览器测试未运行。安装：{INSTALL_CHROMIUM}")
    for item in browser_items:
        item.add_marker(skip)


def seed_migration_data(apps):
    """What the data migrations seed: the finding categories, the 审核要点."""
    importlib.import_module("meetings.migrations.0002_seed_categories").seed(apps, None)
    importlib.import_module("reports.migrations.0012_review_points").add_points(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests end with a flush; with --reuse-db the next session
    would then start without the categories the data migration seeds."""
    from django.apps import apps

    with django_db_blocker.unblock():
        seed_migration_data(apps)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the reviewer pages' fragments are
    keyed by the records' version, which a rolled-back test can repeat (the
    DataVersion row on SQLite)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _categories_in_transactional_tests(request):
    """A transactional test may follow another one's flush: seed what the data migrations seed."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        # A flush recreates the content types under new ids: the cache of the
        # old ones would make the next audit row point at a type that is gone.
        ContentType.objects.clear_cache()
        request.getfixturevalue("transactional_db")
        seed_migration_data(apps)
        yield
        ContentType.objects.clear_cache()
    else:
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process in tests, unless a test drives a real worker."""
    from ideology_review.celery import app

    if request.node.get_closest_marker("real_worker"):
        yield
        return
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def soffice():
    return require_tool(SOFFICE, INSTALL_SOFFICE, " LibreOffice")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs ~0.3 s per user; tests check access, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.login() has no request for django-axes to key on; the login
    # protection tests switch it on and log in through the login page.
    settings.AXES_ENABLED = False


def make_user(organisation, role, *, name, party_role=Membership.PartyRole.MEMBER):
    user = UserFactory(username=f"u-{name}")
    person = PersonFactory(name=name, user=user)
    MembershipFactory(person=person, organisation=organisation, party_role=party_role, role=role)
    user.person_record = person
    return user


@dataclass
class World:
    committee: Organisation
    department: Organisation
    branch: Organisation
    other_branch: Organisation
    other_committee: Organisation
    secretary: object
    publicity: object
    reader: object
    outsider: object
    reviewer: object
    other_reviewer: object
    admin: object


@pytest.fixture
def world(db):
    """Two branches under one committee with its propaganda department, and a
    second committee with its own reviewer."""
    committee = OrganisationFactory(
        name="中共青山县委员会", org_type=Organisation.OrgType.COMMITTEE
    )
    department = OrganisationFactory(
        name="中共青山县委宣传部", org_type=Organisation.OrgType.PROPAGANDA, parent=committee
    )
    branch = OrganisationFactory(
        name="中共青山县城关第一实验学校支部委员会", parent=committee, must_report=True
    )
    other_branch = OrganisationFactory(
        name="中共青山县人民医院支部委员会",
        parent=committee,
        unit_type=Organisation.UnitType.HOSPITAL,
        must_report=True,
    )
    other_committee = OrganisationFactory(
        name="中共白水县委员会", org_type=Organisation.OrgType.COMMITTEE
    )
    other_department = OrganisationFactory(
        name="中共白水县委宣传部",
        org_type=Organisation.OrgType.PROPAGANDA,
        parent=other_committee,
    )
    R = Membership.Role
    P = Membership.PartyRole
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return World(
        committee=committee,
        department=department,
        branch=branch,
        other_branch=other_branch,
        other_committee=other_committee,
        secretary=make_user(branch, R.MANAGER, name="王丽华", party_role=P.SECRETARY),
        publicity=make_user(branch, R.EDITOR, name="张敏", party_role=P.PUBLICITY),
        reader=make_user(branch, R.READER, name="赵磊", party_role=P.DISCIPLINE),
        outsider=make_user(other_branch, R.MANAGER, name="李卫东", party_role=P.SECRETARY),
        reviewer=make_user(department, R.REVIEWER, name="周晓峰"),
        other_reviewer=make_user(other_department, R.REVIEWER, name="钱七"),
        admin=admin,
    )


@pytest.fixture
def secretary_client(client, world):
    client.force_login(world.secretary)
    return client


@dataclass
class Chain:
    township: Organisation
    village: Organisation
    committee_reviewer: object
    village_secretary: object


@pytest.fixture
def chain(world):
    """The committee level (issue 12) beside `world`: a 镇党委 under the county
    committee whose 书记 reviews its village branch; the 镇党委's own report
    goes to the county's 宣传部."""
    township = OrganisationFactory(
        name="中共青山县石桥镇委员会",
        short_name="石桥镇党委",
        org_type=Organisation.OrgType.COMMITTEE,
        unit_type=Organisation.UnitType.TOWNSHIP,
        parent=world.committee,
        must_report=True,
    )
    village = OrganisationFactory(
        name="中共青山县石桥镇柳溪村支部委员会",
        short_name="柳溪村党支部",
        unit_type=Organisation.UnitType.VILLAGE,
        parent=township,
        must_report=True,
    )
    R = Membership.Role
    P = Membership.PartyRole
    return Chain(
        township=township,
        village=village,
        committee_reviewer=make_user(township, R.MANAGER, name="罗建华", party_role=P.SECRETARY),
        village_secretary=make_user(village, R.MANAGER, name="陈秀兰", party_role=P.SECRETARY),
    )


HISTORY_PANEL = re.compile(r'id="history" hx-get="([^"]+)" hx-trigger="revealed"')


def history_panel(client, url):
    """The 历史记录 panel of the page at `url`, as the browser loads it when it
    is scrolled into view (includes/history_lazy.html): (its HTML, its context's
    rows)."""
    page = client.get(url).content.decode()
    found = HISTORY_PANEL.search(page)
    assert found, f"{url} has no 历史记录 panel to load"
    response = client.get(html.unescape(found.group(1)), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode(), response.context["history"]
