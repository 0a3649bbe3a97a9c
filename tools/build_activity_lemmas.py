"""Write clausegen/activities_lemmas.json: the lemmas pymorphy3 gives each Russian word of the activity
vocabulary (clausegen/activities.yaml), with the dictionary version they come from.

    python3 tools/build_activity_lemmas.py

Run it after changing the vocabulary or the pymorphy3 dictionary; tests/test_activities.py checks that
the file says what the analyser says.  The file is data (words and their lemmas), read as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymorphy3_dicts_ru import __version__ as DICTIONARY  # noqa: E402

from clausegen import activities  # noqa: E402


def table() -> dict[str, object]:
    words = {word.lower().replace("ё", "е") for word in activities.vocabulary_words()}
    russian = sorted(word for word in words if activities._CYRILLIC.search(word))
    return {"dictionary": DICTIONARY,
            "lemmas": {word: sorted(activities.analysed_lemmas(word)) for word in russian}}


def main() -> None:
    path = ROOT / "clausegen" / activities.LEMMAS_FILE
    data = table()
    lines = [f"  {json.dumps(word, ensure_ascii=False)}: {json.dumps(found, ensure_ascii=False)}"
             for word, found in data["lemmas"].items()]  # type: ignore[union-attr]
    path.write_text(f'{{"dictionary": {json.dumps(data["dictionary"])}, "lemmas": {{\n' + ",\n".join(lines) + "\n}}\n",
                    encoding="utf-8")
    print(f"{path}: {len(lines)} words")


if __name__ == "__main__":
    main()
