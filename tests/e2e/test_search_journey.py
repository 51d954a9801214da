"""搜索 in the browser: typed into the navbar box in 繁体, a finding is found by a
phrase of its 具体表现, the phrase marked; the result opens the finding. A
reviewer of another committee finds nothing of it."""

import pytest
from playwright.sync_api import expect

from ..factories import FindingFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def search_for(page, text):
    page.get_by_label("搜索").fill(text)
    page.get_by_role("button", name="搜索").click()


def test_a_secretary_finds_a_finding_by_its_details_in_either_script(page, live_server, world):
    finding = FindingFactory(
        meeting__organisation=world.branch,
        title="课堂讲授纪律不严",
        details="个别青年教师在课堂上随意发表不当言论。<script>alert(1)</script>",
    )
    login(page, live_server, world.secretary)
    search_for(page, "發表不當言論")
    expect(page.get_by_role("heading", name="问题（1条）")).to_be_visible()
    expect(page.locator("mark").filter(has_text="发表不当言论")).to_be_visible()
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    page.get_by_role("link", name="课堂讲授纪律不严").click()
    expect(page).to_have_url(live_server.url + finding.get_absolute_url())

    login(page, live_server, world.other_reviewer)
    page.goto(live_server.url + "/search/?q=发表不当言论")
    expect(page.get_by_text("共找到0条")).to_be_visible()
