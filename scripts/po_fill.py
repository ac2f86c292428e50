"""Fill or correct entries of a .po file from a JSON {msgid: msgstr} map; drop their fuzzy flag.

Usage: python scripts/po_fill.py convoca/locale/es/LC_MESSAGES/django.po translations.json
A list value fills a plural entry's forms.
"""

import json
import re
import sys


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(po_path: str, map_path: str) -> None:
    with open(map_path, encoding="utf-8") as handle:
        translations = json.load(handle)
    with open(po_path, encoding="utf-8") as handle:
        blocks = handle.read().split("\n\n")
    done = set()
    for i, block in enumerate(blocks):
        match = re.search(r'^msgid ((?:".*"\n?)+)(?=^msgid_plural|^msgstr)', block, re.M)
        if not match:
            continue
        msgid = "".join(json.loads(part) for part in match.group(1).split("\n") if part)
        if msgid not in translations:
            continue
        lines = block.split("\n")
        head = [line for line in lines if line.startswith("#") and line != "#, fuzzy"]
        head = [re.sub(r"^#, fuzzy, ", "#, ", line) for line in head]
        head = [line for line in head if not line.startswith("#| ")]
        value = translations[msgid]
        if isinstance(value, list):  # plural forms: [one, many]
            plural = re.search(r'^msgid_plural ((?:".*"\n?)+)(?=^msgstr)', block, re.M)
            body = [f"msgid_plural {plural.group(1).rstrip()}"] + [
                f"msgstr[{n}] {quote(form)}" for n, form in enumerate(value)
            ]
        else:
            body = [f"msgstr {quote(value)}"]
        blocks[i] = "\n".join([*head, f"msgid {match.group(1).rstrip()}", *body])
        done.add(msgid)
    with open(po_path, "w", encoding="utf-8") as handle:
        handle.write("\n\n".join(blocks))
    missing = set(translations) - done
    if missing:
        sys.exit(f"not found: {sorted(missing)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
