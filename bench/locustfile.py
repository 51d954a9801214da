"""make bench-web: real journeys of secretaries and reviewers against the scale dataset."""

import random
import re

from locust import HttpUser, between, task

PASSWORD = "qingshan2026"


def login(client, username):
    client.get("/accounts/login/", name="登录页")
    token = client.cookies.get("csrftoken")
    client.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": client.base_url + "/accounts/login/"},
        name="登录",
    )


class Secretary(HttpUser):
    weight = 3
    wait_time = between(0.1, 0.5)

    def on_start(self):
        login(self.client, f"scale-sec-{random.randint(1, 1000)}")
        page = self.client.get("/meetings/", name="研判会议列表").text
        self.meetings = re.findall(r'href="/meetings/(\d+)/"', page) or ["1"]
        page = self.client.get("/reports/", name="研判报告列表").text
        self.reports = re.findall(r'href="/reports/(\d+)/"', page) or ["1"]

    @task(3)
    def dashboard(self):
        self.client.get("/", name="工作台")

    @task(2)
    def meeting_list(self):
        self.client.get("/meetings/", name="研判会议列表")

    @task(3)
    def meeting_page(self):
        self.client.get(f"/meetings/{random.choice(self.meetings)}/", name="会议页")

    @task(2)
    def findings_ledger(self):
        self.client.get("/findings/?year=2026&quarter=3&risk_level=高", name="问题台账（筛选）")

    @task(2)
    def measures_ledger(self):
        self.client.get("/measures/?status=已逾期", name="整改台账（筛选）")

    @task(2)
    def report_page(self):
        self.client.get(f"/reports/{self.reports[0]}/", name="报告页")

    @task(1)
    def assemble(self):
        token = self.client.cookies.get("csrftoken")
        self.client.post(
            f"/reports/{self.reports[0]}/assemble/",
            {"csrfmiddlewaretoken": token},
            headers={"Referer": self.client.base_url + "/reports/"},
            name="一键汇总",
            allow_redirects=False,
        )

    @task(2)
    def floor(self):
        self.client.get("/healthz/", name="框架基线（/healthz/）")


class Reviewer(HttpUser):
    weight = 1
    wait_time = between(0.1, 0.5)

    def on_start(self):
        login(self.client, "scale-reviewer")

    @task(2)
    def inbox(self):
        self.client.get("/reports/review/", name="待审核")

    @task(2)
    def statistics(self):
        self.client.get("/reports/statistics/?year=2026&quarter=3", name="统计分析")

    @task(1)
    def floor(self):
        self.client.get("/healthz/", name="框架基线（/healthz/）")
