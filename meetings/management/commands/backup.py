from django.core.management.base import BaseCommand
from django.utils import timezone

from meetings.backup import backup


class Command(BaseCommand):
    help = "备份数据库与上传/生成的文件到一个 tar.gz 归档（含校验清单）。"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None, help="归档路径，默认 backup-时间.tar.gz")

    def handle(self, *args, output, **options):
        output = output or f"backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        manifest = backup(output)
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"已备份到 {output}：{rows}条记录，{len(manifest['files'])}个文件。")
