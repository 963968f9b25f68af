from django.urls import path, register_converter

from . import views


class DayConverter:
    """A calendar day as YYYY-MM-DD (kept as text; the view parses it and answers 404 for a bad one)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(DayConverter, "records_day")

app_name = "records"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("new/<str:kind>/", views.record_create, name="record_create"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("<int:pk>/xlsx/", views.record_xlsx, name="record_xlsx"),
    path("<int:pk>/images/", views.record_images, name="record_images"),
    path("<int:pk>/images/<int:image_id>/", views.record_image, name="record_image"),
    path("summaries/<int:pk>/images/<int:image_id>/", views.summary_image, name="summary_image"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/record/", views.request_record, name="request_record"),
    path("requests/<int:pk>/dismiss/", views.request_dismiss, name="request_dismiss"),
    path("summaries/", views.summary_index, name="summary_index"),
    path("summaries/<int:group_id>/<records_day:day>/", views.summary_detail, name="summary_detail"),
    path("summaries/<int:pk>/rows/<int:row_id>/", views.summary_row_edit, name="summary_row_edit"),
    path("summaries/<int:pk>/finalise/", views.summary_finalise, name="summary_finalise"),
    path("summaries/<int:pk>/xlsx/", views.summary_xlsx, name="summary_xlsx"),
    path("handover/<int:group_id>/<records_day:day>/", views.handover, name="handover"),
    path("referrals-out/", views.referral_out_list, name="referral_out_list"),
    path("referrals-out/new/", views.referral_out_create, name="referral_out_create"),
    path("referrals-out/<int:pk>/", views.referral_out_detail, name="referral_out_detail"),
]
