"""A DOCX as LibreOffice lays it out: the PDF's pages as lines of text."""

import subprocess


def pdf_pages(soffice, tmp_path, docx_bytes, *, timeout=240):
    """Convert `docx_bytes` with LibreOffice and return each page's non-empty
    lines (pdftotext -layout); a trailing empty page is dropped."""
    source = tmp_path / "report.docx"
    source.write_bytes(docx_bytes)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice produced no PDF"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    while pages and not pages[-1]:
        pages.pop()
    return pages
