from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def money(amount, currency=""):
    """Cents as an amount in the reader's language: ``125050|money:"EUR"`` is 1,250.50 EUR."""
    if amount in (None, ""):
        return ""
    amount = int(amount)
    value = Decimal(amount) / 100
    places = 0 if amount % 100 == 0 else 2
    text = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}".strip() if currency else text
