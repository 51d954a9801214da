"""Benchmarks. Nothing in the product (ideology_review/, meetings/, reports/)
imports this package, and nothing here reads outside the repository.

docx_bench.py      make bench, part 1: our DOCX renderer against docxtpl
bundle_bench.py    make bench, part 2, and make bench-export: 导出本季度报告
                   through real Celery worker processes
load_scale.py      the province-sized dataset of make bench-web
web_bench.py       make bench-web: service time, capacity and an open-loop mix
                   of the pages on gunicorn, against two floors
loadgen.py         its load generator (threads and http.client)
readme_pages.py    make readme-images
corpus/            the text all of them use, written for this project: on a
                   fresh clone the data and the documents are the same each run

docx_bench, bundle_bench and load_scale are plain scripts run by
`python -m bench docx|bundle|load_scale` (see __main__.py), not management
commands: a command has to live in an installed app, and the product's apps
must not import benchmark code.
"""

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


def sentences():
    """The corpus' sentences in a fixed order (file name, then line)."""
    return [
        line.strip()
        for path in sorted(CORPUS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
