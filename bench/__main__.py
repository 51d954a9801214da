"""python -m bench <script> [options]: run a benchmark script with Django set
up from the environment, as manage.py does (DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY …).

    python -m bench docx [--runs 21]
    python -m bench bundle [--branches 200 [1000 5000 …] --workers 2 --pool solo --timeout S]
    python -m bench load_scale [--seed 2026 --committees 20 --branches 1000 --years 3]
    python -m bench pages [--rounds 40 --profile 工作台]

Scripts and not management commands: a command must sit in an installed app,
and meetings/, reports/ and ideology_review/ never import bench.
"""

import importlib
import os
import sys

SCRIPTS = {
    "docx": "bench.docx_bench",
    "bundle": "bench.bundle_bench",
    "load_scale": "bench.load_scale",
    "pages": "bench.pages",
}


def main(argv):
    if not argv or argv[0] not in SCRIPTS:
        sys.exit(f"用法：python -m bench {{{'|'.join(SCRIPTS)}}} [参数]（--help 查看参数）")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideology_review.settings")
    import django

    django.setup()
    importlib.import_module(SCRIPTS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
