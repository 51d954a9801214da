from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from meetings.backup import RestoreError, restore


class Command(BaseCommand):
    help = "把 backup 生成的归档恢复到空数据库（先执行迁移），并校验每条记录和每个文件。"

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        call_command("migrate", verbosity=0, interactive=False)
        try:
            manifest = restore(archive)
        except RestoreError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"恢复完成并已校验：{rows}条记录，{len(manifest['files'])}个文件。")
