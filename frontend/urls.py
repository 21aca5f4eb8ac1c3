"""The web app's URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import home, public

app_name = "frontend"

urlpatterns = [
    path("", public.landing, name="landing"),
    path("home", home.home, name="home"),
    path("login", auth_views.LoginView.as_view(template_name="frontend/login.html"), name="login"),
    path("logout", auth_views.LogoutView.as_view(next_page="frontend:landing"), name="logout"),
    path("@<str:username>", public.profile, name="profile"),
    path("@<str:username>/<int:status_id>", public.status_detail, name="status"),
]
