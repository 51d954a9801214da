"""manage.py refresh_statistics: recompute the precomputed 统计分析 rows
(reports.figures) — all of them with --all, else those whose 已逾期 count has
changed with the date (what celery beat runs each night)."""

from django.core.management.base import BaseCommand

from reports import figures


class Command(BaseCommand):
    help = "重新计算统计分析的预计算数据（默认只算因日期变化而逾期数改变的，--all 全部重算）"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="全部重算")

    def handle(self, *args, **options):
        if options["all"]:
            n = figures.rebuild()
            self.stdout.write(f"统计数据：已全部重算，共{n}个党组织季度。")
        else:
            n = figures.refresh_due()
            self.stdout.write(f"统计数据：重算{n}个逾期数随日期变化的党组织季度。")
