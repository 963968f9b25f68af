from django.urls import path

app_name = "crisis"

urlpatterns: list = []
