"""The public contact form."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from convoca.core.antibot import RateLimited, pow_passed, rate_limit
from convoca.core.pow import pow_challenge_make
from convoca.core.views import too_many_requests
from convoca.inbox.forms import ContactForm
from convoca.inbox.models import ContactMessage
from convoca.inbox.services import ContactData, contact_message_create


@method_decorator(never_cache, name="dispatch")
class ContactMessageCreateView(View):
    """Write to the organisers. The message is stored first; the email follows."""

    template_name = "inbox/contactmessage_create.html"

    def render_form(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "pow_challenge": pow_challenge_make(scope="contact")},
            status=status,
        )

    def get(self, request):
        # ?subject=meeting preselects the subject, for "write to us to join" links.
        subject = request.GET.get("subject", "")
        initial = {"subject": subject} if subject in ContactMessage.Subject.values else {}
        return self.render_form(request, ContactForm(initial=initial))

    def post(self, request):
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        limits = settings.CONVOCA_RATE_LIMITS[
            "contact" if pow_passed(request, scope="contact") else "contact-without-pow"
        ]
        try:
            rate_limit(request, scope="contact", email=data["email"], **limits)
        except RateLimited:
            return too_many_requests(request)
        contact_message_create(
            data=ContactData(
                name=data["name"],
                email=data["email"],
                subject=data["subject"],
                body=data["message"],
                language=request.LANGUAGE_CODE,
            )
        )
        return redirect("inbox:contact-thanks")


@never_cache  # reached right after giving personal data: no cache may keep it
@require_safe
def contact_thanks(request):
    return render(request, "inbox/contactmessage_thanks.html")
