"""通知 and 催报 (issue 13 item 2): each reminder fires once for its event at the
right time (the clock is the `on` date given to send_reminders), never for
another branch, not again after it is read; returns and resubmissions notify;
a reviewer's 催报 reaches the branch; the beat schedule runs the reminders on a
real worker."""

import datetime
import time
import uuid

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.urls import reverse

from ideology_review.celery import app as celery_app
from meetings.models import Measure, today
from reports import notifications, services
from reports.deadlines import periods_around
from reports.models import Notification, QuarterlyReport

from ..factories import MeasureFactory, MeetingFactory, make_report
from ..workers import require_broker, start_beat, start_worker, stop_worker

pytestmark = pytest.mark.django_db
N = Notification.Kind
D = datetime.date


def notes(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("pk"))


def texts(user, kind=None):
    return [n.text for n in notes(user, kind)]


def test_a_report_due_within_seven_days_reminds_the_branchs_editors_once(world):
    assert notifications.send_reminders(on=D(2026, 10, 2)).get(N.DUE, 0) == 0  # 8 days before
    notifications.send_reminders(on=D(2026, 10, 3))  # 7 days before 10月10日
    expected = ["2026年第三季度分析研判报告将于2026年10月10日截止报送，尚未提交。"]
    assert texts(world.secretary, N.DUE) == expected
    assert texts(world.publicity, N.DUE) == expected
    assert texts(world.reader, N.DUE) == []  # a reader edits nothing
    # the other branch's secretary hears of his own branch only
    assert [n.organisation for n in notes(world.outsider, N.DUE)] == [world.other_branch]
    assert all(n.organisation == world.branch for n in notes(world.secretary))
    # again the next day, and after it was read: nothing new
    Notification.objects.filter(recipient=world.secretary).update(
        read_at=datetime.datetime.now(datetime.UTC)
    )
    assert notifications.send_reminders(on=D(2026, 10, 4)).get(N.DUE, 0) == 0
    assert len(notes(world.secretary, N.DUE)) == 1


def test_a_handed_in_report_is_not_reminded_and_a_late_one_is_overdue_once(world):
    report = make_report(world, quarter=3)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    notifications.send_reminders(on=D(2026, 10, 11))
    assert not [t for t in texts(world.secretary, N.OVERDUE) if "第三季度" in t]
    late = "2026年第三季度分析研判报告已逾期（截止2026年10月10日），请尽快报送。"
    assert late in texts(world.outsider, N.OVERDUE)
    notifications.send_reminders(on=D(2026, 10, 20))
    assert texts(world.outsider, N.OVERDUE).count(late) == 1


def test_measures_due_and_overdue_remind_their_owner_and_the_secretary(world):
    meeting = MeetingFactory(organisation=world.branch, date=D(2026, 8, 3))
    measure = MeasureFactory(
        finding__meeting=meeting,
        content="每月开展一次网络巡查",
        deadline=D(2026, 10, 15),
        status=Measure.Status.IN_PROGRESS,
        responsible_person=world.publicity.person_record,
    )
    notifications.send_reminders(on=D(2026, 10, 7))  # 8 days before: nothing
    assert texts(world.publicity, N.MEASURE_DUE) == []
    notifications.send_reminders(on=D(2026, 10, 8))
    due = "整改措施“每月开展一次网络巡查”将于2026年10月15日到期。"
    assert texts(world.publicity, N.MEASURE_DUE) == [due]  # the 责任人
    assert texts(world.secretary, N.MEASURE_DUE) == [due]  # the secretary
    assert texts(world.outsider, N.MEASURE_DUE) == []
    notifications.send_reminders(on=D(2026, 10, 16))
    assert texts(world.publicity, N.MEASURE_OVERDUE) == [
        "整改措施“每月开展一次网络巡查”已于2026年10月15日到期，尚未完成。"
    ]
    notifications.send_reminders(on=D(2026, 10, 17))
    assert len(notes(world.publicity, N.MEASURE_OVERDUE)) == 1
    # a new deadline is a new event
    Measure.objects.filter(pk=measure.pk).update(deadline=D(2026, 10, 18))
    notifications.send_reminders(on=D(2026, 10, 17))
    assert len(notes(world.publicity, N.MEASURE_DUE)) == 2


def test_no_analysis_meeting_after_the_sixth_week(world):
    MeetingFactory(organisation=world.other_branch, date=D(2026, 10, 20))
    notifications.send_reminders(on=D(2026, 11, 11))  # 6 weeks less a day into Q4
    assert texts(world.secretary, N.NO_MEETING) == []
    notifications.send_reminders(on=D(2026, 11, 12))
    assert texts(world.secretary, N.NO_MEETING) == [
        "2026年第四季度已过六周，尚未召开意识形态分析研判会议。"
    ]
    assert texts(world.outsider, N.NO_MEETING) == []  # his branch met


def test_each_office_holder_is_reminded_of_their_own_duty_report(world):
    notifications.send_reminders(on=D(2027, 1, 14))
    name = "2026年度落实意识形态工作责任制述职报告将于2027年1月20日截止报送，尚未提交。"
    assert name in texts(world.secretary, N.DUE)
    assert name in texts(world.reader, N.DUE)  # 纪检委员, an office-holder with an account
    report = services.report_create(
        organisation=world.branch,
        kind="duty",
        year=2026,
        person=world.publicity.person_record,
        by=world.publicity,
    )
    QuarterlyReport.objects.filter(pk=report.pk).update(status="submitted")
    Notification.objects.all().delete()
    notifications.send_reminders(on=D(2027, 1, 15))
    assert name not in texts(world.publicity, N.DUE)
    assert name in texts(world.secretary, N.DUE)


def test_a_return_tells_the_branch_and_a_resubmission_the_reviewer(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    services.report_return(report=report, by=world.reviewer, comment="请补充佐证材料")
    assert texts(world.secretary, N.RETURNED) == [
        "2026年第三季度分析研判报告被退回修改：请补充佐证材料"
    ]
    assert texts(world.outsider) == [] and texts(world.reviewer) == []
    services.report_resubmit(report=report, by=world.secretary, accept_warnings=True)
    assert [n.sender for n in notes(world.reviewer, N.RESUBMITTED)] == [world.secretary]
    assert texts(world.other_reviewer) == []


def test_the_reviewer_urges_a_branch_which_sees_it(client, world):
    client.force_login(world.reviewer)
    period = periods_around("quarterly", today())[0]
    form = {
        "kind": "quarterly",
        "year": period.year,
        "quarter": period.quarter,
        "org": [world.other_branch.pk],
    }
    response = client.post(reverse("reports:urge"), form, follow=True)
    assert "操作成功：已向1个党组织发送" in response.content.decode()
    assert [n.sender for n in notes(world.outsider, N.URGE)] == [world.reviewer]
    assert texts(world.secretary, N.URGE) == []
    # the 审核工作台 says who was reminded when
    page = client.get(reverse("reports:workbench")).content.decode()
    assert "（已催报 " in page
    # once a day: the second click sends nothing
    response = client.post(reverse("reports:urge"), form, follow=True)
    assert "今天已向所选党组织发送过" in response.content.decode()
    assert len(notes(world.outsider, N.URGE)) == 1
    # the branch sees it on its 工作台 and in 通知, with the bell's count
    client.force_login(world.outsider)
    page = client.get(reverse("meetings:dashboard")).content.decode()
    assert "催报：请尽快报送" in page and 'title="未读通知">1</span>' in page
    page = client.get(reverse("reports:notifications")).content.decode()
    assert "发送人：周晓峰" in page


def test_only_a_reviewer_of_the_branch_may_urge_it(client, world):
    form = {"kind": "quarterly", "year": 2026, "quarter": 3, "org": [world.branch.pk]}
    client.force_login(world.other_reviewer)  # another county's 宣传部
    response = client.post(reverse("reports:urge"), form, follow=True)
    assert "请先勾选要催报的党组织" in response.content.decode()
    client.force_login(world.secretary)
    assert client.post(reverse("reports:urge"), form).status_code == 403
    assert client.get(reverse("reports:urge")).status_code == 405
    assert not Notification.objects.filter(kind=N.URGE).exists()


def test_a_user_reads_their_own_notifications_only(client, world):
    notifications.notify([world.secretary], N.URGE, "k1", "甲", url="/reports/")
    notifications.notify([world.outsider], N.URGE, "k2", "乙")
    mine, theirs = Notification.objects.order_by("pk")
    client.force_login(world.secretary)
    assert client.post(reverse("reports:notification_read", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("reports:notification_read", args=[mine.pk]), {"open": "1"})
    assert response.url == "/reports/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    notifications.notify([world.secretary], N.URGE, "k3", "丙")
    client.post(reverse("reports:notifications_read_all"))
    assert not Notification.objects.filter(recipient=world.secretary, read_at__isnull=True).exists()
    assert client.get(reverse("reports:notification_read", args=[mine.pk])).status_code == 405


def test_an_external_link_is_not_followed(client, world):
    notifications.notify([world.secretary], N.URGE, "k", "甲", url="https://example.org/")
    client.force_login(world.secretary)
    note = Notification.objects.get()
    response = client.post(reverse("reports:notification_read", args=[note.pk]), {"open": "1"})
    assert response.url == reverse("reports:notifications")


def test_email_where_configured(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://ideology.example.org"
    world.secretary.email = "wanglihua@example.org"
    world.secretary.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            [world.secretary, world.publicity], N.URGE, "k", "催报：请尽快报送。", url="/reports/"
        )
    assert [m.to for m in mail.outbox] == [["wanglihua@example.org"]]  # the other has no address
    assert "催报：请尽快报送。" in mail.outbox[0].body
    assert "https://ideology.example.org/reports/" in mail.outbox[0].body
    assert Notification.objects.get(recipient=world.secretary).emailed_at is not None


@pytest.mark.parametrize("n", [1, 50])
def test_the_notifications_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, n
):
    for i in range(n):
        notifications.notify([world.secretary], N.URGE, f"k{i}", f"第{i}条", sender=world.reviewer)
    client.force_login(world.secretary)
    # session, user, scope, the page's rows, the bell; and its COUNT when they do not
    # fit on one page (with 1, they are their own count): 10 for 50 or for 5,000
    with django_assert_num_queries(9 if n <= 20 else 10):
        response = client.get(reverse("reports:notifications"))
    assert len(response.context["page"]) == min(n, 20)


def test_the_beat_schedule_runs_the_reminders_each_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "reports.send_reminders"
    assert entry["schedule"] == crontab(hour=7, minute=30)
    assert "reports.send_reminders" in celery_app.tasks


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_beat_and_worker_deliver_a_reminder(world, tmp_path):
    require_broker()
    MeasureFactory(
        finding__meeting=MeetingFactory(organisation=world.branch, date=today()),
        content="开展网络舆情巡查",
        deadline=today() + datetime.timedelta(days=3),
        status=Measure.Status.IN_PROGRESS,
        responsible_person=world.publicity.person_record,
    )
    queue = f"ideology-test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, log=tmp_path / "worker.log")
    beat = start_beat(
        queue,
        schedule_file=tmp_path / "beat-schedule",
        env={"REMINDER_INTERVAL_SECONDS": "1"},
        log=tmp_path / "beat.log",
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not notes(world.publicity, N.MEASURE_DUE):
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert beat.poll() is None, (tmp_path / "beat.log").read_text()
            time.sleep(0.5)
        time.sleep(2)  # beat keeps sending: the event is still stored once
    finally:
        stop_worker(beat)
        stop_worker(worker)
    log = (tmp_path / "worker.log").read_text()
    due = today() + datetime.timedelta(days=3)
    assert texts(world.publicity, N.MEASURE_DUE) == [
        f"整改措施“开展网络舆情巡查”将于{due.year}年{due.month}月{due.day}日到期。"
    ], log
    assert "reports.send_reminders" in log
    assert "Sending due task send-reminders" in (tmp_path / "beat.log").read_text()
