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
