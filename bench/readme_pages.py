"""make readme-images: the two page images of the README, from the demo school's
approved report: its first page and the first page of its 附件 台账, rendered
by LibreOffice and pdftoppm exactly as a reviewer's download would be.

Runs on a throwaway SQLite database with the demo data (DEBUG on, no services).
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs"


def main():
    work = Path(tempfile.mkdtemp(prefix="readme-pages-"))
    os.environ.update(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{work / 'demo.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        CELERY_BROKER_URL="",
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideology_review.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from reports.docx import render_docx
    from reports.files import frozen_content
    from reports.models import QuarterlyReport

    report = (
        QuarterlyReport.objects.filter(
            organisation__name="中共青山县城关第一实验学校支部委员会", status="approved"
        )
        .order_by("-year", "-quarter")
        .first()
    )
    content, _, _ = frozen_content(report)
    docx = work / "report.docx"
    docx.write_bytes(render_docx(content))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(docx),
        ],
        check=True,
        capture_output=True,
    )
    pdf = work / "report.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    ledger = next(i for i, page in enumerate(pages, start=1) if page.strip().startswith("附件"))
    OUT.mkdir(exist_ok=True)
    for number, name in ((1, "report-page-1"), (ledger, "report-ledger")):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                str(pdf),
                str(OUT / name),
            ],
            check=True,
        )
        print(f"docs/{name}.png：第{number}页（共{len(pages) - 1}页）")


if __name__ == "__main__":
    main()
