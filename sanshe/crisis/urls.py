from django.urls import path

from . import views

app_name = "crisis"

urlpatterns = [
    path("<int:pk>/", views.crisis_detail, name="detail"),
]
