"""Seed the 18 finding categories of domain.md §2.4 (in frequency order)."""

from django.db import migrations

CATEGORIES = [
    ("network", "网络意识形态"),
    ("study", "理论学习"),
    ("responsibility", "责任制落实"),
    ("team", "队伍建设"),
    ("thinking", "思想动态"),
    ("position", "阵地管理"),
    ("method", "方式方法"),
    ("opinion", "舆论引导"),
    ("off-duty", "党员日常监管（八小时之外）"),
    ("religion", "宗教与民族"),
    ("non-party", "党外人员"),
    ("education", "专题教育"),
    ("mobile", "流动党员与新领域党建"),
    ("mechanism", "制度机制"),
    ("culture", "文化需求"),
    ("conduct", "师德师风/医德医风/行业作风"),
    ("situation", "形势研判"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    FindingCategory = apps.get_model("meetings", "FindingCategory")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        FindingCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def unseed(apps, schema_editor):
    FindingCategory = apps.get_model("meetings", "FindingCategory")
    FindingCategory.objects.filter(code__in=[code for code, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
