"""Reports of every kind (issue 12): a kind (default 季度分析研判报告), a half
(0 where it does not apply) and a person for 述职报告. Existing reports are
quarterly reports of their quarter, unchanged: the new columns get their
defaults, and the one-per-quarter rule becomes one per organisation, kind and
period (per person for 述职报告), a rule every existing row already meets."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_verbose_names"),
        ("reports", "0008_created_by_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="quarterlyreport",
            options={
                "ordering": ["-year", "-quarter", "organisation__path"],
                "verbose_name": "分析研判报告",
                "verbose_name_plural": "分析研判报告",
            },
        ),
        migrations.AddField(
            model_name="quarterlyreport",
            name="half",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "—"), (1, "上半年"), (2, "下半年")], default=0, verbose_name="半年"
            ),
        ),
        migrations.AddField(
            model_name="quarterlyreport",
            name="kind",
            field=models.CharField(
                choices=[
                    ("quarterly", "季度分析研判报告"),
                    ("half", "半年分析研判报告"),
                    ("annual", "年度意识形态工作总结"),
                    ("duty", "落实意识形态工作责任制述职报告"),
                    ("network", "网络意识形态工作情况报告"),
                ],
                default="quarterly",
                max_length=10,
                verbose_name="报告类型",
            ),
        ),
        migrations.AddField(
            model_name="quarterlyreport",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="duty_reports",
                to="meetings.person",
                verbose_name="述职人",
            ),
        ),
        migrations.AlterField(
            model_name="quarterlyreport",
            name="quarter",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "—"),
                    (1, "第一季度"),
                    (2, "第二季度"),
                    (3, "第三季度"),
                    (4, "第四季度"),
                ],
                default=0,
                verbose_name="季度",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="quarterlyreport",
            name="reports_quarterlyreport_one_per_quarter",
        ),
        migrations.RemoveConstraint(
            model_name="quarterlyreport",
            name="reports_quarterlyreport_quarter_range",
        ),
        migrations.AddConstraint(
            model_name="quarterlyreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", True)),
                fields=("organisation", "kind", "year", "half", "quarter"),
                name="reports_quarterlyreport_one_per_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="quarterlyreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", False)),
                fields=("organisation", "kind", "year", "person"),
                name="reports_quarterlyreport_one_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="quarterlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(
                            ("half", 0),
                            ("kind", "quarterly"),
                            ("quarter__gte", 1),
                            ("quarter__lte", 4),
                        ),
                        models.Q(
                            ("half__gte", 1), ("half__lte", 2), ("kind", "half"), ("quarter", 0)
                        ),
                        models.Q(
                            ("half", 0), ("kind__in", ["annual", "duty", "network"]), ("quarter", 0)
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("kind", "duty"), ("person__isnull", False)),
                        models.Q(
                            models.Q(("kind", "duty"), _negated=True), ("person__isnull", True)
                        ),
                        _connector="OR",
                    ),
                ),
                name="reports_quarterlyreport_period_of_kind",
            ),
        ),
    ]
