import datetime

import factory
from django.contrib.auth import get_user_model

from meetings.models import (
    Finding,
    FindingCategory,
    Measure,
    Meeting,
    Membership,
    Organisation,
    Person,
)
from reports import assembly, services
from reports.models import GeneratedFile, QuarterlyReport, ReportItem

from .documents import sample_report_data


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("qingshan2026")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"中共青山县第{n}支部委员会")
    short_name = factory.Sequence(lambda n: f"第{n}支部")
    org_type = Organisation.OrgType.BRANCH
    unit_type = Organisation.UnitType.SCHOOL


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    party_role = Membership.PartyRole.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"2026年第三季度意识形态分析研判会议{n}")
    date = datetime.date(2026, 9, 24)


def default_category():
    return FindingCategory.objects.order_by("order").first()


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    meeting = factory.SubFactory(MeetingFactory)
    organisation = factory.SelfAttribute("meeting.organisation")
    category = factory.LazyFunction(default_category)
    title = factory.Sequence(lambda n: f"个别党员学习缺乏热情{n}")
    details = "部分青年教师对理论学习重视不够。"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    finding = factory.SubFactory(FindingFactory)
    content = factory.Sequence(lambda n: f"每月集中学习1次并撰写学习笔记{n}")
    responsible_person = factory.SubFactory(PersonFactory)
    deadline = datetime.date(2026, 12, 31)
    status = Measure.Status.IN_PROGRESS


class QuarterlyReportFactory(factory.django.DjangoModelFactory):
    """A report row as it is stored, with no items; `make_report` assembles one."""

    class Meta:
        model = QuarterlyReport

    organisation = factory.SubFactory(OrganisationFactory)
    year = 2026
    quarter = 3
    title = "报告"
    addressee = factory.LazyAttribute(
        lambda o: o.organisation.parent.name if o.organisation.parent_id else ""
    )
    signatory = factory.SelfAttribute("organisation.name")


class ReportItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportItem

    report = factory.SubFactory(QuarterlyReportFactory)
    section = ReportItem.Section.BASIC
    heading = factory.Sequence(lambda n: f"小标题{n}")
    body = "正文"


class GeneratedFileFactory(factory.django.DjangoModelFactory):
    """A report DOCX waiting for a worker (QUEUED), with content to render."""

    class Meta:
        model = GeneratedFile

    kind = GeneratedFile.Kind.REPORT
    report = factory.SubFactory(QuarterlyReportFactory)
    organisation = factory.SelfAttribute("report.organisation")
    content = factory.LazyFunction(lambda: {"data": sample_report_data(), "layout": {}})
    content_key = factory.Sequence(lambda n: f"key{n}")
    filename = "报告.docx"


def make_report(world, organisation=None, *, quarter=3, year=2026, via_services=True):
    """A draft report of `organisation` (default: the world's branch) for the
    quarter, assembled from one CONFIRMED meeting of that quarter with one
    finding and one measure.

    via_services=True goes the secretary's way: `services.report_create` (the
    default title, addressee and signatory, created_by) and
    `services.report_assemble` (its audit row, assembled_at), so the world's
    secretary must be able to edit `organisation`. via_services=False stores
    the row directly (titled 报告) and applies the assembly without a service,
    lock or audit row: any organisation, e.g. many branches for a query count."""
    organisation = organisation or world.branch
    meeting = MeetingFactory(
        organisation=organisation,
        date=datetime.date(year, 3 * quarter, 24),
        judgement="主流是好的",
        study_content="传达学习了文件精神",
        status=Meeting.Status.CONFIRMED,
    )
    MeasureFactory(finding__meeting=meeting, finding__title="个别党员学习缺乏热情")
    issue_date = datetime.date(year, 3 * quarter, 28)
    if not via_services:
        report = QuarterlyReportFactory(
            organisation=organisation, year=year, quarter=quarter, issue_date=issue_date
        )
        assembly.apply(report, assembly.generate(report))
        return report
    report = services.report_create(
        organisation=organisation, year=year, quarter=quarter, by=world.secretary
    )
    report.issue_date = issue_date
    report.save()
    services.report_assemble(report=report, by=world.secretary)
    return report
