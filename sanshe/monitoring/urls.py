import os

from django.urls import path

from . import screening_views, views

app_name = "monitoring"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("today/b/<int:building_id>/", views.today_building, name="today_building"),
    path("followups/<int:pk>/record/", views.follow_up_record, name="follow_up_record"),
    path("followups/<int:pk>/call/", views.follow_up_call, name="follow_up_call"),
    path("followups/<int:pk>/unreachable/", views.follow_up_unreachable, name="follow_up_unreachable"),
    path("periods/", views.period_list, name="period_list"),
    path("periods/new/", views.period_new, name="period_new"),
    path("periods/new/<int:person_id>/", views.period_create, name="period_create"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/end/", views.period_end, name="period_end"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/resume/", views.period_resume, name="period_resume"),
    path("periods/<int:pk>/link/", views.period_link, name="period_link"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/feed/", views.alert_feed, name="alert_feed"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/call/", views.alert_call, name="alert_call"),
    path("alerts/<int:pk>/take/", views.alert_take, name="alert_take"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("screening/", screening_views.round_list, name="round_list"),
    path("screening/<int:pk>/", screening_views.round_detail, name="round_detail"),
    path("screening/<int:pk>/close/", screening_views.round_close, name="round_close"),
    path("screening/<int:pk>/b/<int:building_id>/", screening_views.round_building, name="round_building"),
    path("screening/<int:pk>/h/<int:household_id>/", screening_views.entry_form, name="entry_form"),
    path("screening/<int:pk>/h/<int:household_id>/done/", screening_views.entry_done, name="entry_done"),
    path("indicators/", views.indicators, name="indicators"),
    path("profile/", views.profile, name="profile"),
    path("me/", views.check_in_mine, name="check_in_mine"),
    path("c/<str:token>/", views.check_in_link, name="check_in_link"),
]

# The check-in burst benchmark compares against bare views on the same server; they exist only when the
# benchmark starts the server with SANSHE_BENCH_VIEWS=1, never in a normal deployment.
# bench_urlpatterns() refuses (the server does not start) in production-like settings.
if os.environ.get("SANSHE_BENCH_VIEWS") == "1":
    from . import bench_views

    urlpatterns += bench_views.bench_urlpatterns()
