from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ideology_review.backup import RestoreError, restore


class Command(BaseCommand):
    help = (
        "把 backup 生成的归档恢复到空数据库：先核对签名和清单（不符则不写入任何内容），"
        "再执行迁移，在一个事务中载入并校验每条记录和每个文件，全部通过后才放入文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--key",
            default=None,
            help="备份时的签名密钥（默认取环境变量 BACKUP_KEY，再否则 SECRET_KEY）；"
            "命令行参数会出现在进程列表中，建议用环境变量。",
        )

    def handle(self, *args, archive, key, **options):
        try:
            manifest = restore(
                archive,
                key=key,
                before_load=lambda: call_command("migrate", verbosity=0, interactive=False),
            )
        except RestoreError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"恢复完成并已校验：{rows}条记录，{len(manifest['files'])}个文件。")
