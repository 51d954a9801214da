"""manage.py send_reminders: the day's 通知 (what celery beat runs each morning);
what was sent before is not sent again, so it may run at any time."""

from django.core.management.base import BaseCommand

from reports.notifications import send_reminders


class Command(BaseCommand):
    help = "发送今天的提醒通知（报告与整改措施即将到期或逾期、本季度尚未召开研判会议）"

    def handle(self, *args, **options):
        counts = send_reminders()
        total = sum(counts.values())
        details = "，".join(f"{kind.label}{n}条" for kind, n in counts.items() if n)
        details = f"（{details}）" if details else ""
        self.stdout.write(f"提醒通知：新发送{total}条{details}。")
