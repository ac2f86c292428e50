app_name = "mailings"

urlpatterns = []
