from django.urls import path, re_path

from . import views
from .household_sheet_urls import urlpatterns as household_sheet_urlpatterns

app_name = "people"

urlpatterns: list = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_update, name="person_update"),
    re_path(r"^(?P<pk>[0-9]+)/reveal/(?P<field>doc_number|phone|address|birth_date)/$", views.person_reveal,
            name="person_reveal"),
    path("options/buildings/", views.building_options, name="building_options"),
    path("options/household/", views.household_picker, name="household_picker"),
] + household_sheet_urlpatterns
