"""Content in several languages: one language-neutral row, and one row per language for its texts.

What every version of a thing shares (its status, dates, goal, place,
organisation) lives once, in a ``TranslatableModel`` row; each language's
texts (title, address, body) live in a ``TranslationModel`` row pointing at
it. Closing, reopening or changing the goal is then one write that every
version sees: nothing is copied between versions, so nothing can drift.

The neutral row's primary key is the thing's *translation key*: what
counts, signatures and links to "the same thing in another language" hang
on. Languages are the ``LANGUAGES`` setting: a version's ``language`` is a
``LanguageField``, whose choices are read from the setting when asked and
never written into a migration, so adding a language is a setting, not a
schema change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import ModelFormMetaclass, fields_for_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from convoca.core.models import TimeStampedModel


def language_codes() -> list[str]:
    """The site's languages, in the order of the ``LANGUAGES`` setting."""
    return [code for code, _name in settings.LANGUAGES]


class LanguageField(models.CharField):
    """A language of the site, checked against ``LANGUAGES`` when a value is validated.

    Its choices are never part of the field's definition (so never of a
    migration): a form built from it offers the languages the setting names
    at that moment.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 8)
        kwargs.pop("choices", None)
        super().__init__(*args, **kwargs)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value and value not in language_codes():
            raise ValidationError(_("This site has no such language."), code="invalid_choice")

    def formfield(self, **kwargs):
        return forms.TypedChoiceField(
            label=self.verbose_name,
            required=not self.blank,
            choices=lambda: [("", "---------"), *settings.LANGUAGES],
            help_text=self.help_text,
            **{key: value for key, value in kwargs.items() if key in ("initial", "disabled")},
        )


def language_pick(available: Iterable[str], language: str | None = None) -> str | None:
    """Which of ``available`` languages to show a visitor reading ``language``.

    Their own if there is a version in it, else the site's default
    (``LANGUAGE_CODE``), else the first in the ``LANGUAGES`` order, else any.
    ``language`` is the active one unless given.
    """
    available = list(available)
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (language, settings.LANGUAGE_CODE, *language_codes()):
        if code in available:
            return code
    return available[0] if available else None


class TranslatableModel(TimeStampedModel):
    """The language-neutral row of something kept in several languages.

    Its primary key is the translation key every version shares (a
    subclass whose rows are referred to by an integer id keeps it, by
    declaring its own ``id``). Subclasses hold what all versions share; their versions are a
    ``TranslationModel`` subclass with a foreign key named ``shared``
    (``related_name="versions"``). ``VersionText`` reads a text through it.
    """

    id = models.UUIDField(_("translation group"), primary_key=True, default=uuid.uuid4)

    class Meta:
        abstract = True

    @property
    def translation_key(self) -> uuid.UUID:
        return self.pk

    def version_in(self, language: str | None = None):
        """The version to show a visitor reading ``language`` (the active one by default)."""
        versions = {version.language: version for version in self.versions.all()}
        return versions.get(language_pick(versions, language))

    def text_in(self, name: str, language: str | None = None) -> str:
        """A text field (``name``) in ``language``, else in the first other version that has it.

        For a thing shown in one place in every language (a working group's
        page): a text missing in the visitor's language is shown in another
        rather than not at all. Reads ``versions.all()``: prefetch it for a list.
        """
        versions = {version.language: version for version in self.versions.all()}
        first = language_pick(versions, language)
        for code in (first, settings.LANGUAGE_CODE, *language_codes(), *versions):
            value = getattr(versions.get(code), name, "")
            if value:
                return value
        return ""


class VersionText:
    """A text read through the neutral row, in the visitor's language: ``fundraiser.title``.

    Declared on a ``TranslatableModel`` subclass (``title = VersionText()``),
    it reads ``text_in`` with the attribute's name: the version in the
    visitor's language, else the first other version that has that text.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.text_in(self.name)


def version_constraints(
    *, version_exists: str, slug_taken: str | None = None
) -> list[models.UniqueConstraint]:
    """The constraints of a ``TranslationModel`` subclass: one version per language.

    With ``slug_taken``, also one address (``slug``) per language. The
    messages are the visitor's, naming the kind of thing ("This action
    already has a version in this language.").
    """
    constraints = []
    if slug_taken is not None:
        constraints.append(
            models.UniqueConstraint(
                fields=["language", "slug"],
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message=slug_taken,
            )
        )
    constraints.append(
        models.UniqueConstraint(
            fields=["shared", "language"],
            name="%(app_label)s_%(class)s_one_version_per_language",
            violation_error_message=version_exists,
        )
    )
    return constraints


def language_texts_save(
    shared: TranslatableModel,
    texts: dict[str, dict[str, str]] | None,
    texts_removed: Iterable[str] = (),
) -> None:
    """Write a thing's texts by language (``{"es": {"title": ...}}``) over its versions.

    Each language's version is created or changed (and checked); the
    versions of ``texts_removed`` not also in ``texts`` are deleted. For
    the app's save service, inside its transaction, after saving
    ``shared``.
    """
    model = shared.versions.model
    texts = texts or {}
    gone = [code for code in texts_removed if code not in texts]
    model._default_manager.filter(shared=shared, language__in=gone).delete()
    for language, fields in texts.items():
        text = model._default_manager.filter(shared=shared, language=language).first()
        text = text or model(shared=shared, language=language)
        for name, value in fields.items():
            setattr(text, name, value)
        text.full_clean(exclude=["shared"])
        text.save()
    if texts or gone:
        # Read anew: a cached list of versions would show the old texts.
        getattr(shared, "_prefetched_objects_cache", {}).pop("versions", None)


class SharedAttribute:
    """A read of what every version shares, through one version: ``version.status``.

    Writing it through a version is refused: the value belongs to all
    versions, and is changed on the neutral row by the app's services.
    """

    def __init__(self, name: str):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return getattr(instance.shared, self.name)

    def __set__(self, instance, value):
        raise AttributeError(
            f"{self.name} is shared by every language version; change it on the shared row"
        )


class TranslationModel(TimeStampedModel):
    """One language's version of something: its texts, and its address.

    A subclass declares ``shared = models.ForeignKey(<its TranslatableModel>,
    related_name="versions", ...)`` and ``constraints =
    version_constraints(...)``; ``shared_attributes`` names the neutral row's
    fields that are read through a version as if they were its own
    (``version.status``).
    """

    language = LanguageField(_("language"))

    #: The neutral row's fields a version reads as its own.
    shared_attributes: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls.__dict__.get("shared_attributes", ()):
            setattr(cls, name, SharedAttribute(name))
            # A shared choice's label too: ``version.get_status_display()``.
            setattr(cls, f"get_{name}_display", SharedAttribute(f"get_{name}_display"))

    @property
    def translation_key(self) -> uuid.UUID:
        """The key every version of this thing shares (the neutral row's id)."""
        return self.shared_id

    def get_language_display(self) -> str:
        return str(dict(settings.LANGUAGES).get(self.language, self.language))

    def other_versions(self):
        """The versions of this thing in the other languages."""
        return type(self)._default_manager.filter(shared_id=self.shared_id).exclude(pk=self.pk)


class SharedFieldsFormMetaclass(ModelFormMetaclass):
    """Declares the shared fields on the form class, so admin fieldsets may name them."""

    def __new__(mcs, name, bases, attrs):
        shared_model = attrs.get("shared_model")
        if shared_model is not None:
            fields = fields_for_model(shared_model, fields=attrs.get("shared_fields", ()))
            for field_name, field in fields.items():
                attrs.setdefault(field_name, field)
        return super().__new__(mcs, name, bases, attrs)


class SharedFieldsForm(forms.ModelForm, metaclass=SharedFieldsFormMetaclass):
    """The admin form of one language version, showing what all versions share beside its texts.

    ``shared_model`` and ``shared_fields`` name the neutral row's fields to
    show; they start from the version's neutral row. The form never saves
    them: ``shared_data()`` hands them to the app's save service, and
    ``instance.shared`` holds them unsaved meanwhile, so an inline's checks
    see the version as it would be saved. "Translation of"
    (``translation_of``) makes a new row another language of an existing
    thing: it joins that thing's neutral row, whose values it keeps (what
    this form says about them is ignored). The choice lists only what the
    staff member may edit (``translatable``, narrowed by the admin).
    """

    shared_model: type[TranslatableModel]
    shared_fields: tuple[str, ...] = ()
    #: Help text under "translation of".
    translation_help = ""
    #: What may be chosen; None is everything (a coordinator).
    translatable = None
    #: Narrower choices for shared fields, by name (the organisations a staff member may edit).
    shared_querysets: dict = {}

    translation_of = forms.ModelChoiceField(
        label=_("translation of"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        shared = self.instance.shared if self.instance.shared_id else None
        for name in self.shared_fields:
            if name in self.shared_querysets and name in self.fields:
                self.fields[name].queryset = self.shared_querysets[name]
            if shared is not None:
                self.initial.setdefault(name, _shared_value(shared, name))
        queryset = (self.translatable or model._default_manager.all()).order_by("-created_at")
        choice = self.fields["translation_of"]
        if self.instance.pk:
            queryset = queryset.exclude(shared_id=self.instance.shared_id)
            choice.initial = self.instance.other_versions().first()
        choice.queryset = queryset
        choice.help_text = self.translation_help

    def _joined(self):
        original = self.cleaned_data.get("translation_of")
        if original is None or original.shared_id == self.instance.shared_id:
            return None
        return original

    def clean(self):
        cleaned = super().clean()
        original = self._joined()
        if original is None:
            return cleaned
        language = cleaned.get("language")
        if original.language == language:
            self.add_error("translation_of", _("A translation must be in another language."))
        elif (
            self._meta.model._default_manager.filter(
                shared_id=original.shared_id, language=language
            )
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("translation_of", _("That text already has a version in this language."))
        for name in self.shared_fields:
            # The joined thing's values stand; what this form said about them is moot.
            if name in self._errors:
                del self._errors[name]
            cleaned[name] = _shared_value(original.shared, name, as_objects=True)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        original = self._joined() if hasattr(self, "cleaned_data") else None
        if original is not None:
            shared = original.shared
        elif self.instance.shared_id:
            shared = type(self.instance.shared)._default_manager.get(pk=self.instance.shared_id)
        else:
            shared = self.shared_model()
        for name in self.shared_fields:
            field = self.shared_model._meta.get_field(name)
            if not field.many_to_many and name in self.cleaned_data:
                setattr(shared, name, self.cleaned_data[name])
        self.instance.shared = shared

    def shared_data(self) -> dict:
        """What the form says about the neutral row, by field name."""
        return {name: self.cleaned_data[name] for name in self.shared_fields}


def _shared_value(shared, name: str, *, as_objects: bool = False):
    field = shared._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(shared, name).all())
    if field.many_to_one and not as_objects:
        return getattr(shared, field.attname)
    return getattr(shared, name)


class LanguageVersionsFormSet(forms.BaseInlineFormSet):
    """The versions of a thing in an admin inline: one text block per language of the site.

    A new thing offers a blank block for each language in ``LANGUAGES``
    (the first required); an existing one, a block for each language it
    lacks. Two blocks in one language are refused.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        have = {form.instance.language for form in self.initial_forms}
        missing = iter(code for code in language_codes() if code not in have)
        for form in self.extra_forms:
            code = next(missing, None)
            if code is not None and "language" in form.fields:
                form.initial.setdefault("language", code)
                form.fields["language"].initial = code

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("language"):
                continue
            if data["language"] in seen:
                raise ValidationError(_("There is one text per language."), code="language")
            seen.add(data["language"])


class LanguageTextsInlineMixin:
    """An admin inline of a thing's texts: one block per language of the site.

    Combine it with the admin theme's ``StackedInline`` and set ``model``
    and ``fields`` (``language`` first). A thing gets at most one block per
    language, a block for each language it lacks, and ``min_num`` required
    ones. The texts are the thing's: whoever may change the thing (its
    admin, ``parent_model``) may change them, whatever Django's per-model
    permissions say.
    """

    formset = LanguageVersionsFormSet
    min_num = 1

    def get_extra(self, request, obj=None, **kwargs):
        have = obj.versions.count() if obj is not None else 0
        return max(0, len(settings.LANGUAGES) - max(have, self.min_num))

    def get_max_num(self, request, obj=None, **kwargs):
        return len(settings.LANGUAGES)

    def _parent_admin(self):
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)


def language_texts(formset, fields: Iterable[str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """What a formset of ``LanguageTextsInlineMixin`` blocks says, for the app's save service.

    Returns the texts by language (``{"en": {"name": ...}}``) and the
    languages whose text goes: a block deleted or left with every field
    empty removes its language's text, if it had one; a block moved to
    another language removes the old one. The caller's service writes both;
    the formset itself saves nothing, so its lists of saved objects (which
    the admin's history message reads) are emptied.
    """
    texts: dict[str, dict[str, str]] = {}
    removed: list[str] = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or not data.get("language"):
            continue
        before = form.initial.get("language") if form.instance.pk else None
        values = {name: data.get(name, "") for name in fields}
        if data.get("DELETE") or not any(values.values()):
            if before:
                removed.append(before)
            continue
        if before and before != data["language"]:
            removed.append(before)  # moved to another language
        texts[data["language"]] = values
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    return texts, removed
