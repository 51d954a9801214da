"""Demo reports of domain.md §6, made through the same services users go through."""

import datetime

from django.contrib.auth import get_user_model

from . import services
from .models import QuarterlyReport, ReportItem

D = datetime.date
SCHOOL = "中共青山县城关第一实验学校支部委员会"
HOSPITAL = "中共青山县人民医院支部委员会"
COMPANY = "中共青山县城建物业服务有限公司支部委员会"
TOWNSHIP = "中共青山县石桥镇委员会"
LIUXI = "中共青山县石桥镇柳溪村支部委员会"
FENGLING = "中共青山县石桥镇枫岭村支部委员会"

HOSPITAL_COMMENT = (
    "存在问题部分风险点不够具体，第二条整改措施未明确整改时限；"
    "报告中“××科室”占位符未替换。请修改后重新提交。"
)

# (organisation, year, quarter, issue date, what happens to it)
REPORTS = [
    (SCHOOL, 2026, 2, D(2026, 6, 28), "approved"),
    (SCHOOL, 2026, 3, D(2026, 9, 28), "approved"),
    (SCHOOL, 2026, 4, None, "draft"),
    (HOSPITAL, 2026, 3, D(2026, 9, 28), "returned"),
    (COMPANY, 2026, 3, D(2026, 9, 28), "submitted"),
    # The villages report to 石桥镇党委 (reviewed by luojianhua), before the
    # 镇党委's own report is assembled, which reads their approved reports.
    (LIUXI, 2026, 3, D(2026, 9, 26), "approved"),
    (FENGLING, 2026, 3, D(2026, 9, 27), "approved"),
    (LIUXI, 2026, 4, None, "draft"),
    (FENGLING, 2026, 4, D(2026, 11, 25), "submitted"),
    (TOWNSHIP, 2026, 3, D(2026, 9, 29), "draft-with-problems"),
]
SECRETARIES = {
    SCHOOL: "wanglihua",
    HOSPITAL: "liweidong",
    COMPANY: "hezhiqiang",
    TOWNSHIP: "luojianhua",
    LIUXI: "chenxiulan",
    FENGLING: "zhaoguoqiang",
}
# Who reviews (the organisation's reviewing organisation's reviewer); others: zhouxiaofeng.
REVIEWERS = {LIUXI: "luojianhua", FENGLING: "luojianhua"}


def load_demo_reports(orgs):
    User = get_user_model()
    created = 0
    for org_name, year, quarter, issue_date, fate in REPORTS:
        org = orgs[org_name]
        if QuarterlyReport.objects.filter(organisation=org, year=year, quarter=quarter).exists():
            continue
        created += 1
        secretary = User.objects.get(username=SECRETARIES[org_name])
        reviewer = User.objects.get(username=REVIEWERS.get(org_name, "zhouxiaofeng"))
        report = services.report_create(organisation=org, year=year, quarter=quarter, by=secretary)
        report.issue_date = issue_date
        report.save(update_fields=["issue_date"])
        services.report_assemble(report=report, by=secretary)
        if fate == "approved":
            services.report_submit(report=report, by=secretary, accept_warnings=True)
            services.report_approve(report=report, by=reviewer, comment="同意。")
        elif fate == "submitted":
            services.report_submit(report=report, by=secretary, accept_warnings=True)
        elif fate == "returned":
            _add(
                report,
                ReportItem.Section.BASIC,
                "加强阵地管理，维护网络意识形态安全",
                "××科室建立了科室工作群管理台账，落实专人管理。",
            )
            services._transition(report, QuarterlyReport.Action.SUBMIT, secretary, run_checks=False)
            services.report_return(report=report, by=reviewer, comment=HOSPITAL_COMMENT)
        elif fate == "draft-with-problems":
            _add(
                report,
                ReportItem.Section.BASIC,
                "加强理论学习，提升思想认识",
                "组织镇村干部开展理论宣讲，全镇开展宣讲X次，覆盖党员群众800余人。",
            )
            opening = report.items.get(section=ReportItem.Section.OPENING)
            opening.body = opening.body.replace(
                "在中共青山县委员会的正确领导下", "在xx镇党委的正确领导下"
            )
            opening.origin = ReportItem.Origin.MANUAL
            opening.save()
    return created


def _add(report, section, heading, body):
    ReportItem.objects.create(
        report=report,
        section=section,
        order=90,
        heading=heading,
        body=body,
        origin=ReportItem.Origin.MANUAL,
    )
