"""Model fields for personal data encrypted at rest, and for text that must stay on one line."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.forms import CharField as CharFormField

from convoca.core import crypto
from convoca.core.text import one_line


def _one_line_on_save(field, model_instance):
    """Make the instance's value of ``field`` one line (``core.text.one_line``) and return it."""
    value = model_instance.__dict__.get(field.attname)
    if isinstance(value, str) and value and not isinstance(value, Ciphertext):
        value = one_line(value)
        model_instance.__dict__[field.attname] = value
    return value


class OneLineCharField(models.CharField):
    """A name, a title, a place: stored on one line, whatever path wrote it.

    Every save (a form, the admin, a service, an import, the API, a bulk
    INSERT) passes the value through ``core.text.one_line``: line breaks and
    other controls become a space, the bidirectional controls that make a
    name read backwards are removed; the instance holds the cleaned value
    after saving. Its form field is ``core.forms.OneLineField``.

    The database column is a plain ``CharField``'s, and ``deconstruct`` says
    so: cleaning on save is Python's business, so turning a field into this
    one needs no migration.
    """

    def pre_save(self, model_instance, add):
        _one_line_on_save(self, model_instance)
        return super().pre_save(model_instance, add)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # QuerySet.update() comes this way
        return one_line(value) if isinstance(value, str) and value else value

    def formfield(self, **kwargs):
        from convoca.core.forms import OneLineField

        return super().formfield(**{"form_class": OneLineField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class OneLineLabelsField(models.JSONField):
    """Short labels by language (``{"en": "Weekly", "es": "Semanal"}``), each kept on one line.

    Like ``OneLineCharField`` for ``{language: text}`` labels: a mailing's
    subject, a list's name, a topic's name. A plain ``JSONField`` column.
    """

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, dict):
            value = {
                key: one_line(text) if isinstance(text, str) else text
                for key, text in value.items()
            }
            model_instance.__dict__[self.attname] = value
        return super().pre_save(model_instance, add)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class Ciphertext(str):
    """A value as stored in the database, not yet decrypted."""

    __slots__ = ()


class EncryptedAttribute(models.query_utils.DeferredAttribute):
    """Decrypts on first read, using the instance's primary key as context."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            value = crypto.decrypt(value, associated_data=self.field.associated_data(instance))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """A text value encrypted with AES-GCM, bound to its table, row and field.

    The model's primary key must be known before the first save (a UUID with
    a default), because it is part of the associated data; a model with a
    numbered key names instead, in ``row_key``, a UUID field with a default
    that identifies the row (``EncryptedTextField(row_key="row_key")``). An
    empty value is stored empty. Values cannot be filtered on; find rows
    through a blind index instead.

    ``one_line=True`` (names, phones, places) makes the value one line before
    it is encrypted, on every save, as ``OneLineCharField`` does. It is not a
    database matter, so migrations don't record it.
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args, row_key: str = "pk", one_line: bool = False, **kwargs):
        self.row_key = row_key
        self.one_line = one_line
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.row_key != "pk":
            kwargs["row_key"] = self.row_key
        return name, path, args, kwargs

    def associated_data(self, instance) -> str:
        row = getattr(instance, self.row_key)
        if row is None:
            raise ImproperlyConfigured(
                f"{instance.__class__.__name__} needs a primary key set before it is saved "
                "to hold encrypted fields (use a UUID primary key with a default)."
            )
        return f"{self.model._meta.db_table}.{self.column}:{row}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return Ciphertext(value)

    def pre_save(self, model_instance, add):
        if self.one_line:
            _one_line_on_save(self, model_instance)
        value = model_instance.__dict__.get(self.attname, "")
        if not value or isinstance(value, Ciphertext):
            return value or ""
        return Ciphertext(
            crypto.encrypt(str(value), associated_data=self.associated_data(model_instance))
        )

    def get_prep_value(self, value):
        # Only pre_save's ciphertext reaches the database; a plaintext here
        # would be a filter, which can never match.
        if value and not isinstance(value, Ciphertext):
            raise TypeError("Encrypted fields cannot be used in lookups; use a blind index.")
        return value

    def formfield(self, **kwargs):
        if self.one_line:
            from convoca.core.forms import OneLineField

            return super().formfield(**{"form_class": OneLineField, "widget": None, **kwargs})
        return super().formfield(**{"form_class": CharFormField, "widget": None, **kwargs})


class BlindIndexField(models.CharField):
    """A keyed HMAC of another (encrypted) field's normalised value, to find rows by it.

    Computed on every save from ``source`` (see ``crypto.value_index``), so
    it can never disagree with the value it indexes; NULL when the value is
    empty. Filter with ``crypto.value_index(term, purpose=...)``. A model
    saved with ``update_fields`` must list the index with its source (see
    ``Person.save``).
    """

    def __init__(self, *args, source: str, purpose: str, **kwargs):
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.value_index(getattr(model_instance, self.source), purpose=self.purpose)
        setattr(model_instance, self.attname, value)
        return value
