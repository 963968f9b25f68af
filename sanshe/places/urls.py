from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.community_list, name="community_list"),
    path("communities/new/", views.community_create, name="community_create"),
    path("communities/<int:pk>/", views.community_detail, name="community_detail"),
    path("communities/<int:pk>/edit/", views.community_update, name="community_update"),
    path("communities/<int:community_pk>/compounds/new/", views.compound_create, name="compound_create"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("compounds/<int:pk>/edit/", views.compound_update, name="compound_update"),
    path("compounds/<int:compound_pk>/buildings/new/", views.building_create, name="building_create"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("buildings/<int:pk>/edit/", views.building_update, name="building_update"),
    path("buildings/<int:building_pk>/units/new/", views.unit_create, name="unit_create"),
    path("buildings/<int:building_pk>/households/new/", views.household_create, name="household_create"),
    path("units/<int:pk>/edit/", views.unit_update, name="unit_update"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_update, name="household_update"),
]
