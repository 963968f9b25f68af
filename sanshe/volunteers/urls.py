from django.urls import path, re_path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("join/<str:token>/", views.apply, name="apply"),
    path("status/<str:token>/", views.status, name="status"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    re_path(r"^applications/(?P<pk>[0-9]+)/reveal/(?P<field>doc_number|phone|wechat_id)/$", views.application_reveal,
            name="application_reveal"),
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate_file"),
    path("recruitments/", views.recruitment_list, name="recruitment_list"),
    path("recruitments/<int:pk>/toggle/", views.recruitment_toggle, name="recruitment_toggle"),
    path("me/", views.my_volunteering, name="me"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("training/manage/", views.training_manage, name="training_manage"),
    path("training/new/", views.training_edit, name="training_create"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("agreement/<int:organisation_id>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreement/publish/", views.agreement_publish, name="agreement_publish"),
    path("signatures/<int:pk>/", views.signature_detail, name="signature_detail"),
    path("signatures/<int:pk>/image.png", views.signature_image, name="signature_image"),
]
