from django.urls import path

from . import dashboard, views, workbench

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("review/", views.inbox, name="inbox"),
    path("workbench/", workbench.workbench, name="workbench"),
    path("workbench/urge/", workbench.urge, name="urge"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("statistics/", dashboard.dashboard, name="dashboard"),
    path("statistics/xlsx/", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/preview/", views.report_preview, name="preview"),
    path("<int:pk>/history/", views.report_history, name="history"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/assemble/", views.report_assemble, name="assemble"),
    path("<int:pk>/items/<str:section>/new/", views.item_create, name="item_create"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/resubmit/", views.report_resubmit, name="resubmit"),
    path("<int:pk>/withdraw/", views.report_withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.report_approve, name="approve"),
    path("<int:pk>/return/", views.report_return, name="return"),
    path("<int:pk>/comments/new/", views.comment_add, name="comment_add"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/addressed/", views.comment_mark_addressed, name="comment_addressed"),
    path("<int:pk>/export/", views.export_docx, name="export_docx"),
    path("export-quarter/", views.export_quarter, name="export_quarter"),
    path("files/<int:pk>/", views.file_status, name="file_status"),
    path("files/<int:pk>/download/", views.file_download, name="file_download"),
    path("files/<int:pk>/retry/", views.file_retry, name="file_retry"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/move/<str:direction>/", views.item_move, name="item_move"),
]
