"""统计分析 in the browser, on the demo data (issue 13 item 7, acceptance 5): the
reviewer picks a report kind and period, the trend charts (the vendored Apache
ECharts, under the strict CSP) draw on their canvases above their tables, and
导出统计表 downloads the tables."""

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = os.environ.get("E2E_SCREENSHOTS")

# How many pixels of a canvas are drawn on (not transparent): ECharts draws the
# axes, bars and lines on it, an empty or failed chart leaves it blank.
DRAWN = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
  return n;
}"""


@pytest.fixture
def demo(settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo", verbosity=0)
    return {user.username: user for user in get_user_model().objects.all()}


def test_statistics_draw_the_trends_and_export_the_tables(page, live_server, demo, tmp_path):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, demo["zhouxiaofeng"])
    page.get_by_role("link", name="统计分析").click()
    expect(page.get_by_text("即当前报送的期间（默认）")).to_be_visible()

    # the trend charts: three canvases drawn on, each above its table
    trends = page.locator("#trends")
    trends.scroll_into_view_if_needed()
    canvases = trends.locator("canvas")
    expect(canvases).to_have_count(3)
    for i in range(3):
        canvas = canvases.nth(i)
        expect(canvas).to_be_visible()
        assert canvas.evaluate(DRAWN) > 1000
        figure = canvas.locator("xpath=ancestor::figure")
        expect(figure.locator("table")).to_be_visible()
    path = os.path.join(SHOTS or tmp_path, "statistics-trends.png")
    trends.screenshot(path=path)
    assert os.path.getsize(path) > 20_000  # the drawn charts, not a blank box
    page.screenshot(path=os.path.join(SHOTS or tmp_path, "statistics.png"), full_page=True)
    assert not errors, errors  # no script error, no CSP refusal

    # 报告类型 and its period; the numbers follow
    note = page.locator("#period-note")
    page.get_by_label("报告类型").select_option(label="半年分析研判报告")
    page.get_by_role("button", name="筛选").click()
    # the third quarter's half
    expect(note).to_contain_text("统计期间：2026年下半年")
    expect(note).to_contain_text("当前报送的期间为2026年上半年")
    page.get_by_label("报告期间").select_option(label="上半年")
    page.get_by_role("button", name="筛选").click()
    expect(note).to_contain_text("统计期间：2026年上半年（半年分析研判报告），即当前报送的期间")
    page.get_by_label("报告类型").select_option(label="落实意识形态工作责任制述职报告")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#duty-note")).to_contain_text("书记")
    expect(page.get_by_role("columnheader", name="述职人（书记）")).to_be_visible()

    # 导出统计表: the page's tables
    with page.expect_download() as download:
        page.get_by_role("link", name="导出统计表").click()
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert "各党组织报送情况" in book.sheetnames and "按时报送趋势" in book.sheetnames

    # the 筛选 button stays on one line on a narrow screen
    page.set_viewport_size({"width": 640, "height": 900})
    button = page.get_by_role("button", name="筛选")
    height = button.evaluate("(b) => b.getBoundingClientRect().height")
    line = button.evaluate("(b) => parseFloat(getComputedStyle(b).lineHeight)")
    assert height < 2 * line
