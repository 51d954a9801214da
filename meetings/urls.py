from django.urls import path

from . import search, text_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/new/", views.meeting_create, name="create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/history/", views.meeting_history, name="history"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="delete"),
    path("meetings/<int:pk>/confirm/", views.meeting_confirm, name="confirm"),
    path("meetings/<int:pk>/record/", views.record_export, name="record_export"),
    path("meetings/record-book/", views.record_book_export, name="record_book_export"),
    path("meetings/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("meetings/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("findings/", views.finding_ledger, name="finding_ledger"),
    path("findings/new/", views.finding_create_standalone, name="finding_create_standalone"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/history/", views.finding_history, name="finding_history"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/delete/", views.finding_delete, name="finding_delete"),
    path("findings/<int:pk>/correct/", views.finding_correct, name="finding_correct"),
    path("findings/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("measures/", views.measure_ledger, name="measure_ledger"),
    path("ledger/<str:kind>/export/", views.ledger_export, name="ledger_export"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
    path("measures/<int:pk>/correct/", views.measure_correct, name="measure_correct"),
    path("measures/<int:pk>/close/", views.measure_close, name="measure_close"),
    path("measures/<int:pk>/return/", views.measure_return, name="measure_return"),
    path("measures/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("search/", search.search_page, name="search"),
    path("text/check/", text_views.text_check, name="text_check"),
    path("text/convert/", text_views.text_convert, name="text_convert"),
]
