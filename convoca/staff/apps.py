from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "convoca.staff"
    label = "staff"
    verbose_name = _("Staff accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from convoca.staff.services import staff_session_start_on_login

        # Every staff sign-in (the admin's form, a test client's force_login) opens a
        # session the member can see and end from the admin.
        user_logged_in.connect(staff_session_start_on_login, dispatch_uid="convoca-staff-session")
