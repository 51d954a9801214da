"""Production compiles each template once per process: Django's cached loader
wraps the filesystem and app loaders when TEMPLATES sets no `loaders` of its
own, for the site's templates and for the forms' widget templates alike."""

from .production import manage, production_env

SHOW_LOADERS = (
    "from django.template import engines; from django.forms.renderers import get_default_renderer; "
    "site = engines['django'].engine; forms = get_default_renderer().engine.engine; "
    "print(site.debug, [type(l).__module__ for l in site.template_loaders]); "
    "print([type(l).__module__ for l in forms.template_loaders]); "
    "print([type(l).__module__ for l in site.template_loaders[0].loaders])"
)


def test_production_renders_through_the_cached_template_loader():
    result = manage("shell", "--no-imports", "-c", SHOW_LOADERS, env=production_env())
    assert result.returncode == 0, result.stderr
    site, forms, wrapped = result.stdout.strip().splitlines()
    assert site == "False ['django.template.loaders.cached']"
    assert forms == "['django.template.loaders.cached']"
    assert wrapped == (
        "['django.template.loaders.filesystem', 'django.template.loaders.app_directories']"
    )
