from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health

admin.site.site_header = "意识形态分析研判管理系统"
admin.site.site_title = "意识形态分析研判管理系统"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("healthz/session/", health.healthz_session, name="healthz_session"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("", include("meetings.urls")),
]

# Error pages in Chinese (meetings.errors).
handler400 = "ideology_review.errors.bad_request"
handler403 = "ideology_review.errors.permission_denied"
handler404 = "ideology_review.errors.page_not_found"
handler500 = "ideology_review.errors.server_error"
