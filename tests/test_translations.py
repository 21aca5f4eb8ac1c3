"""Every language offered ships a complete catalogue whose compiled .mo matches its .po.

Django reads the compiled `.mo` files, and a fresh machine may lack GNU
gettext's msgfmt, so the `.mo` files are committed beside the `.po` files.
These checks keep both honest: every entry translated (every plural form),
none fuzzy, the same placeholders and HTML tags as the English, and a `.mo`
that holds exactly the `.po`'s catalogue. The `.po` is read with polib (a
well-kept parser); the `.mo` with the standard library's
`gettext.GNUTranslations`, which is what Django itself uses.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# %(name)s and the positional %s, %d, %i, %f (a literal "%" is written "%%" in a python-format string).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]")
BRACE_PLACEHOLDER = re.compile(r"\{\w*\}")
# A tag's name and whether it closes: attributes may be translated (a title), the tags themselves may not.
HTML_TAG = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")


def markup_of(text: str) -> Counter[str]:
    """Return the placeholders and HTML tags of a message, with how often each occurs."""
    tags = [("</" if tag.group(0).startswith("</") else "<") + tag.group(1).lower() for tag in HTML_TAG.finditer(text)]
    return Counter(PERCENT_PLACEHOLDER.findall(text) + BRACE_PLACEHOLDER.findall(text) + tags)


def catalogue_key(entry: polib.POEntry) -> str:
    """Return the key gettext files an entry under: its context and msgid joined by EOT, or the msgid alone."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def expected_catalogue(po: polib.POFile) -> dict[str | tuple[str, int], str]:
    """Return what msgfmt compiles from the .po: its translated, non-fuzzy entries (plural forms by index)."""
    catalogue: dict[str | tuple[str, int], str] = {}
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            if all(entry.msgstr_plural.values()):
                for index, form in entry.msgstr_plural.items():
                    catalogue[(catalogue_key(entry), int(index))] = form
        elif entry.msgstr:
            catalogue[catalogue_key(entry)] = entry.msgstr
    return catalogue


def compiled_catalogue(mo_path: Path) -> dict[str | tuple[str, int], str]:
    """Return the messages of a compiled .mo as Django's translation machinery reads them, header left out."""
    with mo_path.open("rb") as mo_file:
        translations = gettext.GNUTranslations(mo_file)
    # The standard library offers no public way to list a catalogue's messages; `_catalog` is the dict it reads.
    catalogue: dict[str | tuple[str, int], str] = dict(vars(translations)["_catalog"])
    catalogue.pop("", None)
    return catalogue


def entry_problems(entry: polib.POEntry, plural_forms: int) -> list[str]:
    """Return what is wrong with one entry: untranslated, fuzzy, or placeholders or tags unlike the English."""
    name = repr(entry.msgid[:60])
    if "fuzzy" in entry.flags:
        return [f"{name} is marked fuzzy"]
    if entry.msgid_plural:
        return plural_problems(entry, name, plural_forms)
    if not entry.msgstr:
        return [f"{name} is not translated"]
    if markup_of(entry.msgstr) != markup_of(entry.msgid):
        return [f"{name} has placeholders or tags unlike the English: {entry.msgstr!r}"]
    return []


def plural_problems(entry: polib.POEntry, name: str, plural_forms: int) -> list[str]:
    """Return what is wrong with a plural entry's forms.

    A form may leave out the count (a language's "one" form often does) but
    never bring in a name the English lacks; the last form, the plural proper,
    keeps every placeholder and tag.
    """
    forms = [entry.msgstr_plural.get(index, "") for index in range(plural_forms)]
    if not all(forms) or len(entry.msgstr_plural) != plural_forms:
        return [f"{name} does not translate all {plural_forms} plural forms"]
    known = markup_of(entry.msgid) | markup_of(entry.msgid_plural)
    strays = [form for form in forms if markup_of(form) - known]
    if strays:
        return [f"{name} has placeholders or tags the English lacks: {strays[0]!r}"]
    if markup_of(forms[-1]) != markup_of(entry.msgid_plural):
        return [f"{name} has a plural form whose placeholders or tags are unlike the English: {forms[-1]!r}"]
    return []


def catalogue_problems(locale_dir: Path, language: str) -> list[str]:
    """Return every problem with a language's catalogue under `locale_dir`; an empty list means it is complete."""
    po_path = locale_dir / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    if not po_path.exists():
        return [f"{po_path} is missing"]
    po = polib.pofile(str(po_path))
    plural_forms = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    if plural_forms is None:
        return [f"{po_path} has no Plural-Forms header"]
    problems = [
        problem for entry in po if not entry.obsolete for problem in entry_problems(entry, int(plural_forms.group(1)))
    ]
    if not mo_path.exists():
        problems.append(f"{mo_path} is missing: run manage.py compilemessages and commit it")
    elif compiled_catalogue(mo_path) != expected_catalogue(po):
        problems.append(f"{mo_path} does not hold the .po's catalogue: run manage.py compilemessages and commit it")
    return problems


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_each_offered_language_has_a_complete_compiled_catalogue(language: str) -> None:
    assert catalogue_problems(LOCALE_DIR, language) == []


# The checker itself, on a throwaway catalogue.

HEADER = {
    "Content-Type": "text/plain; charset=UTF-8",
    "Language": "fr",
    "Plural-Forms": "nplurals=2; plural=(n > 1);",
}


def throwaway_po(*extra: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    po.metadata = dict(HEADER)
    po.append(polib.POEntry(msgid="Home", msgstr="Accueil"))
    po.append(polib.POEntry(msgid="May", msgctxt="month", msgstr="Mai"))
    po.append(
        polib.POEntry(
            msgid="%(time)s ago", msgstr="il y a %(time)s", flags=["python-format"], occurrences=[("posts.py", "1")]
        )
    )
    po.append(
        polib.POEntry(msgid='Read the <a href="%(url)s">rules</a>.', msgstr='Lire les <a href="%(url)s">règles</a>.')
    )
    po.append(
        polib.POEntry(
            msgid="%(count)s post",
            msgid_plural="%(count)s posts",
            msgstr_plural={0: "%(count)s publication", 1: "%(count)s publications"},
        )
    )
    po.append(polib.POEntry(msgid="Gone", msgstr="", obsolete=True))
    for entry in extra:
        po.append(entry)
    return po


def write_catalogue(locale_dir: Path, po: polib.POFile, *, compile_from: polib.POFile | None = None) -> None:
    folder = locale_dir / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    po.save(str(folder / "django.po"))
    (compile_from or po).save_as_mofile(str(folder / "django.mo"))


def test_a_complete_catalogue_passes(tmp_path: Path) -> None:
    write_catalogue(tmp_path, throwaway_po())
    assert catalogue_problems(tmp_path, "fr") == []
    # The .mo as gettext reads it really is the catalogue, context and plural forms included.
    with (tmp_path / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as mo_file:
        translations = gettext.GNUTranslations(mo_file)
    assert translations.pgettext("month", "May") == "Mai"
    assert translations.ngettext("%(count)s post", "%(count)s posts", 3) == "%(count)s publications"


def test_a_missing_catalogue_is_reported(tmp_path: Path) -> None:
    assert catalogue_problems(tmp_path, "fr") == [f"{tmp_path}/fr/LC_MESSAGES/django.po is missing"]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (polib.POEntry(msgid="Sign in", msgstr=""), "'Sign in' is not translated"),
        (polib.POEntry(msgid="Sign in", msgstr="Connexion", flags=["fuzzy"]), "'Sign in' is marked fuzzy"),
        (
            polib.POEntry(msgid="%(name)s joined", msgstr="%(nom)s a rejoint", flags=["python-format"]),
            "'%(name)s joined' has placeholders or tags unlike the English",
        ),
        (
            polib.POEntry(msgid="{count} members", msgstr="{nombre} membres"),
            "'{count} members' has placeholders or tags unlike the English",
        ),
        (
            polib.POEntry(msgid="Read <strong>this</strong>", msgstr="Lisez ceci"),
            "'Read <strong>this</strong>' has placeholders or tags unlike the English",
        ),
        (
            polib.POEntry(msgid="%(n)s vote", msgid_plural="%(n)s votes", msgstr_plural={0: "%(n)s voix", 1: ""}),
            "'%(n)s vote' does not translate all 2 plural forms",
        ),
        (
            polib.POEntry(msgid="%(n)s vote", msgid_plural="%(n)s votes", msgstr_plural={0: "un vote", 1: "des votes"}),
            "'%(n)s vote' has a plural form whose placeholders or tags are unlike the English",
        ),
        (
            polib.POEntry(
                msgid="one vote", msgid_plural="%(n)s votes", msgstr_plural={0: "%(x)s vote", 1: "%(n)s votes"}
            ),
            "'one vote' has placeholders or tags the English lacks",
        ),
    ],
)
def test_a_faulty_entry_is_reported(tmp_path: Path, entry: polib.POEntry, problem: str) -> None:
    write_catalogue(tmp_path, throwaway_po(entry))
    [reported] = catalogue_problems(tmp_path, "fr")
    assert reported.startswith(problem)


def test_a_stale_compiled_catalogue_is_reported(tmp_path: Path) -> None:
    """A .mo compiled before a translation changed no longer holds the .po's catalogue."""
    stale = throwaway_po()
    current = throwaway_po()
    current[0].msgstr = "Page d'accueil"
    write_catalogue(tmp_path, current, compile_from=stale)
    assert catalogue_problems(tmp_path, "fr") == [
        f"{tmp_path}/fr/LC_MESSAGES/django.mo does not hold the .po's catalogue: "
        "run manage.py compilemessages and commit it"
    ]


def test_a_compiled_catalogue_missing_an_entry_is_reported(tmp_path: Path) -> None:
    write_catalogue(
        tmp_path,
        throwaway_po(polib.POEntry(msgid="Search", msgstr="Rechercher")),
        compile_from=throwaway_po(),
    )
    assert len(catalogue_problems(tmp_path, "fr")) == 1


def test_a_missing_compiled_catalogue_is_reported(tmp_path: Path) -> None:
    write_catalogue(tmp_path, throwaway_po())
    (tmp_path / "fr" / "LC_MESSAGES" / "django.mo").unlink()
    assert catalogue_problems(tmp_path, "fr") == [
        f"{tmp_path}/fr/LC_MESSAGES/django.mo is missing: run manage.py compilemessages and commit it"
    ]
