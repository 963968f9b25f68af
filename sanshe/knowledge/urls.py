from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.entry_new, name="new"),
    path("review/", views.review, name="review"),
    path("faq/", views.faq, name="faq"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.template_view, name="template"),
    path("export.xlsx", views.export_view, name="export"),
    path("flags/<int:flag_id>/dismiss/", views.flag_dismiss, name="flag_dismiss"),
    path("from-chat/<int:message_id>/", views.from_chat, name="from_chat"),
    path("chat/marks/", views.chat_marks, name="chat_marks"),
    path("chat/suggest/<int:message_id>/", views.chat_suggest, name="chat_suggest"),
    path("chat/send/", views.chat_send, name="chat_send"),
    path("<int:entry_id>/", views.entry_detail, name="detail"),
    path("<int:entry_id>/edit/", views.entry_edit, name="edit"),
    path("<int:entry_id>/publish/", views.entry_publish, name="publish"),
    path("<int:entry_id>/retire/", views.entry_retire, name="retire"),
    path("<int:entry_id>/merge/<int:other_id>/", views.entry_merge, name="merge"),
]
