from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ideology_review.demo import load_demo
from meetings.demo import DEMO_PASSWORD, PEOPLE, REVIEWERS


class Command(BaseCommand):
    help = "载入青山县演示数据（幂等：重复运行不会改变已有数据）。生产环境拒绝运行。"

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "演示数据含公开的共享密码，当前配置不允许载入（生产环境）。"
                "本地体验请设置 DEBUG=true 或 DEMO_DATA=true。"
            )
        created = load_demo()
        self.stdout.write(
            "演示数据：新建组织{organisations}个、人员{people}名、账号{users}个、会议{meetings}次、报告{reports}份。".format(
                **created
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for name, org, _post, role, username, _member in PEOPLE:
            if username:
                label = "审核人" if name in REVIEWERS else role
                self.stdout.write(f"  {username:<14}{name}  {label}  {org}")
        self.stdout.write(f"  {'admin':<14}系统管理员（/admin/）")
