from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ideology_review.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份数据库与上传/生成的文件到一个 tar.gz 归档（含校验清单，清单用备份密钥签名："
        "--key，否则环境变量 BACKUP_KEY，否则 SECRET_KEY；恢复时须用同一密钥）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None, help="归档路径，默认 backup-时间.tar.gz")
        parser.add_argument(
            "--key",
            default=None,
            help="签名密钥（默认取环境变量 BACKUP_KEY，再否则 SECRET_KEY）；"
            "命令行参数会出现在进程列表中，建议用环境变量。",
        )

    def handle(self, *args, output, key, **options):
        output = output or f"backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = backup(output, key=key)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for rel in manifest["skipped"]:
            self.stderr.write(f"未备份（不是 MEDIA_ROOT 内的普通文件，如符号链接）：{rel}")
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"已备份到 {output}：{rows}条记录，{len(manifest['files'])}个文件；"
            f"已用 {manifest['key_source']} 签名，恢复时须用同一密钥。"
        )
